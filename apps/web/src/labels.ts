// Words for the API's codes, as a person reads them on a page. The English here is the key of
// the Welsh in apps/web/locales/cy/labels.json.
import { translator, type Language } from './i18n';

const LABELS: Record<string, string> = {
  personation: 'Personation',
  postal_vote: 'Postal vote fraud',
  proxy_vote: 'Proxy vote fraud',
  registration: 'Registration fraud',
  undue_influence: 'Undue influence or intimidation',
  bribery: 'Bribery',
  treating: 'Treating',
  false_statement: 'False statement about a candidate',
  imprint: 'Imprint offence',
  campaign_finance: 'Campaign spending or donations',
  other: 'Other',
  routine: 'Routine',
  urgent: 'Urgent',
  immediate: 'Immediate safety risk',
  elector: 'Elector',
  candidate: 'Candidate',
  agent: 'Agent',
  staff: 'Electoral staff',
  police: 'Police',
  anonymous: 'Anonymous',
  triage: 'Triage',
  awaiting_information: 'Awaiting information',
  referred: 'Referred to police',
  accepted: 'Accepted by police',
  closed: 'Closed',
  withdrawn: 'Withdrawn',
  spoc_response: 'SPOC response',
  information_reply: 'Reporter’s reply',
  advice: 'Advice given',
  not_an_offence: 'Not an offence',
  wrong_force: 'Wrong force',
  not_a_police_matter: 'Not a police matter',
  insufficient_information: 'Insufficient information',
  duplicate_referral: 'Duplicate referral',
  no_further_action: 'No further action or insufficient evidence',
  local_resolution: 'Local resolution or advice',
  caution: 'Caution',
  awaiting_cps_advice: 'Awaiting CPS advice',
  court_proceedings: 'Court proceedings',
  conviction: 'Conviction',
  acquittal: 'Acquittal',
  resolved_without_referral: 'Resolved without referral',
  returning_officer: 'Returning Officer',
  spoc: 'Police SPOC',
  feoa: 'FEOA',
  plan_owner: 'Risk plan owner',
  legal: 'Legal team',
  admin: 'Administrator',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  very_high: 'Very high',
  open: 'Open',
  polling_day: 'Polling day',
  postal_vote_opening: 'Postal vote opening session',
  verification: 'Verification',
  count: 'Count',
  ballot_paper_batch: 'Batch of ballot papers',
  ballot_box: 'Ballot box',
  held: 'Held',
  sealed: 'Sealed',
  opened: 'Opened',
  returned: 'Returned',
  stored: 'Stored',
  moved: 'Moved',
  received: 'Received',
  seal_mismatch: 'Seal number does not match',
  count_mismatch: 'Count does not match',
  dismissed: 'Dismissed',
  allegation: 'Allegation logged',
};

export function labelOf(code: unknown, language: Language = 'en'): string {
  if (typeof code !== 'string') return '';
  const english = LABELS[code];
  if (!english) return code.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return language === 'en' ? english : translator(language)(english);
}

/** Every code's English words, for the catalogue check (test/i18n.spec.ts). */
export const LABEL_TEXTS: readonly string[] = Object.values(LABELS);

/** GOV.UK tag colours for case statuses. */
export const STATUS_TAG: Record<string, string> = {
  triage: 'govuk-tag--blue',
  awaiting_information: 'govuk-tag--yellow',
  referred: 'govuk-tag--purple',
  accepted: 'govuk-tag--green',
  closed: 'govuk-tag--grey',
  withdrawn: 'govuk-tag--grey',
};
