// Electoral events: a poll's polling day and the events around it (postal vote opening sessions,
// the verification and the count), each with its safety and security plan. The Electoral
// Commission's guidance asks for "clear plans for the safe management of all electoral events
// including the verification and count" (shared/seeds/000_ee9b1b5fba829520.txt).
import { fieldProblem, type FieldProblem } from './problems';

export const EVENT_KINDS = ['polling_day', 'postal_vote_opening', 'verification', 'count', 'other'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const EVENT_KIND_LABELS: Record<EventKind, string> = {
  polling_day: 'Polling day',
  postal_vote_opening: 'Postal vote opening session',
  verification: 'Verification',
  count: 'Count',
  other: 'Other event',
};

export interface SafetyPlan {
  /** what the plan covers, in a sentence or two */
  summary: string;
  /** the measures: access control, searches, seating of agents, ballot box movements, ... */
  measures: string[];
  /** who to call when something goes wrong on the night */
  emergencyContact?: string | null;
}

export interface PlannedEvent {
  kind: EventKind;
  startsAt: string;
  endsAt: string | null;
  venue: string;
  plan: SafetyPlan | null;
  policeContactId: string | null;
  riskIds: readonly string[];
}

/** A field and what is missing or wrong with it, with its code (libs/domain/problems.ts). */
export type PlanGap = FieldProblem;

/**
 * What an event's safety and security plan still lacks before the event can be run safely:
 * a plan with at least one measure, a police liaison contact, and (for the verification and the
 * count, where the ballot boxes are opened) at least one risk from the register linked to it.
 * An empty list means the plan is complete. Shown on the event's page and returned by the API.
 */
export function planGaps(event: PlannedEvent): PlanGap[] {
  const gaps: PlanGap[] = [];
  if (!event.venue.trim()) gaps.push(fieldProblem('venue', 'plan.no_venue'));
  if (!event.plan || !event.plan.summary.trim()) gaps.push(fieldProblem('plan.summary', 'plan.no_plan'));
  if (!event.plan || event.plan.measures.filter((m) => m.trim()).length === 0) gaps.push(fieldProblem('plan.measures', 'plan.no_measures'));
  if (!event.policeContactId) gaps.push(fieldProblem('policeContactId', 'plan.no_police_contact'));
  if ((event.kind === 'verification' || event.kind === 'count') && event.riskIds.length === 0) {
    gaps.push(fieldProblem('riskIds', 'plan.no_risk'));
  }
  return gaps;
}

/** An event's times against its poll: an event ends after it starts, and none is over a week from polling day. */
export function eventTimeProblems(pollingDay: string, startsAt: string, endsAt: string | null): PlanGap[] {
  const problems: PlanGap[] = [];
  const start = Date.parse(startsAt);
  if (endsAt !== null && Date.parse(endsAt) <= start) problems.push(fieldProblem('endsAt', 'event.ends_before_start'));
  const day = Date.parse(`${pollingDay}T12:00:00Z`);
  const WEEKS = 6 * 7 * 24 * 3_600_000;
  if (Math.abs(start - day) > WEEKS) problems.push(fieldProblem('startsAt', 'event.far_from_poll', { pollingDay }));
  return problems;
}
