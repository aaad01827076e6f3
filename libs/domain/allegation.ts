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
