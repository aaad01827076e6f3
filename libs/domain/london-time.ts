// London civil time without Intl or time-zone data, so workflows can use it deterministically.
// British Summer Time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
// Sunday of October (Summer Time Order 2002).

const HOUR = 3_600_000;
const DAY = 86_400_000;

function lastSundayUtc(year: number, month: number): number {
  const lastDay = Date.UTC(year, month + 1, 0);
  const weekday = new Date(lastDay).getUTCDay();
  return lastDay - weekday * DAY;
}

/** Offset of London time from UTC at `utcMs`, in milliseconds (0 or one hour). */
export function londonOffsetMs(utcMs: number): number {
  const year = new Date(utcMs).getUTCFullYear();
  const start = lastSundayUtc(year, 2) + HOUR;
  const end = lastSundayUtc(year, 9) + HOUR;
  return utcMs >= start && utcMs < end ? HOUR : 0;
}

/** The London calendar date (YYYY-MM-DD) and time of day (ms since local midnight) of an instant. */
export function toLondon(utcMs: number): { date: string; timeOfDayMs: number; dayStartLocalMs: number } {
  const local = utcMs + londonOffsetMs(utcMs);
  const dayStartLocalMs = Math.floor(local / DAY) * DAY;
  return { date: new Date(dayStartLocalMs).toISOString().slice(0, 10), timeOfDayMs: local - dayStartLocalMs, dayStartLocalMs };
}

/** The instant at London wall-clock time `localMs` (ms since the epoch, read as London time). */
export function fromLondonLocal(localMs: number): number {
  const guess = localMs - londonOffsetMs(localMs);
  return localMs - londonOffsetMs(guess);
}

export function weekdayOfIsoDate(isoDate: string): number {
  return new Date(`${isoDate}T00:00:00Z`).getUTCDay();
}

export function addDaysToIsoDate(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}
