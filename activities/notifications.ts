import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Role } from '../libs/auth/principal';
import type { Mailer } from '../libs/mail';
import { appendAuditEvent } from '../libs/persistence/audit';
import { aboutFromDueKey, type NotificationAbout } from '../libs/domain/notification-about';
import { Context } from '@temporalio/activity';
import { emailNotifications } from './email';
import { notificationsSent } from '../libs/telemetry/worker-metrics';
import { AllegationsStore } from '../libs/persistence/stores/allegations.store';
import { NotificationsStore, type NewNotification, type Recipient } from '../libs/persistence/stores/notifications.store';

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
  /** what it is about; derived from `dueKey` (and `caseId`) when not given (libs/domain/notification-about.ts) */
  about?: NotificationAbout;
}

export interface NotifyResult {
  recipients: number;
  newlySent: number;
}

function notificationRow(input: NotifyInput, recipientId: string): NewNotification {
  const about = input.about ?? aboutFromDueKey(input.dueKey, input.caseId);
  return { id: randomUUID(), recipientId, caseId: input.caseId ?? null, kind: input.kind, subject: input.subject, body: input.body, dueKey: input.dueKey, aboutType: about?.type ?? null, aboutId: about?.id ?? null };
}

/**
 * Writes in-app notifications for one due event. The unique (recipient, due key) index makes a
 * retried or replayed activity a no-op, so each person is told once; the audit event is written
 * only by the attempt that actually sent something.
 */
export async function notify(db: DataSource, input: NotifyInput, mailer: Mailer | null = null): Promise<NotifyResult> {
  const [result] = await notifyMany(db, [input]);
  await emailDueEvent(db, mailer, input.dueKey);
  return result;
}

/**
 * Writes the notifications of several due events in one transaction: one query per kind of
 * recipient list, one multi-row insert, then each case's escalation mark and audit event. Each
 * due event keeps its own exactly-once guarantee, from the unique (recipient, due key) index:
 * a batch that fails or is cut short (a worker killed mid-batch) commits nothing, or, once
 * committed, makes every retry of its events a no-op. It sends no email: each caller emails its
 * own due event afterwards (emailDueEvent), so one slow mail server holds up only its own event.
 */
export async function notifyMany(db: DataSource, inputs: NotifyInput[]): Promise<NotifyResult[]> {
  if (inputs.length === 0) return [];
  const results = await db.transaction(async (m) => {
    type User = Recipient;
    const store = new NotificationsStore(m);
    // Recipients, with one query for each distinct role list and one for every named user.
    const byRoles = new Map<string, Promise<User[]>>();
    const roleQuery = (column: 'authority_id' | 'force_id', owner: string, roles: Role[]) => {
      const key = `${column}|${owner}|${[...roles].sort().join(',')}`;
      let found = byRoles.get(key);
      if (!found) {
        found = store.recipientsWithRoles(column, owner, roles);
        byRoles.set(key, found);
      }
      return found;
    };
    const userIds = [...new Set(inputs.flatMap((i) => i.to.userIds ?? []))];
    const named = new Map<string, User>();
    if (userIds.length > 0) {
      for (const u of await store.recipientsNamed(userIds)) named.set(u.id, u);
    }
    const perInput: User[][] = [];
    for (const input of inputs) {
      const recipients: User[] = [];
      if (input.to.authorityRoles?.length) recipients.push(...(await roleQuery('authority_id', input.authorityId, input.to.authorityRoles)));
      if (input.to.forceId && input.to.forceRoles?.length) recipients.push(...(await roleQuery('force_id', input.to.forceId, input.to.forceRoles)));
      if (input.to.userIds?.length) {
        recipients.push(...input.to.userIds.map((id) => named.get(id)).filter((u): u is User => u !== undefined).sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0)));
      }
      perInput.push(recipients);
    }
    // One row per recipient and due event (each recipient once per event), in one insert.
    const planned: { input: number; user: User }[] = [];
    inputs.forEach((input, i) => {
      const except = new Set(input.to.exceptUserIds ?? []);
      const seen = new Set<string>();
      for (const user of perInput[i]) {
        if (except.has(user.id) || seen.has(user.id)) continue;
        seen.add(user.id);
        planned.push({ input: i, user });
      }
    });
    // Rows in (recipient, due key) order, so that two batches writing the same keys (a retried
    // event) wait on each other in the same order rather than deadlock.
    const rowKey = (p: { input: number; user: User }) => `${p.user.id}|${inputs[p.input].dueKey}`;
    const rows = [...planned].sort((a, b) => (rowKey(a) < rowKey(b) ? -1 : rowKey(a) > rowKey(b) ? 1 : 0));
    // The label shows the batch's size in pg_stat_activity (and to the kill test, test/faults).
    const inserted = planned.length > 0 ? await store.insertMany(rows.map((p) => notificationRow(inputs[p.input], p.user.id)), `notify: ${inputs.length} due events`) : new Set<string>();
    // A recipient and due key inserted once is credited to the first event that planned it.
    const sentTo: string[][] = inputs.map(() => []);
    for (const { input, user } of planned) {
      const key = `${user.id}|${inputs[input].dueKey}`;
      if (inserted.delete(key)) sentTo[input].push(user.username);
    }
    // The case's escalation mark and audit event, in authority order, so that two batches never
    // wait on each other's audit-log locks in opposite orders.
    const audited = inputs.map((input, i) => ({ input, sent: sentTo[i] })).filter(({ input, sent }) => sent.length > 0 && input.caseId);
    audited.sort((a, b) => (a.input.authorityId < b.input.authorityId ? -1 : a.input.authorityId > b.input.authorityId ? 1 : 0));
    for (const { input, sent } of audited) {
      if (input.escalation) {
        await new AllegationsStore(m).markEscalated(input.caseId!);
      }
      await appendAuditEvent(m, {
        caseId: input.caseId!,
        authorityId: input.authorityId,
        actor: 'system:workflow',
        role: 'system',
        action: `notification.${input.kind}`,
        after: { dueKey: input.dueKey, recipients: sent, subject: input.subject },
      });
    }
    return inputs.map((_, i) => ({ recipients: perInput[i].length, newlySent: sentTo[i].length }));
  });
  for (const [i, r] of results.entries()) if (r.newlySent > 0) notificationsSent.inc({ kind: inputs[i].kind }, r.newlySent);
  return results;
}

/**
 * Emails one due event's notifications, after their commit, so the in-app notifications stand
 * whatever happens to the email. A failed send is not retried here: the workflow must not wait
 * on a mail server before its next timer. The rows stay pending and the email retry Schedule
 * (retryPendingEmails) sends them.
 */
export async function emailDueEvent(db: DataSource, mailer: Mailer | null, dueKey: string): Promise<void> {
  if (!mailer) return;
  await emailNotifications(db, mailer, dueKey).catch((error) => activityLog()?.warn('email delivery deferred to the retry schedule', { dueKey, error: String((error as Error).message) }));
}
