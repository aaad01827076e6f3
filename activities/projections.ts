import type { DataSource } from 'typeorm';
import { appendAuditEvent } from '@libs/persistence/audit';
import { setRetentionOnClosure } from '@libs/persistence/retention';
import type { AllegationState } from '@workflows/allegation/messages';
import { AllegationsStore } from '@libs/persistence/stores/allegations.store';

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
    const allegations = new AllegationsStore(m);
    const row = await allegations.lockProjection(input.caseId);
    if (!row) throw new Error(`allegation ${input.caseId} has no row; the intake transaction must commit before its workflow starts`);
    // A decision projected already (an update that arrived at once) is newer than this.
    if (row.stateVersion > 0) return;
    const dueAt = new Date(input.triageDueAt);
    if (row.status === 'triage' && row.triageDueAt && new Date(row.triageDueAt).getTime() === dueAt.getTime()) return;
    await allegations.openTriage(input.caseId, dueAt);
    await appendAuditEvent(m, {
      caseId: input.caseId,
      authorityId: input.authorityId,
      actor: 'system:workflow',
      role: 'system',
      action: 'triage.deadline_set',
      before: { status: row.status, triageDueAt: row.triageDueAt ? new Date(row.triageDueAt).toISOString() : null },
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
    const allegations = new AllegationsStore(m);
    const row = await allegations.lockProjection(input.caseId);
    if (!row) throw new Error(`allegation ${input.caseId} has no row`);
    if (row.stateVersion >= state.version) return;
    const open = state.deadlines.filter((d) => !d.metAt);
    const due = (kind: string) => open.filter((d) => d.kind === kind).at(-1)?.dueAt ?? null;
    const referral = state.referral;
    const referredForce = referral && (referral.status === 'pending' || referral.status === 'accepted') ? referral.forceId : null;
    await allegations.project(input.caseId, {
      status: state.status,
      state,
      stateVersion: state.version,
      triageDueAt: due('triage'),
      spocDueAt: due('spoc_response'),
      informationDueAt: due('information_reply'),
      nextDueAt: open.at(-1)?.dueAt ?? null,
      referredForceId: referredForce,
      outcome: state.outcome ?? null,
      closedAt: state.closedAt ?? null,
      duplicateOf: state.duplicateOf ?? null,
    });
    await appendAuditEvent(m, { caseId: input.caseId, authorityId: input.authorityId, ...input.audit });
    if (state.closedAt) await setRetentionOnClosure(m, input.caseId, input.authorityId, state.closedAt);
  });
}
