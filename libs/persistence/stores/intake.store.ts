// The allegation intake's SQL (apps/api/src/allegations/allegations.service.ts create): few round
// trips, and fewest while the authority's locks are held, since every intake of an authority
// waits for them in turn (its reference counter row, then its audit log's advisory lock). The
// transaction is five round trips: BEGIN with the tenant settings, begin, record, queueStartAndAudit,
// COMMIT; the locks are held from record to the commit.
import type { NewAuditEvent } from './audit.store';
import { auditLogLockKey } from './audit.store';
import type { Queryable } from './queryable';

export interface IntakeContext {
  /** false when another request already holds the Idempotency-Key (this one is then a replay) */
  claimed: boolean;
  /** undefined when there is no such authority */
  authority?: { referencePrefix: string; forceId: string };
  /** the authority's stored policy document, before defaults; undefined until an admin sets one */
  policyDocument?: unknown;
}

export interface IdempotentAnswer<T> {
  requestHash: string;
  allegationId: string;
  response: T;
}

export interface NewAllegation {
  id: string;
  authorityId: string;
  referencePrefix: string;
  /** the reference's year (the London calendar's, at receipt) */
  year: number;
  category: string;
  electionId: string | null;
  pollDate: string | null;
  location: unknown;
  occurredAt: Date;
  reporter: unknown;
  description: string;
  urgency: string;
  safetyConcern: boolean;
  peopleInvolved: unknown;
  triageDueAt: Date;
  createdBy: string;
  receivedAt: Date;
  /** the answer stored with the Idempotency-Key, when there is one; its `reference` is filled in here */
  idempotency?: { key: string; response: object };
}

interface ContextRow {
  claimed: boolean;
  reference_prefix: string | null;
  force_id: string | null;
  policy: unknown;
}

interface AnswerRow {
  request_hash: string;
  allegation_id: string;
  response: unknown;
}

export class IntakeStore {
  constructor(private readonly db: Queryable) {}

  /**
   * One round trip: claims the Idempotency-Key for `allegationId` (when there is a key), and reads
   * the authority and its policy. A key another transaction holds makes this wait for it to end;
   * `claimed` is then false if it committed.
   */
  async begin(authorityId: string, idempotency: { key: string; requestHash: string } | undefined, allegationId: string): Promise<IntakeContext> {
    const read = `SELECT a.reference_prefix, a.force_id, (SELECT document FROM policies WHERE authority_id = $1) AS policy
                    FROM (SELECT 1) one LEFT JOIN authorities a ON a.id = $1`;
    const [row]: ContextRow[] = idempotency
      ? await this.db.query(
          `WITH claim AS (
             INSERT INTO idempotency_keys (authority_id, key, request_hash, allegation_id, response) VALUES ($1, $2, $3, $4, '{}')
             ON CONFLICT DO NOTHING RETURNING key
           )
           SELECT EXISTS (SELECT 1 FROM claim) AS claimed, context.* FROM (${read}) context`,
          [authorityId, idempotency.key, idempotency.requestHash, allegationId],
        )
      : await this.db.query(`SELECT true AS claimed, context.* FROM (${read}) context`, [authorityId]);
    return {
      claimed: row.claimed,
      authority: row.reference_prefix !== null && row.force_id !== null ? { referencePrefix: row.reference_prefix, forceId: row.force_id } : undefined,
      policyDocument: row.policy ?? undefined,
    };
  }

  /** The answer stored with an Idempotency-Key, if it was committed. */
  async answer<T>(authorityId: string, key: string): Promise<IdempotentAnswer<T> | undefined> {
    const [row]: AnswerRow[] = await this.db.query('SELECT request_hash, allegation_id, response FROM idempotency_keys WHERE authority_id = $1 AND key = $2', [
      authorityId,
      key,
    ]);
    return row ? { requestHash: row.request_hash, allegationId: row.allegation_id, response: row.response as T } : undefined;
  }

  /**
   * One round trip: takes the authority's next reference (its counter row stays locked until the
   * transaction ends, so numbers are unique and a rolled-back intake leaves no gap), writes the
   * case and the Idempotency-Key's answer with it, and then takes the authority's audit log lock
   * (auditLogLockKey, after the counter row, as every intake does), so that the next statement,
   * queueStartAndAudit, reads the log as it is under the lock. Returns the reference.
   */
  async record(a: NewAllegation): Promise<string> {
    const [row]: { reference: string }[] = await this.db.query(
      `WITH counter AS (
         INSERT INTO reference_counters (authority_id, year, last_number) VALUES ($1, $2, 1)
         ON CONFLICT (authority_id, year) DO UPDATE SET last_number = reference_counters.last_number + 1
         RETURNING last_number::text AS n
       ), ref AS (
         SELECT $3::text || '-' || $2::int || '-' || lpad(n, greatest(5, length(n)), '0') AS reference FROM counter
       ), locked AS (
         SELECT pg_advisory_xact_lock(hashtextextended($20, 7)) AS locked FROM ref
       ), allegation AS (
         INSERT INTO allegations (id, authority_id, reference, category, election_id, poll_date, location, occurred_at, reporter, description,
           urgency, safety_concern, people_involved, status, triage_due_at, next_due_at, operation_ford, created_by, created_at, updated_at)
         SELECT $4::uuid, $1, ref.reference, $5, $6, $7::date, $8::jsonb, $9::timestamptz, $10::jsonb, $11,
           $12::text, $13::boolean, $14::jsonb, 'triage', $15::timestamptz, $15::timestamptz, $13::boolean OR $12::text = 'immediate', $16::uuid, $17::timestamptz, $17::timestamptz
           FROM ref
       ), answer AS (
         UPDATE idempotency_keys SET response = jsonb_set($19::jsonb, '{reference}', to_jsonb(ref.reference)) FROM ref
          WHERE $18::text IS NOT NULL AND authority_id = $1 AND key = $18::text
       )
       SELECT ref.reference FROM ref, locked`,
      [
        a.authorityId,
        a.year,
        a.referencePrefix,
        a.id,
        a.category,
        a.electionId,
        a.pollDate,
        JSON.stringify(a.location),
        a.occurredAt,
        JSON.stringify(a.reporter),
        a.description,
        a.urgency,
        a.safetyConcern,
        JSON.stringify(a.peopleInvolved ?? []),
        a.triageDueAt,
        a.createdBy,
        a.receivedAt,
        a.idempotency?.key ?? null,
        JSON.stringify(a.idempotency?.response ?? {}),
        auditLogLockKey(a.authorityId),
      ],
    );
    return row.reference;
  }

  /**
   * One round trip: the case's outbox row (a statement after the case's own, whose row the outbox
   * table's row-level security must see), and the case's first audit event at the authority's
   * next log index. The log lock must have been taken by an earlier statement of this transaction
   * (record takes it): this statement's snapshot, taken after the lock, then sees every append
   * committed before it, so the index read here is the next free one. The event is seq 1 of a new
   * chain (firstAuditEvent in libs/persistence/audit.ts computed its hash), since the case did not
   * exist before this transaction. Its text in the history answer (`history_json`) is rendered
   * from the same values by audit_event_json, as AuditStore.insert does.
   */
  async queueStartAndAudit(allegationId: string, workflowId: string, workflowInput: object, event: Omit<NewAuditEvent, 'logIndex'>): Promise<void> {
    await this.db.query(
      `WITH outbox AS (INSERT INTO workflow_starts (allegation_id, workflow_id, input) VALUES ($1, $2, $3) RETURNING allegation_id)
       INSERT INTO audit_events (case_id, authority_id, seq, at, actor, role, action, before, after, prev_hash, hash, log_index, history_json)
       SELECT outbox.allegation_id, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
              (SELECT COALESCE(MAX(log_index) + 1, 0) FROM audit_events WHERE authority_id = $4),
              audit_event_json($5, $6, $7, $8, $9, $10, $11, $12, $13)
         FROM outbox`,
      [
        allegationId,
        workflowId,
        JSON.stringify(workflowInput),
        event.authorityId,
        event.seq,
        event.at,
        event.actor,
        event.role,
        event.action,
        JSON.stringify(event.before),
        JSON.stringify(event.after),
        event.prevHash,
        event.hash,
      ],
    );
  }
}
