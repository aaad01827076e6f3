import type { DataSource } from 'typeorm';
import { appendAuditEvent } from '../libs/persistence/audit';

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
    const [row] = await m.query('SELECT status, triage_due_at FROM allegations WHERE id = $1 FOR UPDATE', [input.caseId]);
    if (!row) throw new Error(`allegation ${input.caseId} has no row; the intake transaction must commit before its workflow starts`);
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
