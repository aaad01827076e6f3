import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Role } from '../libs/auth/principal';
import type { Mailer } from '../libs/mail';
import { appendAuditEvent } from '../libs/persistence/audit';
import { Context } from '@temporalio/activity';
import { emailNotifications } from './email';
import { notificationsSent } from '../libs/telemetry/worker-metrics';

/** The activity's logger, when running as one (notify is also called from other activities and tests). */
function activityLog() {
  try {
    return Context.current().log;
  } catch {
    return undefined;
  }
}

export interface NotifyInput {
  caseId?: string;
  authorityId: string;
  /** identifies the due event; a notification goes to each recipient once per key, whatever the retries */
  dueKey: string;
  kind: string;
  subject: string;
  body: string;
  /** roles of the case's authority, roles of a force, named users; minus `exceptUserIds` */
  to: { authorityRoles?: Role[]; forceId?: string; forceRoles?: Role[]; userIds?: string[]; exceptUserIds?: string[] };
  /** marks the case as escalated */
  escalation?: boolean;
}

export interface NotifyResult {
  recipients: number;
  newlySent: number;
}

/**
 * Writes in-app notifications for one due event. The unique (recipient, due key) index makes a
 * retried or replayed activity a no-op, so each person is told once; the audit event is written
 * only by the attempt that actually sent something.
 */
export async function notify(db: DataSource, input: NotifyInput, mailer: Mailer | null = null): Promise<NotifyResult> {
  const result = await db.transaction(async (m) => {
    const recipients: { id: string; username: string }[] = [];
    if (input.to.authorityRoles?.length) {
      recipients.push(...(await m.query('SELECT id, username FROM users WHERE authority_id = $1 AND roles && $2::text[] ORDER BY username', [input.authorityId, input.to.authorityRoles])));
    }
    if (input.to.forceId && input.to.forceRoles?.length) {
      recipients.push(...(await m.query('SELECT id, username FROM users WHERE force_id = $1 AND roles && $2::text[] ORDER BY username', [input.to.forceId, input.to.forceRoles])));
    }
    if (input.to.userIds?.length) {
      recipients.push(...(await m.query('SELECT id, username FROM users WHERE id = ANY($1::uuid[]) ORDER BY username', [input.to.userIds])));
    }
    const except = new Set(input.to.exceptUserIds ?? []);
    const seen = new Set<string>();
    const sentTo: string[] = [];
    for (const recipient of recipients) {
      if (except.has(recipient.id) || seen.has(recipient.id)) continue;
      seen.add(recipient.id);
      const inserted = await m.query(
        `INSERT INTO notifications (id, recipient_id, case_id, kind, subject, body, due_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (recipient_id, due_key) DO NOTHING RETURNING id`,
        [randomUUID(), recipient.id, input.caseId ?? null, input.kind, input.subject, input.body, input.dueKey],
      );
      if (inserted.length > 0) sentTo.push(recipient.username);
    }
    if (sentTo.length > 0 && input.caseId) {
      if (input.escalation) {
        await m.query('UPDATE allegations SET escalated_at = COALESCE(escalated_at, now()), updated_at = now() WHERE id = $1', [input.caseId]);
      }
      await appendAuditEvent(m, {
        caseId: input.caseId,
        authorityId: input.authorityId,
        actor: 'system:workflow',
        role: 'system',
        action: `notification.${input.kind}`,
        after: { dueKey: input.dueKey, recipients: sentTo, subject: input.subject },
      });
    }
    return { recipients: recipients.length, newlySent: sentTo.length };
  });
  if (result.newlySent > 0) notificationsSent.inc({ kind: input.kind }, result.newlySent);
  // After the commit, so the in-app notifications stand whatever happens to the email. A failed
  // send is not retried here: the workflow must not wait on a mail server before its next timer.
  // The rows stay pending and the email retry Schedule (retryPendingEmails) sends them.
  await emailNotifications(db, mailer, input.dueKey).catch((error) => activityLog()?.warn('email delivery deferred to the retry schedule', { dueKey: input.dueKey, error: String((error as Error).message) }));
  return result;
}
