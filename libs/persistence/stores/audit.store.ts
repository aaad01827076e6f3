// The audit events: `audit_events`, each case's (or risk's, agreement's, contact's) hash chain, at
// dense positions (log_index) of its authority's Merkle log. Appended by libs/persistence/audit.ts
// (appendAuditEvent, which computes the chain) and never changed; read by the case history, the
// bundle and, as the log's leaves, by the transparency store.
import type { Queryable } from './queryable';

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

/** Where the next event of a case goes: after its last event (none yet: null) and at its authority's next log index. */
export interface AuditPosition {
  last: { seq: number; hash: string } | null;
  logIndex: number;
}

export interface NewAuditEvent extends AuditEvent {
  caseId: string;
  authorityId: string;
  logIndex: number;
}

/** The advisory lock key of an authority's audit log: every append of its chains takes it. */
export const auditLogLockKey = (authorityId: string) => `audit-log:${authorityId}`;

interface AuditRow {
  seq: number | string;
  at: Date;
  actor: string;
  role: string;
  action: string;
  before: unknown;
  after: unknown;
  prev_hash: string;
  hash: string;
}

/** A row as verify reads it: `before` and `after` as their jsonb text, and the stored text in the history answer. */
interface CheckedRow extends Omit<AuditRow, 'before' | 'after'> {
  before: string | null;
  after: string | null;
  history_json: string;
}

/**
 * An event as stored: its hashed content, and whether its stored text in the history answer is
 * byte for byte the text that content renders to, rendered in this process (renderHistoryJson).
 */
export interface StoredAuditEvent extends AuditEvent {
  historyJsonMatches: boolean;
}

/**
 * An event's text in the history answer, rendered here from its hashed columns as
 * audit_event_json renders it in PostgreSQL (migration AuditHistoryJson1764963000000), written
 * apart from it so that verify does not take PostgreSQL's word for it: JSON.stringify escapes a
 * string as to_json does, `at` is toISOString's text as to_char writes it, and `before` and
 * `after` are their jsonb text as PostgreSQL sent it, the very text whose parse is hashed.
 */
export function renderHistoryJson(e: Omit<AuditEvent, 'before' | 'after'>, beforeText: string | null, afterText: string | null): string {
  const json = JSON.stringify;
  return `{"seq":${e.seq},"at":${json(e.at)},"actor":${json(e.actor)},"role":${json(e.role)},"action":${json(e.action)},"before":${beforeText ?? 'null'},"after":${afterText ?? 'null'},"prevHash":${json(e.prevHash)},"hash":${json(e.hash)}}`;
}

interface PositionRow {
  seq: number | string | null;
  hash: string | null;
  log_index: number | string;
}

const toAuditEvent = (row: AuditRow): AuditEvent => ({
  seq: Number(row.seq),
  at: new Date(row.at).toISOString(),
  actor: row.actor,
  role: row.role,
  action: row.action,
  before: row.before ?? null,
  after: row.after ?? null,
  prevHash: row.prev_hash,
  hash: row.hash,
});

/**
 * Each event's text in the history answer, as stored when it was appended (`history_json`, filled
 * by `audit_event_json`, migration AuditHistoryJson1764963000000): the JSON text JSON.stringify
 * gives for `ofCase`'s object (seq as a number, `at` as toISOString would write it, strings escaped
 * by to_json), except that `before` and `after` are their jsonb text. The read does no work per
 * event: no row becomes an object, a Date and parsed JSON only to be written out again, and
 * PostgreSQL only passes the stored text on.
 */
const EVENT_JSON_SQL = 'SELECT history_json FROM audit_events WHERE case_id = $1 ORDER BY seq';

/** node-postgres's client, as the cursor needs it: rows as arrays of unparsed text. */
interface RawClient {
  query(config: {
    text: string;
    values: unknown[];
    rowMode: 'array';
    types: { getTypeParser: () => (value: string) => string };
  }): Promise<{ rows: string[][] }>;
}

/** The pg client under a transaction's EntityManager (or a QueryRunner), if it has one. */
function rawClientOf(db: Queryable): RawClient | undefined {
  const runner = (db as { queryRunner?: unknown }).queryRunner ?? db;
  return (runner as { databaseConnection?: RawClient } | undefined)?.databaseConnection;
}

/**
 * `before`, the rows' one column joined by commas, then `after`, as UTF-8 in one buffer. Each
 * row's text is encoded on its own into a buffer of the exact size: a chunk never becomes one
 * long string, which would be flattened, measured and encoded again when written (about ten
 * times the CPU for 2,000 events of 500 bytes).
 */
function joinJson(rows: string[][], before: string, after: string): Buffer {
  let size = before.length + after.length + Math.max(rows.length - 1, 0);
  for (let i = 0; i < rows.length; i++) size += Buffer.byteLength(rows[i][0]);
  const chunk = Buffer.allocUnsafe(size);
  let at = chunk.write(before, 0, 'latin1');
  for (let i = 0; i < rows.length; i++) {
    if (i > 0) chunk[at++] = 0x2c; // ','
    at += chunk.write(rows[i][0], at);
  }
  at += chunk.write(after, at, 'latin1');
  if (at !== size) throw new Error(`streamAuditEventsJson: wrote ${at} bytes of ${size}`);
  return chunk;
}

export class AuditStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Takes the authority's audit log lock until the transaction ends (pg_advisory_xact_lock on
   * auditLogLockKey): the one lock that serialises the appends of its chains.
   */
  async lockLog(authorityId: string): Promise<void> {
    await this.db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [auditLogLockKey(authorityId)]);
  }

  /** The case's last event and the authority's next log index, in one read (under the log lock). */
  async position(caseId: string, authorityId: string): Promise<AuditPosition> {
    const [row]: PositionRow[] = await this.db.query(
      `SELECT last.seq, last.hash, (SELECT COALESCE(MAX(log_index) + 1, 0) FROM audit_events WHERE authority_id = $2) AS log_index
       FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT seq, hash FROM audit_events WHERE case_id = $1 ORDER BY seq DESC LIMIT 1) last ON true`,
      [caseId, authorityId],
    );
    return {
      last: row.seq !== null ? { seq: Number(row.seq), hash: row.hash as string } : null,
      logIndex: Number(row.log_index),
    };
  }

  /**
   * Inserts the event as computed: its `at` must be exactly what was hashed. Its text in the
   * history answer (`history_json`) is rendered here, once, from the values inserted.
   */
  async insert(e: NewAuditEvent): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_events (case_id, authority_id, seq, at, actor, role, action, before, after, prev_hash, hash, log_index, history_json)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, audit_event_json($3, $4, $5, $6, $7, $8, $9, $10, $11))`,
      [e.caseId, e.authorityId, e.seq, e.at, e.actor, e.role, e.action, JSON.stringify(e.before), JSON.stringify(e.after), e.prevHash, e.hash, e.logIndex],
    );
  }

  /** The case's events in chain order. */
  async ofCase(caseId: string): Promise<AuditEvent[]> {
    const rows: AuditRow[] = await this.db.query(
      'SELECT seq, at, actor, role, action, before, after, prev_hash, hash FROM audit_events WHERE case_id = $1 ORDER BY seq',
      [caseId],
    );
    return rows.map(toAuditEvent);
  }

  /**
   * The case's events in chain order, each with whether its stored text in the history answer is
   * the text its hashed columns render to here (renderHistoryJson). `before` and `after` are read
   * as their jsonb text and parsed here, so the text rendered is the text whose parse is hashed.
   */
  async ofCaseWithHistoryJson(caseId: string): Promise<StoredAuditEvent[]> {
    const rows: CheckedRow[] = await this.db.query(
      `SELECT seq, at, actor, role, action, before::text AS before, after::text AS after, prev_hash, hash, history_json
         FROM audit_events WHERE case_id = $1 ORDER BY seq`,
      [caseId],
    );
    const events: StoredAuditEvent[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const event: StoredAuditEvent = {
        seq: Number(row.seq),
        at: new Date(row.at).toISOString(),
        actor: row.actor,
        role: row.role,
        action: row.action,
        before: row.before === null ? null : JSON.parse(row.before),
        after: row.after === null ? null : JSON.parse(row.after),
        prevHash: row.prev_hash,
        hash: row.hash,
        historyJsonMatches: false,
      };
      event.historyJsonMatches = renderHistoryJson(event, row.before, row.after) === row.history_json;
      events[i] = event;
    }
    return events;
  }

  /**
   * Streams the same events as `ofCase`, as the UTF-8 JSON text of that array, to `write` in
   * chunks of `chunkEvents` events (concatenated, they are one JSON array). Run it on a
   * transaction's manager: one snapshot, a cursor read a chunk at a time, the next chunk asked for
   * before the last is written, so PostgreSQL, this process and the client work at once. `write`
   * returns a promise to hold the next chunk back (a full socket); a rejected one ends the read.
   */
  async streamOfCaseJson(caseId: string, write: (chunk: Buffer) => Promise<void> | void, chunkEvents: number): Promise<void> {
    const client = rawClientOf(this.db);
    if (!client) throw new Error('streamAuditEventsJson: the transaction has no connection');
    // Rows as arrays of unparsed text (rowMode 'array', no type parsers): one string each.
    const raw = (text: string, values: unknown[] = []) =>
      client.query({ text, values, rowMode: 'array', types: { getTypeParser: () => (value: string) => value } });
    await raw(`DECLARE audit_history_json NO SCROLL CURSOR FOR ${EVENT_JSON_SQL}`, [caseId]);
    const fetch = () => raw(`FETCH ${Math.trunc(chunkEvents)} FROM audit_history_json`);
    let next = fetch();
    let first = true;
    for (;;) {
      const { rows } = await next;
      const last = rows.length < chunkEvents;
      if (!last) next = fetch();
      const chunk = joinJson(rows, first ? '[' : rows.length > 0 ? ',' : '', last ? ']' : '');
      first = false;
      try {
        await write(chunk);
      } catch (error) {
        if (!last) await next.catch(() => undefined); // the fetch in flight ends before the transaction does
        throw error;
      }
      if (last) return;
    }
  }
}
