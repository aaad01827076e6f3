// Waking an authority's dispatcher of risk review notices (workflows/risk-review-dispatch.workflow.ts),
// from the API (a risk registered with its first due date) and from the worker (a review
// workflow's projection, and each authority with notices pending at start). The dispatcher runs on
// a task queue of its own beside the deployment's (riskReviewDispatchTaskQueue), so that its
// tasks never wait behind a backlog of other workflows' tasks.
import type { Client } from '@temporalio/client';
import { riskNoticeDueSignal, riskReviewDispatchTaskQueue, riskReviewDispatchWorkflowId, type RiskReviewDispatchInput } from '@workflows/risk-review.messages';

/** Where the dispatchers run and how they are woken: a client, and the deployment's task queue. */
export interface DispatcherWaker {
  client: Client;
  /** the deployment's task queue (TEMPORAL_TASK_QUEUE), not the dispatchers' own */
  taskQueue: string;
}

/**
 * Whether a review falling due at `dueAt` must wake the dispatcher, which plans to look at
 * `wakeAt` (null: it has nothing planned).
 */
export function mustWakeDispatcher(wakeAt: Date | null, dueAt: Date | string): boolean {
  return wakeAt === null || new Date(dueAt).getTime() < wakeAt.getTime();
}

/** Wakes (or starts) an authority's dispatcher: something falls due at `dueAt`. */
export async function wakeRiskDispatcher(waker: DispatcherWaker, authorityId: string, dueAt: string): Promise<void> {
  await waker.client.workflow.signalWithStart('riskReviewDispatchWorkflow', {
    workflowId: riskReviewDispatchWorkflowId(authorityId, waker.taskQueue),
    taskQueue: riskReviewDispatchTaskQueue(waker.taskQueue),
    args: [{ authorityId } satisfies RiskReviewDispatchInput],
    // A task of a long history replayed on a loaded worker must not time out (the default is 10 s).
    workflowTaskTimeout: '60 seconds',
    signal: riskNoticeDueSignal,
    signalArgs: [{ dueAt }],
  });
}
