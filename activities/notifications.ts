import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '@libs/auth/principal';
import type { Mailer } from '@libs/mail';
import { appendAuditEvent } from '@libs/persistence/audit';
import { aboutFromDueKey, type NotificationAbout } from '@libs/domain/notification-about';
import { Context } from '@temporalio/activity';
import { emailNotifications } from './email';
import { notificationsSent } from '@libs/telemetry/worker-metrics';
import { AllegationsStore } from '@libs/persistence/stores/allegations.store';
import { NotificationsStore, type Recipient } from '@libs/persistence/stores/notifications.store';
import { DIGEST_RULES, digestDueKey, isDigestible } from './notification-digests';

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
  /**
   * the due keys of the notifications whose email this caller sends: its own due key, or a
   * digest's (sent by the first of the digest's due events only). Absent: its own due key.
   */
  emailKeys?: string[];
}

export interface NotifyManyOptions {
  /** group digest-able due events of one kind and recipient into one notification (activities/notification-digests.ts) */
  digests?: boolean;
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

function notificationValues(input: NotifyInput, recipientId: string, id: string = randomUUID()): unknown[] {
  const about = input.about ?? aboutFromDueKey(input.dueKey, input.caseId);
  return [id, recipientId, input.caseId ?? null, input.kind, input.subject, input.body, input.dueKey, about?.type ?? null, about?.id ?? null];
}

/** A digest's row: its own due key, about nothing in particular (it lists its subjects). */
function digestValues(id: string, recipientId: string, inputs: NotifyInput[]): unknown[] {
  const digest = DIGEST_RULES[inputs[0].kind].digest(inputs);
  return [id, recipientId, null, digest.kind, digest.subject, digest.body, digestDueKey(id), null, null];
}

/** Claims each (recipient, due key) for a notification; returns the pairs claimed now, not before. */
const CLAIM_DUE_EVENTS = `INSERT INTO notification_due_events (recipient_id, due_key, notification_id)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[])
  ON CONFLICT (recipient_id, due_key) DO NOTHING RETURNING recipient_id, due_key`;

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
  for (const key of result.emailKeys ?? [input.dueKey]) await emailDueEvent(db, mailer, key);
  return result;
}

/**
 * Writes the notifications of several due events in one transaction: one query per kind of
 * recipient list, one multi-row insert, then each case's escalation mark and audit event. Each
 * due event keeps its own exactly-once guarantee, from the unique (recipient, due key) index:
 * a batch that fails or is cut short (a worker killed mid-batch) commits nothing, or, once
 * committed, makes every retry of its events a no-op. It sends no email: each caller emails its
 * own due event afterwards (emailDueEvent), so one slow mail server holds up only its own event.
 *
 * A digest-able due event (activities/notification-digests.ts) is first claimed per recipient in
 * notification_due_events, whose primary key keeps it to one delivery whatever carries it. With
 * `digests`, the events of one kind for one recipient claimed in this transaction go in one
 * digest notification (one alone goes as itself); a kill mid-batch rolls back claims and
 * notifications together, and a retry claims only what no committed digest holds.
 */
export async function notifyMany(db: DataSource, inputs: NotifyInput[], options: NotifyManyOptions = {}): Promise<NotifyResult[]> {
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
        recipients.push(
          ...input.to.userIds
            .map((id) => named.get(id))
            .filter((u): u is User => u !== undefined)
            .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0)),
        );
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
    const byKey = (a: { input: number; user: User }, b: { input: number; user: User }) => (rowKey(a) < rowKey(b) ? -1 : rowKey(a) > rowKey(b) ? 1 : 0);
    const direct = planned.filter((p) => !isDigestible(inputs[p.input])).sort(byKey);
    for (const p of direct) notificationValues(inputs[p.input], p.user.id).forEach((value, c) => columns[c].push(value));
    const digested = await claimDueEvents(m, inputs, planned.filter((p) => isDigestible(inputs[p.input])).sort(byKey), options.digests === true);
    for (const group of digested.groups) {
      const values =
        group.members.length === 1
          ? notificationValues(inputs[group.members[0].input], group.userId, group.id)
          : digestValues(
              group.id,
              group.userId,
              group.members.map((p) => inputs[p.input]),
            );
      values.forEach((value, c) => columns[c].push(value));
    }
    const inserted = new Set<string>();
    if (columns[0].length > 0) {
      // The comment shows the batch's size in pg_stat_activity (and to the kill test, test/faults).
      for (const row of (await m.query(`/* notify: ${inputs.length} due events */ ${INSERT_NOTIFICATIONS}`, columns)) as {
        recipient_id: string;
        due_key: string;
      }[])
        inserted.add(`${row.recipient_id}|${row.due_key}`);
    }
    // A recipient and due key inserted once is credited to the first event that planned it.
    const sentTo: string[][] = inputs.map(() => []);
    for (const { input, user } of direct) {
      const key = `${user.id}|${inputs[input].dueKey}`;
      if (inserted.delete(key)) sentTo[input].push(user.username);
    }
    const emailKeys: (string[] | undefined)[] = inputs.map((input) => (isDigestible(input) ? [...(digested.earlier.get(input.dueKey) ?? [])] : undefined));
    for (const group of digested.groups) {
      const single = group.members.length === 1;
      const dueKey = single ? inputs[group.members[0].input].dueKey : digestDueKey(group.id);
      if (single && !inserted.has(`${group.userId}|${dueKey}`)) {
        // Told by a notification written before due events were claimed: the claim points at it.
        await m.query(
          'UPDATE notification_due_events SET notification_id = (SELECT id FROM notifications WHERE recipient_id = $1 AND due_key = $2) WHERE recipient_id = $1 AND due_key = $2',
          [group.userId, dueKey],
        );
        continue;
      }
      for (const p of group.members) sentTo[p.input].push(p.user.username);
      emailKeys[group.members[0].input]!.push(dueKey);
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
    return inputs.map((_, i) => ({
      recipients: perInput[i].length,
      newlySent: sentTo[i].length,
      ...(emailKeys[i] ? { emailKeys: [...new Set(emailKeys[i])] } : {}),
    }));
  });
  for (const [i, r] of results.entries()) if (r.newlySent > 0) notificationsSent.inc({ kind: inputs[i].kind }, r.newlySent);
  return results;
}

type Planned = { input: number; user: { id: string; username: string } };

interface ClaimedDueEvents {
  /** the notifications to write: one per recipient and kind with `digests`, else one per due event */
  groups: { id: string; userId: string; members: Planned[] }[];
  /** for due events claimed by an earlier transaction: the due keys of the notifications that carried them, to email (a no-op once emailed) */
  earlier: Map<string, string[]>;
}

/**
 * Claims the digest-able due events for their recipients (rows sorted by recipient and due key,
 * so two batches claiming the same keys wait in the same order). A pair claimed before, by a
 * digest committed by a worker that died before its activity completed, is not claimed again.
 */
async function claimDueEvents(m: EntityManager, inputs: NotifyInput[], rows: Planned[], digests: boolean): Promise<ClaimedDueEvents> {
  const earlier = new Map<string, string[]>();
  if (rows.length === 0) return { groups: [], earlier };
  const groupOf = new Map<string, { id: string; userId: string; members: Planned[] }>();
  const groupKey = (p: Planned) => (digests ? `${p.user.id}|${inputs[p.input].kind}` : `${p.user.id}|${inputs[p.input].dueKey}`);
  for (const p of rows) if (!groupOf.has(groupKey(p))) groupOf.set(groupKey(p), { id: randomUUID(), userId: p.user.id, members: [] });
  const claimed = new Set<string>();
  const result: { recipient_id: string; due_key: string }[] = await m.query(CLAIM_DUE_EVENTS, [
    rows.map((p) => p.user.id),
    rows.map((p) => inputs[p.input].dueKey),
    rows.map((p) => groupOf.get(groupKey(p))!.id),
  ]);
  for (const row of result) claimed.add(`${row.recipient_id}|${row.due_key}`);
  const before: Planned[] = [];
  for (const p of rows) {
    // A pair claimed once is credited to the first event that planned it (an event submitted twice is listed once).
    if (claimed.delete(`${p.user.id}|${inputs[p.input].dueKey}`)) groupOf.get(groupKey(p))!.members.push(p);
    else before.push(p);
  }
  if (before.length > 0) {
    const carried: { due_key: string; notification_key: string }[] = await m.query(
      `SELECT e.due_key, n.due_key AS notification_key FROM notification_due_events e JOIN notifications n ON n.id = e.notification_id
        WHERE (e.recipient_id, e.due_key) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
      [before.map((p) => p.user.id), before.map((p) => inputs[p.input].dueKey)],
    );
    for (const row of carried) earlier.set(row.due_key, [...(earlier.get(row.due_key) ?? []), row.notification_key]);
  }
  return { groups: [...groupOf.values()].filter((g) => g.members.length > 0), earlier };
}

/**
 * Emails one due event's notifications, after their commit, so the in-app notifications stand
 * whatever happens to the email. A failed send is not retried here: the workflow must not wait
 * on a mail server before its next timer. The rows stay pending and the email retry Schedule
 * (retryPendingEmails) sends them.
 */
export async function emailDueEvent(db: DataSource, mailer: Mailer | null, dueKey: string): Promise<void> {
  if (!mailer) return;
  await emailNotifications(db, mailer, dueKey).catch((error) =>
    activityLog()?.warn('email delivery deferred to the retry schedule', { dueKey, error: String((error as Error).message) }),
  );
}
