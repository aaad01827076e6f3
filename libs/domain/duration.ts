// ISO-8601 durations as policy uses them: weeks, days, hours, minutes and seconds.
// Years and months are refused because their length depends on the calendar, and every
// deadline in this system must be computable without one.

export interface Duration {
  /** whole calendar days (weeks count as seven); subject to working-day rules */
  days: number;
  /** the time part, in milliseconds; always absolute */
  ms: number;
}

const PATTERN = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export class DurationError extends Error {}

export function parseDuration(text: string): Duration {
  const match = typeof text === 'string' ? PATTERN.exec(text) : null;
  if (!match || text === 'P' || text.endsWith('T')) {
    throw new DurationError(`"${String(text)}" is not an ISO-8601 duration of weeks, days, hours, minutes or seconds (for example P2D, PT4H, PT30S)`);
  }
  const [, w, d, h, m, s] = match;
  const days = Number(w ?? 0) * 7 + Number(d ?? 0);
  const ms = Math.round((Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0)) * 1000);
  if (days === 0 && ms === 0) throw new DurationError(`"${text}" is a zero duration`);
  return { days, ms };
}

export function isDuration(text: unknown): boolean {
  try {
    parseDuration(text as string);
    return true;
  } catch {
    return false;
  }
}

export function durationMs(d: Duration): number {
  return d.days * 86_400_000 + d.ms;
}
