// The notices of the risk register's review cycles, sent by one dispatcher per authority
// (workflows/risk-review-dispatch.workflow.ts) rather than by a timer in each risk's workflow. On
// polling day every risk's review falls due in the same minute; one timer per risk meant one
// workflow task per reminder, and the queue of those tasks, not the timers, made reminders
// minutes late. The dispatcher instead sends every notice that has fallen due in batches of one
// transaction each, with a digest for an owner who has many (activities/notification-digests.ts).
import type { DataSource } from 'typeorm';
import { notice } from '@libs/domain';
import type { Mailer } from '@libs/mail';
import { RisksStore, type DueRiskNotice } from '@libs/persistence/stores/risks.store';
import { RiskReviewDispatchersStore } from '@libs/persistence/stores/risk-review-dispatchers.store';
import { mustWakeDispatcher, wakeRiskDispatcher, type DispatcherWaker } from '@libs/temporal/risk-dispatch';
import { emailDueEvent, notifyMany, type NotifyInput } from './notifications';

/**
 * Projects a dispatched review's due dates, which `GET /risks?overdue=true` reads and the
 * dispatcher sends by, and wakes the authority's dispatcher if it would otherwise look later than
 * the new due date. The projection and the dispatcher's plan take the authority's dispatcher row
 * in turn (a share lock here), so the dispatcher either sees this due date when it plans its next
 * look or has planned it before this reads it.
 */
export async function projectDispatchedRiskDue(
  db: DataSource,
  waker: DispatcherWaker,
  input: { riskId: string; nextReviewDueAt: string; escalationDueAt: string },
): Promise<void> {
  const wake = await db.transaction(async (m) => {
    const authorityId = await new RisksStore(m).projectDispatchedDue(input.riskId, input.nextReviewDueAt, input.escalationDueAt);
    if (!authorityId) return undefined; // closed meanwhile: nothing falls due
    const wakeAt = await new RiskReviewDispatchersStore(m).lockWakeAt(authorityId, true);
    return mustWakeDispatcher(wakeAt, input.nextReviewDueAt) ? authorityId : undefined;
  });
  if (wake) await wakeRiskDispatcher(waker, wake, input.nextReviewDueAt);
}

export interface SendDueRiskNoticesResult {
  reminders: number;
  escalations: number;
  /** transactions that sent notices */
  batches: number;
  /** when the next unsent notice falls due; null: none pending */
  nextDueAt: string | null;
}

/** A due notice as a notification: the owner's reminder, or the Returning Officer's escalation. */
export function dueNoticeToNotify(authorityId: string, due: DueRiskNotice): NotifyInput {
  const dueAt = due.dueAt.toISOString();
  return due.notice === 'reminder'
    ? {
        authorityId,
        dueKey: `risk:${due.riskId}:${dueAt}:reminder`,
        ...notice('risk_review_reminder', { title: due.title, dueAt }),
        to: { userIds: [due.ownerId] },
      }
    : {
        authorityId,
        dueKey: `risk:${due.riskId}:${dueAt}:escalation`,
        ...notice('risk_review_escalation', { title: due.title, dueAt }),
        to: { authorityRoles: ['returning_officer'] },
      };
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface SendDueRiskNoticesOptions {
  authorityId: string;
  /** most notices in one transaction (WORKER_RISK_NOTICE_BATCH_SIZE) */
  batchSize?: number;
  /**
   * while the next notice falls due within this many ms, the activity stays and sends it when it
   * does, rather than return and have the workflow sleep and look again. In a burst (every
   * review falling due within a minute) one activity then sends the whole stream as it falls due.
   */
  lingerMs?: number;
  /** how often a lingering activity looks for a due date projected meanwhile, in ms */
  pollMs?: number;
  /** the longest an activity runs before it returns and lets its workflow continue, in ms */
  maxRunMs?: number;
  /** stops lingering (the activity is cancelled, or its worker shuts down) */
  signal?: AbortSignal;
}

/**
 * Sends every notice of the authority that has fallen due, `batchSize` at a time, each batch in
 * one transaction: the risks' rows locked, the notifications written (an owner's reminders in one
 * digest), the risks marked as sent for their due dates. A batch cut short (a worker killed)
 * commits nothing, and a retry finds the same notices still due; each notification's unique due
 * key keeps a notice to one delivery whatever happens between. Then it plans the next look: when
 * the next unsent notice falls due, written under the dispatcher row's lock (see
 * projectDispatchedRiskDue). While that is within `lingerMs`, it waits for it here and goes on.
 * `heartbeat` is called after each batch and each wait.
 */
export async function sendDueRiskNotices(
  db: DataSource,
  mailer: Mailer | null,
  input: SendDueRiskNoticesOptions,
  heartbeat: (progress: { reminders: number; escalations: number }) => void = () => undefined,
): Promise<SendDueRiskNoticesResult> {
  const batchSize = input.batchSize ?? 500;
  const lingerMs = input.lingerMs ?? 0;
  const pollMs = input.pollMs ?? 250;
  const stopAt = Date.now() + (input.maxRunMs ?? 60_000);
  const result: SendDueRiskNoticesResult = { reminders: 0, escalations: 0, batches: 0, nextDueAt: null };
  for (;;) {
    const sent = await db.transaction(async (m) => {
      const risks = new RisksStore(m);
      const due = await risks.dueNotices(input.authorityId, new Date(), batchSize);
      if (due.length === 0) return { due, emailKeys: [] as string[] };
      const notices = due.map((d) => dueNoticeToNotify(input.authorityId, d));
      const results = await notifyMany(m, notices, { digests: true });
      await risks.markNoticesSent(due);
      return { due, emailKeys: results.flatMap((r, i) => r.emailKeys ?? [notices[i].dueKey]) };
    });
    if (sent.due.length > 0) {
      result.batches += 1;
      for (const d of sent.due) result[d.notice === 'reminder' ? 'reminders' : 'escalations'] += 1;
      // After the commit, so the notifications stand whatever the mail server does.
      for (const key of new Set(sent.emailKeys)) await emailDueEvent(db, mailer, key);
      heartbeat({ reminders: result.reminders, escalations: result.escalations });
    }
    if (sent.due.length === batchSize) continue;
    const next = await db.transaction(async (m) => {
      const dispatchers = new RiskReviewDispatchersStore(m);
      await dispatchers.lockWakeAt(input.authorityId);
      const due = await new RisksStore(m).nextNoticeDue(input.authorityId);
      if (due && due.getTime() <= Date.now()) return 'now' as const; // fell due meanwhile: send it first
      await dispatchers.setWakeAt(input.authorityId, due);
      return due;
    });
    if (next === 'now') continue;
    const waitMs = next ? next.getTime() - Date.now() : Infinity;
    if (waitMs <= lingerMs && Date.now() + waitMs < stopAt && !input.signal?.aborted) {
      // Wait here, looking again at least every pollMs for a due date projected meanwhile.
      await pause(Math.max(1, Math.min(waitMs, pollMs)), input.signal);
      heartbeat({ reminders: result.reminders, escalations: result.escalations });
      continue;
    }
    result.nextDueAt = next ? next.toISOString() : null;
    return result;
  }
}

/**
 * Starts, or wakes, the dispatcher of every authority with a notice still to send: at worker
 * start, so that a dispatcher stopped by hand (or lost with a namespace) resumes.
 */
export async function wakeRiskDispatchers(db: DataSource, waker: DispatcherWaker): Promise<number> {
  const authorities = await new RisksStore(db).authoritiesWithPendingNotices();
  const now = new Date().toISOString();
  for (const authorityId of authorities) await wakeRiskDispatcher(waker, authorityId, now);
  return authorities.length;
}
