import { statutoryClock as statutoryClockOf, withPolicyDefaults } from '@libs/domain';
import type { Allegation } from '@libs/persistence/stores/allegations.store';
import type { AllegationState, ReferralState } from '@workflows/allegation/messages';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/** The current referral: the workflow's, or only the force before the workflow has projected it. */
export type ReferralView = Pick<ReferralState, 'forceId'> & Partial<ReferralState>;

/** The case as the API shows it; status, deadlines, referral and outcome are the workflow's projection. */
export function toAllegationView(a: Allegation) {
  // Until the first decision the workflow has projected only the triage deadline.
  const state = (a.stateVersion > 0 ? a.state : null) as Partial<AllegationState> | null;
  const clock = state?.statutoryClock ?? statutoryClockOf(new Date(a.occurredAt).getTime(), withPolicyDefaults({}).extensionTaskAfterMonths);
  const referral: ReferralView | null = state?.referral ?? (a.referredForceId ? { forceId: a.referredForceId } : null);
  return {
    id: a.id,
    reference: a.reference,
    authorityId: a.authorityId,
    category: a.category,
    electionId: a.electionId,
    pollDate: a.pollDate,
    location: a.location,
    occurredAt: iso(a.occurredAt),
    reporter: a.reporter,
    description: a.description,
    urgency: a.urgency,
    safetyConcern: a.safetyConcern,
    operationFord: a.operationFord,
    peopleInvolved: a.peopleInvolved,
    status: a.status,
    triageDueAt: iso(a.triageDueAt),
    deadlines: {
      triageDueAt: iso(a.triageDueAt),
      spocResponseDueAt: iso(a.spocDueAt),
      informationReplyDueAt: iso(a.informationDueAt),
      nextDueAt: iso(a.nextDueAt),
      // Each deadline as last projected. Reminder and escalation counts live in the workflow and
      // the notifications; `escalatedAt` is the projection of the first escalation.
      history: (state?.deadlines ?? []).map(({ kind, dueAt, setAt, metAt }) => ({ kind, dueAt, setAt: setAt ?? null, metAt: metAt ?? null })),
    },
    escalatedAt: iso(a.escalatedAt),
    referral,
    referrals: state?.referrals ?? [],
    informationRequest: state?.informationRequest ?? null,
    resolution: state?.resolution ?? null,
    duplicateOf: a.duplicateOf,
    investigationUpdates: state?.investigationUpdates ?? 0,
    policeOutcome: state?.policeOutcome ?? null,
    outcome: a.outcome,
    closedAt: iso(a.closedAt),
    statutoryClock: clock,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
  };
}

export type AllegationView = ReturnType<typeof toAllegationView>;
