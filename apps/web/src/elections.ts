// The electoral events pages' form handling, kept apart from the controller so it is testable:
// a London wall-clock date and time as an instant, and the plan's measures, one per line.
import { fromLondonLocal } from '@libs/domain';

/** "2027-05-06" and "22:00" (London time) as an ISO instant; undefined when either is not valid. */
export function londonInstant(date: string | undefined, time: string | undefined): string | undefined {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec((date ?? '').trim());
  const t = /^(\d{1,2}):(\d{2})$/.exec((time ?? '').trim());
  if (!d || !t) return undefined;
  const [year, month, day, hour, minute] = [+d[1], +d[2], +d[3], +t[1], +t[2]];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute);
  if (new Date(local).getUTCDate() !== day) return undefined;
  return new Date(fromLondonLocal(local)).toISOString();
}

/** The measures typed one per line, blank lines dropped. */
export function measuresFrom(text: string | undefined): string[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((m) => m.trim())
    .filter(Boolean);
}
