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
import { NotificationsStore, type NewNotification, type Recipient } from '@libs/persistence/stores/notifications.store';
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

/** A due event's row for one recipient. */
function notificationRow(input: NotifyInput, recipientId: string, id: string = randomUUID()): NewNotification {
  const about = input.about ?? aboutFromDueKey(input.dueKey, input.caseId);
  return {
    id,
    recipientId,
    caseId: input.caseId ?? null,
    kind: input.kind,
    subject: input.subject,
    body: input.body,
    dueKey: input.dueKey,
    aboutType: about?.type ?? null,
    aboutId: about?.id ?? null,
  };
}

/** A digest's row: its own due key, about nothing in particular (it lists its subjects). */
function digestRow(id: string, recipientId: string, inputs: NotifyInput[]): NewNotification {
  const digest = DIGEST_RULES[inputs[0].kind].digest(inputs);
  return {
    id,
    recipientId,
    caseId: null,
    kind: digest.kind,
    subject: digest.subject,
    body: digest.body,
    dueKey: digestDueKey(id),
    aboutType: null,
    aboutId: null,
  };
}

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
 *
 * Given a transaction's EntityManager, it writes in a savepoint of that transaction, which then
 * commits or rolls back the notifications with whatever else it holds (the dispatcher of risk
 * notices marks its risks as sent in the same transaction, activities/risk-dispatch.ts).
 */
export async function notifyMany(db: DataSource | EntityManager, inputs: NotifyInput[], options: NotifyManyOptions = {}): Promise<NotifyResult[]> {
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
    const rows: NewNotification[] = [];
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
    for (const p of direct) rows.push(notificationRow(inputs[p.input], p.user.id));
    const digested = await claimDueEvents(store, inputs, planned.filter((p) => isDigestible(inputs[p.input])).sort(byKey), options.digests === true);
    for (const group of digested.groups) {
      rows.push(
        group.members.length === 1
          ? notificationRow(inputs[group.members[0].input], group.userId, group.id)
          : digestRow(
              group.id,
              group.userId,
              group.members.map((p) => inputs[p.input]),
            ),
      );
    }
    // The comment shows the batch's size in pg_stat_activity (and to the kill test, test/faults).
    const inserted = rows.length > 0 ? await store.insertMany(rows, `notify: ${inputs.length} due events`) : new Set<string>();
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
        await store.pointClaimAtNotification(group.userId, dueKey);
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
async function claimDueEvents(store: NotificationsStore, inputs: NotifyInput[], rows: Planned[], digests: boolean): Promise<ClaimedDueEvents> {
  const earlier = new Map<string, string[]>();
  if (rows.length === 0) return { groups: [], earlier };
  const groupOf = new Map<string, { id: string; userId: string; members: Planned[] }>();
  const groupKey = (p: Planned) => (digests ? `${p.user.id}|${inputs[p.input].kind}` : `${p.user.id}|${inputs[p.input].dueKey}`);
  for (const p of rows) if (!groupOf.has(groupKey(p))) groupOf.set(groupKey(p), { id: randomUUID(), userId: p.user.id, members: [] });
  const claimed = await store.claimDueEvents(
    rows.map((p) => ({ recipientId: p.user.id, dueKey: inputs[p.input].dueKey, notificationId: groupOf.get(groupKey(p))!.id })),
  );
  const before: Planned[] = [];
  for (const p of rows) {
    // A pair claimed once is credited to the first event that planned it (an event submitted twice is listed once).
    if (claimed.delete(`${p.user.id}|${inputs[p.input].dueKey}`)) groupOf.get(groupKey(p))!.members.push(p);
    else before.push(p);
  }
  if (before.length > 0) {
    const carried = await store.carriersOf(before.map((p) => ({ recipientId: p.user.id, dueKey: inputs[p.input].dueKey })));
    for (const row of carried) earlier.set(row.dueKey, [...(earlier.get(row.dueKey) ?? []), row.notificationKey]);
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
