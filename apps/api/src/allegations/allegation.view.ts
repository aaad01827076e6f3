import type { AllegationEntity } from '../../../../libs/persistence';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/** The case as the API shows it; status and deadlines are the workflow's projection. */
export function toAllegationView(a: AllegationEntity) {
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
    peopleInvolved: a.peopleInvolved,
    status: a.status,
    triageDueAt: iso(a.triageDueAt),
    deadlines: { triageDueAt: iso(a.triageDueAt) },
    escalatedAt: iso(a.escalatedAt),
    referral: a.referredForceId ? { forceId: a.referredForceId } : null,
    outcome: null,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
  };
}

export type AllegationView = ReturnType<typeof toAllegationView>;
