// `risk_review_dispatchers`: when each authority's dispatcher of risk review notices will next
// look (workflows/risk-review-dispatch.workflow.ts). Written and read by the worker only: the
// dispatcher's activity after each look, and the review workflows' projection of a new due date,
// which wakes the dispatcher when it would otherwise look too late. Both take the row's lock, in
// a transaction that also reads or writes the risks, so a due date cannot slip between them.
import type { Queryable } from './queryable';

export class RiskReviewDispatchersStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Locks the authority's row, creating it if need be, and answers when its dispatcher will next
   * look (null: not planned). `share`: a projection's lock, which many may hold at once.
   */
  async lockWakeAt(authorityId: string, share = false): Promise<Date | null> {
    await this.db.query('INSERT INTO risk_review_dispatchers (authority_id) VALUES ($1) ON CONFLICT (authority_id) DO NOTHING', [authorityId]);
    const [row] = await this.db.query(`SELECT wake_at FROM risk_review_dispatchers WHERE authority_id = $1 FOR ${share ? 'SHARE' : 'UPDATE'}`, [authorityId]);
    return row?.wake_at ?? null;
  }

  async setWakeAt(authorityId: string, wakeAt: Date | null): Promise<void> {
    await this.db.query('UPDATE risk_review_dispatchers SET wake_at = $2, updated_at = now() WHERE authority_id = $1', [authorityId, wakeAt]);
  }
}
