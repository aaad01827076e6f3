// The lifecycle of one allegation, from intake to closure (DESIGN.md). Deterministic: imports
// only @temporalio/workflow, the workflows' messages, pure domain code and activity types.
//
//   triage ──refer──> referred ──accept──> accepted ──close──> closed
//     │ ^               │
//     │ └───return──────┘          resolve / duplicate ──> closed (resolved without referral)
//     └─request_information──> awaiting_information ──reply or lapse──> triage
//   any open state ──withdraw──> withdrawn
//
// Human decisions are Updates, one per entry of the table in decisions.ts: the validator refuses
// what the role, the party or the state does not allow (nothing is written to history then); the
// handler changes the state synchronously, so a second decision validated after it sees the new
// state, and returns once PostgreSQL shows the change. This file holds the phases: what each
// status does when the case enters it (its notices, then its deadline, deadlines.ts), and the
// statutory clock beside them (statutory-clock.ts).
import { allHandlersFinished, condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import { effectiveUrgency, isOpen, notice, statutoryClock, triageDueAt, withPolicyDefaults, type AllegationStatus } from '@libs/domain';
import { policyChangedSignal } from '../shared/messages';
import { refusedFailure } from '../shared/refuse';
import { actingRole, DECISIONS, refusalOf, type CaseView, type DecisionRule } from './decisions';
import { sleepUntil, spocsOf, watchDeadline } from './deadlines';
import type { AuditEntry, Lifecycle, LifecycleActivities, Notice, PhaseEntry } from './lifecycle';
import { getStateQuery, type AllegationState, type AllegationWorkflowInput, type DeadlineKind, type DeadlineState } from './messages';
import { runStatutoryClock } from './statutory-clock';

const activities = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const nowIso = () => new Date(Date.now()).toISOString();

export async function allegationWorkflow(input: AllegationWorkflowInput): Promise<AllegationState> {
  let policy = withPolicyDefaults(input.policy);
  const operationFord = input.safetyConcern || input.urgency === 'immediate';
  const state: AllegationState = {
    caseId: input.caseId,
    reference: input.reference,
    status: 'triage',
    version: 0,
    effectiveUrgency: effectiveUrgency(input.urgency, input.safetyConcern),
    safetyConcern: input.safetyConcern,
    operationFord,
    deadlines: [],
    referral: null,
    referrals: [],
    informationRequest: null,
    triageOwnerId: null,
    resolution: null,
    duplicateOf: null,
    investigationUpdates: 0,
    policeOutcome: null,
    outcome: null,
    closedAt: null,
    statutoryClock: null,
  };
  /** counts status transitions; each phase watches its own deadline */
  let phase = 0;
  /** why the latest phase began, for the notices the main loop sends when it begins */
  let phaseEntry: PhaseEntry | null = null;
  let currentDeadline: DeadlineState | null = null;
  let projections: Promise<unknown> = Promise.resolve();
  const lifecycle: Lifecycle = {
    input,
    state,
    activities,
    policy: () => policy,
    notify,
    transition,
    project,
    openDeadline,
    openTriageAgain,
    enteredBy: (entry) => {
      phaseEntry = entry;
    },
  };

  setHandler(getStateQuery, () => state);
  setHandler(policyChangedSignal, (next) => {
    policy = withPolicyDefaults(next);
  });
  // Every patch below is in force for a case started now: one patch says so, so that a new case
  // records one patch marker (and one upsert of the TemporalChangeVersion search attribute, which
  // the SDK adds to every patch's first use and the server indexes) instead of one per patch. Each
  // marker and upsert was an event, and each upsert a visibility write, in every intake
  // (docs/developers/performance.md). Cases started before this replay their own patches as before.
  const current = patched('start-patches-folded');
  // Cases started before the statutory clock existed replay without it. The clock is set before
  // the decisions are registered: a decision delivered with the workflow's start (a worker behind
  // on a busy day) runs its validator at registration, and an extension application would
  // otherwise be refused as if the case predated the clock (found in CI under load). A refused
  // update leaves no event in the history, so this changes no replay.
  const statutoryTracked = current || patched('statutory-clock');
  if (statutoryTracked) state.statutoryClock = { ...statutoryClock(Date.parse(input.occurredAt), policy.extensionTaskAfterMonths) };
  registerDecisions();
  if (statutoryTracked) void runStatutoryClock(lifecycle);

  if (operationFord) {
    await activities.notify({
      caseId: input.caseId,
      authorityId: input.authorityId,
      dueKey: `${input.caseId}:safety-alert`,
      ...notice('safety_alert', { reference: input.reference, category: input.category, safetyConcern: input.safetyConcern }),
      to: { forceId: input.forceId, forceRoles: ['spoc', 'feoa'] },
    });
  }

  // The first triage phase keeps the foundation's shape (the deadline, then its watch), so
  // histories recorded before the lifecycle existed still replay.
  const receivedAt = Date.parse(input.receivedAt);
  // The same deadline the API gave in the intake receipt and wrote with the case (one formula).
  const firstTriageDueAt = triageDueAt(receivedAt, state.effectiveUrgency, policy, input.pollDate);
  // A decision that reached Temporal before the worker's first task for this case (a worker
  // behind on a busy day) is delivered with the start, and its handler runs as soon as it is
  // registered, above: the case has already moved on, with its own deadline (a reporter's reply,
  // a SPOC's response). Opening the triage deadline now would replace that one, which would then
  // never fire (found by bench:soak). Histories from before this keep their path.
  const decidedAtOnce = phase !== 0 && (current || patched('decision-at-start-keeps-its-deadline'));
  const triage = decidedAtOnce ? null : openDeadline('triage', receivedAt, firstTriageDueAt);
  // Cases started before the API and the workflow shared the formula had the workflow write its
  // deadline over the API's (the openTriage activity, a no-op when both agreed); they replay
  // that. The case row already holds this very deadline, so newer cases skip the round trip.
  if (!(current || patched('triage-due-written-at-intake'))) {
    await activities.openTriage({ caseId: input.caseId, authorityId: input.authorityId, triageDueAt: new Date(firstTriageDueAt).toISOString() });
  }
  if (triage) await watchDeadline(lifecycle, triage, () => phase !== 0);

  // Each transition starts a phase: its notices, then its deadline. The last phase entered may be
  // the terminal one (a withdrawal tells the force it was referred to).
  for (let handled = 0; isOpen(state.status) || handled !== phase;) {
    await condition(() => phase !== handled);
    handled = phase;
    await enterPhase(handled);
  }
  // Let running decisions finish their projections before the workflow completes.
  await condition(allHandlersFinished);
  await projections;
  return state;

  // --- phases

  async function enterPhase(entered: number): Promise<void> {
    const over = () => phase !== entered;
    const referral = state.referral;
    switch (state.status) {
      case 'triage':
        if (phaseEntry === 'returned' && referral) {
          await notify({
            dueKey: `${input.caseId}:referral:${state.referrals.length}:returned`,
            ...notice('referral_returned', {
              reference: input.reference,
              forceId: referral.forceId,
              reasonCode: String(referral.reasonCode),
              decideBy: currentDeadline?.dueAt,
            }),
            to: { authorityRoles: ['triage'] },
          });
        }
        break;
      case 'referred':
        if (referral) {
          await notify({
            dueKey: `${input.caseId}:referral:${state.referrals.length}:received`,
            ...notice('referral_received', { reference: input.reference, category: input.category, forceId: referral.forceId, respondBy: referral.respondBy }),
            to: spocsOf(referral.forceId, referral.spocId),
          });
        }
        break;
      case 'withdrawn':
        if (phaseEntry === 'withdrawn_while_referred' && referral) {
          await notify({
            dueKey: `${input.caseId}:referral:${state.referrals.length}:withdrawn`,
            ...notice('referral_withdrawn', { reference: input.reference, forceId: referral.forceId }),
            to: { forceId: referral.forceId, forceRoles: ['spoc'] },
          });
        }
        return;
      default:
        break;
    }
    const deadline = currentDeadline;
    if (!deadline || over()) return;
    if (deadline.kind === 'information_reply') {
      if (!(await sleepUntil(Date.parse(deadline.dueAt), over))) return;
      await lapseInformationRequest(deadline);
      return;
    }
    await watchDeadline(lifecycle, deadline, over);
  }

  /** The reporter did not answer in time: back to triage, and the triage team is told. */
  async function lapseInformationRequest(deadline: DeadlineState): Promise<void> {
    const request = state.informationRequest;
    const projected = transition('triage', { actor: 'system:workflow', role: 'system', action: 'information.lapsed' }, () => {
      if (request) request.lapsedAt = nowIso();
      openTriageAgain();
    });
    await notify({
      dueKey: `${input.caseId}:information:${deadline.dueAt}:lapsed`,
      ...notice('information_reply_lapsed', { reference: input.reference, dueAt: deadline.dueAt, decideBy: currentDeadline?.dueAt }),
      to: { authorityRoles: ['triage'] },
    });
    await projected;
  }

  // --- deadlines

  function openDeadline(kind: DeadlineKind, setAtMs: number, dueAtMs: number): DeadlineState {
    const deadline: DeadlineState = {
      kind,
      dueAt: new Date(dueAtMs).toISOString(),
      remindersSent: 0,
      escalated: false,
      setAt: new Date(setAtMs).toISOString(),
    };
    state.deadlines.push(deadline);
    currentDeadline = deadline;
    return deadline;
  }

  function openTriageAgain(): void {
    const now = Date.now();
    openDeadline('triage', now, triageDueAt(now, state.effectiveUrgency, policy, input.pollDate));
  }

  // --- decisions

  function transition(status: AllegationStatus, audit: AuditEntry, change: () => void): Promise<AllegationState> {
    const before = { status: state.status };
    if (currentDeadline && !currentDeadline.metAt) currentDeadline.metAt = nowIso();
    currentDeadline = null;
    phaseEntry = null;
    state.status = status;
    phase += 1;
    change();
    return project({ ...audit, before: { ...before, ...audit.before }, after: { status, ...audit.after } });
  }

  /** Writes the state and one audit event to PostgreSQL, in order, and resolves with the state. */
  function project(audit: AuditEntry): Promise<AllegationState> {
    state.version += 1;
    const snapshot: AllegationState = JSON.parse(JSON.stringify(state));
    const written = projections.then(() => activities.projectCase({ caseId: input.caseId, authorityId: input.authorityId, state: snapshot, audit }));
    projections = written.catch(() => undefined);
    return written.then(() => state);
  }

  function notify(notice: Notice) {
    return activities.notify({ caseId: input.caseId, authorityId: input.authorityId, ...notice });
  }

  /** One Update handler per decision of the table, in its order, each with its validator. */
  function registerDecisions(): void {
    const view = (): CaseView => ({ state, caseId: input.caseId, authorityId: input.authorityId, now: Date.now() });
    const register = <P, R>(rule: DecisionRule<P, R>) =>
      setHandler(rule.update, (payload, actor) => rule.effect(lifecycle, payload, actor, actingRole(actor, rule.roles) ?? rule.roles[0]), {
        validator: (payload, actor) => {
          const refused = refusalOf(rule, view(), payload, actor);
          if (refused) throw refusedFailure(refused);
        },
      });
    for (const rule of DECISIONS) register(rule as DecisionRule<unknown, unknown>);
  }
}
