import fc from 'fast-check';
import { addDaysToIsoDate, fromLondonLocal, londonOffsetMs, toLondon, weekdayOfIsoDate } from './london-time';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

// Last Sundays of March and October, when the clocks change at 01:00 UTC.
const TRANSITIONS: Array<[number, string, string]> = [
  [2024, '2024-03-31', '2024-10-27'],
  [2025, '2025-03-30', '2025-10-26'],
  [2026, '2026-03-29', '2026-10-25'],
  [2027, '2027-03-28', '2027-10-31'],
  [2028, '2028-03-26', '2028-10-29'],
  [2029, '2029-03-25', '2029-10-28'],
  [2030, '2030-03-31', '2030-10-27'],
];

/** An independent oracle: the London wall clock according to the ICU time-zone database. */
const icu = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
function icuLondon(ms: number): { date: string; time: string } {
  const p = Object.fromEntries(icu.formatToParts(new Date(ms)).map((part) => [part.type, part.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}` };
}
function clock(timeOfDayMs: number): string {
  return new Date(timeOfDayMs).toISOString().slice(11, 19);
}

describe('londonOffsetMs', () => {
  it('is GMT in winter and BST in summer', () => {
    expect(londonOffsetMs(at('2026-01-15T12:00:00Z'))).toBe(0);
    expect(londonOffsetMs(at('2026-07-15T12:00:00Z'))).toBe(HOUR);
    expect(londonOffsetMs(at('2026-12-31T23:59:59Z'))).toBe(0);
  });

  it.each(TRANSITIONS)('%i: BST starts at 01:00 UTC on %s and ends at 01:00 UTC on %s', (_year, spring, autumn) => {
    expect(weekdayOfIsoDate(spring)).toBe(0);
    expect(weekdayOfIsoDate(autumn)).toBe(0);
    // the last Sunday: a week later is in the next month
    expect(addDaysToIsoDate(spring, 7).slice(5, 7)).toBe('04');
    expect(addDaysToIsoDate(autumn, 7).slice(5, 7)).toBe('11');

    const springAt = at(`${spring}T01:00:00Z`);
    const autumnAt = at(`${autumn}T01:00:00Z`);
    expect(londonOffsetMs(springAt - 1)).toBe(0);
    expect(londonOffsetMs(springAt)).toBe(HOUR);
    expect(londonOffsetMs(autumnAt - 1)).toBe(HOUR);
    expect(londonOffsetMs(autumnAt)).toBe(0);
    // a week either side is unambiguous
    expect(londonOffsetMs(springAt - 7 * 86_400_000)).toBe(0);
    expect(londonOffsetMs(autumnAt + 7 * 86_400_000)).toBe(0);
  });
});

describe('toLondon', () => {
  it('gives the London date and time of day in winter and summer', () => {
    expect(toLondon(at('2026-01-15T09:30:00Z'))).toMatchObject({ date: '2026-01-15', timeOfDayMs: 9 * HOUR + 30 * MINUTE });
    expect(toLondon(at('2026-07-15T09:30:00Z'))).toMatchObject({ date: '2026-07-15', timeOfDayMs: 10 * HOUR + 30 * MINUTE });
  });

  it('moves late UTC evenings in summer onto the next London day', () => {
    expect(toLondon(at('2026-06-30T23:30:00Z'))).toMatchObject({ date: '2026-07-01', timeOfDayMs: 30 * MINUTE });
    expect(toLondon(at('2026-12-31T23:30:00Z'))).toMatchObject({ date: '2026-12-31', timeOfDayMs: 23 * HOUR + 30 * MINUTE });
  });

  it('jumps from 00:59 to 02:00 when BST starts', () => {
    expect(clock(toLondon(at('2026-03-29T00:59:00Z')).timeOfDayMs)).toBe('00:59:00');
    expect(clock(toLondon(at('2026-03-29T01:00:00Z')).timeOfDayMs)).toBe('02:00:00');
  });

  it('repeats 01:00 to 02:00 when BST ends', () => {
    expect(toLondon(at('2026-10-25T00:30:00Z'))).toMatchObject({ date: '2026-10-25', timeOfDayMs: HOUR + 30 * MINUTE });
    expect(toLondon(at('2026-10-25T01:30:00Z'))).toMatchObject({ date: '2026-10-25', timeOfDayMs: HOUR + 30 * MINUTE });
  });

  it('agrees with the ICU Europe/London zone for any instant 2024–2030', () => {
    fc.assert(
      fc.property(fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2030-12-31T23:59:59Z') }), (ms) => {
        const { date, timeOfDayMs } = toLondon(ms);
        expect({ date, time: clock(timeOfDayMs) }).toEqual(icuLondon(Math.floor(ms / 1000) * 1000));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with ICU in every minute around each clock change', () => {
    for (const [, spring, autumn] of TRANSITIONS) {
      for (const day of [spring, autumn]) {
        for (let ms = at(`${day}T00:00:00Z`) - 2 * HOUR; ms <= at(`${day}T00:00:00Z`) + 4 * HOUR; ms += MINUTE) {
          const { date, timeOfDayMs } = toLondon(ms);
          expect({ ms, date, time: clock(timeOfDayMs) }).toEqual({ ms, ...icuLondon(ms) });
        }
      }
    }
  });
});

describe('fromLondonLocal', () => {
  const local = (wall: string) => at(`${wall}Z`); // a London wall-clock reading, as ms

  it('reads winter and summer wall-clock times', () => {
    expect(new Date(fromLondonLocal(local('2026-01-15T10:00:00'))).toISOString()).toBe('2026-01-15T10:00:00.000Z');
    expect(new Date(fromLondonLocal(local('2026-07-15T10:00:00'))).toISOString()).toBe('2026-07-15T09:00:00.000Z');
  });

  it('reads the London midnight either side of a clock change', () => {
    expect(new Date(fromLondonLocal(local('2026-03-29T00:00:00'))).toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(new Date(fromLondonLocal(local('2026-03-30T00:00:00'))).toISOString()).toBe('2026-03-29T23:00:00.000Z');
    expect(new Date(fromLondonLocal(local('2026-10-25T00:00:00'))).toISOString()).toBe('2026-10-24T23:00:00.000Z');
    expect(new Date(fromLondonLocal(local('2026-10-26T00:00:00'))).toISOString()).toBe('2026-10-26T00:00:00.000Z');
  });

  it('moves a time in the spring gap forward by the hour that was skipped', () => {
    // 01:30 does not exist on 29 March 2026; it is read as 02:30 BST
    expect(new Date(fromLondonLocal(local('2026-03-29T01:30:00'))).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('reads a time in the repeated autumn hour as its later (GMT) occurrence', () => {
    expect(new Date(fromLondonLocal(local('2026-10-25T01:30:00'))).toISOString()).toBe('2026-10-25T01:30:00.000Z');
    expect(new Date(fromLondonLocal(local('2026-10-25T00:59:00'))).toISOString()).toBe('2026-10-24T23:59:00.000Z');
    expect(new Date(fromLondonLocal(local('2026-10-25T02:00:00'))).toISOString()).toBe('2026-10-25T02:00:00.000Z');
  });

  it('inverts toLondon for every instant outside the repeated autumn hour', () => {
    fc.assert(
      fc.property(fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2030-12-31T23:59:59Z') }), (ms) => {
        const { dayStartLocalMs, timeOfDayMs } = toLondon(ms);
        const ambiguousFirst = londonOffsetMs(ms) === HOUR && londonOffsetMs(ms + HOUR) === 0;
        fc.pre(!ambiguousFirst);
        expect(fromLondonLocal(dayStartLocalMs + timeOfDayMs)).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('calendar dates', () => {
  it('gives the weekday of an ISO date (0 = Sunday)', () => {
    expect(weekdayOfIsoDate('2026-12-25')).toBe(5);
    expect(weekdayOfIsoDate('2026-12-27')).toBe(0);
    expect(weekdayOfIsoDate('2028-01-01')).toBe(6);
    expect(weekdayOfIsoDate('2024-02-29')).toBe(4);
  });

  it('adds days across month, year and leap-day boundaries', () => {
    expect(addDaysToIsoDate('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDaysToIsoDate('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDaysToIsoDate('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDaysToIsoDate('2026-03-28', 2)).toBe('2026-03-30'); // across the spring clock change
    expect(addDaysToIsoDate('2026-01-10', -10)).toBe('2025-12-31');
    expect(addDaysToIsoDate('2026-01-10', 365)).toBe('2027-01-10');
  });
});
