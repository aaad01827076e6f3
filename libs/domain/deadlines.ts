// Deadline arithmetic: policy durations, working days and the polling-day window.
// Pure and deterministic: the allegation workflow calls it inside the Temporal sandbox.
import { isBankHoliday } from './bank-holidays';
import { Duration, durationMs, parseDuration } from './duration';
import { addDaysToIsoDate, fromLondonLocal, toLondon, weekdayOfIsoDate } from './london-time';
import type { Urgency } from './allegation';
import type { Policy, PollWindow } from './policy';

const DAY = 86_400_000;

export interface DeadlineRules {
  workingDays: boolean;
  pollWindow: PollWindow;
  /** the poll date of the election the case concerns (YYYY-MM-DD), if known */
  pollDate?: string | null;
}

export function isWorkingDay(isoDate: string): boolean {
  const weekday = weekdayOfIsoDate(isoDate);
  return weekday !== 0 && weekday !== 6 && !isBankHoliday(isoDate);
}

/** `days` working days after the London date of `fromMs`, at the same London time of day. */
export function addWorkingDays(fromMs: number, days: number): number {
  const { date, timeOfDayMs } = toLondon(fromMs);
  let cursor = date;
  for (let left = days; left > 0;) {
    cursor = addDaysToIsoDate(cursor, 1);
    if (isWorkingDay(cursor)) left -= 1;
  }
  return fromLondonLocal(Date.parse(`${cursor}T00:00:00Z`) + timeOfDayMs);
}

/** Whether `atMs` falls inside the window around polling day in which deadlines tighten. */
export function inPollWindow(atMs: number, rules: DeadlineRules): boolean {
  if (!rules.pollDate) return false;
  const pollDayStart = fromLondonLocal(Date.parse(`${rules.pollDate}T00:00:00Z`));
  const before = durationMs(parseDuration(rules.pollWindow.before));
  const after = durationMs(parseDuration(rules.pollWindow.after));
  return atMs >= pollDayStart - before && atMs < pollDayStart + DAY + after;
}

/**
 * The deadline `duration` after `fromMs`. Inside the polling-day window the whole duration is
 * scaled and counted in elapsed time (around the poll everyone works weekends); otherwise, with
 * working days on, whole days skip weekends and bank holidays and the time part is added after.
 */
export function deadlineAfter(fromMs: number, duration: string | Duration, rules: DeadlineRules): number {
  const d = typeof duration === 'string' ? parseDuration(duration) : duration;
  if (inPollWindow(fromMs, rules)) {
    return fromMs + Math.round(durationMs(d) * rules.pollWindow.scale);
  }
  if (rules.workingDays && d.days > 0) {
    return addWorkingDays(fromMs, d.days) + d.ms;
  }
  return fromMs + durationMs(d);
}

/**
 * Reminder instants before a deadline, earliest first. A reminder whose time has already passed
 * when the deadline is set is skipped (API.md, Policy), and so is one that would coincide with
 * the deadline itself.
 */
export function reminderTimes(setAtMs: number, dueAtMs: number, remindBefore: readonly string[]): number[] {
  const times = remindBefore.map((offset) => dueAtMs - durationMs(parseDuration(offset))).filter((t) => t > setAtMs && t < dueAtMs);
  return [...new Set(times)].sort((a, b) => a - b);
}

/** The deadline rules of one case under its authority's policy. */
export function deadlineRules(policy: Pick<Policy, 'workingDays' | 'pollWindow'>, pollDate: string | null): DeadlineRules {
  return { workingDays: policy.workingDays, pollWindow: policy.pollWindow, pollDate };
}

/** The urgency deadlines are set by: a safety concern always takes the shortest. */
export function effectiveUrgency(urgency: Urgency, safetyConcern: boolean): Urgency {
  return safetyConcern ? 'immediate' : urgency;
}

/**
 * When triage of a case that entered triage at `fromMs` is due. The one formula for the API's
 * intake receipt (and the case row it writes) and for the workflow's triage deadlines, at intake
 * and again after a return or a lapsed request for information.
 */
export function triageDueAt(
  fromMs: number,
  urgency: Urgency,
  policy: Pick<Policy, 'triageDue' | 'workingDays' | 'pollWindow'>,
  pollDate: string | null,
): number {
  return deadlineAfter(fromMs, policy.triageDue[urgency], deadlineRules(policy, pollDate));
}
