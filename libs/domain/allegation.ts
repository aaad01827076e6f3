// The vocabulary of an allegation, shared by the API, the workflow and the database.
// Pure data: the workflow sandbox imports this file.

export const OFFENCE_CATEGORIES = [
  'personation',
  'postal_vote',
  'proxy_vote',
  'registration',
  'undue_influence',
  'bribery',
  'treating',
  'false_statement',
  'imprint',
  'campaign_finance',
  'other',
] as const;
export type OffenceCategory = (typeof OFFENCE_CATEGORIES)[number];

export const URGENCIES = ['routine', 'urgent', 'immediate'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const REPORTER_TYPES = ['elector', 'candidate', 'agent', 'staff', 'police', 'anonymous', 'other'] as const;
export type ReporterType = (typeof REPORTER_TYPES)[number];

export const ALLEGATION_STATUSES = ['triage', 'awaiting_information', 'referred', 'accepted', 'closed', 'withdrawn'] as const;
export type AllegationStatus = (typeof ALLEGATION_STATUSES)[number];

export const TERMINAL_STATUSES: readonly AllegationStatus[] = ['closed', 'withdrawn'];

export function isOpen(status: AllegationStatus): boolean {
  return !TERMINAL_STATUSES.includes(status);
}

/** The workflow id is derived from the case id, so a retried start can never make a second one. */
export function allegationWorkflowId(caseId: string): string {
  return `allegation-${caseId}`;
}

export interface AllegationLocation {
  ward?: string;
  pollingDistrict?: string;
  pollingStation?: string;
}

export interface Reporter {
  name: string;
  contact: string;
  type: ReporterType;
}

/** How triage resolves a case without referring it to the police. */
export const RESOLUTIONS = ['advice', 'not_an_offence'] as const;
export type Resolution = (typeof RESOLUTIONS)[number] | 'duplicate';

/** Why a SPOC returns a referral to the authority. */
export const RETURN_REASONS = ['wrong_force', 'not_a_police_matter', 'insufficient_information', 'duplicate_referral', 'other'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

/** The police outcomes of an accepted referral, in the categories of the national returns. */
export const POLICE_OUTCOMES = [
  'no_further_action',
  'local_resolution',
  'caution',
  'awaiting_cps_advice',
  'court_proceedings',
  'conviction',
  'acquittal',
] as const;
export type PoliceOutcome = (typeof POLICE_OUTCOMES)[number];

/** Every outcome a closed case can have: a police outcome, or one that never reached the police. */
export const CASE_OUTCOMES = [...POLICE_OUTCOMES, 'resolved_without_referral', 'withdrawn'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

/** Police outcomes that mean proceedings have started, which stops the statutory clock mattering. */
export const PROCEEDINGS_OUTCOMES: readonly PoliceOutcome[] = ['court_proceedings', 'conviction', 'acquittal'];
