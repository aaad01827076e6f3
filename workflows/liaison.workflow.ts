// The agreed contact cadence between an electoral authority and a police force (the guidance's
// "agreement how regularly you would expect to be in contact"). When contact falls due, both
// sides are reminded: the authority's lead (or its Returning Officer) and the force's named SPOC
// and FEOA. After the policy's `liaisonContactGrace` the Returning Officer gets exactly one
// escalation. A recorded contact restarts the cycle; a change of cadence or of the named people
// applies at once. Continues as new when the history grows, so an agreement can live for years.
import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '@activities';
import { durationMs, notice, parseDuration } from '@libs/domain';
import { getLiaisonStateQuery, liaisonChangedSignal, liaisonContactUpdate, LiaisonInput, LiaisonState } from './liaison.messages';

const activities = proxyActivities<Pick<Activities, 'notify' | 'projectLiaisonDue' | 'liaisonContactGrace'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function liaisonWorkflow(input: LiaisonInput): Promise<LiaisonState> {
  const state: LiaisonState = {
    agreementId: input.agreementId,
    leadId: input.leadId,
    spocId: input.spocId,
    feoaId: input.feoaId,
    contactEvery: input.contactEvery,
    lastContactAt: input.lastContactAt,
    nextContactDueAt: input.lastContactAt,
    remindersSent: 0,
    escalations: 0,
    cycles: input.cycles ?? 0,
  };
  /** bumped by anything that restarts the wait: a contact or a change to the agreement */
  let generation = 0;
  const dueNow = () => Date.parse(state.lastContactAt) + durationMs(parseDuration(state.contactEvery));
  const project = (escalated = false) => activities.projectLiaisonDue({ agreementId: input.agreementId, nextContactDueAt: state.nextContactDueAt, escalated });

  setHandler(getLiaisonStateQuery, () => state);
  setHandler(liaisonChangedSignal, (change) => {
    if (change.leadId !== undefined) state.leadId = change.leadId;
    if (change.spocId) state.spocId = change.spocId;
    if (change.feoaId) state.feoaId = change.feoaId;
    if (change.contactEvery) state.contactEvery = change.contactEvery;
    generation += 1;
  });
  setHandler(liaisonContactUpdate, async ({ at }) => {
    // A contact recorded late, for a time before the last one, does not move the cycle back.
    if (Date.parse(at) > Date.parse(state.lastContactAt)) state.lastContactAt = new Date(Date.parse(at)).toISOString();
    state.cycles += 1;
    state.nextContactDueAt = new Date(dueNow()).toISOString();
    generation += 1;
    // The API answers with the new due date only once GET /liaison shows it too.
    await project();
    return state;
  });

  for (;;) {
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      const { leadId, spocId, feoaId, contactEvery, lastContactAt, cycles } = state;
      await continueAsNew<typeof liaisonWorkflow>({ ...input, leadId, spocId, feoaId, contactEvery, lastContactAt, cycles });
    }
    const seen = generation;
    const changed = () => generation !== seen;
    state.nextContactDueAt = new Date(dueNow()).toISOString();
    await project();
    const dueAt = Date.parse(state.nextContactDueAt);
    if (await condition(changed, Math.max(dueAt - Date.now(), 1))) continue;
    const dueKey = `liaison:${input.agreementId}:${state.nextContactDueAt}`;
    await activities.notify({
      authorityId: input.authorityId,
      dueKey: `${dueKey}:reminder`,
      ...notice('liaison_contact_reminder', {
        authorityId: input.authorityId,
        forceId: input.forceId,
        every: state.contactEvery,
        dueAt: state.nextContactDueAt,
      }),
      to: state.leadId
        ? { userIds: [state.leadId, state.spocId, state.feoaId] }
        : { authorityRoles: ['returning_officer'], userIds: [state.spocId, state.feoaId] },
    });
    state.remindersSent += 1;
    const grace = await activities.liaisonContactGrace(input.authorityId);
    const graceEnds = dueAt + durationMs(parseDuration(grace));
    if (await condition(changed, Math.max(graceEnds - Date.now(), 1))) continue;
    await activities.notify({
      authorityId: input.authorityId,
      dueKey: `${dueKey}:escalation`,
      ...notice('liaison_contact_escalation', { forceId: input.forceId, dueAt: state.nextContactDueAt }),
      to: { authorityRoles: ['returning_officer'] },
    });
    state.escalations += 1;
    await project(true);
    await condition(changed);
  }
}
