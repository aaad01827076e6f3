import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Role } from '../libs/auth/principal';
import type { Mailer } from '../libs/mail';
import { appendAuditEvent } from '../libs/persistence/audit';
import { aboutFromDueKey, type NotificationAbout } from '../libs/domain/notification-about';
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
  /** what it is about; derived from `dueKey` (and `caseId`) when not given (libs/domain/notification-about.ts) */
  about?: NotificationAbout;
}

export interface NotifyResult {
  recipients: number;
  newlySent: number;
}

/**
 * The columns of a notification row that notify writes, in one place: each row's values come
 * from `notificationValues`, and the insert in `notifyMany` is built from this list (one
 * `unnest` array per column), so a new column is added here and in `notificationValues` only.
 */
const NOTIFICATION_COLUMNS = [
  { name: 'id', type: 'uuid' },
  { name: 'recipient_id', type: 'uuid' },
  { name: 'case_id', type: 'uuid' },
  { name: 'kind', type: 'text' },
  { name: 'subject', type: 'text' },
  { name: 'body', type: 'text' },
  { name: 'due_key', type: 'text' },
  { name: 'about_type', type: 'text' },
  { name: 'about_id', type: 'uuid' },
] as const;

function notificationValues(input: NotifyInput, recipientId: string): unknown[] {
  const about = input.about ?? aboutFromDueKey(input.dueKey, input.caseId);
  return [randomUUID(), recipientId, input.caseId ?? null, input.kind, input.subject, input.body, input.dueKey, about?.type ?? null, about?.id ?? null];
}

const INSERT_NOTIFICATIONS = `INSERT INTO notifications (${NOTIFICATION_COLUMNS.map((c) => c.name).join(', ')})
  SELECT * FROM unnest(${NOTIFICATION_COLUMNS.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})
  ON CONFLICT (recipient_id, due_key) DO NOTHING RETURNING recipient_id, due_key`;

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
    type User = { id: string; username: string };
    // Recipients, with one query for each distinct role list and one for every named user.
    const byRoles = new Map<string, Promise<User[]>>();
    const roleQuery = (column: 'authority_id' | 'force_id', owner: string, roles: Role[]) => {
      const key = `${column}|${owner}|${[...roles].sort().join(',')}`;
      let found = byRoles.get(key);
      if (!found) {
        found = m.query(`SELECT id, username FROM users WHERE ${column} = $1 AND roles && $2::text[] ORDER BY username`, [owner, roles]);
        byRoles.set(key, found);
      }
      return found;
    };
    const userIds = [...new Set(inputs.flatMap((i) => i.to.userIds ?? []))];
    const named = new Map<string, User>();
    if (userIds.length > 0) {
      for (const u of (await m.query('SELECT id, username FROM users WHERE id = ANY($1::uuid[]) ORDER BY username', [userIds])) as User[]) named.set(u.id, u);
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
    const columns: unknown[][] = NOTIFICATION_COLUMNS.map(() => []);
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
    for (const p of rows) notificationValues(inputs[p.input], p.user.id).forEach((value, c) => columns[c].push(value));
    const inserted = new Set<string>();
    if (planned.length > 0) {
      // The comment shows the batch's size in pg_stat_activity (and to the kill test, test/faults).
      for (const row of (await m.query(`/* notify: ${inputs.length} due events */ ${INSERT_NOTIFICATIONS}`, columns)) as { recipient_id: string; due_key: string }[]) inserted.add(`${row.recipient_id}|${row.due_key}`);
    }
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
        await m.query('UPDATE allegations SET escalated_at = COALESCE(escalated_at, now()), updated_at = now() WHERE id = $1', [input.caseId]);
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
