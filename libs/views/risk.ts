import { riskScore } from '@libs/domain';
import type { Risk, RiskReview } from '@libs/persistence/stores/risks.store';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/** The API's view of a risk: dates as ISO strings, with its score and whether its review is overdue. */
export function toRiskView(r: Risk) {
  const due = r.nextReviewDueAt ? new Date(r.nextReviewDueAt) : null;
  return {
    id: r.id,
    authorityId: r.authorityId,
    electionId: r.electionId,
    pollDate: r.pollDate,
    title: r.title,
    category: r.category,
    likelihood: r.likelihood,
    impact: r.impact,
    ...riskScore(r.likelihood, r.impact),
    ownerId: r.ownerId,
    mitigations: r.mitigations,
    reviewEvery: r.reviewEvery,
    status: r.status,
    lastReviewedAt: iso(r.lastReviewedAt),
    nextReviewDueAt: iso(due),
    overdue: r.status === 'open' && due !== null && due.getTime() < Date.now(),
    escalatedAt: iso(r.escalatedAt),
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    closedAt: iso(r.closedAt),
  };
}

export type RiskView = ReturnType<typeof toRiskView>;

/** One recorded review of a risk, as GET /risks/:id lists them. */
export function toRiskReviewView(r: RiskReview) {
  return {
    id: r.id,
    reviewedBy: r.reviewedBy,
    notes: r.notes,
    likelihood: r.likelihood,
    impact: r.impact,
    mitigations: r.mitigations,
    reviewedAt: iso(r.reviewedAt),
  };
}

export type RiskReviewView = ReturnType<typeof toRiskReviewView>;

/** GET /risks/:id: the risk with its reviews. */
export type RiskDetailView = RiskView & { reviews: RiskReviewView[] };
