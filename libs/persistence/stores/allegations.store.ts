// Allegations (cases). Written by the API's intake and the worker's projections of the case's
// workflow; this store grows as their SQL moves here (issue 19).
import type { Queryable } from './queryable';

export class AllegationsStore {
  constructor(private readonly db: Queryable) {}

  /** Marks the case escalated (the first time counts) when an escalation notification went out. */
  async markEscalated(caseId: string): Promise<void> {
    await this.db.query('UPDATE allegations SET escalated_at = COALESCE(escalated_at, now()), updated_at = now() WHERE id = $1', [caseId]);
  }
}
