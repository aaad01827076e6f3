// The deadlines of an allegation's steps (triage, the SPOC's response, the reporter's reply):
// reminders before each, then one escalation when it passes, unless the step is done first.
import { condition } from '@temporalio/workflow';
import type { NotifyInput } from '@activities';
import type { Role } from '@libs/auth/principal';
import { notice, reminderTimes } from '@libs/domain';
import type { CaseContext } from './lifecycle';
import type { DeadlineState } from './messages';

/** Sleeps until `atMs` unless `interrupted` becomes true first; true when the time was reached. */
export async function sleepUntil(atMs: number, interrupted: () => boolean): Promise<boolean> {
  // Date.now() inside the workflow sandbox is the SDK's replay-safe clock (the workflow task's
  // time), and the wait itself is Temporal's condition() timer.
  const ms = atMs - Date.now();
  if (ms <= 0) return !interrupted();
  return !(await condition(interrupted, ms));
}

/** Reminders before the deadline, then one escalation when it passes, unless `met` first. */
export async function watchDeadline(c: CaseContext, deadline: DeadlineState, met: () => boolean): Promise<void> {
  const { input } = c;
  const dueAtMs = Date.parse(deadline.dueAt);
  const notices = deadlineNotices(c, deadline);
  for (const remindAt of reminderTimes(Date.parse(deadline.setAt ?? input.receivedAt), dueAtMs, c.policy().remindBefore)) {
    if (!(await sleepUntil(remindAt, met))) return;
    await c.notify({
      dueKey: `${input.caseId}:${deadline.kind}:${deadline.dueAt}:reminder:${new Date(remindAt).toISOString()}`,
      ...notices.reminder,
      to: notices.remind,
    });
    deadline.remindersSent += 1;
  }
  if (!(await sleepUntil(dueAtMs, met))) return;
  await c.notify({
    dueKey: `${input.caseId}:${deadline.kind}:${deadline.dueAt}:escalation`,
    ...notices.escalation,
    to: notices.escalate,
    escalation: true,
  });
  deadline.escalated = true;
}

/**
 * Who is reminded and told, and in what words. The triage deadline's wording serves any deadline
 * but a referred case's SPOC response (the reporter's reply has no reminders: it lapses).
 */
function deadlineNotices({ input, state }: CaseContext, deadline: DeadlineState) {
  if (deadline.kind === 'spoc_response' && state.referral) {
    const { forceId, spocId } = state.referral;
    return {
      remind: spocsOf(forceId, spocId),
      reminder: notice('spoc_response_reminder', { reference: input.reference, forceId, dueAt: deadline.dueAt }),
      // the Returning Officer, and the force's other SPOCs, who can act in the named SPOC's place
      escalate: { authorityRoles: ['returning_officer'] as Role[], forceId, forceRoles: ['spoc'] as Role[], exceptUserIds: spocId ? [spocId] : [] },
      escalation: notice('spoc_response_escalation', { reference: input.reference, forceId, dueAt: deadline.dueAt }),
    };
  }
  return {
    remind: { authorityRoles: ['triage'] as Role[] },
    reminder: notice('triage_reminder', { reference: input.reference, dueAt: deadline.dueAt }),
    escalate: { authorityRoles: ['returning_officer'] as Role[] },
    escalation: notice('triage_escalation', { reference: input.reference, dueAt: deadline.dueAt }),
  };
}

/** The SPOC a referral names, or every SPOC of the force. */
export function spocsOf(forceId: string, spocId: string | null): NotifyInput['to'] {
  return spocId ? { userIds: [spocId] } : { forceId, forceRoles: ['spoc'] };
}
