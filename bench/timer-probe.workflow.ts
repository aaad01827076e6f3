// The reference for `npm run bench:risks`: a plain Temporal timer followed by one activity, the
// same shape as a risk review reminder (a timer to the due time, then the notify activity) but
// with nothing of the application in it. Run only by the benchmark's own worker, in the
// benchmark process, on a task queue of its own; the application worker never registers it.
import { proxyActivities, sleep } from '@temporalio/workflow';

export interface TimerProbeActivities {
  /** records when the probe fired (the benchmark's clock) and returns that time in ms */
  probeFired(input: { probeId: number; dueAt: number }): Promise<number>;
}

const { probeFired } = proxyActivities<TimerProbeActivities>({ startToCloseTimeout: '30 seconds' });

/** Sleeps until `dueAt` (epoch ms), as the risk review workflow waits for a review to fall due, then reports. */
export async function timerProbeWorkflow(input: { probeId: number; dueAt: number }): Promise<number> {
  await sleep(Math.max(input.dueAt - Date.now(), 1));
  return probeFired(input);
}
