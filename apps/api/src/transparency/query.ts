// The public transparency routes read whole numbers and ids from the query string themselves, so
// that any bad input is a 400 naming the parameter (API.md: bad input changes nothing).
import { badRequest } from '../common/api-error';

/** An instant as Date.prototype.toISOString prints it. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_BIGINT = 2n ** 63n - 1n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A whole number in [min, 2^53), or undefined when the parameter is absent and optional. */
export function wholeNumber(value: unknown, field: string, options: { min?: number; required?: boolean } = {}): number | undefined {
  const min = options.min ?? 0;
  if (value === undefined || value === '') {
    if (options.required) throw badRequest(`${field} is required`, [{ field, problem: 'is missing' }]);
    return undefined;
  }
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw badRequest(`${field} must be a whole number of at least ${min}`, [{ field, problem: `must be a whole number of at least ${min}` }]);
  return n;
}

export function uuid(value: unknown, field: string): string {
  if (typeof value !== 'string' || !UUID.test(value))
    throw badRequest(`${field} must be a UUID`, [{ field, problem: value === undefined ? 'is missing' : 'must be a UUID' }]);
  return value.toLowerCase();
}

export function encodeCursor(position: { issuedAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([position.issuedAt, position.id])).toString('base64url');
}

export function decodeCursor(text: unknown): { issuedAt: string; id: string } | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const [issuedAt, id] = JSON.parse(Buffer.from(String(text), 'base64url').toString('utf8'));
    // Only what encodeCursor writes: Date.parse alone takes text PostgreSQL refuses ("0.5"), and
    // 19 digits can exceed bigint (both were 500s, found by test/fuzz-requests.e2e-spec.ts).
    if (
      typeof issuedAt !== 'string' ||
      !ISO_INSTANT.test(issuedAt) ||
      Number.isNaN(Date.parse(issuedAt)) ||
      typeof id !== 'string' ||
      !/^\d{1,19}$/.test(id) ||
      BigInt(id) > MAX_BIGINT
    )
      throw new Error();
    return { issuedAt, id };
  } catch {
    throw badRequest('cursor is not one this API returned', [{ field: 'cursor', problem: 'is not a valid cursor' }]);
  }
}
