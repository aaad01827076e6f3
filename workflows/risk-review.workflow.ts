// The review cycle of one risk in the integrity plan: when a review falls due the owner is
// reminded; after the policy's grace the Returning Officer gets exactly one escalation; a
// recorded review restarts the cycle; a change of cadence, owner or poll date applies at once;
// closing the risk ends it. Continues as new when the history grows, so a risk can live for years.
//
// This workflow decides when the review and its escalation fall due and projects both onto the
// risk; the authority's dispatcher (risk-review-dispatch.workflow.ts) sends the notices when they
// do, for all the authority's risks at once. So a risk's workflow holds no timer and takes no
// workflow task when its review falls due: only when something changes. Workflows started
// before the dispatcher (no 'risk-review-dispatch' marker) keep their timers and send their own.
import { allHandlersFinished, condition, continueAsNew, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '@activities';
import { durationMs, nextReviewDue, notice, parseDuration, withPolicyDefaults } from '@libs/domain';
import { closeRiskSignal, getRiskReviewStateQuery, riskChangedSignal, riskReviewedUpdate, RiskReviewInput, RiskReviewState } from './risk-review.messages';
import { policyChangedSignal } from './shared/messages';

type RiskReviewActivities = Pick<Activities, 'notify' | 'projectRiskDue' | 'projectDispatchedRiskDue'>;

const activities = proxyActivities<RiskReviewActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * The reminder and the escalation run as local activities: inside the workflow task that the
 * timer's firing starts, on the worker that runs it, with a marker in the history instead of an
 * activity task scheduled, dispatched, started and completed through the server and a second
 * workflow task to take the result. A due event then costs one workflow task and no activity
 * task. notify is idempotent (the notification's unique due key), so a local activity run again
 * after a worker dies mid-task changes nothing. The projection of the due date stays a scheduled
 * activity: it runs at the start of a cycle, where a local activity made the workflow's first
 * task (the workflow's creation as well) long enough to time out on an overloaded worker.
 */
const local = proxyLocalActivities<RiskReviewActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * Risk workflows started, or continuing, from this version send their notices as local
 * activities. A history recorded before it took scheduled ones, and replays them.
 */
const LOCAL_ACTIVITIES_PATCH = 'risk-review-local-activities';
const run = () => (patched(LOCAL_ACTIVITIES_PATCH) ? local : activities);

/** Risk workflows started, or continuing, from this version leave their notices to the dispatcher. */
const DISPATCH_PATCH = 'risk-review-dispatch';

export async function riskReviewWorkflow(input: RiskReviewInput): Promise<RiskReviewState> {
  const dispatched = patched(DISPATCH_PATCH);
  let policy = withPolicyDefaults(input.policy);
  let title = input.title;
  const state: RiskReviewState = {
    riskId: input.riskId,
    ownerId: input.ownerId,
    reviewEvery: input.reviewEvery,
    pollDate: input.pollDate,
    lastReviewedAt: input.lastReviewedAt,
    nextReviewDueAt: input.lastReviewedAt,
    cycles: input.cycles ?? 0,
    closed: false,
  };
  /** bumped by anything that restarts the wait: a review, a change, closure */
  let generation = 0;
  const dueNow = () =>
    nextReviewDue(Date.parse(state.lastReviewedAt), { every: state.reviewEvery, pollDate: state.pollDate, nearPoll: policy.riskReviewNearPoll });
  const project = (escalated = false) =>
    dispatched
      ? activities.projectDispatchedRiskDue({
          riskId: input.riskId,
          nextReviewDueAt: state.nextReviewDueAt,
          escalationDueAt: new Date(Date.parse(state.nextReviewDueAt) + durationMs(parseDuration(policy.riskReviewGrace))).toISOString(),
        })
      : activities.projectRiskDue({ riskId: input.riskId, nextReviewDueAt: state.nextReviewDueAt, escalated });

  setHandler(getRiskReviewStateQuery, () => state);
  setHandler(policyChangedSignal, (next) => {
    policy = withPolicyDefaults(next);
    generation += 1;
  });
  setHandler(riskChangedSignal, (change) => {
    if (change.ownerId) state.ownerId = change.ownerId;
    if (change.reviewEvery) state.reviewEvery = change.reviewEvery;
    if (change.pollDate !== undefined) state.pollDate = change.pollDate;
    if (change.title) title = change.title;
    generation += 1;
  });
  setHandler(closeRiskSignal, () => {
    state.closed = true;
    generation += 1;
  });
  setHandler(
    riskReviewedUpdate,
    async ({ reviewedAt }) => {
      state.lastReviewedAt = reviewedAt;
      state.cycles += 1;
      state.nextReviewDueAt = new Date(dueNow()).toISOString();
      generation += 1;
      // The API answers with the new due date only once GET /risks shows it too.
      await project();
      return state;
    },
    {
      validator: (_review: { reviewedAt: string }) => {
        if (state.closed) throw new Error('the risk is closed');
      },
    },
  );

  while (!state.closed) {
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof riskReviewWorkflow>({
        ...input,
        policy,
        title,
        ownerId: state.ownerId,
        reviewEvery: state.reviewEvery,
        pollDate: state.pollDate,
        lastReviewedAt: state.lastReviewedAt,
        cycles: state.cycles,
      });
    }
    const seen = generation;
    const changed = () => generation !== seen;
    state.nextReviewDueAt = new Date(dueNow()).toISOString();
    await project();
    if (dispatched) {
      // The dispatcher sends the notices; wait for a change, a review or closure.
      await condition(changed);
      continue;
    }
    const dueAt = Date.parse(state.nextReviewDueAt);
    if (await condition(changed, Math.max(dueAt - Date.now(), 1))) continue;
    await run().notify({
      authorityId: input.authorityId,
      dueKey: `risk:${input.riskId}:${state.nextReviewDueAt}:reminder`,
      ...notice('risk_review_reminder', { title, dueAt: state.nextReviewDueAt }),
      to: { userIds: [state.ownerId] },
    });
    const graceEnds = dueAt + durationMs(parseDuration(policy.riskReviewGrace));
    if (await condition(changed, Math.max(graceEnds - Date.now(), 1))) continue;
    await run().notify({
      authorityId: input.authorityId,
      dueKey: `risk:${input.riskId}:${state.nextReviewDueAt}:escalation`,
      ...notice('risk_review_escalation', { title, dueAt: state.nextReviewDueAt }),
      to: { authorityRoles: ['returning_officer'] },
    });
    await project(true);
    await condition(changed);
  }
  await condition(allHandlersFinished);
  return state;
}
