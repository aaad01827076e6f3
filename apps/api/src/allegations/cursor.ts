import { unprocessable } from '../common/api-error';
import { fieldProblem, problem } from '@libs/domain';

/** An instant as Date.prototype.toISOString prints it. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface Cursor {
  createdAt: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    // Only what encodeCursor writes: Date.parse alone takes text PostgreSQL refuses ("1"), and 36
    // hyphens are not a UUID (both were 500s, found by test/fuzz-requests.e2e-spec.ts).
    if (typeof createdAt !== 'string' || !ISO_INSTANT.test(createdAt) || Number.isNaN(Date.parse(createdAt)) || typeof id !== 'string' || !UUID.test(id))
      throw new Error();
    return { createdAt, id };
  } catch {
    throw unprocessable(problem('cursor.invalid'), [fieldProblem('cursor', 'cursor.not_valid')]);
  }
}
