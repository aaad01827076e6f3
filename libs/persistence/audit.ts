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

/**
 * Appends one event inside the caller's transaction. A transaction-scoped advisory lock on the
 * case serialises writers, so two concurrent appends can never both take the same seq.
 */
export async function appendAuditEvent(manager: EntityManager, input: AuditEventInput): Promise<AuditEvent> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [input.caseId]);
  const [last] = await manager.query('SELECT seq, hash FROM audit_events WHERE case_id = $1 ORDER BY seq DESC LIMIT 1', [input.caseId]);
  const seq = last ? Number(last.seq) + 1 : 1;
  const prevHash: string = last ? last.hash : GENESIS_HASH;
  // Millisecond precision: what PostgreSQL stores must be exactly what was hashed.
  const at = new Date(Math.floor((input.at ?? new Date()).getTime())).toISOString();
  const body = { seq, at, actor: input.actor, role: input.role, action: input.action, before: input.before ?? null, after: input.after ?? null };
  const hash = hashEvent(input.caseId, prevHash, body);
  await manager.query(
    `INSERT INTO audit_events (case_id, authority_id, seq, at, actor, role, action, before, after, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [input.caseId, input.authorityId, seq, at, body.actor, body.role, body.action, JSON.stringify(body.before), JSON.stringify(body.after), prevHash, hash],
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
