// The lifecycle of one allegation, from intake to closure (DESIGN.md). Deterministic: imports
// only @temporalio/workflow, the shared messages, pure domain code and activity types.
import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { AllegationActivities } from '../activities';
import { deadlineAfter, isOpen, reminderTimes, type DeadlineRules, type Policy } from '../libs/domain';
import { AllegationState, AllegationWorkflowInput, DeadlineState, getStateQuery, policyChangedSignal } from './messages';

const activities = proxyActivities<AllegationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

function rulesOf(policy: Policy, pollDate: string | null): DeadlineRules {
  return { workingDays: policy.workingDays, pollWindow: policy.pollWindow, pollDate };
}

/** Sleeps until `atMs` unless `interrupted` becomes true first; true when the time was reached. */
async function sleepUntil(atMs: number, interrupted: () => boolean): Promise<boolean> {
  // Date.now() inside the workflow sandbox is the SDK's replay-safe clock (the workflow task's
  // time), and the wait itself is Temporal's condition() timer.
  const ms = atMs - Date.now();
  if (ms <= 0) return !interrupted();
  return !(await condition(interrupted, ms));
}

export async function allegationWorkflow(input: AllegationWorkflowInput): Promise<AllegationState> {
  let policy = input.policy;
  const state: AllegationState = {
    caseId: input.caseId,
    reference: input.reference,
    status: 'triage',
    effectiveUrgency: input.safetyConcern ? 'immediate' : input.urgency,
    safetyConcern: input.safetyConcern,
    deadlines: [],
  };
  setHandler(getStateQuery, () => state);
  setHandler(policyChangedSignal, (next) => {
    policy = next;
  });

  if (input.safetyConcern || input.urgency === 'immediate') {
    await activities.notify({
      caseId: input.caseId,
      authorityId: input.authorityId,
      dueKey: `${input.caseId}:safety-alert`,
      kind: 'safety_alert',
      subject: `Safety concern: ${input.reference}`,
      body: `Allegation ${input.reference} (${input.category}) was logged with ${input.safetyConcern ? 'a safety concern' : 'immediate urgency'}. Operation Ford: assess the risk to candidates and officials now.`,
      to: { forceId: input.forceId, forceRoles: ['spoc', 'feoa'] },
    });
  }

  const receivedAt = Date.parse(input.receivedAt);
  const triage = openDeadline('triage', deadlineAfter(receivedAt, policy.triageDue[state.effectiveUrgency], rulesOf(policy, input.pollDate)));
  await activities.openTriage({ caseId: input.caseId, authorityId: input.authorityId, triageDueAt: triage.dueAt });
  await watchDeadline(triage, receivedAt, () => state.status !== 'triage');

  await condition(() => !isOpen(state.status));
  return state;

  function openDeadline(kind: DeadlineState['kind'], dueAtMs: number): DeadlineState {
    const deadline: DeadlineState = { kind, dueAt: new Date(dueAtMs).toISOString(), remindersSent: 0, escalated: false };
    state.deadlines.push(deadline);
    return deadline;
  }

  /** Reminders before the deadline, then one escalation when it passes, unless `met` first. */
  async function watchDeadline(deadline: DeadlineState, setAtMs: number, met: () => boolean): Promise<void> {
    const dueAtMs = Date.parse(deadline.dueAt);
    for (const remindAt of reminderTimes(setAtMs, dueAtMs, policy.remindBefore)) {
      if (!(await sleepUntil(remindAt, met))) return;
      await activities.notify({
        caseId: input.caseId,
        authorityId: input.authorityId,
        dueKey: `${input.caseId}:${deadline.kind}:${deadline.dueAt}:reminder:${new Date(remindAt).toISOString()}`,
        kind: `${deadline.kind}_reminder`,
        subject: `Reminder: ${input.reference} ${deadline.kind} is due at ${deadline.dueAt}`,
        body: `Allegation ${input.reference} must be triaged by ${deadline.dueAt}.`,
        to: { authorityRoles: ['triage'] },
      });
      deadline.remindersSent += 1;
    }
    if (!(await sleepUntil(dueAtMs, met))) return;
    await activities.notify({
      caseId: input.caseId,
      authorityId: input.authorityId,
      dueKey: `${input.caseId}:${deadline.kind}:${deadline.dueAt}:escalation`,
      kind: `${deadline.kind}_escalation`,
      subject: `Escalation: ${input.reference} ${deadline.kind} deadline passed`,
      body: `Allegation ${input.reference} was not triaged by ${deadline.dueAt}. It is escalated to the Returning Officer.`,
      to: { authorityRoles: ['returning_officer'] },
      escalation: true,
    });
    deadline.escalated = true;
  }
}
