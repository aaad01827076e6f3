// The per-case audit chain. Each event's hash covers the previous event's hash and the event's
// canonical form, so editing or deleting any stored event breaks every hash after it.
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { canonicalJson } from '../domain';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEventInput {
  caseId: string;
  authorityId: string;
  actor: string;
  role: string;
  action: string;
  before?: unknown;
  after?: unknown;
  at?: Date;
}

export interface AuditEvent {
  seq: number;
  at: string;
  actor: string;
  role: string;
  action: string;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

export function hashEvent(caseId: string, prevHash: string, event: Omit<AuditEvent, 'hash' | 'prevHash'>): string {
  const canonical = canonicalJson({
    caseId,
    seq: event.seq,
    at: event.at,
    actor: event.actor,
    role: event.role,
    action: event.action,
    before: event.before ?? null,
    after: event.after ?? null,
  });
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

/** The advisory lock key of an authority's audit log: every append of its chains takes it. */
export const auditLogLockKey = (authorityId: string) => `audit-log:${authorityId}`;

/**
 * Appends one event inside the caller's transaction, at the next position of its authority's
 * Merkle log (libs/transparency). A transaction-scoped advisory lock on the authority serialises
 * writers: two concurrent appends can never take the same seq in a case nor the same log index
 * in the authority, and the indexes stay dense (a rolled-back append frees its index for the
 * next). The lock comes first, before any case lock or row lock this function takes, and is the
 * only one, so two transactions that append to several cases cannot deadlock on each other. It
 * is held until the caller commits: append last, and commit soon after.
 */
export async function appendAuditEvent(manager: EntityManager, input: AuditEventInput): Promise<AuditEvent> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [auditLogLockKey(input.authorityId)]);
  const [position] = await manager.query(
    `SELECT last.seq, last.hash, (SELECT COALESCE(MAX(log_index) + 1, 0) FROM audit_events WHERE authority_id = $2) AS log_index
       FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT seq, hash FROM audit_events WHERE case_id = $1 ORDER BY seq DESC LIMIT 1) last ON true`,
    [input.caseId, input.authorityId],
  );
  const seq = position.seq !== null ? Number(position.seq) + 1 : 1;
  const prevHash: string = position.seq !== null ? position.hash : GENESIS_HASH;
  // Millisecond precision: what PostgreSQL stores must be exactly what was hashed.
  const at = new Date(Math.floor((input.at ?? new Date()).getTime())).toISOString();
  const body = { seq, at, actor: input.actor, role: input.role, action: input.action, before: input.before ?? null, after: input.after ?? null };
  const hash = hashEvent(input.caseId, prevHash, body);
  await manager.query(
    `INSERT INTO audit_events (case_id, authority_id, seq, at, actor, role, action, before, after, prev_hash, hash, log_index)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [input.caseId, input.authorityId, seq, at, body.actor, body.role, body.action, JSON.stringify(body.before), JSON.stringify(body.after), prevHash, hash, position.log_index],
  );
  return { ...body, prevHash, hash };
}

interface AuditRow {
  seq: number;
  at: Date;
  actor: string;
  role: string;
  action: string;
  before: unknown;
  after: unknown;
  prev_hash: string;
  hash: string;
}

export function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    seq: Number(row.seq),
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    role: row.role,
    action: row.action,
    before: row.before ?? null,
    after: row.after ?? null,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export async function loadAuditEvents(manager: EntityManager, caseId: string): Promise<AuditEvent[]> {
  const rows: AuditRow[] = await manager.query(
    'SELECT seq, at, actor, role, action, before, after, prev_hash, hash FROM audit_events WHERE case_id = $1 ORDER BY seq',
    [caseId],
  );
  return rows.map(toAuditEvent);
}

/**
 * The same events as `loadAuditEvents`, as the JSON text of that array, in chunks of about
 * `chunkEvents` events (concatenated, they are one JSON array). PostgreSQL formats each column as
 * text (`at` as toISOString would, `before` and `after` as their jsonb text), so no row becomes
 * an object with dates and parsed JSON only to be stringified again: the history route writes
 * these chunks straight to the response. `JSON.parse` of the result equals `loadAuditEvents`.
 */
export async function loadAuditEventsJson(manager: EntityManager, caseId: string, chunkEvents = 1_000): Promise<string[]> {
  const rows: { seq: string; at: string; actor: string; role: string; action: string; before: string; after: string; prev_hash: string; hash: string }[] = await manager.query(
    `SELECT seq::text AS seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, actor, role, action,
            COALESCE(before::text, 'null') AS before, COALESCE(after::text, 'null') AS after, prev_hash, hash
       FROM audit_events WHERE case_id = $1 ORDER BY audit_events.seq`, // the column, not the text alias
    [caseId],
  );
  const chunks: string[] = [];
  let chunk = '[';
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    chunk += `${i > 0 ? ',' : ''}{"seq":${r.seq},"at":"${r.at}","actor":${JSON.stringify(r.actor)},"role":${JSON.stringify(r.role)},"action":${JSON.stringify(r.action)},"before":${r.before},"after":${r.after},"prevHash":${JSON.stringify(r.prev_hash)},"hash":${JSON.stringify(r.hash)}}`;
    if ((i + 1) % chunkEvents === 0) {
      chunks.push(chunk);
      chunk = '';
    }
  }
  chunks.push(`${chunk}]`);
  return chunks;
}

export interface ChainVerification {
  valid: boolean;
  events: number;
  firstBrokenSeq?: number;
  problem?: string;
}

/** Recomputes the chain from genesis; names the first event whose link or content is wrong. */
export function verifyChain(caseId: string, events: AuditEvent[]): ChainVerification {
  let prevHash = GENESIS_HASH;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const expectedSeq = i + 1;
    if (event.seq !== expectedSeq) {
      return { valid: false, events: events.length, firstBrokenSeq: expectedSeq, problem: `event ${expectedSeq} is missing` };
    }
    if (event.prevHash !== prevHash) {
      return { valid: false, events: events.length, firstBrokenSeq: event.seq, problem: 'prevHash does not match the previous event' };
    }
    const { hash, prevHash: _ignored, ...body } = event;
    if (hashEvent(caseId, prevHash, body) !== hash) {
      return { valid: false, events: events.length, firstBrokenSeq: event.seq, problem: 'content does not match its hash' };
    }
    prevHash = hash;
  }
  return { valid: true, events: events.length };
}
