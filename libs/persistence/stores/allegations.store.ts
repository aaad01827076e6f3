// Allegations (cases). Written by the API's intake and the worker's projections of the case's
// workflow; this store grows as their SQL moves here (issue 19).
import type { Queryable } from './queryable';

/** What the case row says of the workflow's state, read under a row lock before projecting. */
export interface ProjectedState {
  status: string;
  triageDueAt: Date | null;
  /** the version of the workflow state last projected; 0 before the first decision */
  stateVersion: number;
}

/** The case row as the workflow's state puts it. */
export interface CaseProjection {
  status: string;
  /** the workflow's whole state, kept as JSON */
  state: unknown;
  stateVersion: number;
  triageDueAt: string | null;
  spocDueAt: string | null;
  informationDueAt: string | null;
  nextDueAt: string | null;
  referredForceId: string | null;
  outcome: string | null;
  closedAt: string | null;
  duplicateOf: string | null;
}

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

  /** The case's projected state, held (FOR UPDATE) for the rest of the transaction. */
  async lockProjection(caseId: string): Promise<ProjectedState | undefined> {
    const [row] = await this.db.query('SELECT status, triage_due_at, state_version FROM allegations WHERE id = $1 FOR UPDATE', [caseId]);
    return row ? { status: row.status, triageDueAt: row.triage_due_at, stateVersion: row.state_version } : undefined;
  }

  async openTriage(caseId: string, dueAt: Date): Promise<void> {
    await this.db.query("UPDATE allegations SET status = 'triage', triage_due_at = $2, updated_at = now() WHERE id = $1", [caseId, dueAt]);
  }

  /** The row follows the workflow's state; a force referred to joins the case's referral history. */
  async project(caseId: string, p: CaseProjection): Promise<void> {
    await this.db.query(
      `UPDATE allegations SET status = $2, state = $3, state_version = $4, triage_due_at = $5, spoc_due_at = $6, information_due_at = $7,
         next_due_at = $8, referred_force_id = $9, outcome = $10, closed_at = $11, duplicate_of = $12,
         referral_force_ids = CASE WHEN $9::text IS NULL OR $9 = ANY(referral_force_ids) THEN referral_force_ids ELSE referral_force_ids || $9::text END,
         updated_at = now()
       WHERE id = $1`,
      [
        caseId,
        p.status,
        JSON.stringify(p.state),
        p.stateVersion,
        p.triageDueAt,
        p.spocDueAt,
        p.informationDueAt,
        p.nextDueAt,
        p.referredForceId,
        p.outcome,
        p.closedAt,
        p.duplicateOf,
      ],
    );
  }
}
