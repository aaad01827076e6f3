// The integrity plan's risk register: categories, ratings, and when a review falls due.
// Pure and deterministic: the risk review workflow computes due dates with it.
import { durationMs, parseDuration } from './duration';
import { fromLondonLocal } from './london-time';

export const RISK_CATEGORIES = [
  'postal_voting',
  'houses_of_multiple_occupation',
  'care_homes',
  'ballot_paper_security',
  'count_security',
  'candidate_safety',
  'cyber',
  'staffing',
  'other',
] as const;
export type RiskCategory = (typeof RISK_CATEGORIES)[number];

export const MITIGATION_STATUSES = ['planned', 'in_progress', 'in_place', 'ineffective', 'retired'] as const;
export type MitigationStatus = (typeof MITIGATION_STATUSES)[number];

/** Likelihood × impact, each 1 to 5, and the band the register shows (a 5 × 5 matrix). */
export function riskScore(likelihood: number, impact: number): { score: number; rating: 'low' | 'medium' | 'high' | 'very_high' } {
  const score = likelihood * impact;
  return { score, rating: score >= 20 ? 'very_high' : score >= 10 ? 'high' : score >= 5 ? 'medium' : 'low' };
}

export interface ReviewCadence {
  /** the risk's own cadence */
  every: string;
  /** the poll the risk concerns (YYYY-MM-DD), if any */
  pollDate?: string | null;
  /** policy: within this long of polling day, reviews fall due at least this often */
  nearPoll: { within: string; every: string };
}

const DAY = 86_400_000;

/**
 * When the next review falls due after one at `lastMs`. Cadences are elapsed time. From the
 * moment the window before polling day opens until polling day ends, the tighter of the two
 * cadences applies; a review due after the window opens falls due one tight cadence into it.
 */
export function nextReviewDue(lastMs: number, cadence: ReviewCadence): number {
  const every = durationMs(parseDuration(cadence.every));
  const usual = lastMs + every;
  if (!cadence.pollDate) return usual;
  const tight = Math.min(every, durationMs(parseDuration(cadence.nearPoll.every)));
  const pollDayStart = fromLondonLocal(Date.parse(`${cadence.pollDate}T00:00:00Z`));
  const windowStart = pollDayStart - durationMs(parseDuration(cadence.nearPoll.within));
  const windowEnd = pollDayStart + DAY;
  if (lastMs >= windowStart && lastMs < windowEnd) return lastMs + tight;
  if (lastMs < windowStart && usual > windowStart) return Math.min(usual, windowStart + tight);
  return usual;
}

/** When a review due at `reviewDueAt` is escalated to the Returning Officer: after the policy's grace. */
export function riskEscalationDue(reviewDueAt: string, grace: string): string {
  return new Date(Date.parse(reviewDueAt) + durationMs(parseDuration(grace))).toISOString();
}

/**
 * A new risk's first review and escalation, as its review workflow computes them: written with
 * the risk by the API, so the authority's dispatcher can send its reminder whatever the worker's
 * backlog of new workflows.
 */
export function firstRiskReviewDue(
  registeredAt: Date,
  risk: { every: string; pollDate: string | null },
  policy: { riskReviewNearPoll: { within: string; every: string }; riskReviewGrace: string },
): { reviewDueAt: string; escalationDueAt: string } {
  const reviewDueAt = new Date(nextReviewDue(registeredAt.getTime(), { ...risk, nearPoll: policy.riskReviewNearPoll })).toISOString();
  return { reviewDueAt, escalationDueAt: riskEscalationDue(reviewDueAt, policy.riskReviewGrace) };
}
