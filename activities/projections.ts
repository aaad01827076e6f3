import type { DataSource } from 'typeorm';
import { appendAuditEvent } from '../libs/persistence/audit';
import { setRetentionOnClosure } from '../libs/persistence/retention';
import type { AllegationState } from '../workflows/allegation/messages';

export interface OpenTriageInput {
  caseId: string;
  authorityId: string;
  triageDueAt: string;
}

/**
 * Projects the workflow's decision that the case is in triage with this deadline. Idempotent:
 * a retry after a commit finds the projection already current and writes nothing.
 */
export async function openTriage(db: DataSource, input: OpenTriageInput): Promise<void> {
  await db.transaction(async (m) => {
    const [row] = await m.query('SELECT status, triage_due_at, state_version FROM allegations WHERE id = $1 FOR UPDATE', [input.caseId]);
    if (!row) throw new Error(`allegation ${input.caseId} has no row; the intake transaction must commit before its workflow starts`);
    // A decision projected already (an update that arrived at once) is newer than this.
    if (row.state_version > 0) return;
    const dueAt = new Date(input.triageDueAt);
    if (row.status === 'triage' && row.triage_due_at && new Date(row.triage_due_at).getTime() === dueAt.getTime()) return;
    await m.query("UPDATE allegations SET status = 'triage', triage_due_at = $2, updated_at = now() WHERE id = $1", [input.caseId, dueAt]);
    await appendAuditEvent(m, {
      caseId: input.caseId,
      authorityId: input.authorityId,
      actor: 'system:workflow',
      role: 'system',
      action: 'triage.deadline_set',
      before: { status: row.status, triageDueAt: row.triage_due_at ? new Date(row.triage_due_at).toISOString() : null },
      after: { status: 'triage', triageDueAt: dueAt.toISOString() },
    });
  });
}

export interface ProjectCaseInput {
  caseId: string;
  authorityId: string;
  /** the workflow's state after the change; `state.version` orders projections */
  state: AllegationState;
  audit: { actor: string; role: string; action: string; before?: unknown; after?: unknown };
}

/**
 * Projects one change the workflow decided: the case row follows the workflow's state and the
 * change is appended to the audit chain, in one transaction. Idempotent: a retry after a commit
 * finds the row at this version already and writes nothing, so each change is audited once.
 */
export async function projectCase(db: DataSource, input: ProjectCaseInput): Promise<void> {
  const { state } = input;
  await db.transaction(async (m) => {
    const [row] = await m.query('SELECT state_version FROM allegations WHERE id = $1 FOR UPDATE', [input.caseId]);
    if (!row) throw new Error(`allegation ${input.caseId} has no row`);
    if (row.state_version >= state.version) return;
    const open = state.deadlines.filter((d) => !d.metAt);
    const due = (kind: string) => open.filter((d) => d.kind === kind).at(-1)?.dueAt ?? null;
    const referral = state.referral;
    const referredForce = referral && (referral.status === 'pending' || referral.status === 'accepted') ? referral.forceId : null;
    await m.query(
      `UPDATE allegations SET status = $2, state = $3, state_version = $4, triage_due_at = $5, spoc_due_at = $6, information_due_at = $7,
         next_due_at = $8, referred_force_id = $9, outcome = $10, closed_at = $11, duplicate_of = $12,
         referral_force_ids = CASE WHEN $9::text IS NULL OR $9 = ANY(referral_force_ids) THEN referral_force_ids ELSE referral_force_ids || $9::text END,
         updated_at = now()
       WHERE id = $1`,
      [input.caseId, state.status, JSON.stringify(state), state.version, due('triage'), due('spoc_response'), due('information_reply'),
        open.at(-1)?.dueAt ?? null, referredForce, state.outcome, state.closedAt, state.duplicateOf],
    );
    await appendAuditEvent(m, { caseId: input.caseId, authorityId: input.authorityId, ...input.audit });
    if (state.closedAt) await setRetentionOnClosure(m, input.caseId, input.authorityId, state.closedAt);
  });
}
