// The allegation workflow's inputs and messages. The API and the workflow both import this
// file, so a message's name and payload are defined in exactly one place.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AllegationStatus,
  CaseOutcome,
  OffenceCategory,
  PoliceOutcome,
  Policy,
  Resolution,
  ReturnReason,
  StatutoryClock,
  Urgency,
} from '../libs/domain';
import type { Role } from '../libs/auth/principal';

export interface AllegationWorkflowInput {
  caseId: string;
  authorityId: string;
  /** the police force that covers the authority; told at once of safety concerns */
  forceId: string;
  reference: string;
  category: OffenceCategory;
  urgency: Urgency;
  safetyConcern: boolean;
  pollDate: string | null;
  occurredAt: string;
  receivedAt: string;
  /** the authority's policy when the case was logged; `policyChanged` replaces it */
  policy: Policy;
}

export type DeadlineKind = 'triage' | 'spoc_response' | 'information_reply';

export interface DeadlineState {
  kind: DeadlineKind;
  dueAt: string;
  remindersSent: number;
  escalated: boolean;
  /** when the deadline was set; reminders already past then are skipped */
  setAt?: string;
  /** set when the step the deadline was for is done (or overtaken), so it no longer counts */
  metAt?: string;
}

/** Who asks for a decision. The API passes the verified token's claims; the workflow re-checks them. */
export interface Actor {
  userId: string;
  username?: string;
  roles: Role[];
  authorityId?: string;
  forceId?: string;
}

export interface ReferralState {
  forceId: string;
  /** the SPOC the referral is addressed to, when triage named one; otherwise every SPOC of the force */
  spocId: string | null;
  referredAt: string;
  referredBy: string;
  respondBy: string;
  status: 'pending' | 'accepted' | 'returned' | 'withdrawn';
  acceptedAt?: string;
  acceptedBy?: string;
  crimeReference?: string;
  returnedAt?: string;
  returnedBy?: string;
  reasonCode?: ReturnReason;
  suggestedForceId?: string | null;
}

export interface InformationRequestState {
  requestedAt: string;
  replyDueAt: string;
  receivedAt?: string;
  /** the reply deadline passed and the case went back to triage */
  lapsedAt?: string;
}

export interface StatutoryClockState extends StatutoryClock {
  extensionTaskSentAt?: string;
  extensionAppliedAt?: string;
  proceedingsStartedAt?: string;
}

export interface AllegationState {
  caseId: string;
  reference: string;
  status: AllegationStatus;
  /** counts every transition; the projection in PostgreSQL keeps the highest it has seen */
  version: number;
  /** urgency after safety rules: a safety concern always takes the shortest deadlines */
  effectiveUrgency: Urgency;
  safetyConcern: boolean;
  /** a safety concern about candidates or officials, for the police's Operation Ford */
  operationFord: boolean;
  deadlines: DeadlineState[];
  /** the current (latest) referral; earlier ones stay in `referrals` */
  referral: ReferralState | null;
  referrals: ReferralState[];
  informationRequest: InformationRequestState | null;
  /** the triage officer who first decided on the case: the owner of its statutory tasks */
  triageOwnerId: string | null;
  resolution: Resolution | null;
  duplicateOf: string | null;
  investigationUpdates: number;
  policeOutcome: { outcome: PoliceOutcome; at: string; by: string } | null;
  outcome: CaseOutcome | null;
  closedAt: string | null;
  statutoryClock: StatutoryClockState | null;
}

// --- decisions: each is an Update whose validator refuses what the current state does not allow

export type TriageDecision =
  | { decision: 'refer'; forceId: string; spocId?: string; note: string }
  | { decision: 'resolve'; resolution: Exclude<Resolution, 'duplicate'>; note: string }
  | { decision: 'request_information'; note: string; question?: string }
  | { decision: 'duplicate'; duplicateOf: string; note: string };

export interface AcceptReferral {
  crimeReference: string;
  note?: string;
}

export interface ReturnReferral {
  reasonCode: ReturnReason;
  note: string;
  suggestedForceId?: string;
}

export interface InvestigationUpdate {
  note: string;
}

export interface RecordPoliceOutcome {
  outcome: PoliceOutcome;
  note: string;
}

export interface InformationReceived {
  note: string;
}

export interface CloseCase {
  outcome: PoliceOutcome;
  note: string;
}

export interface WithdrawCase {
  note: string;
}

export interface ApplyForExtension {
  note: string;
}

export const triageUpdate = defineUpdate<AllegationState, [TriageDecision, Actor]>('triage');
export const acceptReferralUpdate = defineUpdate<AllegationState, [AcceptReferral, Actor]>('acceptReferral');
export const returnReferralUpdate = defineUpdate<AllegationState, [ReturnReferral, Actor]>('returnReferral');
export const investigationUpdate = defineUpdate<AllegationState, [InvestigationUpdate, Actor]>('investigationUpdate');
export const recordPoliceOutcomeUpdate = defineUpdate<AllegationState, [RecordPoliceOutcome, Actor]>('recordPoliceOutcome');
export const informationReceivedUpdate = defineUpdate<AllegationState, [InformationReceived, Actor]>('informationReceived');
export const closeUpdate = defineUpdate<AllegationState, [CloseCase, Actor]>('close');
export const withdrawUpdate = defineUpdate<AllegationState, [WithdrawCase, Actor]>('withdraw');
export const applyForExtensionUpdate = defineUpdate<AllegationState, [ApplyForExtension, Actor]>('applyForExtension');

/** The failure type a validator refuses with; the API answers it with 409 and the current state. */
export const DECISION_REFUSED = 'DecisionRefused';

export const getStateQuery = defineQuery<AllegationState>('getState');

/** The authority's policy changed; deadlines set from now on use it. */
export const policyChangedSignal = defineSignal<[Policy]>('policyChanged');

// --- evidence packages: a child workflow of the allegation per package

export interface PackageEvidence {
  /** chosen by the API, so that a retried request cannot seal two packages */
  packageId: string;
  evidenceIds: string[];
  note?: string;
}

export interface SealedPackage {
  packageId: string;
  manifestSha256: string;
  items: { id: string; sha256: string | null }[];
}

export interface EvidencePackageInput {
  packageId: string;
  caseId: string;
  authorityId: string;
  forceId: string;
  reference: string;
  pollDate: string | null;
  policy: Policy;
}

export interface EvidencePackageState {
  packageId: string;
  status: 'sealed' | 'handed_over' | 'acknowledged';
  handedOverAt: string | null;
  acknowledgeDueAt: string | null;
  acknowledgedAt: string | null;
  remindersSent: number;
  escalated: boolean;
}

export const packageEvidenceUpdate = defineUpdate<SealedPackage, [PackageEvidence, Actor]>('packageEvidence');
export const handOverPackageUpdate = defineUpdate<EvidencePackageState, [{ note?: string }, Actor]>('handOverPackage');
export const acknowledgePackageUpdate = defineUpdate<EvidencePackageState, [{ note?: string }, Actor]>('acknowledgePackage');
export const getPackageStateQuery = defineQuery<EvidencePackageState>('getPackageState');

export function evidencePackageWorkflowId(packageId: string): string {
  return `evidence-package-${packageId}`;
}

// --- the risk register: one review-cycle workflow per open risk

export interface RiskReviewInput {
  riskId: string;
  authorityId: string;
  title: string;
  ownerId: string;
  reviewEvery: string;
  pollDate: string | null;
  /** the last review, or when the risk was registered */
  lastReviewedAt: string;
  policy: Policy;
  /** carried across continue-as-new */
  cycles?: number;
}

export interface RiskReviewState {
  riskId: string;
  ownerId: string;
  reviewEvery: string;
  pollDate: string | null;
  lastReviewedAt: string;
  nextReviewDueAt: string;
  remindersSent: number;
  escalations: number;
  cycles: number;
  closed: boolean;
}

export interface RiskChange {
  ownerId?: string;
  reviewEvery?: string;
  pollDate?: string | null;
  title?: string;
}

export const riskChangedSignal = defineSignal<[RiskChange]>('riskChanged');
export const closeRiskSignal = defineSignal('closeRisk');
export const riskReviewedUpdate = defineUpdate<RiskReviewState, [{ reviewedAt: string }]>('riskReviewed');
export const getRiskReviewStateQuery = defineQuery<RiskReviewState>('getRiskReviewState');

export function riskReviewWorkflowId(riskId: string): string {
  return `risk-review-${riskId}`;
}

// --- police liaison: one contact-cadence workflow per liaison agreement (authority, force)

export interface LiaisonInput {
  agreementId: string;
  authorityId: string;
  forceId: string;
  /** the authority's lead, reminded when contact falls due; null: the Returning Officer */
  leadId: string | null;
  spocId: string;
  feoaId: string;
  /** ISO-8601 duration: how regularly the two sides agreed to be in contact */
  contactEvery: string;
  /** the last contact, or when the agreement was made */
  lastContactAt: string;
  /** carried across continue-as-new */
  cycles?: number;
}

export interface LiaisonState {
  agreementId: string;
  leadId: string | null;
  spocId: string;
  feoaId: string;
  contactEvery: string;
  lastContactAt: string;
  nextContactDueAt: string;
  remindersSent: number;
  escalations: number;
  cycles: number;
}

export interface LiaisonChange {
  leadId?: string | null;
  spocId?: string;
  feoaId?: string;
  contactEvery?: string;
}

export const liaisonChangedSignal = defineSignal<[LiaisonChange]>('liaisonChanged');
export const liaisonContactUpdate = defineUpdate<LiaisonState, [{ at: string }]>('liaisonContact');
export const getLiaisonStateQuery = defineQuery<LiaisonState>('getLiaisonState');

export function liaisonWorkflowId(agreementId: string): string {
  return `liaison-${agreementId}`;
}
