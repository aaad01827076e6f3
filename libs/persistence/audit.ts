// The per-case audit chain. Each event's hash covers the previous event's hash and the event's
// canonical form, so editing or deleting any stored event breaks every hash after it.
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { canonicalJson } from '@libs/domain';
import { AuditStore, auditLogLockKey, type AuditEvent, type NewAuditEvent, type StoredAuditEvent } from './stores/audit.store';

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

export type { AuditEvent, StoredAuditEvent };

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

export { auditLogLockKey };

/**
 * Appends one event inside the caller's transaction, at the next position of its authority's
 * Merkle log (libs/transparency). A transaction-scoped advisory lock on the authority serialises
 * writers: two concurrent appends can never take the same seq in a case nor the same log index
 * in the authority, and the indexes stay dense (a rolled-back append frees its index for the
 * next). The lock comes first, before any case lock or row lock this function takes, and is the
 * only one, so two transactions that append to several cases cannot deadlock on each other. It
 * is held until the caller commits: append last, and commit soon after. (The intake writes its
 * case's first event itself, with the same lock and chain: firstAuditEvent below.)
 */
export async function appendAuditEvent(manager: EntityManager, input: AuditEventInput): Promise<AuditEvent> {
  const store = new AuditStore(manager);
  await store.lockLog(input.authorityId);
  const position = await store.position(input.caseId, input.authorityId);
  const seq = position.last ? position.last.seq + 1 : 1;
  const prevHash: string = position.last ? position.last.hash : GENESIS_HASH;
  // Millisecond precision: what PostgreSQL stores must be exactly what was hashed.
  const at = new Date(Math.floor((input.at ?? new Date()).getTime())).toISOString();
  const body = { seq, at, actor: input.actor, role: input.role, action: input.action, before: input.before ?? null, after: input.after ?? null };
  const hash = hashEvent(input.caseId, prevHash, body);
  await store.insert({ caseId: input.caseId, authorityId: input.authorityId, ...body, prevHash, hash, logIndex: position.logIndex });
  return { ...body, prevHash, hash };
}

/**
 * The first event of a new chain (seq 1, after the genesis hash), computed as appendAuditEvent
 * would compute it, for a caller that inserts it itself: the intake, whose case did not exist
 * before its transaction, so there is no last event to read, and whose statement computes the
 * log index (IntakeStore.queueStartAndAudit) under the log lock it took in an earlier statement.
 */
export function firstAuditEvent(input: AuditEventInput): Omit<NewAuditEvent, 'logIndex'> {
  const at = new Date(Math.floor((input.at ?? new Date()).getTime())).toISOString();
  const body = { seq: 1, at, actor: input.actor, role: input.role, action: input.action, before: input.before ?? null, after: input.after ?? null };
  return { caseId: input.caseId, authorityId: input.authorityId, ...body, prevHash: GENESIS_HASH, hash: hashEvent(input.caseId, GENESIS_HASH, body) };
}

export async function loadAuditEvents(manager: EntityManager, caseId: string): Promise<AuditEvent[]> {
  return new AuditStore(manager).ofCase(caseId);
}

/**
 * Streams the same events as `loadAuditEvents`, as the JSON text of that array in UTF-8, to
 * `write` in chunks of `chunkEvents` events (concatenated, they are one JSON array; `JSON.parse`
 * of them equals `loadAuditEvents`; each chunk ends between events, so each is whole UTF-8). One snapshot: a cursor in a transaction of its own, read a chunk
 * at a time, the next chunk asked for before the last is written, so PostgreSQL, this process
 * and the client work at once. `write` returns a promise to hold the next chunk back (a full
 * socket); a rejected one ends the read.
 */
export async function streamAuditEventsJson(
  dataSource: DataSource,
  caseId: string,
  write: (chunk: Buffer) => Promise<void> | void,
  chunkEvents = 2_000,
): Promise<void> {
  await dataSource.transaction((m) => new AuditStore(m).streamOfCaseJson(caseId, write, chunkEvents));
}

export interface ChainVerification {
  valid: boolean;
  events: number;
  firstBrokenSeq?: number;
  problem?: string;
}

/**
 * Recomputes the chain from genesis; names the first event whose link or content is wrong, or
 * that `check` (if given) finds a problem with.
 */
export function verifyChain<E extends AuditEvent>(caseId: string, events: E[], check?: (event: E) => string | undefined): ChainVerification {
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
    const body = { seq: event.seq, at: event.at, actor: event.actor, role: event.role, action: event.action, before: event.before, after: event.after };
    if (hashEvent(caseId, prevHash, body) !== event.hash) {
      return { valid: false, events: events.length, firstBrokenSeq: event.seq, problem: 'content does not match its hash' };
    }
    const problem = check?.(event);
    if (problem !== undefined) return { valid: false, events: events.length, firstBrokenSeq: event.seq, problem };
    prevHash = event.hash;
  }
  return { valid: true, events: events.length };
}

/**
 * What is wrong, if anything, with an event's stored text in the history answer (`history_json`,
 * which the hash chain does not cover): it must be byte for byte the text its hashed content
 * renders to, rendered in this process (renderHistoryJson in the audit store), not by PostgreSQL.
 */
export function historyJsonProblem(event: StoredAuditEvent): string | undefined {
  return event.historyJsonMatches ? undefined : 'its text in the history answer is not what its hashed content renders to';
}

/**
 * `GET /allegations/:id/history/verify`: the case's chain (verifyChain) and, event by event, its
 * stored text in the history answer (historyJsonProblem). Names the first event with a problem.
 */
export async function verifyHistory(manager: EntityManager, caseId: string): Promise<ChainVerification> {
  return verifyChain(caseId, await new AuditStore(manager).ofCaseWithHistoryJson(caseId), historyJsonProblem);
}
