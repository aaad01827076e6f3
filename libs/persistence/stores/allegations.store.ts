// Allegations (cases). Written by the API's intake and the worker's projections of the case's
// workflow; this store grows as their SQL moves here (issue 19).
import type { Queryable } from './queryable';

export class AllegationsStore {
  constructor(private readonly db: Queryable) {}

  /** The authority's case's id and reference; undefined when it has no such case. */
  async referenceOf(authorityId: string, id: string): Promise<{ id: string; reference: string } | undefined> {
    const [row] = await this.db.query('SELECT id, reference FROM allegations WHERE id = $1 AND authority_id = $2', [id, authorityId]);
    return row ? { id: row.id, reference: row.reference } : undefined;
  }

  /** Marks the case escalated (the first time counts) when an escalation notification went out. */
  async markEscalated(caseId: string): Promise<void> {
    await this.db.query('UPDATE allegations SET escalated_at = COALESCE(escalated_at, now()), updated_at = now() WHERE id = $1', [caseId]);
  }
}
