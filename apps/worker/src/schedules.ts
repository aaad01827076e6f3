// The Temporal Schedules that run the evidence checks, the email retries and the transparency checkpoints. Created or brought up to date when a
// worker starts, so that a changed cadence applies without anyone touching the server.
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { durationMs, parseDuration } from '@libs/domain';

export interface WorkerScheduleOptions {
  taskQueue: string;
  integrityEvery: string;
  retentionReviewEvery: string;
  /** how often notifications whose email failed are tried again */
  emailRetryEvery?: string;
  /** how often each authority's grown audit log gets a signed checkpoint */
  checkpointEvery?: string;
}

export function workerScheduleIds(taskQueue: string) {
  return {
    integrity: `evidence-integrity-${taskQueue}`,
    retentionReview: `evidence-retention-review-${taskQueue}`,
    emailRetry: `email-retry-${taskQueue}`,
    checkpoint: `transparency-checkpoint-${taskQueue}`,
  };
}

export async function ensureWorkerSchedules(client: Client, options: WorkerScheduleOptions): Promise<void> {
  const ids = workerScheduleIds(options.taskQueue);
  const schedules: [string, string, string][] = [
    [ids.integrity, 'evidenceIntegrityWorkflow', options.integrityEvery],
    [ids.retentionReview, 'evidenceRetentionReviewWorkflow', options.retentionReviewEvery],
    [ids.emailRetry, 'emailRetryWorkflow', options.emailRetryEvery ?? 'PT1M'],
    [ids.checkpoint, 'transparencyCheckpointWorkflow', options.checkpointEvery ?? 'PT1H'],
  ];
  for (const [scheduleId, workflowType, every] of schedules) {
    const spec = { intervals: [{ every: durationMs(parseDuration(every)) }] };
    const action = { type: 'startWorkflow' as const, workflowType, taskQueue: options.taskQueue, args: [] };
    try {
      // A run still going when the next is due is skipped: one pass at a time.
      await client.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
    }
  }
}
