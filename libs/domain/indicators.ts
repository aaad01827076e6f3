// Indicators of possible electoral fraud (postal vote applications per address, registrations per
// property, proxies per proxy holder) and the rules for the observations recorded against them.
// Plain functions, so that the CSV ingest and the JSON route judge a row the same way.
import { fieldProblem, type FieldProblem, type ProblemCode, type ValuesArg } from './problems';

export const INDICATOR_SUBJECT_TYPES = ['address', 'property', 'proxy_holder', 'polling_district', 'ward', 'other'] as const;
export type IndicatorSubjectType = (typeof INDICATOR_SUBJECT_TYPES)[number];

/** The columns of an observations CSV, in any order; `note` may be left out. */
export const OBSERVATION_CSV_COLUMNS = ['indicator', 'subject', 'value', 'observedAt', 'note'] as const;
const REQUIRED_COLUMNS = ['indicator', 'subject', 'value', 'observedAt'];

export const MAX_SUBJECT_LENGTH = 300;
export const MAX_NOTE_LENGTH = 2000;
/** An observation may be dated a little ahead of the server's clock, not more. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const ISO_DATE_OR_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** A problem with one field of one line of an observations file (line 1 is the header), with its code. */
export type RowProblem = FieldProblem & { line: number };

const rowProblem = <C extends ProblemCode>(line: number, field: string, code: C, ...values: ValuesArg<C>): RowProblem => ({
  ...fieldProblem(field, code, ...values),
  line,
});

export interface ObservationInput {
  indicator: string;
  subject: string;
  value: string | number;
  observedAt: string;
  note?: string;
}

export interface Observation {
  indicatorId: string;
  subject: string;
  subjectKey: string;
  value: number;
  observedAt: Date;
  note: string | null;
}

/** What a row is checked against: the authority's indicators by key. */
export type IndicatorsByKey = ReadonlyMap<string, { id: string; status: string }>;

/** Whitespace collapsed and trimmed; the key compares case-insensitively ("12 High St" = "12 high st"). */
export function normaliseSubject(subject: string): { subject: string; subjectKey: string } {
  const tidy = subject.replace(/\s+/g, ' ').trim();
  return { subject: tidy, subjectKey: tidy.toLowerCase() };
}

/** Problems with a CSV header: unknown, repeated or missing columns. Line 1 is the header. */
export function checkObservationHeader(columns: string[]): RowProblem[] {
  const problems: RowProblem[] = [];
  const seen = new Set<string>();
  for (const column of columns) {
    if (!(OBSERVATION_CSV_COLUMNS as readonly string[]).includes(column)) {
      problems.push(rowProblem(1, column || '(empty)', 'indicator.not_a_column', { columns: OBSERVATION_CSV_COLUMNS.join(', ') }));
    } else if (seen.has(column)) {
      problems.push(rowProblem(1, column, 'indicator.column_twice'));
    }
    seen.add(column);
  }
  for (const column of REQUIRED_COLUMNS) {
    if (!seen.has(column)) problems.push(rowProblem(1, column, 'indicator.column_missing'));
  }
  return problems;
}

/**
 * Checks one observation and returns it ready to store, or every problem it has. `line` is the
 * CSV line (or 0 for a JSON body), so that a refused file names each bad row.
 */
export function checkObservation(
  input: ObservationInput,
  line: number,
  indicators: IndicatorsByKey,
  now: number,
): { observation?: Observation; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const indicatorKey = String(input.indicator ?? '').trim();
  const indicator = indicators.get(indicatorKey);
  if (!indicatorKey) problems.push(rowProblem(line, 'indicator', 'indicator.empty'));
  else if (!indicator) problems.push(rowProblem(line, 'indicator', 'indicator.unknown', { key: indicatorKey.slice(0, 80) }));
  else if (indicator.status !== 'active') problems.push(rowProblem(line, 'indicator', 'indicator.retired', { key: indicatorKey }));

  const { subject, subjectKey } = normaliseSubject(String(input.subject ?? ''));
  if (!subject) problems.push(rowProblem(line, 'subject', 'indicator.empty'));
  else if (subject.length > MAX_SUBJECT_LENGTH) problems.push(rowProblem(line, 'subject', 'indicator.too_long', { max: MAX_SUBJECT_LENGTH }));

  const rawValue = typeof input.value === 'number' ? String(input.value) : String(input.value ?? '').trim();
  const value = /^\d+(\.\d+)?$/.test(rawValue) ? Number(rawValue) : Number.NaN;
  if (!rawValue) problems.push(rowProblem(line, 'value', 'indicator.empty'));
  else if (!Number.isFinite(value) || value > 1e12) problems.push(rowProblem(line, 'value', 'indicator.not_a_number', { value: rawValue.slice(0, 40) }));

  const rawAt = String(input.observedAt ?? '').trim();
  const observedAt = ISO_DATE_OR_TIME.test(rawAt) ? new Date(rawAt.length === 10 ? `${rawAt}T00:00:00Z` : rawAt) : new Date(Number.NaN);
  if (!rawAt) problems.push(rowProblem(line, 'observedAt', 'indicator.empty'));
  else if (Number.isNaN(observedAt.getTime()) || (rawAt.length === 10 && observedAt.toISOString().slice(0, 10) !== rawAt)) {
    problems.push(rowProblem(line, 'observedAt', 'indicator.not_a_time', { value: rawAt.slice(0, 40) }));
  } else if (observedAt.getTime() > now + FUTURE_TOLERANCE_MS) problems.push(rowProblem(line, 'observedAt', 'field.in_future'));

  const note = input.note === undefined || input.note === null ? '' : String(input.note).trim();
  if (note.length > MAX_NOTE_LENGTH) problems.push(rowProblem(line, 'note', 'indicator.too_long', { max: MAX_NOTE_LENGTH }));

  if (problems.length > 0) return { problems };
  return { observation: { indicatorId: indicator!.id, subject, subjectKey, value, observedAt, note: note || null }, problems };
}

/** A threshold is crossed when a value reaches it. */
export function crossesThreshold(value: number, threshold: number): boolean {
  return value >= threshold;
}
