// Policy durations as a Returning Officer reads and writes them ("2 days", "4 hours 30 minutes"),
// stored as the ISO-8601 durations the API takes (P2D, PT4H30M). Years and months are not offered:
// their length depends on the calendar, and the policy's deadlines must not.

const UNITS = [
  { iso: 'W', words: ['week', 'weeks', 'wk', 'wks', 'w'] },
  { iso: 'D', words: ['day', 'days', 'd'] },
  { iso: 'H', words: ['hour', 'hours', 'hr', 'hrs', 'h'] },
  { iso: 'M', words: ['minute', 'minutes', 'min', 'mins', 'm'] },
  { iso: 'S', words: ['second', 'seconds', 'sec', 'secs', 's'] },
] as const;

const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const NAMES = ['week', 'day', 'hour', 'minute', 'second'];

/** "P2D" as "2 days", "PT4H30M" as "4 hours 30 minutes"; text that is not a duration as it is. */
export function durationInWords(iso: string): string {
  const match = ISO.exec(iso);
  if (!match || iso === 'P' || iso.endsWith('T')) return iso;
  const parts = match
    .slice(1)
    .map((n, i) => (n !== undefined && Number(n) !== 0 ? `${n} ${NAMES[i]}${Number(n) === 1 ? '' : 's'}` : undefined))
    .filter(Boolean);
  return parts.length ? parts.join(' ') : '0 days';
}

/**
 * What a person typed, as an ISO-8601 duration: "2 days", "1 day 12 hours", "90 minutes", "2d",
 * or ISO itself ("P2D"). Undefined when it cannot be read. Zero is passed on, for the API to
 * refuse with its own message beside the field.
 */
export function durationFromWords(text: string): string | undefined {
  const trimmed = text.trim();
  if (ISO.test(trimmed.toUpperCase()) && trimmed.toUpperCase() !== 'P' && !trimmed.toUpperCase().endsWith('T')) return trimmed.toUpperCase();
  const words = trimmed.toLowerCase().replace(/,|\band\b/g, ' ');
  const amounts = new Map<string, string>();
  const token = /(\d+(?:\.\d+)?)\s*([a-z]+)/g;
  let rest = words;
  for (let m = token.exec(words); m; m = token.exec(words)) {
    const unit = UNITS.find((u) => (u.words as readonly string[]).includes(m![2]));
    if (!unit || amounts.has(unit.iso)) return undefined;
    if (unit.iso !== 'S' && !/^\d+$/.test(m[1])) return undefined;
    amounts.set(unit.iso, String(Number(m[1])));
    rest = rest.replace(m[0], ' ');
  }
  if (amounts.size === 0 || rest.trim() !== '') return undefined;
  const part = (iso: string) => (amounts.has(iso) ? `${amounts.get(iso)}${iso}` : '');
  const time = `${part('H')}${part('M')}${part('S')}`;
  return `P${part('W')}${part('D')}${time ? `T${time}` : ''}`;
}
