// The allegation workflow's input, state and messages. The API and the workflow both import this
// file, so a message's name and payload are defined in exactly one place. The workflow also
// answers `policyChangedSignal` (../shared/messages.ts).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AllegationStatus, CaseOutcome, OffenceCategory, PoliceOutcome, Policy, Resolution, ReturnReason, StatutoryClock, Urgency } from '@libs/domain';
import type { Actor } from '../shared/types';

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

export const getStateQuery = defineQuery<AllegationState>('getState');

// --- evidence packages: sealed by a decision on the case, then a child workflow each
// (../evidence-package.messages.ts)

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

export const packageEvidenceUpdate = defineUpdate<SealedPackage, [PackageEvidence, Actor]>('packageEvidence');
