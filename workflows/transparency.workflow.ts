// Started by the checkpoint Temporal Schedule (apps/worker/src/schedules.ts): each run signs a
// checkpoint of every authority's audit log that grew since its latest one.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '@activities';

const { issueCheckpoints } = proxyActivities<Pick<Activities, 'issueCheckpoints'>>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes' },
});

/** One pass of checkpoints over every authority. */
export async function transparencyCheckpointWorkflow() {
  return issueCheckpoints();
}
