import type { DataSource } from 'typeorm';
import { RisksStore } from '@libs/persistence/stores/risks.store';

/** Projects the review workflow's next due date, which `GET /risks?overdue=true` reads. */
export async function projectRiskDue(db: DataSource, input: { riskId: string; nextReviewDueAt: string; escalated?: boolean }): Promise<void> {
  await new RisksStore(db).projectDue(input.riskId, input.nextReviewDueAt, Boolean(input.escalated));
}
