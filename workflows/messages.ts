// The allegation workflow's inputs and messages. The API and the workflow both import this
// file, so a message's name and payload are defined in exactly one place.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AllegationStatus, OffenceCategory, Policy, Urgency } from '../libs/domain';

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

export type DeadlineKind = 'triage';

export interface DeadlineState {
  kind: DeadlineKind;
  dueAt: string;
  remindersSent: number;
  escalated: boolean;
}

export interface AllegationState {
  caseId: string;
  reference: string;
  status: AllegationStatus;
  /** urgency after safety rules: a safety concern always takes the shortest deadlines */
  effectiveUrgency: Urgency;
  safetyConcern: boolean;
  deadlines: DeadlineState[];
}

export const getStateQuery = defineQuery<AllegationState>('getState');

/** The authority's policy changed; deadlines set from now on use it. */
export const policyChangedSignal = defineSignal<[Policy]>('policyChanged');
