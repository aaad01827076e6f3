// England and Wales bank holidays, as published by GOV.UK (www.gov.uk/bank-holidays).
// The calendar is data the project carries so that deadline arithmetic stays deterministic
// inside workflows. It covers 2024 to 2030 inclusive; a date outside that range is refused
// rather than silently treated as having no holidays. Extend the table when GOV.UK publishes
// further years (and add any one-off holidays it announces).

export const BANK_HOLIDAY_YEARS = { first: 2024, last: 2030 } as const;

const ENGLAND_AND_WALES: Record<number, string[]> = {
  2024: ['2024-01-01', '2024-03-29', '2024-04-01', '2024-05-06', '2024-05-27', '2024-08-26', '2024-12-25', '2024-12-26'],
  2025: ['2025-01-01', '2025-04-18', '2025-04-21', '2025-05-05', '2025-05-26', '2025-08-25', '2025-12-25', '2025-12-26'],
  2026: ['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28'],
  2027: ['2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28'],
  2028: ['2028-01-03', '2028-04-14', '2028-04-17', '2028-05-01', '2028-05-29', '2028-08-28', '2028-12-25', '2028-12-26'],
  2029: ['2029-01-01', '2029-03-30', '2029-04-02', '2029-05-07', '2029-05-28', '2029-08-27', '2029-12-25', '2029-12-26'],
  2030: ['2030-01-01', '2030-04-19', '2030-04-22', '2030-05-06', '2030-05-27', '2030-08-26', '2030-12-25', '2030-12-26'],
};

const HOLIDAYS = new Set(Object.values(ENGLAND_AND_WALES).flat());

export class CalendarCoverageError extends Error {}

/** `isoDate` is a London calendar date, YYYY-MM-DD. */
export function isBankHoliday(isoDate: string): boolean {
  const year = Number(isoDate.slice(0, 4));
  if (year < BANK_HOLIDAY_YEARS.first || year > BANK_HOLIDAY_YEARS.last) {
    throw new CalendarCoverageError(
      `the bank holiday calendar covers ${BANK_HOLIDAY_YEARS.first} to ${BANK_HOLIDAY_YEARS.last}; ${isoDate} is outside it (extend libs/domain/bank-holidays.ts)`,
    );
  }
  return HOLIDAYS.has(isoDate);
}

export function bankHolidaysOf(year: number): readonly string[] {
  return ENGLAND_AND_WALES[year] ?? [];
}
