// The risk review workflow's input, state and messages, shared with the API: one review-cycle
// workflow per open risk. It also answers `policyChangedSignal` (shared/messages.ts). Below them,
// the messages of each authority's dispatcher of review notices (risk-review-dispatch.workflow.ts).
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

/** The dispatcher of an authority's review notices: one per authority. */
export interface RiskReviewDispatchInput {
  authorityId: string;
  /** carried across continue-as-new: when it was next to look, and its counts so far */
  wakeAt?: string | null;
  totals?: RiskReviewDispatchTotals;
}

export interface RiskReviewDispatchTotals {
  /** times it looked for notices due */
  looks: number;
  reminders: number;
  escalations: number;
  /** transactions that sent notices */
  batches: number;
}

export interface RiskReviewDispatchState extends RiskReviewDispatchTotals {
  authorityId: string;
  /** when it will next look; null: when woken */
  wakeAt: string | null;
}

/** A review falls due at `dueAt`: the dispatcher looks then, if it would otherwise look later. */
export const riskNoticeDueSignal = defineSignal<[{ dueAt: string }]>('riskNoticeDue');
export const getRiskReviewDispatchStateQuery = defineQuery<RiskReviewDispatchState>('getRiskReviewDispatchState');

/**
 * One dispatcher per authority and task queue: deployments (or test stacks) that share a
 * Temporal namespace each have their own, on their own task queue, reading their own database.
 */
export function riskReviewDispatchWorkflowId(authorityId: string, taskQueue: string): string {
  return `risk-review-dispatch-${taskQueue}-${authorityId}`;
}
