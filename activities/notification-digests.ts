// Digests: when many due events of one kind reach the same person at once (a plan owner's risk
// reviews all falling due as the near-poll window opens), they are told in one notification
// listing them, and one email, rather than one each. Which kinds may be digested is here, and
// how a digest reads is in libs/domain/notices.ts; the grouping happens in notifyMany (activities/notifications.ts), over
// the due events that share its transaction, which the NotifyBatcher holds together for
// WORKER_NOTIFY_DIGEST_WINDOW_MS.
import { notice, type NoticeText } from '@libs/domain';
import type { NotifyInput } from './notifications';

export interface DigestRule {
  /** the digest notification's kind, subject and body, from the due events it lists (their subjects and bodies, one a line) */
  digest: (inputs: NotifyInput[]) => NoticeText;
}

/** The kinds that may be digested, by the kind of their single notification. */
export const DIGEST_RULES: Readonly<Record<string, DigestRule>> = {
  risk_review_reminder: {
    digest: (inputs) => notice('risk_review_digest', { items: inputs.map(({ subject, body }) => ({ subject, body })) }),
  },
};

/**
 * A due event whose delivery is recorded per recipient in notification_due_events, whether it
 * goes alone or in a digest: a kind with a digest rule, not about a case (a case's notices carry
 * an audit event of their own and are never digested).
 */
export function isDigestible(input: NotifyInput): boolean {
  return Object.prototype.hasOwnProperty.call(DIGEST_RULES, input.kind) && !input.caseId;
}

/** The due key of a digest notification: its own, since it carries several due events. */
export const digestDueKey = (notificationId: string) => `digest:${notificationId}`;
