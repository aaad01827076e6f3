// The position after the last row of a search page: its rank (with a query), its created_at and
// id, the full sort key, so rows that tie on rank and time still page without gaps or repeats.
// The rank and time are kept as PostgreSQL printed them, so they compare exactly on the way back.
// The cursor also carries a fingerprint of the search, since its position means nothing in
// another search's order.
import { createHash } from 'node:crypto';
import { unprocessable } from '../common/api-error';
import { fieldProblem, problem } from '@libs/domain';

export interface SearchPosition {
  rank: string | null;
  createdAt: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RANK = /^\d+(\.\d+)?(e[-+]?\d+)?$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Identifies a search by its words and filters; paging (limit, cursor) is not part of it. */
export function searchFingerprint(filters: Record<string, unknown>): string {
  const keys = Object.keys(filters)
    .filter((k) => filters[k] !== undefined && k !== 'limit' && k !== 'cursor')
    .sort();
  return createHash('sha256')
    .update(JSON.stringify(keys.map((k) => [k, filters[k]])))
    .digest('base64url')
    .slice(0, 16);
}

export function encodeSearchCursor(position: SearchPosition, fingerprint: string): string {
  return Buffer.from(JSON.stringify([fingerprint, position.rank, position.createdAt, position.id])).toString('base64url');
}

/** `ranked`: whether this search orders by rank (it has a query), so its cursors carry one. */
export function decodeSearchCursor(text: string, fingerprint: string, ranked: boolean): SearchPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const [print, rank, createdAt, id] = Array.isArray(parsed) && parsed.length === 4 ? parsed : [];
  const wellFormed =
    typeof print === 'string' &&
    (rank === null || (typeof rank === 'string' && RANK.test(rank))) &&
    typeof createdAt === 'string' &&
    TIMESTAMP.test(createdAt) &&
    typeof id === 'string' &&
    UUID.test(id);
  const invalid = unprocessable(problem('cursor.invalid'), [fieldProblem('cursor', 'cursor.not_valid')]);
  if (!wellFormed) throw invalid;
  if (print !== fingerprint) {
    throw unprocessable(problem('cursor.other_search'), [fieldProblem('cursor', 'cursor.from_other_search')]);
  }
  if (ranked !== (rank !== null)) throw invalid;
  return { rank, createdAt, id };
}
