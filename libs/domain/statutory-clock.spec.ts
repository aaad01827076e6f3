import fc from 'fast-check';
import { toLondon } from './london-time';
import { addCalendarMonths, daysToLimit, statutoryClock } from './statutory-clock';

const at = (iso: string) => Date.parse(iso);

describe('addCalendarMonths', () => {
  it('keeps the London wall-clock time across the clock change', () => {
    // 10:00 GMT in January is 10:00 BST in May: an hour earlier in UTC
    expect(new Date(addCalendarMonths(at('2026-01-15T10:00:00Z'), 4)).toISOString()).toBe('2026-05-15T09:00:00.000Z');
  });

  it('falls back to the last day of a shorter month', () => {
    expect(new Date(addCalendarMonths(at('2026-01-31T12:00:00Z'), 1)).toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(new Date(addCalendarMonths(at('2027-03-31T11:00:00Z'), 11)).toISOString()).toBe('2028-02-29T12:00:00.000Z');
  });

  it('a year after 29 February is 28 February', () => {
    expect(new Date(addCalendarMonths(at('2028-02-29T09:30:00Z'), 12)).toISOString()).toBe('2029-02-28T09:30:00.000Z');
  });

  it('refuses a fraction or a negative number of months', () => {
    expect(() => addCalendarMonths(0, 1.5)).toThrow(RangeError);
    expect(() => addCalendarMonths(0, -1)).toThrow(RangeError);
  });

  it("lands on the same day of the month, or the month's last, at the same London time", () => {
    fc.assert(
      fc.property(fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2029-12-31T00:00:00Z') }), fc.integer({ min: 0, max: 24 }), (from, months) => {
        const start = toLondon(from);
        const end = toLondon(addCalendarMonths(from, months));
        const [y, m, d] = start.date.split('-').map(Number);
        const [y2, m2, d2] = end.date.split('-').map(Number);
        expect((y2 - y) * 12 + (m2 - m)).toBe(months);
        expect(d2 === d || (d2 < d && new Date(Date.UTC(y2, m2, 1) - 86_400_000).getUTCDate() === d2)).toBe(true);
        // the hour the clocks skip in spring cannot be kept; every other time of day is
        if (Math.abs(end.timeOfDayMs - start.timeOfDayMs) !== 3_600_000) expect(end.timeOfDayMs).toBe(start.timeOfDayMs);
      }),
    );
  });
});

describe('statutoryClock', () => {
  it('runs one year from the offence, with the extension task ten months in by default', () => {
    const clock = statutoryClock(at('2026-05-07T21:00:00Z'), 10);
    expect(clock).toEqual({ offenceAt: '2026-05-07T21:00:00.000Z', limitAt: '2027-05-07T21:00:00.000Z', extensionTaskDueAt: '2027-03-07T22:00:00.000Z' });
    expect(daysToLimit(at('2027-05-06T21:00:00Z'), clock)).toBe(1);
    expect(daysToLimit(at('2027-05-08T21:00:00Z'), clock)).toBe(-1);
  });
});
