// The API's refusals in the page's language. Every 409 and 422 the API sends carries a `code` and
// the `values` its words name (libs/domain/problems.ts); the English of each code is the key of
// its Welsh in apps/web/locales/<language>/problems.json. A page shows a refusal by code, each
// value in the reader's words (a status as its label, a time in Welsh, a decision as its Welsh
// name), and falls back to the API's English only for a code it has no words for (an API newer
// than its pages, or a refusal from before codes). In English the words are the API's own.
import { isProblemCode, kindOf, PASS_THROUGH_CODES, PROBLEMS, type ProblemCode, type ProblemValue, type ValueKind } from '@libs/domain';
import type { ApiFailure, ErrorDetail } from './api-client';
import { i18n, msg, type T } from './i18n';
import { hasLabel, labelOf } from './labels';
import { ukDate, ukDateTime } from './render';

/** Something the API said: its code and values if it gave them, and its English. */
interface Said {
  code?: unknown;
  values?: unknown;
  english: string;
}

/** The catalogue's words for joining a list of choices ("a, b or c") and for a field and its problem. */
const OR_LIST = msg('{{items}} or {{last}}');
const FIELD_PROBLEM = msg('{{field}} {{problem}}');

/** A value in the reader's words, as its kind says. */
function shown(kind: ValueKind, value: ProblemValue | undefined, t: T): string {
  if (value === undefined) return '';
  const code = (v: string) => (hasLabel(v) ? labelOf(v, t.lang) : v);
  if (typeof kind === 'object' && 'codes' in kind) {
    const items = (Array.isArray(value) ? value : [String(value)]).map(code);
    if (kind.join === 'list' || items.length < 2) return items.join(', ');
    return t(OR_LIST, { items: items.slice(0, -1).join(', '), last: items[items.length - 1] });
  }
  const one = Array.isArray(value) ? value.join(', ') : String(value);
  if (typeof kind === 'object' && 'code' in kind) return code(one);
  if (typeof kind === 'object' && 'term' in kind) return t(one);
  if (kind === 'instant') return ukDateTime(one, t.lang) || one;
  if (kind === 'date') return ukDate(`${one}T12:00:00Z`, t.lang) || one;
  return one;
}

/** Whether the page's language has words for this code (English always does: they are the API's). */
function hasWords(code: ProblemCode, t: T): boolean {
  return !PASS_THROUGH_CODES.includes(code) && (t.lang === 'en' || i18n().exists(PROBLEMS[code].text, { lng: t.lang }));
}

/** What the API said, in the page's language; its English where there are no words for its code. */
export function sayProblem({ code, values, english }: Said, t: T): string {
  if (t.lang === 'en' || !isProblemCode(code) || !hasWords(code, t)) return english;
  const given = (typeof values === 'object' && values !== null ? values : {}) as Record<string, ProblemValue>;
  return t(PROBLEMS[code].text, Object.fromEntries(Object.keys(given).map((name) => [name, shown(kindOf(code, name), given[name], t)])));
}

/** One detail's problem, in the page's language. */
export function detailProblem(detail: ErrorDetail, t: T): string {
  return sayProblem({ code: detail.code, values: detail.values, english: detail.problem }, t);
}

/**
 * A refusal's reason, in the page's language. A 422 that lists several problems (`request.invalid`)
 * is said as its list, each problem by its own code.
 */
export function refusalReason(failure: ApiFailure, t: T): string {
  const { code } = failure.body;
  if (t.lang === 'en') return failure.message;
  if (code === 'request.invalid' && failure.details.length > 0)
    return failure.details.map((d) => fieldProblemText(d.field || t('The form'), detailProblem(d, t), t)).join('; ');
  return sayProblem({ code, values: failure.body.values, english: failure.message }, t);
}

/** "Title must be shorter than …" in English; "Teitl: rhaid iddo …" in Welsh, which cannot run a field's name into its problem. */
export function fieldProblemText(field: string, problem: string, t: T): string {
  return t(FIELD_PROBLEM, { field, problem }).trim();
}

/** Each of a refusal's details as "field problem", or its reason when it has none. */
export function detailsOrReason(failure: ApiFailure, t: T): string {
  return failure.details.map((d) => fieldProblemText(d.field, detailProblem(d, t), t)).join('; ') || refusalReason(failure, t);
}

/** Each of a refusal's details' problems, or its reason when it has none. */
export function problemsOrReason(failure: ApiFailure, t: T): string {
  return failure.details.map((d) => detailProblem(d, t)).join('; ') || refusalReason(failure, t);
}
