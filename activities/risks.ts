import type { DataSource } from 'typeorm';

/** Projects the review workflow's next due date, which `GET /risks?overdue=true` reads. */
export async function projectRiskDue(db: DataSource, input: { riskId: string; nextReviewDueAt: string; escalated?: boolean }): Promise<void> {
  await db.query(
    `UPDATE risks SET next_review_due_at = $2, escalated_at = CASE WHEN $3 THEN COALESCE(escalated_at, now()) ELSE NULL END WHERE id = $1 AND status = 'open'`,
    [input.riskId, input.nextReviewDueAt, Boolean(input.escalated)],
  );
}
