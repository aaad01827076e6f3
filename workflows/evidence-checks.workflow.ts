// Started by Temporal Schedules (apps/worker/src/schedules.ts): each run does one pass.
// (Evidence integrity, disposal reviews, and email retries.)
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '@activities';

const { checkEvidenceIntegrity, raiseDisposalReviews, retryPendingEmails } = proxyActivities<
  Pick<Activities, 'checkEvidenceIntegrity' | 'raiseDisposalReviews' | 'retryPendingEmails'>
>({
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes' },
});

/** Re-hashes every stored evidence file; alerts on any whose bytes no longer match. */
export async function evidenceIntegrityWorkflow() {
  return checkEvidenceIntegrity();
}

/** Raises the disposal review of items whose retention date has passed. */
export async function evidenceRetentionReviewWorkflow() {
  return raiseDisposalReviews();
}

/** Sends the emails of notifications whose first send failed (the in-app notification stands). */
export async function emailRetryWorkflow() {
  return retryPendingEmails();
}
