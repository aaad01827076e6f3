import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type { Mailer } from '@libs/mail';
import { NotificationsStore } from '@libs/persistence/stores/notifications.store';
import { emailText, isMailLanguage } from '@libs/mail/notification-text';

/**
 * The Message-ID of a notification's email: derived from the notification's id alone, so every
 * attempt to send that notification carries the same one.
 */
export function notificationMessageId(notificationId: string): string {
  return `<notification.${notificationId}@election-casework>`;
}

/**
 * Emails the notifications of one due event that have not been emailed yet, once each.
 *
 * Each row is sent inside its own transaction that holds the row (`FOR UPDATE SKIP LOCKED`) from
 * before the send until `emailed_at` is committed, so two attempts (a retry on another worker
 * while a timed-out one still runs, or a second worker) never send the same row at once, and a
 * row with `emailed_at` set is never sent again. A worker that dies mid-send loses its
 * connection, PostgreSQL rolls the transaction back and releases the row, and the activity's
 * retry sends it.
 *
 * One window cannot be closed: the SMTP server accepted the message but we died (or lost the
 * database) before the commit. The retry then sends it again, with the same Message-ID, so the
 * receiving side can recognise and drop the duplicate; everything else is exactly once.
 *
 * Any failure, or a row held by another attempt, makes this throw after the other rows have been
 * tried; failures are recorded in `email_attempts` and `email_last_error`, and the rows stay
 * pending for `retryPendingEmails`.
 */
export async function emailNotifications(db: DataSource, mailer: Mailer | null | undefined, dueKey: string): Promise<void> {
  if (!mailer) return;
  const pending = await new NotificationsStore(db).unemailed(dueKey);
  const problems: string[] = [];
  for (const id of pending) {
    const problem = await db.transaction(async (m): Promise<string | undefined> => {
      const store = new NotificationsStore(m);
      const row = await store.lockForEmail(id);
      if (!row) {
        // Either emailed since we looked, or another attempt holds it right now. In the second
        // case that attempt may yet fail, so this one must not report success: retry later.
        return (await store.wasEmailed(id)) ? undefined : `notification ${id} is being emailed by another attempt`;
      }
      const messageId = notificationMessageId(id);
      // In the language the recipient chose (users.language), English when they never chose.
      const { subject, text } = emailText(isMailLanguage(row.language) ? row.language : 'en', row.subject, row.body, row.reference);
      try {
        await mailer.send({ to: { name: row.displayName, address: row.email }, subject, text, messageId });
      } catch (error) {
        const message = String((error as Error)?.message ?? error).slice(0, 1000);
        await store.recordEmailFailure(id, message);
        return `notification ${id}: ${message}`;
      }
      await store.recordEmailed(id, messageId);
      return undefined;
    });
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) {
    throw new Error(`email delivery incomplete for due event ${dueKey} (${problems.length} of ${pending.length}): ${problems.join('; ')}`);
  }
}

/** Give up on a notification's email after this many failed attempts (it stays in-app). */
export const MAX_EMAIL_ATTEMPTS = 50;

/**
 * The email retry Schedule's pass: every due event with notifications still waiting for their
 * email (a refused or failed send, a mail server that was down) is tried again, oldest first.
 */
export async function retryPendingEmails(db: DataSource, mailer: Mailer | null | undefined): Promise<{ dueEvents: number; failed: number }> {
  if (!mailer) return { dueEvents: 0, failed: 0 };
  const pending = await new NotificationsStore(db).dueKeysAwaitingEmail(MAX_EMAIL_ATTEMPTS);
  let failed = 0;
  for (const due_key of pending) {
    heartbeat(due_key);
    await emailNotifications(db, mailer, due_key).catch(() => (failed += 1));
  }
  return { dueEvents: pending.length, failed };
}

function heartbeat(detail: string): void {
  try {
    Context.current().heartbeat(detail);
  } catch {
    // not running as an activity
  }
}
