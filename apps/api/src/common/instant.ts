// Period bounds in query strings (`from`, `to`, `occurredFrom`, ...). A date alone means midnight
// UTC; a date-time must say its offset, since a bare local time would be read in whatever zone
// the server runs in.
import { registerDecorator } from 'class-validator';
import { unprocessable } from './api-error';
import { fieldProblem, problem } from '@libs/domain';

const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export function isInstant(value: unknown): value is string {
  if (typeof value !== 'string' || !INSTANT.test(value)) return false;
  if (Number.isNaN(Date.parse(value))) return false;
  // Date.parse rolls 2026-02-30 over to March; a real calendar date survives the round trip.
  const date = value.slice(0, 10);
  return new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) === date;
}

/** A query parameter that is a date (YYYY-MM-DD) or an ISO-8601 date-time with Z or an offset. */
export function IsInstant() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isInstant',
      target: object.constructor,
      propertyName,
      options: { message: 'must be a date (YYYY-MM-DD) or an ISO-8601 date-time with Z or an offset' },
      validator: { validate: (value: unknown) => isInstant(value) },
    });
}

/**
 * The instant with an explicit offset, so PostgreSQL never reads it in its session time zone: a
 * date gets midnight UTC; a date-time, which must carry Z or an offset, goes as it is (re-printing
 * it through a JS Date would drop its microseconds).
 */
export function withOffset(value: string | undefined): string | null {
  if (value === undefined) return null;
  return value.length === 10 ? `${value}T00:00:00Z` : value;
}

/** A half-open period [from, to): refuses one that ends before it starts, naming the `to` field. */
export function checkPeriod(from: string | undefined, to: string | undefined, toField: string): void {
  if (from !== undefined && to !== undefined && Date.parse(to) < Date.parse(from)) {
    throw unprocessable(problem('period.ends_before_start', { field: toField }), [fieldProblem(toField, 'period.before_start')]);
  }
}
