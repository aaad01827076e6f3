import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE, WORKER_ROLE } from '../roles';

/**
 * The per-authority dispatcher of risk review notices (workflows/risk-review-dispatch.workflow.ts).
 * A risk's review workflow projects when its review and its escalation fall due; the authority's
 * dispatcher sends every notice that has fallen due, in batches, and records on the risk which
 * due date each was sent for, so a notice goes once per due date however often a batch is retried.
 *
 * - `escalation_due_at`: the due date plus the policy's grace, as the risk's workflow computed it.
 * - `reminded_for`, `escalated_for`: the due date whose reminder (escalation) has been sent.
 * - `dispatched`: the risk's workflow leaves its notices to the dispatcher. Workflows started
 *   before this version keep their own timers and send their own notices.
 * - `notice_due_at` (generated): when the risk's next unsent notice falls due, null when none is
 *   pending, so the dispatcher finds what is due, and when to look next, by an index range
 *   rather than by reading every open risk of the authority each time it looks.
 * - `risk_review_dispatchers.wake_at`: when the authority's dispatcher will next look. A new
 *   due date earlier than that wakes it (activities/risk-dispatch.ts); the row is locked by both
 *   sides so that no due date slips between the dispatcher's look and its sleep.
 */
export class RiskReviewDispatch1764955800000 implements MigrationInterface {
  name = 'RiskReviewDispatch1764955800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE risks
        ADD COLUMN escalation_due_at timestamptz,
        ADD COLUMN reminded_for timestamptz,
        ADD COLUMN escalated_for timestamptz,
        ADD COLUMN dispatched boolean NOT NULL DEFAULT false;
      ALTER TABLE risks ADD COLUMN notice_due_at timestamptz GENERATED ALWAYS AS (
        CASE WHEN status = 'open' AND dispatched THEN
          CASE WHEN reminded_for IS DISTINCT FROM next_review_due_at THEN next_review_due_at
               WHEN escalated_for IS DISTINCT FROM next_review_due_at THEN escalation_due_at END
        END) STORED;
      CREATE INDEX risks_notice_due_idx ON risks (authority_id, notice_due_at) WHERE notice_due_at IS NOT NULL;
      CREATE TABLE risk_review_dispatchers (
        authority_id text PRIMARY KEY REFERENCES authorities (id),
        wake_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      ALTER TABLE risk_review_dispatchers ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON risk_review_dispatchers TO ${API_ROLE} USING (authority_id = app_authority() OR app_system());
      CREATE POLICY worker ON risk_review_dispatchers TO ${WORKER_ROLE} USING (true);`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE risk_review_dispatchers;
      DROP INDEX risks_notice_due_idx;
      ALTER TABLE risks DROP COLUMN notice_due_at;
      ALTER TABLE risks DROP COLUMN escalation_due_at, DROP COLUMN reminded_for, DROP COLUMN escalated_for, DROP COLUMN dispatched;`);
  }
}
