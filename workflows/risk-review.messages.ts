// The risk review workflow's input, state and messages, shared with the API: one review-cycle
// workflow per open risk. It also answers `policyChangedSignal` (shared/messages.ts).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Policy } from '@libs/domain';

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
