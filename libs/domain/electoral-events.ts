// Electoral events: a poll's polling day and the events around it (postal vote opening sessions,
// the verification and the count), each with its safety and security plan. The Electoral
// Commission's guidance asks for "clear plans for the safe management of all electoral events
// including the verification and count" (shared/seeds/000_ee9b1b5fba829520.txt).

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

export interface PlanGap {
  field: string;
  problem: string;
}

/**
 * What an event's safety and security plan still lacks before the event can be run safely:
 * a plan with at least one measure, a police liaison contact, and (for the verification and the
 * count, where the ballot boxes are opened) at least one risk from the register linked to it.
 * An empty list means the plan is complete. Shown on the event's page and returned by the API.
 */
export function planGaps(event: PlannedEvent): PlanGap[] {
  const gaps: PlanGap[] = [];
  if (!event.venue.trim()) gaps.push({ field: 'venue', problem: 'no venue is recorded' });
  if (!event.plan || !event.plan.summary.trim()) gaps.push({ field: 'plan.summary', problem: 'there is no safety and security plan' });
  if (!event.plan || event.plan.measures.filter((m) => m.trim()).length === 0)
    gaps.push({ field: 'plan.measures', problem: 'the plan has no security measures' });
  if (!event.policeContactId) gaps.push({ field: 'policeContactId', problem: 'no police liaison contact is named' });
  if ((event.kind === 'verification' || event.kind === 'count') && event.riskIds.length === 0) {
    gaps.push({ field: 'riskIds', problem: 'no risk from the register is linked to the verification or count' });
  }
  return gaps;
}

/** An event's times against its poll: an event ends after it starts, and none is over a week from polling day. */
export function eventTimeProblems(pollingDay: string, startsAt: string, endsAt: string | null): PlanGap[] {
  const problems: PlanGap[] = [];
  const start = Date.parse(startsAt);
  if (endsAt !== null && Date.parse(endsAt) <= start) problems.push({ field: 'endsAt', problem: 'must be after startsAt' });
  const day = Date.parse(`${pollingDay}T12:00:00Z`);
  const WEEKS = 6 * 7 * 24 * 3_600_000;
  if (Math.abs(start - day) > WEEKS) problems.push({ field: 'startsAt', problem: `must be within six weeks of polling day (${pollingDay})` });
  return problems;
}
