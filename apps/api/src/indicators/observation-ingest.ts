// How recorded observations tell people: the SQL of staging and recording lives in
// IndicatorsStore (libs/persistence/stores/indicators.store.ts).
import { aboutFromDueKey, type NoticeText } from '@libs/domain';
import type { Queryable } from '@libs/persistence/stores/queryable';
import { NotificationsStore } from '@libs/persistence/stores/notifications.store';

/**
 * Tells the authority's triage officers, in the same transaction: one notification per alert for
 * a single observation, one per upload for a file (a file may raise hundreds). The email retry
 * Schedule emails them like any other notification.
 */
export async function notifyTriage(m: Queryable, authorityId: string, dueKey: string, { kind, subject, body }: NoticeText): Promise<void> {
  const about = aboutFromDueKey(dueKey);
  await new NotificationsStore(m).notifyAuthorityRole(authorityId, 'triage', {
    kind,
    dueKey,
    subject,
    body,
    aboutType: about?.type ?? null,
    aboutId: about?.id ?? null,
  });
}
