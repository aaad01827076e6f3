// One authority's dispatcher of risk review notices. The risks' own review workflows keep each
// cycle's state and project when its review and escalation fall due (risk-review.workflow.ts);
// this workflow holds the only timer: it sleeps until the earliest unsent notice falls due, sends
// everything due by then in one activity (in batches, with digests), and sleeps again. A review
// projected to fall due before it would next look wakes it (riskNoticeDueSignal). So a minute in
// which every risk falls due costs a few workflow tasks, not one per risk. It never completes: it
// continues as new when its history grows, carrying its plan and its counts.
import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '@activities';
import { getRiskReviewDispatchStateQuery, riskNoticeDueSignal, type RiskReviewDispatchInput, type RiskReviewDispatchState } from './risk-review.messages';

const { sendDueRiskNotices } = proxyActivities<Pick<Activities, 'sendDueRiskNotices'>>({
  // A burst of thousands of notices takes several batches; each one heartbeats, so a worker that
  // dies mid-burst is noticed within the heartbeat timeout and the rest is sent by another.
  // An activity returns within a minute (maxRunMs), so the workflow can continue as new.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
});

/** About a hundred looks; each is about ten events. */
const MAX_HISTORY_EVENTS = 1_000;

export async function riskReviewDispatchWorkflow(input: RiskReviewDispatchInput): Promise<void> {
  const state: RiskReviewDispatchState = {
    authorityId: input.authorityId,
    wakeAt: input.wakeAt ?? null,
    looks: input.totals?.looks ?? 0,
    reminders: input.totals?.reminders ?? 0,
    escalations: input.totals?.escalations ?? 0,
    batches: input.totals?.batches ?? 0,
  };
  /** the earliest due date signalled since the last look began */
  let signalled = Infinity;
  setHandler(getRiskReviewDispatchStateQuery, () => state);
  setHandler(riskNoticeDueSignal, ({ dueAt }) => {
    signalled = Math.min(signalled, Date.parse(dueAt));
  });

  // A new run carries the last plan (absent: look at once), unless woken earlier.
  let wakeAt = state.wakeAt === null ? -Infinity : Date.parse(state.wakeAt);
  for (;;) {
    if (wakeAt === Infinity) await condition(() => signalled < wakeAt);
    else if (wakeAt > Date.now()) await condition(() => signalled < wakeAt, wakeAt - Date.now());
    // A short history keeps a replay cheap: on a worker that evicted it, or after a task timed out.
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS) {
      // About to look: the new run looks at once.
      await condition(allHandlersFinished);
      const { looks, reminders, escalations, batches } = state;
      await continueAsNew<typeof riskReviewDispatchWorkflow>({
        authorityId: input.authorityId,
        wakeAt: null,
        totals: { looks, reminders, escalations, batches },
      });
    }
    // A signal from here on may name a due date the look does not see (its projection not yet
    // committed): it wakes the next sleep at once if earlier than the plan.
    signalled = Infinity;
    const sent = await sendDueRiskNotices({ authorityId: input.authorityId });
    state.looks += 1;
    state.reminders += sent.reminders;
    state.escalations += sent.escalations;
    state.batches += sent.batches;
    wakeAt = sent.nextDueAt === null ? Infinity : Date.parse(sent.nextDueAt);
    state.wakeAt = sent.nextDueAt;
  }
}
