import fc from 'fast-check';
import { CalendarCoverageError } from './bank-holidays';
import { addWorkingDays, deadlineAfter, DeadlineRules, effectiveUrgency, inPollWindow, isWorkingDay, reminderTimes, triageDueAt } from './deadlines';
import { durationMs, parseDuration } from './duration';
import { londonOffsetMs, toLondon } from './london-time';
import { DEFAULT_POLICY } from './policy';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);
const isoOf = (ms: number) => new Date(ms).toISOString();

const WORKING: DeadlineRules = { workingDays: true, pollWindow: DEFAULT_POLICY.pollWindow, pollDate: null };
const ELAPSED: DeadlineRules = { ...WORKING, workingDays: false };
// Thursday 7 May 2026, with the default window: P7D before, P2D after, scale 0.25
const POLL: DeadlineRules = { ...WORKING, pollDate: '2026-05-07' };

describe('isWorkingDay', () => {
  it('excludes weekends and bank holidays', () => {
    expect(isWorkingDay('2026-06-12')).toBe(true); // Friday
    expect(isWorkingDay('2026-06-13')).toBe(false); // Saturday
    expect(isWorkingDay('2026-06-14')).toBe(false); // Sunday
    expect(isWorkingDay('2026-12-25')).toBe(false); // Christmas, a Friday
    expect(isWorkingDay('2026-12-28')).toBe(false); // Boxing Day substitute, a Monday
    expect(isWorkingDay('2026-12-29')).toBe(true);
  });

  it('refuses a date the calendar does not cover', () => {
    expect(() => isWorkingDay('2031-01-02')).toThrow(CalendarCoverageError);
  });
});

describe('addWorkingDays and deadlineAfter: examples', () => {
  it('Friday 10:00 + P2D working days is Tuesday 10:00', () => {
    const friday = at('2026-06-12T09:00:00Z'); // 10:00 BST
    expect(isoOf(deadlineAfter(friday, 'P2D', WORKING))).toBe('2026-06-16T09:00:00.000Z');
    expect(isoOf(addWorkingDays(friday, 2))).toBe('2026-06-16T09:00:00.000Z');
  });

  it('a weekend start counts from the next working day', () => {
    const saturday = at('2026-06-13T09:00:00Z');
    expect(isoOf(deadlineAfter(saturday, 'P1D', WORKING))).toBe('2026-06-15T09:00:00.000Z');
  });

  it('skips Christmas 2026 (Friday 25th) and the Boxing Day substitute (Monday 28th)', () => {
    const thursday = at('2026-12-24T10:00:00Z');
    expect(isoOf(deadlineAfter(thursday, 'P1D', WORKING))).toBe('2026-12-29T10:00:00.000Z');
    expect(isoOf(deadlineAfter(thursday, 'P2D', WORKING))).toBe('2026-12-30T10:00:00.000Z');
    const wednesday = at('2026-12-23T10:00:00Z');
    expect(isoOf(deadlineAfter(wednesday, 'P2D', WORKING))).toBe('2026-12-29T10:00:00.000Z');
  });

  it('skips Easter 2027 and keeps the London time of day across the start of BST', () => {
    // Thursday 25 March 10:00 GMT; Good Friday 26th, BST from Sunday 28th, Easter Monday 29th
    const thursday = at('2027-03-25T10:00:00Z');
    expect(isoOf(deadlineAfter(thursday, 'P1D', WORKING))).toBe('2027-03-30T09:00:00.000Z'); // Tuesday 10:00 BST
    expect(isoOf(deadlineAfter(thursday, 'P3D', WORKING))).toBe('2027-04-01T09:00:00.000Z');
  });

  it('keeps the London time of day across the end of BST', () => {
    const friday = at('2026-10-23T09:00:00Z'); // 10:00 BST; BST ends Sunday 25th
    expect(isoOf(deadlineAfter(friday, 'P1D', WORKING))).toBe('2026-10-26T10:00:00.000Z'); // Monday 10:00 GMT
  });

  it('skips New Year 2028, whose holiday moves to Monday 3 January', () => {
    const friday = at('2027-12-31T15:00:00Z');
    expect(isoOf(deadlineAfter(friday, 'P1D', WORKING))).toBe('2028-01-04T15:00:00.000Z');
  });

  it('counts a week as five working days', () => {
    const monday = at('2026-06-08T09:00:00Z');
    expect(isoOf(deadlineAfter(monday, 'P1W', WORKING))).toBe('2026-06-17T09:00:00.000Z'); // 7 working days on
  });

  it('with workingDays false is plain elapsed time', () => {
    const friday = at('2026-06-12T09:00:00Z');
    expect(isoOf(deadlineAfter(friday, 'P2D', ELAPSED))).toBe('2026-06-14T09:00:00.000Z'); // Sunday
    const christmasEve = at('2026-12-24T10:00:00Z');
    expect(deadlineAfter(christmasEve, 'P1DT4H', ELAPSED)).toBe(christmasEve + DAY + 4 * HOUR);
    // elapsed time ignores the clock change: 48 hours from Saturday 10:00 GMT is Monday 11:00 BST
    expect(isoOf(deadlineAfter(at('2026-03-28T10:00:00Z'), 'P2D', ELAPSED))).toBe('2026-03-30T10:00:00.000Z');
  });

  it('adds a time part as elapsed time after the working days', () => {
    const friday = at('2026-06-12T09:00:00Z');
    expect(isoOf(deadlineAfter(friday, 'P1DT4H', WORKING))).toBe('2026-06-15T13:00:00.000Z'); // Monday 14:00 BST
    // a duration with only a time part runs through the weekend
    const fridayEvening = at('2026-06-12T21:00:00Z'); // 22:00 BST
    expect(isoOf(deadlineAfter(fridayEvening, 'PT4H', WORKING))).toBe('2026-06-13T01:00:00.000Z');
    expect(deadlineAfter(friday, 'PT30M', WORKING)).toBe(friday + 30 * MINUTE);
  });

  it('accepts a parsed duration as well as its text', () => {
    const friday = at('2026-06-12T09:00:00Z');
    expect(deadlineAfter(friday, parseDuration('P2D'), WORKING)).toBe(deadlineAfter(friday, 'P2D', WORKING));
  });

  it('refuses a malformed duration', () => {
    expect(() => deadlineAfter(at('2026-06-12T09:00:00Z'), 'P1M', WORKING)).toThrow(/not an ISO-8601 duration/);
  });

  it('refuses to count working days beyond the calendar', () => {
    expect(() => deadlineAfter(at('2030-12-23T10:00:00Z'), 'P10D', WORKING)).toThrow(CalendarCoverageError);
  });

  it('one working day from the small hours of the Sunday BST starts is Monday at the same wall-clock time, 23 hours on', () => {
    // Deadlines are counted in London calendar days, so this one is an hour shorter than a day of elapsed time.
    const sunday = at('2026-03-29T00:30:00Z'); // 00:30 GMT, half an hour before the clocks go forward
    expect(isoOf(deadlineAfter(sunday, 'P1D', WORKING))).toBe('2026-03-29T23:30:00.000Z'); // Monday 00:30 BST
  });
});

describe('the polling-day window', () => {
  const pollDayStart = at('2026-05-06T23:00:00Z'); // midnight BST on 7 May

  it('runs from P7D before the London start of polling day to P2D after its end', () => {
    expect(inPollWindow(pollDayStart - 7 * DAY - 1, POLL)).toBe(false);
    expect(inPollWindow(pollDayStart - 7 * DAY, POLL)).toBe(true);
    expect(inPollWindow(pollDayStart + 12 * HOUR, POLL)).toBe(true);
    expect(inPollWindow(pollDayStart + 3 * DAY - 1, POLL)).toBe(true);
    expect(inPollWindow(pollDayStart + 3 * DAY, POLL)).toBe(false);
  });

  it('is never open when the poll date is unknown', () => {
    expect(inPollWindow(pollDayStart + 12 * HOUR, WORKING)).toBe(false);
    expect(inPollWindow(pollDayStart + 12 * HOUR, { ...WORKING, pollDate: undefined })).toBe(false);
  });

  it('scales the duration by pollWindow.scale and counts it in elapsed time', () => {
    const saturdayBefore = at('2026-05-02T09:00:00Z'); // Saturday 10:00 BST, inside the window
    expect(isoOf(deadlineAfter(saturdayBefore, 'P2D', POLL))).toBe('2026-05-02T21:00:00.000Z'); // 12 hours
    expect(deadlineAfter(saturdayBefore, 'PT4H', POLL)).toBe(saturdayBefore + HOUR);
    expect(deadlineAfter(saturdayBefore, 'PT30M', { ...POLL, pollWindow: { ...POLL.pollWindow, scale: 0.5 } })).toBe(saturdayBefore + 15 * MINUTE);
  });

  it('applies working days again once the window has closed', () => {
    const afterWindow = at('2026-05-15T09:00:00Z'); // Friday 10:00 BST
    expect(isoOf(deadlineAfter(afterWindow, 'P2D', POLL))).toBe('2026-05-19T09:00:00.000Z');
  });
});

describe('reminderTimes', () => {
  const setAt = at('2026-06-15T09:00:00Z');
  const due = at('2026-06-17T09:00:00Z');

  it('gives reminder instants before the deadline, earliest first', () => {
    expect(reminderTimes(setAt, due, ['PT2H', 'P1D', 'PT30M'])).toEqual([due - DAY, due - 2 * HOUR, due - 30 * MINUTE]);
  });

  it('skips reminders that were already past when the deadline was set', () => {
    const shortDue = setAt + 3 * HOUR;
    expect(reminderTimes(setAt, shortDue, ['P1D', 'PT2H'])).toEqual([shortDue - 2 * HOUR]);
    // a reminder exactly at the moment the deadline is set is also past
    expect(reminderTimes(setAt, shortDue, ['PT3H'])).toEqual([]);
  });

  it('gives each instant once', () => {
    expect(reminderTimes(setAt, due, ['PT1H', 'PT60M', 'PT3600S'])).toEqual([due - HOUR]);
  });

  it('gives none when there are no offsets', () => {
    expect(reminderTimes(setAt, due, [])).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties. Instants stay within 2024-01-01..2030-11-30 and add at most 20 working days, so
// the bank-holiday calendar covers every deadline; half are drawn from around a clock change.

const FIRST = at('2024-01-01T00:00:00Z');
const LAST = at('2030-11-30T23:59:59Z');
const CLOCK_CHANGES = [2024, 2025, 2026, 2027, 2028, 2029, 2030].flatMap((year) =>
  [2, 9].map((month) => {
    const lastDay = Date.UTC(year, month + 1, 0);
    return lastDay - new Date(lastDay).getUTCDay() * DAY + HOUR;
  }),
);
const anyInstant = fc.integer({ min: FIRST, max: LAST });
const nearClockChange = fc.tuple(fc.constantFrom(...CLOCK_CHANGES), fc.integer({ min: -4 * DAY, max: 4 * DAY })).map(([change, offset]) => change + offset);
const instant = fc.oneof(anyInstant, nearClockChange);

/** A non-zero policy duration, as ISO text. */
const durationText = fc
  .record({
    days: fc.integer({ min: 0, max: 15 }),
    hours: fc.integer({ min: 0, max: 23 }),
    minutes: fc.integer({ min: 0, max: 59 }),
    seconds: fc.integer({ min: 0, max: 59 }),
  })
  .filter((d) => d.days + d.hours + d.minutes + d.seconds > 0)
  .map(({ days, hours, minutes, seconds }) => {
    const time = hours || minutes || seconds ? `T${hours}H${minutes}M${seconds}S` : '';
    return `P${days}D${time}`;
  });

function countWorkingDaysAfter(fromDate: string, toDate: string): number {
  let count = 0;
  for (let ms = Date.parse(`${fromDate}T00:00:00Z`) + DAY; ms <= Date.parse(`${toDate}T00:00:00Z`); ms += DAY) {
    if (isWorkingDay(new Date(ms).toISOString().slice(0, 10))) count++;
  }
  return count;
}

describe('deadline properties', () => {
  it('addWorkingDays lands on a working day, exactly that many working days on, at the same London time of day', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 20 }), (from, days) => {
        const start = toLondon(from);
        const end = toLondon(addWorkingDays(from, days));
        expect(isWorkingDay(end.date)).toBe(true);
        expect(end.timeOfDayMs).toBe(start.timeOfDayMs);
        expect(countWorkingDaysAfter(start.date, end.date)).toBe(days);
      }),
      { numRuns: 1000 },
    );
  });

  it('addWorkingDays is strictly increasing in the number of days', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 5 }), (from, fewer, extra) => {
        expect(addWorkingDays(from, fewer + extra)).toBeGreaterThan(addWorkingDays(from, fewer));
      }),
      { numRuns: 1000 },
    );
  });

  it('outside the poll window a deadline is never earlier than the elapsed-time equivalent (save the hour the clocks go forward)', () => {
    fc.assert(
      fc.property(instant, durationText, fc.boolean(), (from, text, workingDays) => {
        const rules: DeadlineRules = { ...POLL, workingDays };
        fc.pre(!inPollWindow(from, rules));
        const due = deadlineAfter(from, text, rules);
        const elapsed = durationMs(parseDuration(text));
        // Working days are London calendar days: a day that contains the start of BST is 23 hours long.
        const springForward = londonOffsetMs(due) > londonOffsetMs(from) ? HOUR : 0;
        expect(due - from).toBeGreaterThanOrEqual(elapsed - springForward);
        if (!workingDays) expect(due - from).toBe(elapsed);
      }),
      { numRuns: 1000 },
    );
  });

  it('outside the poll window, starting on a working day, a working-day deadline is never earlier than elapsed time', () => {
    fc.assert(
      fc.property(instant, durationText, (from, text) => {
        fc.pre(isWorkingDay(toLondon(from).date));
        expect(deadlineAfter(from, text, WORKING) - from).toBeGreaterThanOrEqual(durationMs(parseDuration(text)));
      }),
      { numRuns: 1000 },
    );
  });

  it('inside the poll window a deadline is exactly scale × duration after its start', () => {
    const pollDate = fc.integer({ min: at('2024-02-01T00:00:00Z'), max: at('2030-10-31T00:00:00Z') }).map((ms) => isoOf(ms).slice(0, 10));
    const scale = fc.oneof(fc.constantFrom(0.25, 0.5, 1), fc.double({ min: 0.01, max: 1, noNaN: true }));
    fc.assert(
      fc.property(pollDate, fc.integer({ min: 0, max: 10 * DAY - 1 }), durationText, scale, fc.boolean(), (poll, offset, text, s, workingDays) => {
        const rules: DeadlineRules = { workingDays, pollDate: poll, pollWindow: { before: 'P7D', after: 'P2D', scale: s } };
        const from = fromPollDayStartMinus7Days(poll) + offset;
        expect(inPollWindow(from, rules)).toBe(true);
        const exact = s * durationMs(parseDuration(text));
        const due = deadlineAfter(from, text, rules);
        expect(Math.abs(due - from - exact)).toBeLessThanOrEqual(0.5);
        if (s === 0.25 || s === 0.5 || s === 1) expect(due - from).toBe(exact); // whole seconds scale exactly
      }),
      { numRuns: 1000 },
    );
  });
});

describe('triageDueAt: the one formula of the API and the workflow', () => {
  // Friday 3 July 2026, 16:00 London (BST): a routine case waits over the weekend, an urgent one does not.
  const friday = Date.parse('2026-07-03T15:00:00Z');

  it('takes the policy duration of the urgency, in working days', () => {
    expect(new Date(triageDueAt(friday, 'routine', DEFAULT_POLICY, null)).toISOString()).toBe('2026-07-07T15:00:00.000Z');
    expect(new Date(triageDueAt(friday, 'urgent', DEFAULT_POLICY, null)).toISOString()).toBe('2026-07-03T19:00:00.000Z');
  });

  it('tightens in the polling-day window of the case', () => {
    expect(triageDueAt(friday, 'routine', DEFAULT_POLICY, '2026-07-07') - friday).toBe(0.25 * 2 * DAY);
  });

  it('a safety concern takes the immediate deadline whatever the urgency given', () => {
    expect(effectiveUrgency('routine', true)).toBe('immediate');
    expect(effectiveUrgency('urgent', false)).toBe('urgent');
    expect(triageDueAt(friday, effectiveUrgency('routine', true), DEFAULT_POLICY, null) - friday).toBe(30 * 60_000);
  });
});

/** London midnight at the start of `pollDate`, less seven days: where the default window opens. */
function fromPollDayStartMinus7Days(pollDate: string): number {
  const utcMidnight = Date.parse(`${pollDate}T00:00:00Z`);
  return utcMidnight - londonOffsetMs(utcMidnight - HOUR) - 7 * DAY;
}
