// The lifecycle of one allegation, from intake to closure (DESIGN.md). Deterministic: imports
// only @temporalio/workflow, the shared messages, pure domain code and activity types.
//
//   triage ──refer──> referred ──accept──> accepted ──close──> closed
//     │ ^               │
//     │ └───return──────┘          resolve / duplicate ──> closed (resolved without referral)
//     └─request_information──> awaiting_information ──reply or lapse──> triage
//   any open state ──withdraw──> withdrawn
//
// Human decisions are Updates: the validator refuses what the state does not allow (nothing is
// written to history then); the handler changes the state synchronously, so a second decision
// validated after it sees the new state, and returns once PostgreSQL shows the change.
import { allHandlersFinished, ApplicationFailure, condition, ParentClosePolicy, patched, proxyActivities, setHandler, startChild } from '@temporalio/workflow';
import { evidencePackageWorkflow } from './evidence-package.workflow';
import type { AllegationActivities, NotifyInput } from '../activities';
import type { Role } from '../libs/auth/principal';
import {
  deadlineAfter,
  isOpen,
  PROCEEDINGS_OUTCOMES,
  reminderTimes,
  statutoryClock,
  withPolicyDefaults,
  type AllegationStatus,
  type DeadlineRules,
  type Policy,
} from '../libs/domain';
import {
  acceptReferralUpdate,
  Actor,
  AllegationState,
  AllegationWorkflowInput,
  applyForExtensionUpdate,
  closeUpdate,
  DeadlineKind,
  DeadlineState,
  DECISION_REFUSED,
  evidencePackageWorkflowId,
  getStateQuery,
  informationReceivedUpdate,
  investigationUpdate,
  packageEvidenceUpdate,
  policyChangedSignal,
  recordPoliceOutcomeUpdate,
  returnReferralUpdate,
  triageUpdate,
  withdrawUpdate,
} from './messages';

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

/** Refuses a decision: the API answers 409 with this message and the current state. */
function refuse(rule: string, message: string): never {
  throw ApplicationFailure.create({ type: DECISION_REFUSED, message, nonRetryable: true, details: [{ rule }] });
}

const nowIso = () => new Date(Date.now()).toISOString();

export async function allegationWorkflow(input: AllegationWorkflowInput): Promise<AllegationState> {
  let policy = withPolicyDefaults(input.policy);
  const operationFord = input.safetyConcern || input.urgency === 'immediate';
  const state: AllegationState = {
    caseId: input.caseId,
    reference: input.reference,
    status: 'triage',
    version: 0,
    effectiveUrgency: input.safetyConcern ? 'immediate' : input.urgency,
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
  let phaseEntry: 'returned' | 'information_received' | 'withdrawn_while_referred' | null = null;
  let currentDeadline: DeadlineState | null = null;
  let projections: Promise<unknown> = Promise.resolve();

  setHandler(getStateQuery, () => state);
  setHandler(policyChangedSignal, (next) => {
    policy = withPolicyDefaults(next);
  });
  // Cases started before the statutory clock existed replay without it. The clock is set before
  // the decisions are registered: a decision delivered with the workflow's start (a worker behind
  // on a busy day) runs its validator at registration, and an extension application would
  // otherwise be refused as if the case predated the clock (found in CI under load). A refused
  // update leaves no event in the history, so this changes no replay.
  const statutoryTracked = patched('statutory-clock');
  if (statutoryTracked) state.statutoryClock = { ...statutoryClock(Date.parse(input.occurredAt), policy.extensionTaskAfterMonths) };
  registerDecisions();
  if (statutoryTracked) void runStatutoryClock();

  if (operationFord) {
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

  // The first triage phase keeps the foundation's shape (openTriage, then the deadline watch),
  // so histories recorded before the lifecycle existed still replay.
  const receivedAt = Date.parse(input.receivedAt);
  const triageDueAt = deadlineAfter(receivedAt, policy.triageDue[state.effectiveUrgency], rulesOf(policy, input.pollDate));
  // A decision that reached Temporal before the worker's first task for this case (a worker
  // behind on a busy day) is delivered with the start, and its handler runs as soon as it is
  // registered, above: the case has already moved on, with its own deadline (a reporter's reply,
  // a SPOC's response). Opening the triage deadline now would replace that one, which would then
  // never fire (found by bench:soak). Histories from before this keep their path.
  const decidedAtOnce = phase !== 0 && patched('decision-at-start-keeps-its-deadline');
  const triage = decidedAtOnce ? null : openDeadline('triage', receivedAt, triageDueAt);
  await activities.openTriage({ caseId: input.caseId, authorityId: input.authorityId, triageDueAt: new Date(triageDueAt).toISOString() });
  if (triage) await watchDeadline(triage, () => phase !== 0);

  // Each transition starts a phase: its notices, then its deadline. The last phase entered may be
  // the terminal one (a withdrawal tells the force it was referred to).
  for (let handled = 0; isOpen(state.status) || handled !== phase; ) {
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
            kind: 'referral_returned',
            subject: `Returned by police: ${input.reference}`,
            body: `${referral.forceId} returned allegation ${input.reference} (${referral.reasonCode}). It is back in triage and must be decided by ${currentDeadline?.dueAt}.`,
            to: { authorityRoles: ['triage'] },
          });
        }
        break;
      case 'referred':
        if (referral) {
          await notify({
            dueKey: `${input.caseId}:referral:${state.referrals.length}:received`,
            kind: 'referral_received',
            subject: `New referral: ${input.reference}`,
            body: `Allegation ${input.reference} (${input.category}) is referred to ${referral.forceId}. Accept or return it by ${referral.respondBy}.`,
            to: spocsOf(referral.forceId, referral.spocId),
          });
        }
        break;
      case 'withdrawn':
        if (phaseEntry === 'withdrawn_while_referred' && referral) {
          await notify({
            dueKey: `${input.caseId}:referral:${state.referrals.length}:withdrawn`,
            kind: 'referral_withdrawn',
            subject: `Withdrawn: ${input.reference}`,
            body: `The authority withdrew allegation ${input.reference}, which was referred to ${referral.forceId}.`,
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
    await watchDeadline(deadline, over);
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
      kind: 'information_reply_lapsed',
      subject: `No reply in time: ${input.reference}`,
      body: `The reporter of allegation ${input.reference} did not reply by ${deadline.dueAt}. The case is back in triage and must be decided by ${currentDeadline?.dueAt}.`,
      to: { authorityRoles: ['triage'] },
    });
    await projected;
  }

  // --- deadlines

  function openDeadline(kind: DeadlineKind, setAtMs: number, dueAtMs: number): DeadlineState {
    const deadline: DeadlineState = { kind, dueAt: new Date(dueAtMs).toISOString(), remindersSent: 0, escalated: false, setAt: new Date(setAtMs).toISOString() };
    state.deadlines.push(deadline);
    currentDeadline = deadline;
    return deadline;
  }

  function openTriageAgain(): void {
    const now = Date.now();
    openDeadline('triage', now, deadlineAfter(now, policy.triageDue[state.effectiveUrgency], rulesOf(policy, input.pollDate)));
  }

  /** Reminders before the deadline, then one escalation when it passes, unless `met` first. */
  async function watchDeadline(deadline: DeadlineState, met: () => boolean): Promise<void> {
    const dueAtMs = Date.parse(deadline.dueAt);
    const notices = deadlineNotices(deadline);
    for (const remindAt of reminderTimes(Date.parse(deadline.setAt ?? input.receivedAt), dueAtMs, policy.remindBefore)) {
      if (!(await sleepUntil(remindAt, met))) return;
      await notify({
        dueKey: `${input.caseId}:${deadline.kind}:${deadline.dueAt}:reminder:${new Date(remindAt).toISOString()}`,
        kind: `${deadline.kind}_reminder`,
        subject: `Reminder: ${input.reference} ${deadline.kind} is due at ${deadline.dueAt}`,
        body: notices.reminder,
        to: notices.remind,
      });
      deadline.remindersSent += 1;
    }
    if (!(await sleepUntil(dueAtMs, met))) return;
    await notify({
      dueKey: `${input.caseId}:${deadline.kind}:${deadline.dueAt}:escalation`,
      kind: `${deadline.kind}_escalation`,
      subject: `Escalation: ${input.reference} ${deadline.kind} deadline passed`,
      body: notices.escalation,
      to: notices.escalate,
      escalation: true,
    });
    deadline.escalated = true;
  }

  function deadlineNotices(deadline: DeadlineState) {
    if (deadline.kind === 'spoc_response' && state.referral) {
      const { forceId, spocId } = state.referral;
      return {
        remind: spocsOf(forceId, spocId),
        reminder: `Allegation ${input.reference}, referred to ${forceId}, must be accepted or returned by ${deadline.dueAt}.`,
        // the Returning Officer, and the force's other SPOCs, who can act in the named SPOC's place
        escalate: { authorityRoles: ['returning_officer'] as Role[], forceId, forceRoles: ['spoc'] as Role[], exceptUserIds: spocId ? [spocId] : [] },
        escalation: `${forceId} did not respond to the referral of allegation ${input.reference} by ${deadline.dueAt}. It is escalated to the Returning Officer and the force's other SPOCs.`,
      };
    }
    return {
      remind: { authorityRoles: ['triage'] as Role[] },
      reminder: `Allegation ${input.reference} must be triaged by ${deadline.dueAt}.`,
      escalate: { authorityRoles: ['returning_officer'] as Role[] },
      escalation: `Allegation ${input.reference} was not triaged by ${deadline.dueAt}. It is escalated to the Returning Officer.`,
    };
  }

  function spocsOf(forceId: string, spocId: string | null): NotifyInput['to'] {
    return spocId ? { userIds: [spocId] } : { forceId, forceRoles: ['spoc'] };
  }

  function notify(notice: Omit<NotifyInput, 'caseId' | 'authorityId'>) {
    return activities.notify({ caseId: input.caseId, authorityId: input.authorityId, ...notice });
  }

  // --- the statutory clock (RPA 1983 s.176)

  async function runStatutoryClock(): Promise<void> {
    const clock = state.statutoryClock!;
    const limitAt = Date.parse(clock.limitAt);
    // A year after the offence no extension can be asked, so there is no task to raise.
    if (Date.now() >= limitAt) return;
    const moot = () => !isOpen(state.status) || Boolean(state.statutoryClock?.proceedingsStartedAt || state.statutoryClock?.extensionAppliedAt);
    if (!(await sleepUntil(Date.parse(clock.extensionTaskDueAt), moot))) return;
    await notify({
      dueKey: `${input.caseId}:statutory-extension-task`,
      kind: 'extension_task',
      subject: `Apply for an extension: ${input.reference}`,
      body: `Proceedings for the offence in allegation ${input.reference} must begin by ${clock.limitAt} (Representation of the People Act 1983 s.176). If they will not, apply to the court for an extension before that date; no application can be made after it.`,
      to: state.triageOwnerId ? { userIds: [state.triageOwnerId], authorityRoles: ['returning_officer'] } : { authorityRoles: ['triage', 'returning_officer'] },
    });
    clock.extensionTaskSentAt = nowIso();
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

  function by(actor: Actor, role: Role, action: string, after: Record<string, unknown> = {}): AuditEntry {
    return { actor: actor.userId, role, action, after };
  }

  function requireRole(actor: Actor, allowed: Role[]): Role {
    const role = allowed.find((r) => actor.roles.includes(r));
    if (!role) refuse('role', `this decision needs the role ${allowed.join(' or ')}`);
    return role;
  }

  function requireAuthority(actor: Actor, allowed: Role[]): Role {
    const role = requireRole(actor, allowed);
    if (actor.authorityId !== input.authorityId) refuse('tenant', 'only the authority that logged the case decides on it');
    return role;
  }

  function requireStatus(decision: string, ...allowed: AllegationStatus[]): void {
    if (allowed.includes(state.status)) return;
    if (!isOpen(state.status)) refuse('state', `the case is ${state.status}; ${decision} is no longer possible`);
    refuse('state', `the case is ${state.status}; ${decision} is allowed only when it is ${allowed.join(' or ')}`);
  }

  /** The SPOC of the force the current referral is addressed to. */
  function requireReferredSpoc(actor: Actor, decision: string, ...allowed: AllegationStatus[]): void {
    requireRole(actor, ['spoc']);
    const referral = state.referral;
    if (!referral || !actor.forceId || actor.forceId !== referral.forceId) {
      refuse('force', referral ? `the referral is addressed to ${referral.forceId}, not ${actor.forceId ?? 'your force'}` : 'the case has not been referred to a police force');
    }
    if (decision === 'accept' && referral.status === 'accepted') refuse('repeated', `the referral was already accepted (crime reference ${referral.crimeReference})`);
    requireStatus(decision, ...allowed);
  }

  function registerDecisions(): void {
    setHandler(
      triageUpdate,
      (decision, actor) => {
        const now = Date.now();
        const at = nowIso();
        state.triageOwnerId ??= actor.userId;
        switch (decision.decision) {
          case 'refer':
            return transition('referred', by(actor, 'triage', 'triage.referred', { forceId: decision.forceId, spocId: decision.spocId ?? null, note: decision.note }), () => {
              const respondBy = deadlineAfter(now, policy.spocResponseDue[state.effectiveUrgency], rulesOf(policy, input.pollDate));
              openDeadline('spoc_response', now, respondBy);
              state.referral = { forceId: decision.forceId, spocId: decision.spocId ?? null, referredAt: at, referredBy: actor.userId, respondBy: new Date(respondBy).toISOString(), status: 'pending' };
              state.referrals.push(state.referral);
            });
          case 'resolve':
            return transition('closed', by(actor, 'triage', 'triage.resolved', { resolution: decision.resolution, outcome: 'resolved_without_referral', note: decision.note }), () => {
              state.resolution = decision.resolution;
              state.outcome = 'resolved_without_referral';
              state.closedAt = at;
            });
          case 'duplicate':
            return transition('closed', by(actor, 'triage', 'triage.duplicate', { duplicateOf: decision.duplicateOf, outcome: 'resolved_without_referral', note: decision.note }), () => {
              state.resolution = 'duplicate';
              state.duplicateOf = decision.duplicateOf;
              state.outcome = 'resolved_without_referral';
              state.closedAt = at;
            });
          case 'request_information':
            return transition('awaiting_information', by(actor, 'triage', 'triage.information_requested', { question: decision.question ?? null, note: decision.note }), () => {
              const replyDue = deadlineAfter(now, policy.informationReplyDue, rulesOf(policy, input.pollDate));
              openDeadline('information_reply', now, replyDue);
              state.informationRequest = { requestedAt: at, replyDueAt: new Date(replyDue).toISOString() };
            });
        }
      },
      {
        validator: (decision, actor) => {
          requireAuthority(actor, ['triage']);
          if (decision.decision === 'duplicate' && decision.duplicateOf === input.caseId) refuse('duplicate', 'a case cannot be a duplicate of itself');
          requireStatus(`a triage decision (${decision.decision})`, 'triage');
        },
      },
    );

    setHandler(
      acceptReferralUpdate,
      (accept, actor) => {
        const referral = state.referral!;
        return transition('accepted', by(actor, 'spoc', 'referral.accepted', { forceId: referral.forceId, crimeReference: accept.crimeReference, note: accept.note ?? null }), () => {
          Object.assign(referral, { status: 'accepted', acceptedAt: nowIso(), acceptedBy: actor.userId, crimeReference: accept.crimeReference });
        });
      },
      { validator: (_accept, actor) => requireReferredSpoc(actor, 'accept', 'referred') },
    );

    setHandler(
      returnReferralUpdate,
      (ret, actor) => {
        const referral = state.referral!;
        return transition(
          'triage',
          by(actor, 'spoc', 'referral.returned', { forceId: referral.forceId, reasonCode: ret.reasonCode, suggestedForceId: ret.suggestedForceId ?? null, note: ret.note }),
          () => {
            Object.assign(referral, { status: 'returned', returnedAt: nowIso(), returnedBy: actor.userId, reasonCode: ret.reasonCode, suggestedForceId: ret.suggestedForceId ?? null });
            openTriageAgain();
            phaseEntry = 'returned';
          },
        );
      },
      { validator: (_ret, actor) => requireReferredSpoc(actor, 'return', 'referred') },
    );

    setHandler(
      investigationUpdate,
      (update, actor) => {
        state.investigationUpdates += 1;
        return project(by(actor, 'spoc', 'investigation.updated', { note: update.note, update: state.investigationUpdates }));
      },
      { validator: (_update, actor) => requireReferredSpoc(actor, 'an investigation update', 'accepted') },
    );

    setHandler(
      recordPoliceOutcomeUpdate,
      (recorded, actor) => {
        const before = state.policeOutcome?.outcome ?? null;
        state.policeOutcome = { outcome: recorded.outcome, at: nowIso(), by: actor.userId };
        if (PROCEEDINGS_OUTCOMES.includes(recorded.outcome) && state.statutoryClock && !state.statutoryClock.proceedingsStartedAt) {
          state.statutoryClock.proceedingsStartedAt = state.policeOutcome.at;
        }
        return project({ ...by(actor, 'spoc', 'investigation.outcome_recorded', { policeOutcome: recorded.outcome, note: recorded.note }), before: { policeOutcome: before } });
      },
      {
        validator: (recorded, actor) => {
          requireReferredSpoc(actor, 'recording a police outcome', 'accepted');
          if (state.policeOutcome?.outcome === recorded.outcome) refuse('repeated', `the police outcome is already ${recorded.outcome}`);
        },
      },
    );

    setHandler(
      informationReceivedUpdate,
      (received, actor) => {
        const role = actor.roles.includes('triage') ? 'triage' : 'staff';
        return transition('triage', by(actor, role, 'information.received', { note: received.note }), () => {
          if (state.informationRequest) state.informationRequest.receivedAt = nowIso();
          openTriageAgain();
          phaseEntry = 'information_received';
        });
      },
      {
        validator: (_received, actor) => {
          requireAuthority(actor, ['staff', 'triage']);
          requireStatus('recording the reporter\'s reply', 'awaiting_information');
        },
      },
    );

    setHandler(
      closeUpdate,
      (close, actor) => {
        const role = actor.roles.includes('returning_officer') ? 'returning_officer' : 'triage';
        return transition('closed', by(actor, role, 'case.closed', { outcome: close.outcome, note: close.note }), () => {
          state.outcome = close.outcome;
          state.closedAt = nowIso();
        });
      },
      {
        validator: (_close, actor) => {
          const role = requireAuthority(actor, ['returning_officer', 'triage']);
          if (state.status === 'triage' || state.status === 'awaiting_information') {
            refuse('state', `the case is ${state.status}; a case that was never accepted by the police is closed by a triage decision (resolve or duplicate)`);
          }
          requireStatus('closing', 'accepted');
          if (!state.policeOutcome && !actor.roles.includes('returning_officer')) {
            refuse('role', `the police have not recorded an outcome yet; only the Returning Officer can close the case now (you act as ${role})`);
          }
        },
      },
    );

    setHandler(
      withdrawUpdate,
      (withdraw, actor) => {
        const role = actor.roles.includes('triage') ? 'triage' : 'staff';
        const referral = state.referral;
        const wasReferred = state.status === 'referred' || state.status === 'accepted';
        return transition('withdrawn', by(actor, role, 'case.withdrawn', { note: withdraw.note }), () => {
          if (wasReferred && referral) {
            referral.status = 'withdrawn';
            phaseEntry = 'withdrawn_while_referred';
          }
          state.outcome = 'withdrawn';
          state.closedAt = nowIso();
        });
      },
      {
        validator: (_withdraw, actor) => {
          requireAuthority(actor, ['staff', 'triage']);
          if (!isOpen(state.status)) refuse('state', `the case is already ${state.status}`);
          if ((state.status === 'referred' || state.status === 'accepted') && !actor.roles.includes('triage')) {
            refuse('role', `the case is ${state.status}; once the police have it, only triage can withdraw it, so that the force is told`);
          }
        },
      },
    );

    setHandler(
      packageEvidenceUpdate,
      async ({ packageId, evidenceIds, note }, actor) => {
        const forceId = state.referral!.forceId;
        const sealed = await activities.sealPackage({ packageId, caseId: input.caseId, authorityId: input.authorityId, reference: input.reference, forceId, evidenceIds, note, actor });
        // The package outlives a closed case: its acknowledgement still matters to the chain of custody.
        await startChild(evidencePackageWorkflow, {
          workflowId: evidencePackageWorkflowId(packageId),
          args: [{ packageId, caseId: input.caseId, authorityId: input.authorityId, forceId, reference: input.reference, pollDate: input.pollDate, policy }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
        return sealed;
      },
      {
        validator: (_request, actor) => {
          requireAuthority(actor, ['triage']);
          requireStatus('packaging evidence for the police', 'referred', 'accepted');
        },
      },
    );

    setHandler(
      applyForExtensionUpdate,
      (application, actor) => {
        const role = actor.roles.includes('returning_officer') ? 'returning_officer' : 'triage';
        state.statutoryClock!.extensionAppliedAt = nowIso();
        return project(by(actor, role, 'statutory.extension_applied', { limitAt: state.statutoryClock!.limitAt, note: application.note }));
      },
      {
        validator: (_application, actor) => {
          requireAuthority(actor, ['triage', 'returning_officer']);
          const clock = state.statutoryClock;
          if (!clock) refuse('state', 'this case was logged before the statutory clock was tracked');
          if (!isOpen(state.status)) refuse('state', `the case is ${state.status}`);
          if (clock.proceedingsStartedAt) refuse('state', 'proceedings have started; no extension is needed');
          if (clock.extensionAppliedAt) refuse('repeated', `an extension was already applied for at ${clock.extensionAppliedAt}`);
          if (Date.now() >= Date.parse(clock.limitAt)) refuse('late', `one year from the offence passed at ${clock.limitAt}; s.176 allows no extension application after it`);
        },
      },
    );
  }
}

interface AuditEntry {
  actor: string;
  role: string;
  action: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}
