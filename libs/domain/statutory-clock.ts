// The statutory clock (Representation of the People Act 1983 s.176, as amended in 2006):
// proceedings for an election offence must begin within one year of the offence; a court may
// extend that to two years, but only on an application made within the first year.
// Pure and deterministic: the allegation workflow runs this clock.
import { fromLondonLocal, toLondon } from './london-time';

const DAY = 86_400_000;

/**
 * `months` calendar months after `fromMs`, at the same London wall-clock time. A day of the month
 * the target month lacks (31 January + 1 month) falls back to that month's last day.
 */
export function addCalendarMonths(fromMs: number, months: number): number {
  if (!Number.isInteger(months) || months < 0) throw new RangeError(`months must be a whole number of months, not ${months}`);
  const { date, timeOfDayMs } = toLondon(fromMs);
  const [y, m, d] = date.split('-').map(Number);
  const monthIndex = m - 1 + months;
  const year = y + Math.floor(monthIndex / 12);
  const month = monthIndex % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const localMidnight = Date.UTC(year, month, Math.min(d, lastDay));
  return fromLondonLocal(localMidnight + timeOfDayMs);
}

export interface StatutoryClock {
  offenceAt: string;
  /** the end of the year in which proceedings, or an application to extend, must be made */
  limitAt: string;
  /** when the "apply for extension" task falls due */
  extensionTaskDueAt: string;
}

export function statutoryClock(offenceAtMs: number, extensionTaskAfterMonths: number): StatutoryClock {
  return {
    offenceAt: new Date(offenceAtMs).toISOString(),
    limitAt: new Date(addCalendarMonths(offenceAtMs, 12)).toISOString(),
    extensionTaskDueAt: new Date(addCalendarMonths(offenceAtMs, extensionTaskAfterMonths)).toISOString(),
  };
}

/** Whole days left before the limit (0 on its last day, negative once past). */
export function daysToLimit(nowMs: number, clock: StatutoryClock): number {
  return Math.floor((Date.parse(clock.limitAt) - nowMs) / DAY);
}
