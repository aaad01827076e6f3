// Every reason the API gives for refusing a request (a 409 or a 422), with a stable code. The API
// answers each refusal with its `code` and the `values` its wording names, beside the English
// `message` (and, for a problem with one field, the same in each of `details`); a client shows
// the problem in its own words by code. The web pages do: apps/web/locales/<language>/problems.json
// has the Welsh of each English wording below, keyed by that wording, and
// apps/web/src/problems.spec.ts fails for a code without it.
//
// The English is the API's own message, word for word: `problem(code, values)` fills it in.
// Codes are stable: change a wording (its Welsh key changes with it), never a code's meaning.
// Pure code: the workflows refuse decisions with these too.
import { ALLEGATION_STATUSES, POLICE_OUTCOMES } from './allegation';

/** How a client shows a value in its own language. */
export type ValueKind =
  /** as it is: an id, a reference, a seal number, a field's name, what someone typed */
  | 'text'
  | 'number'
  /** an ISO-8601 instant: a date and time in the reader's language */
  | 'instant'
  /** a calendar date, YYYY-MM-DD */
  | 'date'
  /** one of these codes, in the reader's words for it */
  | { code: readonly string[] }
  /** several of these codes; the English joins them with " or " or ", " */
  | { codes: readonly string[]; join: 'or' | 'list' }
  /** one of these English phrases, in the reader's words for it */
  | { term: readonly string[] };

export interface ProblemSpec {
  /** the English, with {{name}} for each value */
  readonly text: string;
  /** the kind of each value that is not plain text */
  readonly values?: Readonly<Record<string, ValueKind>>;
}

// Code sets the values come from. Kept here, not imported, where the module that owns them would
// import this one (libs/domain/custody.ts, ballot-security.ts); problems.spec.ts checks they agree.
export const ROLE_CODES = ['staff', 'triage', 'returning_officer', 'spoc', 'feoa', 'plan_owner', 'legal', 'admin', 'national_admin'] as const;
export const EVIDENCE_STATUS_CODES = ['held', 'packaged', 'handed_over', 'destroyed'] as const;
export const CUSTODY_ACTION_CODES = [
  'collected',
  'sealed',
  'resealed',
  'transferred',
  'examined',
  'packaged',
  'handed_over',
  'received',
  'returned',
  'destroyed',
] as const;
const PACKAGE_STATUS_CODES = ['sealed', 'handed_over', 'acknowledged'] as const;

/** How a decision on a case is named in a refusal (DecisionRule.named, workflows/allegation/decisions.ts). */
export const DECISION_NAMES = [
  'a triage decision (refer)',
  'a triage decision (resolve)',
  'a triage decision (duplicate)',
  'a triage decision (request_information)',
  'accept',
  'return',
  'an investigation update',
  'recording a police outcome',
  "recording the reporter's reply",
  'closing',
  'withdrawal',
  'packaging evidence for the police',
  'an extension application',
] as const;
export type DecisionName = (typeof DECISION_NAMES)[number];
const TRIAGE_DECISIONS = ['refer', 'resolve', 'request_information', 'duplicate'] as const;

const status = { code: ALLEGATION_STATUSES };
const statuses = { codes: ALLEGATION_STATUSES, join: 'or' } as const;
const roles = { codes: ROLE_CODES, join: 'list' } as const;

export const PROBLEMS = {
  // A validation failure with several problems: the message lists them, `details` has each with its own code.
  'request.invalid': { text: '{{summary}}' },

  // --- decisions on a case (the allegation workflow's table of decisions)
  // a refusal from a worker that predates the codes: its English only
  'decision.uncoded': { text: '{{reason}}' },
  'decision.role_needed': { text: 'this decision needs the role {{roles}}', values: { roles: { codes: ROLE_CODES, join: 'or' } } },
  'decision.other_authority': { text: 'only the authority that logged the case decides on it' },
  'decision.other_force': { text: 'the referral is addressed to {{forceId}}, not {{yourForceId}}' },
  'decision.not_your_force': { text: 'the referral is addressed to {{forceId}}, not your force' },
  'decision.not_referred': { text: 'the case has not been referred to a police force' },
  'decision.not_in_state': {
    text: 'the case is {{status}}; {{decision}} is allowed only when it is {{allowed}}',
    values: { status, decision: { term: DECISION_NAMES }, allowed: statuses },
  },
  'decision.case_finished': { text: 'the case is {{status}}; {{decision}} is no longer possible', values: { status, decision: { term: DECISION_NAMES } } },
  'decision.workflow_finished': { text: 'the case is {{status}}; no further decisions can be made', values: { status } },
  'decision.step_finished': { text: 'this step is finished; no further decisions can be made' },
  'triage.duplicate_of_itself': { text: 'a case cannot be a duplicate of itself' },
  'triage.fields_misplaced': { text: '{{fields}} do not belong to a {{decision}} decision', values: { decision: { term: TRIAGE_DECISIONS } } },
  'triage.field_misplaced': { text: 'is not used by decision {{decision}}', values: { decision: { term: TRIAGE_DECISIONS } } },
  'triage.duplicate_not_found': { text: 'duplicateOf must be another case of this authority' },
  'triage.force_not_found': { text: '{{field}} {{forceId}} is not a police force' },
  'triage.spoc_not_of_force': { text: 'spocId must be a SPOC of the force referred to' },
  'referral.already_accepted': { text: 'the referral was already accepted (crime reference {{crimeReference}})' },
  'outcome.already_recorded': { text: 'the police outcome is already {{outcome}}', values: { outcome: { code: POLICE_OUTCOMES } } },
  'close.never_accepted': {
    text: 'the case is {{status}}; a case that was never accepted by the police is closed by a triage decision (resolve or duplicate)',
    values: { status },
  },
  'close.needs_returning_officer': {
    text: 'the police have not recorded an outcome yet; only the Returning Officer can close the case now (you act as {{role}})',
    values: { role: { code: ROLE_CODES } },
  },
  'close.package_in_transit': {
    text: 'evidence package {{packageId}} is {{status}} and not yet acknowledged by the police; every item must be accounted for before closure',
    values: { status: { code: PACKAGE_STATUS_CODES } },
  },
  'withdraw.already': { text: 'the case is already {{status}}', values: { status } },
  'withdraw.needs_triage': {
    text: 'the case is {{status}}; once the police have it, only triage can withdraw it, so that the force is told',
    values: { status },
  },
  'extension.untracked': { text: 'this case was logged before the statutory clock was tracked' },
  'extension.case_finished': { text: 'the case is {{status}}', values: { status } },
  'extension.proceedings_started': { text: 'proceedings have started; no extension is needed' },
  'extension.already_applied': { text: 'an extension was already applied for at {{at}}', values: { at: 'instant' } },
  'extension.too_late': {
    text: 'one year from the offence passed at {{limitAt}}; s.176 allows no extension application after it',
    values: { limitAt: 'instant' },
  },

  // --- evidence packages (workflows/evidence-package.workflow.ts, activities/packages.ts)
  'package.handover_role': { text: "the authority's triage team hands packages over" },
  'package.already_handed_over': { text: 'the package was already handed over at {{at}}', values: { at: 'instant' } },
  'package.acknowledge_role': { text: 'a SPOC of the receiving force acknowledges packages' },
  'package.other_force': { text: 'the package is addressed to {{forceId}}' },
  'package.not_handed_over': { text: 'the package has not been handed over yet' },
  'package.already_acknowledged': { text: 'the package was already acknowledged at {{at}}', values: { at: 'instant' } },
  'package.item_not_in_case': { text: 'evidence item {{id}} is not an item of this case' },
  'package.item_not_held': { text: 'evidence item {{id}} is {{status}}; only held items can be packaged', values: { status: { code: EVIDENCE_STATUS_CODES } } },
  'package.item_in_package': {
    text: 'evidence item {{id}} is {{status}} (package {{packageId}}); only held items can be packaged',
    values: { status: { code: EVIDENCE_STATUS_CODES } },
  },

  // --- evidence items, their custody, legal holds and disposal
  'evidence.case_finished': { text: 'the case is {{status}}; no evidence can be added', values: { status } },
  'evidence.case_is': { text: 'case is {{status}}', values: { status } },
  'evidence.physical_no_content': { text: 'a physical item has no stored content' },
  'evidence.physical': { text: 'physical' },
  'evidence.physical_invalid': { text: 'the physical item is not valid' },
  'custody.destroyed': { text: 'the item was destroyed; nothing can happen to it any more' },
  'custody.recorded_by_disposal': { text: '{{action}} is recorded by the disposal review, not directly', values: { action: { code: CUSTODY_ACTION_CODES } } },
  'custody.recorded_by_logging': { text: '{{action}} is recorded by logging the item, not directly', values: { action: { code: CUSTODY_ACTION_CODES } } },
  'custody.recorded_by_package': { text: '{{action}} is recorded by the evidence package, not directly', values: { action: { code: CUSTODY_ACTION_CODES } } },
  'custody.locked': { text: 'the item is locked in a sealed evidence package' },
  'custody.not_holder_examine': { text: 'only the current holder ({{holder}}) can release the item for examination' },
  'custody.not_holder': { text: 'only the current holder ({{holder}}) can pass the item on' },
  'custody.seal_needed': { text: 'sealing needs the seal number' },
  'custody.already_sealed_with': { text: 'the item is already sealed with {{sealNumber}}' },
  'custody.needs_reseal': { text: 'the item is sealed with {{sealNumber}}; a new seal number needs a reseal with a reason' },
  'custody.reseal_number_needed': { text: 'a reseal needs the new seal number' },
  'custody.reseal_same_number': { text: 'the new seal number is the one already on the item' },
  'custody.reseal_reason_needed': { text: 'a reseal needs the reason the seal was broken' },
  'custody.examination_note_needed': { text: 'an examination needs a note of what was done' },
  'custody.recipient_needed': { text: '{{action}} needs who receives the item', values: { action: { code: CUSTODY_ACTION_CODES } } },
  'custody.already_holds': { text: '{{holder}} already holds the item' },
  'hold.destroyed': { text: 'the item was destroyed; there is nothing left to hold' },
  'hold.already_held': { text: 'the item is already under a legal hold' },
  'hold.not_held': { text: 'the item is not under a legal hold' },
  'disposal.already_destroyed': { text: 'the item was already destroyed' },
  'disposal.legal_hold': { text: 'the item is under a legal hold ({{reason}}); lift it before disposal' },
  'disposal.case_open': { text: 'the item has no retention date: its case is still open' },
  'disposal.kept_until': { text: 'the item must be kept until {{until}}', values: { until: 'instant' } },
  'disposal.not_back': {
    text: "the item is {{status}}; it must be back in the authority's hands to be disposed of",
    values: { status: { code: EVIDENCE_STATUS_CODES } },
  },

  // --- ballot paper security
  'ballot.returned': { text: 'the item has been returned; nothing more can happen to it' },
  'ballot.read_seal': { text: 'the item is sealed ({{sealNumber}}): record the seal number read off it' },
  'ballot.store_location_needed': { text: 'storing needs where the item is stored' },
  'ballot.store_access_needed': { text: 'storing needs who has access to the store' },
  'ballot.already_sealed': { text: 'the item is already sealed with {{sealNumber}}; open it first' },
  'ballot.move_location_needed': { text: 'a move needs where the item went' },
  'ballot.already_at': { text: 'the item is already at {{location}}' },
  'ballot.only_sealed_opened': { text: 'only a sealed item is opened' },
  'ballot.return_location_needed': { text: 'a return needs where the item went' },
  'ballot.batch_label_taken': { text: 'the authority already has a ballot paper batch labelled {{label}}' },
  'ballot.box_label_taken': { text: 'the authority already has a ballot box labelled {{label}}' },
  'ballot.label_taken': { text: 'already used by another item of this kind' },
  'ballot.poll_not_found': { text: 'the poll is not one of this authority’s' },
  'ballot.step_in_future': { text: 'a custody step cannot be in the future' },
  'review.not_held_yet': { text: 'a review is recorded once it has been held' },
  'review.action_done': { text: 'the action is already done' },
  'review.action_done_on': { text: 'was marked done on {{doneAt}}; only an open action can be marked done', values: { doneAt: 'instant' } },
  'review.action_done_before': { text: 'was marked done on an earlier date; only an open action can be marked done' },
  'discrepancy.already_allegation': { text: 'the discrepancy is already an allegation' },
  'discrepancy.already_dismissed': { text: 'the discrepancy is already dismissed' },
  'discrepancy.not_open': { text: 'is {{status}}; only an open discrepancy can be decided', values: { status: { code: ['allegation', 'dismissed'] } } },

  // --- administration: authorities, forces, users, identity-provider mappings
  'directory.force_exists': { text: 'a police force with the id {{id}} exists already' },
  'directory.force_missing': { text: 'there is no police force {{forceId}}: add the force first' },
  'directory.authority_exists': { text: 'an authority with the id {{id}} exists already' },
  'directory.prefix_taken': { text: "the reference prefix {{prefix}} is another authority's" },
  'directory.authority_or_prefix_exists': { text: 'an authority with the id {{id}} or the reference prefix {{prefix}} exists already' },
  'directory.id_or_prefix_taken': { text: 'or referencePrefix is taken' },
  'directory.username_taken': { text: 'the username {{username}} is taken' },
  'directory.keep_own_admin': { text: 'you cannot take the admin role from yourself: ask another admin of your tenant' },
  'directory.keep_admin': { text: 'must keep admin for yourself' },
  'directory.deactivate_self': { text: 'you cannot deactivate yourself: ask another admin of your tenant' },
  'directory.is_you': { text: 'is you' },
  'directory.already_deactivated': { text: '{{username}} was deactivated already' },
  'directory.is_deactivated': { text: 'is deactivated already' },
  'directory.authority_mapping_exists': { text: 'authority {{authorityId}} maps {{claim}} = {{value}} already: remove that mapping to change its roles' },
  'directory.force_mapping_exists': { text: 'force {{forceId}} maps {{claim}} = {{value}} already: remove that mapping to change its roles' },
  'directory.is_mapped': { text: 'is mapped already' },
  'directory.tenant_in_query': { text: 'name the tenant: exactly one of authorityId or forceId in the query' },
  'directory.tenant_in_body': { text: 'name the tenant: exactly one of authorityId or forceId in the body' },
  'directory.tenant_needed': { text: 'or forceId is required (not both)' },
  'directory.no_authority': { text: 'there is no authority {{authorityId}}' },
  'directory.no_force': { text: 'there is no police force {{forceId}}' },
  'directory.not_authority': { text: 'is not an authority' },
  'directory.not_force': { text: 'is not a police force' },
  'directory.role_not_at_authority': { text: '{{roles}} is not a role at an authority: choose from {{allowed}}', values: { roles, allowed: roles } },
  'directory.roles_not_at_authority': { text: '{{roles}} are not roles at an authority: choose from {{allowed}}', values: { roles, allowed: roles } },
  'directory.role_not_at_force': { text: '{{roles}} is not a role at a police force: choose from {{allowed}}', values: { roles, allowed: roles } },
  'directory.roles_not_at_force': { text: '{{roles}} are not roles at a police force: choose from {{allowed}}', values: { roles, allowed: roles } },
  'directory.roles_allowed': { text: 'must be some of {{allowed}}', values: { allowed: roles } },

  // --- polls and their events
  'poll.election_taken': { text: 'the authority already has a poll with electionId {{electionId}}' },
  'poll.election_used': { text: 'already used by another poll of this authority' },
  'event.risk_not_found': { text: 'the risk is not in this authority’s register' },
  'event.no_such_risk': { text: 'no such risk in the register' },
  'event.risk_closed': { text: 'a closed risk cannot be linked to an event' },
  'event.times_misfit': { text: 'the event’s times do not fit its poll' },
  'event.ends_before_start': { text: 'must be after startsAt' },
  'event.far_from_poll': { text: 'must be within six weeks of polling day ({{pollingDay}})', values: { pollingDay: 'date' } },
  'event.contact_not_police': { text: 'the police contact must be a SPOC or FEOA of a force the authority works with' },
  'event.contact_not_spoc_or_feoa': { text: 'not a SPOC or FEOA of the authority’s force or a force it has a liaison agreement with' },
  // the gaps in an event's safety and security plan (GET /polls/:id/events/:eventId `planGaps`)
  'plan.no_venue': { text: 'no venue is recorded' },
  'plan.no_plan': { text: 'there is no safety and security plan' },
  'plan.no_measures': { text: 'the plan has no security measures' },
  'plan.no_police_contact': { text: 'no police liaison contact is named' },
  'plan.no_risk': { text: 'no risk from the register is linked to the verification or count' },

  // --- the risk register
  'risk.closed': { text: 'the risk is closed' },
  'risk.status_closed': { text: 'closed' },
  'risk.closed_no_cycle': { text: 'the risk is closed; it has no review cycle' },
  'risk.already_closed': { text: 'the risk is already closed' },
  'risk.owners_not_users': { text: 'owners must be users of this authority' },

  // --- police liaison and candidate contacts
  'liaison.contact_in_future': { text: 'at must not be in the future' },
  'liaison.authority_needed': { text: 'authorityId is required from a police force: which authority' },
  'liaison.authority_required': { text: 'is required from a police force' },
  'liaison.not_spoc_of': { text: 'is not a SPOC of {{forceId}}' },
  'liaison.not_feoa_of': { text: 'is not an FEOA of {{forceId}}' },
  'contact.email_or_phone': { text: 'a contact needs an email address or a telephone number' },
  'contact.give_email_or_phone': { text: 'give an email address or a telephone number' },
  'contact.no_agreement': { text: 'there is no liaison agreement with {{forceId}}, so it has no FEOA to share with' },
  'contact.force_no_agreement': { text: 'has no liaison agreement with this authority' },

  // --- indicators, their observations and uploads, and alerts
  'indicator.key_taken': { text: 'this authority already has an indicator with key {{key}}' },
  'indicator.observation_invalid': { text: 'the observation is not valid' },
  'indicator.file_problem': { text: 'the file has {{count}} problem; nothing was recorded', values: { count: 'number' } },
  'indicator.file_problems': { text: 'the file has {{count}} problems; nothing was recorded', values: { count: 'number' } },
  'indicator.file_problems_listed': {
    text: 'the file has {{count}} problems (the first {{listed}} are listed); nothing was recorded',
    values: { count: 'number', listed: 'number' },
  },
  'indicator.not_a_column': { text: 'is not a column this file may have ({{columns}})' },
  'indicator.column_twice': { text: 'appears twice' },
  'indicator.column_missing': { text: 'column is missing' },
  'indicator.empty': { text: 'is empty' },
  'indicator.unknown': { text: '"{{key}}" is not an indicator of this authority' },
  'indicator.retired': { text: '"{{key}}" is retired' },
  'indicator.too_long': { text: 'is longer than {{max}} characters', values: { max: 'number' } },
  'indicator.not_a_number': { text: '"{{value}}" is not a number of zero or more' },
  'indicator.not_a_time': { text: '"{{value}}" is not an ISO-8601 date or date-time' },
  'indicator.row_fields': { text: 'has a different number of fields from the header' },
  'indicator.not_csv': { text: 'is not valid CSV: {{reason}}' },
  'indicator.no_rows': { text: 'has no rows below its header' },
  'alert.already_linked': { text: 'the alert is already linked' },
  'alert.already_dismissed': { text: 'the alert is already dismissed' },
  'alert.not_open': { text: 'is {{status}}; only an open alert can be linked or dismissed', values: { status: { code: ['linked', 'dismissed'] } } },

  // --- the deadlines and reminders policy
  'policy.not_a_duration': { text: 'must be a non-zero ISO-8601 duration such as P2D, PT4H or PT30S' },
  'policy.unknown_field': { text: 'is not a policy field' },
  'policy.urgency_group': { text: 'must be an object with routine, urgent and immediate durations' },
  'policy.not_an_urgency': { text: 'is not an urgency (routine, urgent, immediate)' },
  'policy.remind_list': { text: 'must be a list of ISO-8601 durations' },
  'policy.poll_window': { text: 'must be an object with before, after and scale' },
  'policy.scale': { text: 'must be a number greater than 0 and at most 1' },
  'policy.near_poll': { text: 'must be an object with within and every durations' },
  'policy.extension_months': { text: 'must be a whole number of months from 1 to 11 (the application must be made within the first year)' },

  // --- allegations: intake, lists and search
  'intake.key_reused': { text: 'this Idempotency-Key was already used with a different request body' },
  'intake.key_reused_body': { text: 'reused with a different body' },
  'cursor.invalid': { text: 'cursor is not one this API returned' },
  'cursor.not_valid': { text: 'is not a valid cursor' },
  'cursor.other_search': { text: 'cursor belongs to a different search: repeat the q and filters of the page that returned it' },
  'cursor.from_other_search': { text: 'was returned by a different search' },
  'search.no_words': { text: 'q has no words to search for: only stop words or punctuation' },
  'search.no_searchable_words': { text: 'has no searchable words' },
  'period.ends_before_start': { text: '{{field}} is before the start of the period' },
  'period.before_start': { text: 'is before the start of the period' },

  // --- the transparency log
  'transparency.log_broken': { text: "the authority's audit log cannot be read whole: {{reason}}" },
  'transparency.log_index_missing': { text: "the authority's audit log cannot be read whole: log index {{index}} is missing", values: { index: 'number' } },
  'transparency.log_inconsistent': { text: 'is inconsistent' },
  'transparency.index_damaged': { text: 'index {{index}} is missing or damaged', values: { index: 'number' } },

  // --- problems with a field, shared by several routes
  'field.taken': { text: 'is taken' },
  'field.already_used': { text: 'is already used' },
  'field.no_such_force': { text: 'no such police force' },
  'field.no_such_case': { text: 'no such case in this authority' },
  'field.no_such_poll': { text: 'no such poll' },
  'field.not_user_of_authority': { text: 'is not a user of this authority' },
  'field.in_future': { text: 'is in the future' },

  // --- request validation (class-validator's words and the DTOs' own), and text the API refuses
  'validation.failed': { text: 'the request failed validation' },
  'validation.unknown_field': { text: 'is not a known field' },
  'validation.json_object': { text: 'must be a JSON object' },
  'validation.unknown_value': { text: 'an unknown value was passed to the validate function' },
  'validation.nul': { text: 'must not contain NUL characters' },
  'validation.lone_surrogate': { text: 'is not valid Unicode text (it holds a lone surrogate)' },
  'validation.key_nul': { text: 'is not a known field (its name must not contain NUL characters)' },
  'validation.key_lone_surrogate': { text: 'is not a known field (its name is not valid Unicode text (it holds a lone surrogate))' },
  'validation.too_deep': { text: 'is nested too deeply (at most {{max}} levels)', values: { max: 'number' } },
  'validation.not_empty': { text: 'should not be empty' },
  'validation.each_not_empty': { text: 'each value in {{field}} should not be empty' },
  'validation.defined': { text: 'should not be null or undefined' },
  'validation.string': { text: 'must be a string' },
  'validation.each_string': { text: 'each value in {{field}} must be a string' },
  'validation.max_length': { text: 'must be shorter than or equal to {{max}} characters', values: { max: 'number' } },
  'validation.each_max_length': { text: 'each value in {{field}} must be shorter than or equal to {{max}} characters', values: { max: 'number' } },
  'validation.min_length_reason': { text: 'must say why the details are shared, in at least 10 characters' },
  'validation.max': { text: 'must not be greater than {{max}}', values: { max: 'number' } },
  'validation.min': { text: 'must not be less than {{min}}', values: { min: 'number' } },
  'validation.whole_number': { text: 'must be a whole number' },
  'validation.integer': { text: 'must be an integer number' },
  'validation.number': { text: 'must be a number conforming to the specified constraints' },
  'validation.boolean': { text: 'must be a boolean value' },
  'validation.true_or_false': { text: 'must be true or false' },
  'validation.array': { text: 'must be an array' },
  'validation.object': { text: 'must be an object' },
  'validation.array_max': { text: 'must contain no more than {{max}} elements', values: { max: 'number' } },
  'validation.array_min': { text: 'must contain at least {{min}} elements', values: { min: 'number' } },
  'validation.a_role': { text: 'must name at least one role' },
  'validation.unique': { text: "All {{field}}'s elements must be unique" },
  'validation.nested': { text: 'nested property {{field}} must be either object or array' },
  'validation.each_nested': { text: 'each value in nested property {{field}} must be either object or array' },
  'validation.equals': { text: 'must be equal to {{value}}' },
  'validation.one_of': { text: 'must be one of {{values}}' },
  'validation.one_of_following': { text: 'must be one of the following values: {{values}}' },
  'validation.each_one_of': { text: 'each must be one of {{values}}' },
  'validation.each_one_of_following': { text: 'each value in {{field}} must be one of the following values: {{values}}' },
  'validation.at_least_one_of': { text: 'must give at least one of {{fields}}' },
  'validation.uuid': { text: 'must be a UUID' },
  'validation.each_uuid': { text: 'each value in {{field}} must be a UUID' },
  'validation.email': { text: 'must be an email' },
  'validation.email_example': { text: 'must be an email address, such as jo.smith@northshire.gov.uk' },
  'validation.url': { text: 'must be an http(s) URL' },
  'validation.telephone': { text: 'must be a telephone number' },
  'validation.instant': { text: 'must be a date (YYYY-MM-DD) or an ISO-8601 date-time with Z or an offset' },
  'validation.iso_date_string': { text: 'must be a valid ISO 8601 date string' },
  'validation.iso_date_time': { text: 'must be an ISO-8601 date-time' },
  'validation.real_date': { text: 'must be a real calendar date' },
  'validation.date': { text: 'must be a date YYYY-MM-DD' },
  'validation.date_as': { text: 'must be a date as YYYY-MM-DD' },
  'validation.not_in_future': { text: 'must not be in the future' },
  'validation.poll_date_required': { text: 'or pollDate is required' },
  'validation.duration': { text: 'must be an ISO-8601 duration such as P7D or PT12H' },
  'validation.duration_units': { text: 'must be an ISO-8601 duration of weeks, days, hours, minutes or seconds, such as P2W, P7D or PT12H' },
  'validation.force_id': { text: 'must be a police force id' },
  'validation.crime_reference': { text: 'must be 1 to 64 letters, digits, spaces and / . _ -' },
  'validation.reference_prefix': { text: 'must be 2 to 6 capital letters, such as WM' },
  'validation.tenant_id': { text: 'must be 2 to 63 lower-case letters, digits and hyphens, starting with a letter or digit, such as northshire-police' },
  'validation.indicator_key': { text: 'must be 2 to 63 lower-case letters, digits or underscores, starting with a letter' },
  'validation.username': { text: 'must be 3 to 100 letters, digits and . _ @ + -' },
  'validation.claim': { text: 'must be a claim name: letters, digits and _ : . / -, such as groups' },
  'validation.election_id': { text: 'must be lower-case letters, digits, dots and hyphens, such as local.northshire.2027-05-06' },
} as const satisfies Record<string, ProblemSpec>;

export type ProblemCode = keyof typeof PROBLEMS;

/** Codes whose wording is their values alone (a list of the details' problems; an uncoded refusal): no language has words for them. */
export const PASS_THROUGH_CODES: readonly ProblemCode[] = ['request.invalid', 'decision.uncoded'];
export type ProblemValue = string | number | readonly string[];
export type ProblemValues = Readonly<Record<string, ProblemValue>>;

/** The {{names}} in a wording. */
type Names<S extends string> = S extends `${string}{{${infer N}}}${infer Rest}` ? N | Names<Rest> : never;
/** The values a code's wording names, each required. */
export type ValuesOf<C extends ProblemCode> = { readonly [N in Names<(typeof PROBLEMS)[C]['text']>]: ProblemValue };
export type ValuesArg<C extends ProblemCode> = [Names<(typeof PROBLEMS)[C]['text']>] extends [never] ? [] : [values: ValuesOf<C>];

/** A refusal: its code, the values its wording names, and the English, as the API answers it. */
export interface Problem {
  code: ProblemCode;
  values: ProblemValues;
  message: string;
}

/** A problem with one field of the request, as in an error's `details`. */
export interface FieldProblem {
  field: string;
  problem: string;
  code: ProblemCode;
  values: ProblemValues;
  /** the line of an uploaded file the problem is on */
  line?: number;
}

export const isProblemCode = (code: unknown): code is ProblemCode => typeof code === 'string' && Object.prototype.hasOwnProperty.call(PROBLEMS, code);

/** The kind of one of a code's values. */
export function kindOf(code: ProblemCode, name: string): ValueKind {
  const values = (PROBLEMS[code] as ProblemSpec).values;
  return values?.[name] ?? 'text';
}

/** A value as the English wording writes it: lists joined, everything else as it is. */
export function englishValue(kind: ValueKind, value: ProblemValue | undefined): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.join(typeof kind === 'object' && 'codes' in kind && kind.join === 'or' ? ' or ' : ', ');
  return String(value);
}

/** The wording with each {{name}} replaced by `format(name, value)`. */
export function fillWording(text: string, format: (name: string) => string): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => format(name));
}

/** The English of a code with its values: the API's message. */
export function problemText(code: ProblemCode, values: ProblemValues = {}): string {
  return fillWording(PROBLEMS[code].text, (name) => englishValue(kindOf(code, name), values[name]));
}

/** A refusal with its code, values and English message. */
export function problem<C extends ProblemCode>(code: C, ...values: ValuesArg<C>): Problem {
  const given: ProblemValues = values[0] ?? {};
  return { code, values: given, message: problemText(code, given) };
}

/** A problem with one field: its code, values and English words (`problem`). */
export function fieldProblem<C extends ProblemCode>(field: string, code: C, ...values: ValuesArg<C>): FieldProblem {
  const given: ProblemValues = values[0] ?? {};
  return { field, problem: problemText(code, given), code, values: given };
}

// Reading a problem back from its English: class-validator and the DTOs word validation
// problems themselves, so the API finds each one's code by its words. The most specific wording
// is tried first (the longest without its {{values}}).
let readers: { code: ProblemCode; names: string[]; regex: RegExp; fixed: number }[] | undefined;

function wordingReaders() {
  readers ??= (Object.keys(PROBLEMS) as ProblemCode[])
    .filter((code) => !PASS_THROUGH_CODES.includes(code))
    .map((code) => {
      const text: string = PROBLEMS[code].text;
      const names = [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]);
      const parts = text.split(/\{\{\w+\}\}/);
      const regex = new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.+?)')}$`, 's');
      return { code, names, regex, fixed: parts.join('').length };
    })
    .sort((a, b) => b.fixed - a.fixed);
  return readers;
}

/** The code and values of an English problem, when some wording reads it back exactly; undefined otherwise. */
export function problemFromText(text: string): { code: ProblemCode; values: ProblemValues } | undefined {
  for (const { code, names, regex } of wordingReaders()) {
    const match = regex.exec(text);
    if (!match) continue;
    const values: Record<string, ProblemValue> = {};
    names.forEach((name, i) => {
      const kind = kindOf(code, name);
      const raw = match[i + 1];
      values[name] =
        typeof kind === 'object' && 'codes' in kind
          ? raw.split(kind.join === 'or' ? ' or ' : ', ')
          : kind === 'number' && /^-?\d+(\.\d+)?$/.test(raw)
            ? Number(raw)
            : raw;
    });
    if (problemText(code, values) === text) return { code, values };
  }
  return undefined;
}

/** A field problem from English words: with its code when some wording reads it back, as `request.invalid` otherwise. */
export function fieldProblemFromText(field: string, text: string, line?: number): FieldProblem {
  const found = problemFromText(text) ?? { code: 'request.invalid' as const, values: { summary: text } };
  return { field, problem: text, ...found, ...(line === undefined ? {} : { line }) };
}

/** Every wording a client needs words for, and every phrase a value may be (its terms); the pass-through codes have none. */
export function problemPhrases(): string[] {
  const out = new Set<string>();
  for (const code of Object.keys(PROBLEMS) as ProblemCode[]) {
    if (PASS_THROUGH_CODES.includes(code)) continue;
    const spec: ProblemSpec = PROBLEMS[code];
    out.add(spec.text);
    for (const kind of Object.values(spec.values ?? {})) if (typeof kind === 'object' && 'term' in kind) for (const term of kind.term) out.add(term);
  }
  return [...out];
}
