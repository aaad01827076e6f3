// The Temporal Schedules that run the evidence checks. Created or brought up to date when a
// worker starts, so that a changed cadence applies without anyone touching the server.
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { durationMs, parseDuration } from '../../../libs/domain';

export interface EvidenceScheduleOptions {
  taskQueue: string;
  integrityEvery: string;
  retentionReviewEvery: string;
}

export function evidenceScheduleIds(taskQueue: string) {
  return { integrity: `evidence-integrity-${taskQueue}`, retentionReview: `evidence-retention-review-${taskQueue}` };
}

export async function ensureEvidenceSchedules(client: Client, options: EvidenceScheduleOptions): Promise<void> {
  const ids = evidenceScheduleIds(options.taskQueue);
  const schedules: [string, string, string][] = [
    [ids.integrity, 'evidenceIntegrityWorkflow', options.integrityEvery],
    [ids.retentionReview, 'evidenceRetentionReviewWorkflow', options.retentionReviewEvery],
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
