// The human decisions on an allegation, as one table: each decision's Update, the roles that may
// take it, whose decision it is (the authority that logged the case, or the force it is referred
// to), the states that allow it, and its effect. workflow.ts registers one Update handler per
// entry, in this order; the handler's validator asks `refusalOf` and refuses with its answer
// (nothing is written to history then). The checks run in a fixed order (role, party, the
// entry's `before`, state, the entry's `after`), so a decision wrong in several ways is refused
// for the same reason every time.
import type { UpdateDefinition } from '@temporalio/common';
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { Role } from '@libs/auth/principal';
import { ALLEGATION_STATUSES, deadlineAfter, deadlineRules, isOpen, PROCEEDINGS_OUTCOMES, type AllegationStatus, type DecisionName } from '@libs/domain';
import { evidencePackageWorkflow } from '../evidence-package.workflow';
import { evidencePackageWorkflowId } from '../evidence-package.messages';
import { refusal } from '../shared/refuse';
import type { Actor, Refusal } from '../shared/types';
import type { AuditEntry, Lifecycle } from './lifecycle';
import {
  acceptReferralUpdate,
  applyForExtensionUpdate,
  closeUpdate,
  informationReceivedUpdate,
  investigationUpdate,
  packageEvidenceUpdate,
  recordPoliceOutcomeUpdate,
  returnReferralUpdate,
  triageUpdate,
  withdrawUpdate,
  type AllegationState,
} from './messages';

/** What a validator sees: the case's state, whose case it is, and the workflow's clock. */
export interface CaseView {
  state: AllegationState;
  caseId: string;
  authorityId: string;
  now: number;
}

export interface DecisionRule<P, R> {
  update: UpdateDefinition<R, [P, Actor]>;
  /** the roles that may take it, in the order a refusal names them */
  roles: readonly Role[];
  /** `authority`: staff of the authority that logged the case; `referred_force`: a SPOC of the force the current referral is addressed to */
  party: 'authority' | 'referred_force';
  /** the states that allow it */
  states: readonly AllegationStatus[];
  /** the decision as a refusal for the state names it (one of DECISION_NAMES, libs/domain/problems.ts) */
  named: DecisionName | ((payload: P) => DecisionName);
  /** a refusal checked before the state */
  before?: (c: CaseView, payload: P, actor: Actor) => Refusal | undefined;
  /** the refusal for a state that does not allow it, where it says more than the usual one */
  refusedIn?: (status: AllegationStatus) => Refusal | undefined;
  /** refusals checked once the role, the party and the state allow it */
  after?: (c: CaseView, payload: P, actor: Actor, role: Role) => Refusal | undefined;
  /** what the decision does; `role` is the one it is recorded under (actingRole) */
  effect: (l: Lifecycle, payload: P, actor: Actor, role: Role) => R | Promise<R>;
}

const OPEN_STATES = ALLEGATION_STATUSES.filter(isOpen);

/** Most senior first: a decision is recorded under the most senior of its roles the actor holds. */
const SENIORITY: readonly Role[] = ['returning_officer', 'triage', 'staff', 'spoc'];

export function actingRole(actor: Actor, roles: readonly Role[]): Role | undefined {
  const held = roles.filter((r) => actor.roles.includes(r));
  return [...held].sort((a, b) => rank(a) - rank(b))[0];
}

function rank(role: Role): number {
  const at = SENIORITY.indexOf(role);
  return at < 0 ? SENIORITY.length : at;
}

const nowIso = () => new Date(Date.now()).toISOString();

function by(actor: Actor, role: Role, action: string, after: Record<string, unknown> = {}): AuditEntry {
  return { actor: actor.userId, role, action, after };
}

/** Keeps each entry's payload and result types together in a table of mixed decisions. */
function decision<P, R>(rule: DecisionRule<P, R>): DecisionRule<P, R> {
  return rule;
}

export const DECISIONS = [
  decision({
    update: triageUpdate,
    roles: ['triage'],
    party: 'authority',
    states: ['triage'],
    named: (d) => `a triage decision (${d.decision})`,
    before: (c, d) => (d.decision === 'duplicate' && d.duplicateOf === c.caseId ? refusal('duplicate', 'triage.duplicate_of_itself') : undefined),
    effect: (l, d, actor) => {
      const { state, input } = l;
      const now = Date.now();
      const at = nowIso();
      state.triageOwnerId ??= actor.userId;
      switch (d.decision) {
        case 'refer':
          return l.transition('referred', by(actor, 'triage', 'triage.referred', { forceId: d.forceId, spocId: d.spocId ?? null, note: d.note }), () => {
            const policy = l.policy();
            const respondBy = deadlineAfter(now, policy.spocResponseDue[state.effectiveUrgency], deadlineRules(policy, input.pollDate));
            l.openDeadline('spoc_response', now, respondBy);
            state.referral = {
              forceId: d.forceId,
              spocId: d.spocId ?? null,
              referredAt: at,
              referredBy: actor.userId,
              respondBy: new Date(respondBy).toISOString(),
              status: 'pending',
            };
            state.referrals.push(state.referral);
          });
        case 'resolve':
          return l.transition(
            'closed',
            by(actor, 'triage', 'triage.resolved', { resolution: d.resolution, outcome: 'resolved_without_referral', note: d.note }),
            () => {
              state.resolution = d.resolution;
              state.outcome = 'resolved_without_referral';
              state.closedAt = at;
            },
          );
        case 'duplicate':
          return l.transition(
            'closed',
            by(actor, 'triage', 'triage.duplicate', { duplicateOf: d.duplicateOf, outcome: 'resolved_without_referral', note: d.note }),
            () => {
              state.resolution = 'duplicate';
              state.duplicateOf = d.duplicateOf;
              state.outcome = 'resolved_without_referral';
              state.closedAt = at;
            },
          );
        case 'request_information':
          return l.transition(
            'awaiting_information',
            by(actor, 'triage', 'triage.information_requested', { question: d.question ?? null, note: d.note }),
            () => {
              const policy = l.policy();
              const replyDue = deadlineAfter(now, policy.informationReplyDue, deadlineRules(policy, input.pollDate));
              l.openDeadline('information_reply', now, replyDue);
              state.informationRequest = { requestedAt: at, replyDueAt: new Date(replyDue).toISOString() };
            },
          );
      }
    },
  }),

  decision({
    update: acceptReferralUpdate,
    roles: ['spoc'],
    party: 'referred_force',
    states: ['referred'],
    named: 'accept',
    before: (c) => {
      const referral = c.state.referral!;
      return referral.status === 'accepted' ? refusal('repeated', 'referral.already_accepted', { crimeReference: String(referral.crimeReference) }) : undefined;
    },
    effect: (l, accept, actor) => {
      const referral = l.state.referral!;
      return l.transition(
        'accepted',
        by(actor, 'spoc', 'referral.accepted', { forceId: referral.forceId, crimeReference: accept.crimeReference, note: accept.note ?? null }),
        () => {
          Object.assign(referral, { status: 'accepted', acceptedAt: nowIso(), acceptedBy: actor.userId, crimeReference: accept.crimeReference });
        },
      );
    },
  }),

  decision({
    update: returnReferralUpdate,
    roles: ['spoc'],
    party: 'referred_force',
    states: ['referred'],
    named: 'return',
    effect: (l, ret, actor) => {
      const referral = l.state.referral!;
      return l.transition(
        'triage',
        by(actor, 'spoc', 'referral.returned', {
          forceId: referral.forceId,
          reasonCode: ret.reasonCode,
          suggestedForceId: ret.suggestedForceId ?? null,
          note: ret.note,
        }),
        () => {
          Object.assign(referral, {
            status: 'returned',
            returnedAt: nowIso(),
            returnedBy: actor.userId,
            reasonCode: ret.reasonCode,
            suggestedForceId: ret.suggestedForceId ?? null,
          });
          l.openTriageAgain();
          l.enteredBy('returned');
        },
      );
    },
  }),

  decision({
    update: investigationUpdate,
    roles: ['spoc'],
    party: 'referred_force',
    states: ['accepted'],
    named: 'an investigation update',
    effect: (l, update, actor) => {
      l.state.investigationUpdates += 1;
      return l.project(by(actor, 'spoc', 'investigation.updated', { note: update.note, update: l.state.investigationUpdates }));
    },
  }),

  decision({
    update: recordPoliceOutcomeUpdate,
    roles: ['spoc'],
    party: 'referred_force',
    states: ['accepted'],
    named: 'recording a police outcome',
    after: (c, recorded) =>
      c.state.policeOutcome?.outcome === recorded.outcome ? refusal('repeated', 'outcome.already_recorded', { outcome: recorded.outcome }) : undefined,
    effect: (l, recorded, actor) => {
      const { state } = l;
      const before = state.policeOutcome?.outcome ?? null;
      state.policeOutcome = { outcome: recorded.outcome, at: nowIso(), by: actor.userId };
      if (PROCEEDINGS_OUTCOMES.includes(recorded.outcome) && state.statutoryClock && !state.statutoryClock.proceedingsStartedAt) {
        state.statutoryClock.proceedingsStartedAt = state.policeOutcome.at;
      }
      return l.project({
        ...by(actor, 'spoc', 'investigation.outcome_recorded', { policeOutcome: recorded.outcome, note: recorded.note }),
        before: { policeOutcome: before },
      });
    },
  }),

  decision({
    update: informationReceivedUpdate,
    roles: ['staff', 'triage'],
    party: 'authority',
    states: ['awaiting_information'],
    named: "recording the reporter's reply",
    effect: (l, received, actor, role) =>
      l.transition('triage', by(actor, role, 'information.received', { note: received.note }), () => {
        if (l.state.informationRequest) l.state.informationRequest.receivedAt = nowIso();
        l.openTriageAgain();
        l.enteredBy('information_received');
      }),
  }),

  decision({
    update: closeUpdate,
    roles: ['returning_officer', 'triage'],
    party: 'authority',
    states: ['accepted'],
    named: 'closing',
    refusedIn: (status) => (status === 'triage' || status === 'awaiting_information' ? refusal('state', 'close.never_accepted', { status }) : undefined),
    after: (c, _close, actor, role) =>
      !c.state.policeOutcome && !actor.roles.includes('returning_officer') ? refusal('role', 'close.needs_returning_officer', { role }) : undefined,
    effect: (l, close, actor, role) =>
      l.transition('closed', by(actor, role, 'case.closed', { outcome: close.outcome, note: close.note }), () => {
        l.state.outcome = close.outcome;
        l.state.closedAt = nowIso();
      }),
  }),

  decision({
    update: withdrawUpdate,
    roles: ['staff', 'triage'],
    party: 'authority',
    states: OPEN_STATES,
    named: 'withdrawal',
    refusedIn: (status) => refusal('state', 'withdraw.already', { status }),
    after: (c, _withdraw, actor) =>
      (c.state.status === 'referred' || c.state.status === 'accepted') && !actor.roles.includes('triage')
        ? refusal('role', 'withdraw.needs_triage', { status: c.state.status })
        : undefined,
    effect: (l, withdraw, actor, role) => {
      const { state } = l;
      const referral = state.referral;
      const wasReferred = state.status === 'referred' || state.status === 'accepted';
      return l.transition('withdrawn', by(actor, role, 'case.withdrawn', { note: withdraw.note }), () => {
        if (wasReferred && referral) {
          referral.status = 'withdrawn';
          l.enteredBy('withdrawn_while_referred');
        }
        state.outcome = 'withdrawn';
        state.closedAt = nowIso();
      });
    },
  }),

  decision({
    update: packageEvidenceUpdate,
    roles: ['triage'],
    party: 'authority',
    states: ['referred', 'accepted'],
    named: 'packaging evidence for the police',
    effect: async (l, { packageId, evidenceIds, note }, actor) => {
      const { input } = l;
      const forceId = l.state.referral!.forceId;
      const sealed = await l.activities.sealPackage({
        packageId,
        caseId: input.caseId,
        authorityId: input.authorityId,
        reference: input.reference,
        forceId,
        evidenceIds,
        note,
        actor,
      });
      // The package outlives a closed case: its acknowledgement still matters to the chain of custody.
      await startChild(evidencePackageWorkflow, {
        workflowId: evidencePackageWorkflowId(packageId),
        args: [
          {
            packageId,
            caseId: input.caseId,
            authorityId: input.authorityId,
            forceId,
            reference: input.reference,
            pollDate: input.pollDate,
            policy: l.policy(),
          },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      return sealed;
    },
  }),

  decision({
    update: applyForExtensionUpdate,
    roles: ['triage', 'returning_officer'],
    party: 'authority',
    states: OPEN_STATES,
    named: 'an extension application',
    before: (c) => (c.state.statutoryClock ? undefined : refusal('state', 'extension.untracked')),
    refusedIn: (status) => refusal('state', 'extension.case_finished', { status }),
    after: (c) => {
      const clock = c.state.statutoryClock!;
      if (clock.proceedingsStartedAt) return refusal('state', 'extension.proceedings_started');
      if (clock.extensionAppliedAt) return refusal('repeated', 'extension.already_applied', { at: clock.extensionAppliedAt });
      if (c.now >= Date.parse(clock.limitAt)) return refusal('late', 'extension.too_late', { limitAt: clock.limitAt });
      return undefined;
    },
    effect: (l, application, actor, role) => {
      const clock = l.state.statutoryClock!;
      clock.extensionAppliedAt = nowIso();
      return l.project(by(actor, role, 'statutory.extension_applied', { limitAt: clock.limitAt, note: application.note }));
    },
  }),
];

/** Why `rule` refuses `payload` from `actor` on the case as `c` shows it, or null when it allows it. */
export function refusalOf<P, R>(rule: DecisionRule<P, R>, c: CaseView, payload: P, actor: Actor): Refusal | null {
  const role = actingRole(actor, rule.roles);
  if (!role) return refusal('role', 'decision.role_needed', { roles: rule.roles });
  const party = partyRefusal(rule, c, actor);
  if (party) return party;
  const before = rule.before?.(c, payload, actor);
  if (before) return before;
  const { status } = c.state;
  if (!rule.states.includes(status)) {
    const named = typeof rule.named === 'string' ? rule.named : rule.named(payload);
    return (
      rule.refusedIn?.(status) ??
      (isOpen(status)
        ? refusal('state', 'decision.not_in_state', { status, decision: named, allowed: rule.states })
        : refusal('state', 'decision.case_finished', { status, decision: named }))
    );
  }
  return rule.after?.(c, payload, actor, role) ?? null;
}

function partyRefusal<P, R>(rule: DecisionRule<P, R>, c: CaseView, actor: Actor): Refusal | undefined {
  if (rule.party === 'authority') {
    return actor.authorityId === c.authorityId ? undefined : refusal('tenant', 'decision.other_authority');
  }
  const referral = c.state.referral;
  if (referral && actor.forceId && actor.forceId === referral.forceId) return undefined;
  if (!referral) return refusal('force', 'decision.not_referred');
  return actor.forceId
    ? refusal('force', 'decision.other_force', { forceId: referral.forceId, yourForceId: actor.forceId })
    : refusal('force', 'decision.not_your_force', { forceId: referral.forceId });
}
