// The allegations' workflow-start outbox (`workflow_starts`): a row per case, written in the
// intake's transaction (IntakeStore.queueStart) and marked here once Temporal has the workflow.
// Read by the intake's retries, the recovery sweep and the API's outbox metric.
import type { Queryable } from './queryable';

/** A start still to make: the workflow's id and its input, as the intake recorded them. */
export interface PendingStart<Input = unknown> {
  allegationId: string;
  workflowId: string;
  input: Input;
}

/** A case's outbox row: its start, and whether it has been made. */
export interface WorkflowStart<Input = unknown> extends PendingStart<Input> {
  startedAt: Date | null;
}

/** The outbox's backlog: starts not yet made, and the age of the oldest. */
export interface StartBacklog {
  pending: number;
  oldestSeconds: number;
}

interface StartRow {
  allegation_id: string;
  workflow_id: string;
  input: unknown;
  started_at?: Date | null;
}

export class WorkflowStartsStore {
  constructor(private readonly db: Queryable) {}

  /** The case's outbox row; undefined when it has none. */
  async find<Input>(allegationId: string): Promise<WorkflowStart<Input> | undefined> {
    const [row]: StartRow[] = await this.db.query('SELECT workflow_id, input, started_at FROM workflow_starts WHERE allegation_id = $1', [allegationId]);
    return row ? { allegationId, workflowId: row.workflow_id, input: row.input as Input, startedAt: row.started_at ?? null } : undefined;
  }

  /** Counts a failed start and keeps its error (the first 500 characters). */
  async recordFailure(allegationId: string, error: string): Promise<void> {
    await this.db.query('UPDATE workflow_starts SET attempts = attempts + 1, last_error = $2 WHERE allegation_id = $1', [allegationId, error.slice(0, 500)]);
  }

  /** The start was made (or Temporal already had the workflow): the row is done; the first mark stands. */
  async markStarted(allegationId: string): Promise<void> {
    await this.db.query(
      'UPDATE workflow_starts SET started_at = now(), attempts = attempts + 1, last_error = NULL WHERE allegation_id = $1 AND started_at IS NULL',
      [allegationId],
    );
  }

  /** markStarted for several rows in one statement (the intake's marks, shared by concurrent requests). */
  async markAllStarted(allegationIds: string[]): Promise<void> {
    await this.db.query(
      'UPDATE workflow_starts SET started_at = now(), attempts = attempts + 1, last_error = NULL WHERE allegation_id = ANY($1::uuid[]) AND started_at IS NULL',
      [allegationIds],
    );
  }

  /**
   * Claims up to 100 unstarted rows older than `graceMs`, oldest first, for `claimMs`: rows another
   * sweep holds locked or claimed are skipped. One statement, committed at once.
   */
  async claimDue<Input>(graceMs: number, claimMs: number): Promise<PendingStart<Input>[]> {
    const [rows]: [StartRow[], number] = await this.db.query(
      `UPDATE workflow_starts SET claimed_until = now() + ($2::int * interval '1 millisecond')
       WHERE allegation_id IN (
         SELECT allegation_id FROM workflow_starts
         WHERE started_at IS NULL AND created_at < now() - ($1::int * interval '1 millisecond') AND (claimed_until IS NULL OR claimed_until < now())
         ORDER BY created_at LIMIT 100 FOR UPDATE SKIP LOCKED)
       RETURNING allegation_id, workflow_id, input`,
      [graceMs, claimMs],
    );
    return rows.map((r) => ({ allegationId: r.allegation_id, workflowId: r.workflow_id, input: r.input as Input }));
  }

  /** Lets the next sweep claim these rows again, those not started meanwhile. */
  async release(allegationIds: string[]): Promise<void> {
    await this.db.query('UPDATE workflow_starts SET claimed_until = NULL WHERE allegation_id = ANY($1::uuid[]) AND started_at IS NULL', [allegationIds]);
  }

  /** Every start not yet made (all tenants' under the system scope) and how long the oldest has waited. */
  async backlog(): Promise<StartBacklog> {
    const [row] = await this.db.query(
      `SELECT count(*)::int AS pending, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest FROM workflow_starts WHERE started_at IS NULL`,
    );
    return { pending: Number(row.pending), oldestSeconds: Number(row.oldest) };
  }
}
