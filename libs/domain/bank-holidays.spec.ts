import { BANK_HOLIDAY_YEARS, CalendarCoverageError, bankHolidaysOf, isBankHoliday } from './bank-holidays';

const DAY = 86_400_000;

// ---- The England and Wales rules, recomputed independently of the table ----

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function weekday(ms: number): number {
  return new Date(ms).getUTCDay();
}

/** Easter Sunday (Gregorian), by the anonymous (Meeus/Jones/Butcher) computus. */
function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31); // 3 = March, 4 = April
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

function firstMonday(year: number, month: number): number {
  const first = Date.UTC(year, month, 1);
  return first + ((8 - weekday(first)) % 7) * DAY;
}

function lastMonday(year: number, month: number): number {
  const last = Date.UTC(year, month + 1, 0);
  return last - ((weekday(last) + 6) % 7) * DAY;
}

/** A fixed-date holiday that falls at a weekend moves to the next weekday not already taken. */
function withSubstitutes(fixed: number[]): number[] {
  const taken = new Set<number>();
  for (const date of fixed) {
    let day = date;
    while (weekday(day) === 0 || weekday(day) === 6 || taken.has(day)) day += DAY;
    taken.add(day);
  }
  return [...taken];
}

function rulesFor(year: number): string[] {
  const easter = easterSunday(year);
  const dates = [
    ...withSubstitutes([Date.UTC(year, 0, 1)]),
    easter - 2 * DAY, // Good Friday
    easter + DAY, // Easter Monday
    firstMonday(year, 4), // early May
    lastMonday(year, 4), // spring
    lastMonday(year, 7), // summer
    ...withSubstitutes([Date.UTC(year, 11, 25), Date.UTC(year, 11, 26)]),
  ];
  return dates.sort((x, y) => x - y).map(iso);
}

describe('the recomputation helpers themselves', () => {
  it.each([
    [2000, '2000-04-23'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2038, '2038-04-25'],
    [2285, '2285-03-22'],
  ])('Easter %i is %s', (year, expected) => {
    expect(iso(easterSunday(year))).toBe(expected);
  });

  it('finds first and last Mondays', () => {
    expect(iso(firstMonday(2028, 4))).toBe('2028-05-01'); // 1 May 2028 is itself a Monday
    expect(iso(lastMonday(2027, 4))).toBe('2027-05-31'); // 31 May 2027 is itself a Monday
    expect(iso(lastMonday(2026, 7))).toBe('2026-08-31');
  });
});

describe('England and Wales bank holiday table', () => {
  const years: number[] = [];
  for (let y = BANK_HOLIDAY_YEARS.first; y <= BANK_HOLIDAY_YEARS.last; y++) years.push(y);

  it('covers 2024 to 2030', () => {
    expect(BANK_HOLIDAY_YEARS).toEqual({ first: 2024, last: 2030 });
  });

  it.each(years)('%i matches the statutory rules exactly', (year) => {
    expect([...bankHolidaysOf(year)].sort()).toEqual(rulesFor(year));
  });

  it('has eight holidays every year, all on weekdays', () => {
    for (const year of years) {
      const holidays = bankHolidaysOf(year);
      expect(holidays).toHaveLength(8);
      for (const date of holidays) {
        expect(date.startsWith(`${year}-`)).toBe(true);
        expect([0, 6]).not.toContain(weekday(Date.parse(`${date}T00:00:00Z`)));
      }
    }
  });

  it('applies the substitute days published by GOV.UK', () => {
    // Boxing Day 2026 is a Saturday; Christmas and Boxing Day 2027 are a weekend; New Year's Day 2028 is a Saturday
    expect(bankHolidaysOf(2026)).toContain('2026-12-28');
    expect(bankHolidaysOf(2027)).toEqual(expect.arrayContaining(['2027-12-27', '2027-12-28']));
    expect(bankHolidaysOf(2028)).toContain('2028-01-03');
  });
});

describe('isBankHoliday', () => {
  it('answers for dates inside the calendar', () => {
    expect(isBankHoliday('2026-12-25')).toBe(true);
    expect(isBankHoliday('2026-12-28')).toBe(true);
    expect(isBankHoliday('2026-12-26')).toBe(false); // a Saturday: the holiday moved to the Monday
    expect(isBankHoliday('2027-03-26')).toBe(true); // Good Friday
    expect(isBankHoliday('2027-03-29')).toBe(true); // Easter Monday
    expect(isBankHoliday('2027-03-28')).toBe(false); // Easter Sunday is not a bank holiday
    expect(isBankHoliday('2025-06-10')).toBe(false);
  });

  it('agrees with the rules for every day of 2024 to 2030', () => {
    const expected = new Set<string>();
    for (let y = BANK_HOLIDAY_YEARS.first; y <= BANK_HOLIDAY_YEARS.last; y++) for (const d of rulesFor(y)) expected.add(d);
    let count = 0;
    for (let ms = Date.UTC(2024, 0, 1); ms <= Date.UTC(2030, 11, 31); ms += DAY) {
      const date = iso(ms);
      expect([date, isBankHoliday(date)]).toEqual([date, expected.has(date)]);
      if (isBankHoliday(date)) count++;
    }
    expect(count).toBe(56);
  });

  it.each(['2023-12-25', '2023-12-31', '2031-01-01', '2031-12-25', '1999-01-01'])('refuses %s, outside the calendar, with CalendarCoverageError', (date) => {
    expect(() => isBankHoliday(date)).toThrow(CalendarCoverageError);
    expect(() => isBankHoliday(date)).toThrow(/covers 2024 to 2030/);
  });

  it('accepts the first and last days of the covered range', () => {
    expect(isBankHoliday('2024-01-01')).toBe(true);
    expect(isBankHoliday('2030-12-31')).toBe(false);
  });
});

describe('bankHolidaysOf', () => {
  it('gives an empty list for a year outside the table', () => {
    expect(bankHolidaysOf(2031)).toEqual([]);
    expect(bankHolidaysOf(2023)).toEqual([]);
  });
});
