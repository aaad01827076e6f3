// One evidence package for the police, a child workflow of its allegation: sealed (by the
// parent), handed over to the referred force, and acknowledged by that force's SPOC before the
// policy deadline, with reminders before it and one escalation when it passes.
import { allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '@activities';
import { deadlineAfter, notice, reminderTimes, withPolicyDefaults } from '@libs/domain';
import { acknowledgePackageUpdate, EvidencePackageInput, EvidencePackageState, getPackageStateQuery, handOverPackageUpdate } from './evidence-package.messages';
import { refuse } from './shared/refuse';
import type { Actor } from './shared/types';

const activities = proxyActivities<Pick<Activities, 'notify' | 'recordPackageHandover' | 'recordPackageAcknowledged'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function evidencePackageWorkflow(input: EvidencePackageInput): Promise<EvidencePackageState> {
  const policy = withPolicyDefaults(input.policy);
  const state: EvidencePackageState = {
    packageId: input.packageId,
    status: 'sealed',
    handedOverAt: null,
    acknowledgeDueAt: null,
    acknowledgedAt: null,
    remindersSent: 0,
    escalated: false,
  };
  const step = (actor: Actor, at: string, note?: string) => ({
    packageId: input.packageId,
    caseId: input.caseId,
    authorityId: input.authorityId,
    forceId: input.forceId,
    actor,
    at,
    note,
  });
  setHandler(getPackageStateQuery, () => state);

  setHandler(
    handOverPackageUpdate,
    async ({ note }, actor) => {
      const now = Date.now();
      state.status = 'handed_over';
      state.handedOverAt = new Date(now).toISOString();
      state.acknowledgeDueAt = new Date(
        deadlineAfter(now, policy.packageAcknowledgeDue, { workingDays: policy.workingDays, pollWindow: policy.pollWindow, pollDate: input.pollDate }),
      ).toISOString();
      await activities.recordPackageHandover({ ...step(actor, state.handedOverAt, note), acknowledgeDueAt: state.acknowledgeDueAt });
      return state;
    },
    {
      validator: (_, actor) => {
        if (!actor.roles.includes('triage') || actor.authorityId !== input.authorityId) refuse('role', 'package.handover_role');
        if (state.status !== 'sealed') refuse('repeated', 'package.already_handed_over', { at: String(state.handedOverAt) });
      },
    },
  );

  setHandler(
    acknowledgePackageUpdate,
    async ({ note }, actor) => {
      state.status = 'acknowledged';
      state.acknowledgedAt = new Date(Date.now()).toISOString();
      await activities.recordPackageAcknowledged(step(actor, state.acknowledgedAt, note));
      return state;
    },
    {
      validator: (_, actor) => {
        if (!actor.roles.includes('spoc')) refuse('role', 'package.acknowledge_role');
        if (actor.forceId !== input.forceId) refuse('force', 'package.other_force', { forceId: input.forceId });
        if (state.status === 'sealed') refuse('state', 'package.not_handed_over');
        if (state.status === 'acknowledged') refuse('repeated', 'package.already_acknowledged', { at: String(state.acknowledgedAt) });
      },
    },
  );

  await condition(() => state.status !== 'sealed');
  const acknowledged = () => state.status === 'acknowledged';
  const dueAt = Date.parse(state.acknowledgeDueAt!);
  const wording = { reference: input.reference, packageId: input.packageId, forceId: input.forceId, dueAt: state.acknowledgeDueAt! };
  const send = (due: string, escalation: boolean) =>
    activities.notify({
      caseId: input.caseId,
      authorityId: input.authorityId,
      dueKey: `${input.packageId}:acknowledge:${due}`,
      ...notice(escalation ? 'package_acknowledge_escalation' : 'package_acknowledge_reminder', wording),
      to: escalation
        ? { authorityRoles: ['returning_officer'], forceId: input.forceId, forceRoles: ['spoc'] }
        : { forceId: input.forceId, forceRoles: ['spoc'] },
      escalation,
    });
  for (const remindAt of reminderTimes(Date.parse(state.handedOverAt!), dueAt, policy.remindBefore)) {
    if (await condition(acknowledged, Math.max(remindAt - Date.now(), 1))) break;
    await send(`reminder:${new Date(remindAt).toISOString()}`, false);
    state.remindersSent += 1;
  }
  if (!acknowledged() && !(await condition(acknowledged, Math.max(dueAt - Date.now(), 1)))) {
    await send('escalation', true);
    state.escalated = true;
  }
  await condition(acknowledged);
  await condition(allHandlersFinished);
  return state;
}
