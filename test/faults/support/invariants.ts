// The checks every fault suite ends with (DESIGN.md invariants 1, 3 and 4), over all the cases a
// suite logged, so that a fault anywhere in the flow shows up whichever case it hit.
import { WorkflowNotFoundError } from '@temporalio/client';
import { allegationWorkflowId } from '@libs/domain';
import type { TestSmtpServer } from '../../support/smtp';
import type { TestStack } from '../../support/stack';

/** Invariant 1: every acknowledged allegation has its row and its workflow; none has two rows. */
export async function acknowledgedAllegationsKept(stack: TestStack, ids: string[]): Promise<{ missingRows: string[]; missingWorkflows: string[] }> {
  const rows: { id: string }[] = await stack.db.query('SELECT id FROM allegations WHERE id = ANY($1::uuid[])', [ids]);
  const present = new Set(rows.map((r) => r.id));
  const missingWorkflows: string[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    await Promise.all(
      ids.slice(i, i + 10).map(async (id) => {
        try {
          await stack.temporal.workflow.getHandle(allegationWorkflowId(id)).describe();
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) missingWorkflows.push(id);
          else throw error;
        }
      }),
    );
  }
  return { missingRows: ids.filter((id) => !present.has(id)), missingWorkflows };
}

/**
 * Invariant 4: each person was told once of each event. Counted per case, recipient and kind
 * (not per due key, which a re-computed deadline would change), and the audit trail records each
 * due event once. Returns the offenders, so a failure names them.
 */
export async function duplicateNotifications(stack: TestStack, ids: string[]): Promise<string[]> {
  const told: { case_id: string; username: string; kind: string; n: number }[] = await stack.db.query(
    `SELECT n.case_id, u.username, n.kind, count(*)::int AS n FROM notifications n JOIN users u ON u.id = n.recipient_id
     WHERE n.case_id = ANY($1::uuid[]) GROUP BY 1, 2, 3 HAVING count(*) > 1`,
    [ids],
  );
  const audited: { case_id: string; due_key: string; n: number }[] = await stack.db.query(
    `SELECT case_id, after->>'dueKey' AS due_key, count(*)::int AS n FROM audit_events
     WHERE case_id = ANY($1::uuid[]) AND action LIKE 'notification.%' GROUP BY 1, 2 HAVING count(*) > 1`,
    [ids],
  );
  return [...told.map((r) => `${r.case_id} ${r.username} ${r.kind} x${r.n}`), ...audited.map((r) => `audit ${r.due_key} x${r.n}`)];
}

/** Invariant 3: the cases (of those given) that have no notification of this kind yet. */
export async function casesWithout(stack: TestStack, ids: string[], kind: string): Promise<string[]> {
  const rows: { case_id: string }[] = await stack.db.query('SELECT DISTINCT case_id FROM notifications WHERE case_id = ANY($1::uuid[]) AND kind = $2', [
    ids,
    kind,
  ]);
  const done = new Set(rows.map((r) => r.case_id));
  return ids.filter((id) => !done.has(id));
}

/**
 * Invariant 4 by email: every notification of these cases reached the SMTP server exactly once,
 * under its own Message-ID. Returns what is wrong (missing, repeated or stray messages).
 */
export async function emailProblems(stack: TestStack, smtp: TestSmtpServer, ids: string[]): Promise<string[]> {
  const rows: { id: string; emailed_at: Date | null }[] = await stack.db.query(
    `SELECT n.id, n.emailed_at FROM notifications n JOIN users u ON u.id = n.recipient_id WHERE n.case_id = ANY($1::uuid[]) AND u.email <> ''`,
    [ids],
  );
  const counts = new Map<string, number>();
  for (const mail of smtp.received) counts.set(mail.messageId, (counts.get(mail.messageId) ?? 0) + 1);
  const problems: string[] = [];
  for (const row of rows) {
    const n = counts.get(`<notification.${row.id}@election-casework>`) ?? 0;
    if (n !== 1 || !row.emailed_at) problems.push(`notification ${row.id}: received ${n} times, emailed_at ${row.emailed_at ? 'set' : 'unset'}`);
  }
  return problems;
}
