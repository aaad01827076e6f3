// The per-case audit chain. Each event's hash covers the previous event's hash and the event's
// canonical form, so editing or deleting any stored event breaks every hash after it.
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { canonicalJson } from '@libs/domain';

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
 *
 * `logLocked`: the caller took that lock itself, in an earlier statement of this transaction
 * (the intake takes it in the statement that writes the case, saving a round trip). An earlier
 * statement, because the position read here must see every append committed before the lock.
 */
export async function appendAuditEvent(manager: EntityManager, input: AuditEventInput, options: { logLocked?: boolean } = {}): Promise<AuditEvent> {
  if (!options.logLocked) await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [auditLogLockKey(input.authorityId)]);
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
    [
      input.caseId,
      input.authorityId,
      seq,
      at,
      body.actor,
      body.role,
      body.action,
      JSON.stringify(body.before),
      JSON.stringify(body.after),
      prevHash,
      hash,
      position.log_index,
    ],
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
 * Each event as the JSON text JSON.stringify gives for `loadAuditEvents`'s object, built by
 * PostgreSQL in one text column (seq as a number, `at` as toISOString would write it, strings
 * escaped by to_json, `before` and `after` as their jsonb text), so that the API only passes the
 * text on: no row becomes an object, a Date and parsed JSON only to be written out again.
 */
const EVENT_JSON_SQL = `SELECT '{"seq":' || seq || ',"at":"' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    || '","actor":' || to_json(actor) || ',"role":' || to_json(role) || ',"action":' || to_json(action)
    || ',"before":' || COALESCE(before::text, 'null') || ',"after":' || COALESCE(after::text, 'null')
    || ',"prevHash":' || to_json(prev_hash) || ',"hash":' || to_json(hash) || '}'
  FROM audit_events WHERE case_id = $1 ORDER BY audit_events.seq`;

/**
 * Streams the same events as `loadAuditEvents`, as the JSON text of that array, to `write` in
 * chunks of `chunkEvents` events (concatenated, they are one JSON array; `JSON.parse` of them
 * equals `loadAuditEvents`). One snapshot: a cursor in a transaction of its own, read a chunk
 * at a time, the next chunk asked for before the last is written, so PostgreSQL, this process
 * and the client work at once. `write` returns a promise to hold the next chunk back (a full
 * socket); a rejected one ends the read.
 */
export async function streamAuditEventsJson(
  dataSource: DataSource,
  caseId: string,
  write: (chunk: string) => Promise<void> | void,
  chunkEvents = 2_000,
): Promise<void> {
  await dataSource.transaction(async (m) => {
    const client = (m.queryRunner as unknown as { databaseConnection?: RawClient } | undefined)?.databaseConnection;
    if (!client) throw new Error('streamAuditEventsJson: the transaction has no connection');
    // Rows as arrays of unparsed text (rowMode 'array', no type parsers): one string each.
    const raw = (text: string, values: unknown[] = []) =>
      client.query({ text, values, rowMode: 'array', types: { getTypeParser: () => (value: string) => value } });
    await raw(`DECLARE audit_event_json NO SCROLL CURSOR FOR ${EVENT_JSON_SQL}`, [caseId]);
    const fetch = () => raw(`FETCH ${Math.trunc(chunkEvents)} FROM audit_event_json`);
    let next = fetch();
    let first = true;
    for (;;) {
      const { rows } = await next;
      const last = rows.length < chunkEvents;
      if (!last) next = fetch();
      let chunk = first ? '[' : rows.length > 0 ? ',' : '';
      for (let i = 0; i < rows.length; i++) chunk += i === 0 ? rows[i][0] : `,${rows[i][0]}`;
      first = false;
      if (last) chunk += ']';
      try {
        await write(chunk);
      } catch (error) {
        if (!last) await next.catch(() => undefined); // the fetch in flight ends before the transaction does
        throw error;
      }
      if (last) return;
    }
  });
}

interface RawClient {
  query(config: {
    text: string;
    values: unknown[];
    rowMode: 'array';
    types: { getTypeParser: () => (value: string) => string };
  }): Promise<{ rows: string[][] }>;
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
