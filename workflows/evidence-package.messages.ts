// The evidence package workflow's input, state and messages, shared with the API. The package is
// sealed by the allegation's `packageEvidenceUpdate` (allegation/messages.ts), which starts it.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Policy } from '@libs/domain';
import type { Actor } from './shared/types';

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

export const handOverPackageUpdate = defineUpdate<EvidencePackageState, [{ note?: string }, Actor]>('handOverPackage');
export const acknowledgePackageUpdate = defineUpdate<EvidencePackageState, [{ note?: string }, Actor]>('acknowledgePackage');
export const getPackageStateQuery = defineQuery<EvidencePackageState>('getPackageState');

export function evidencePackageWorkflowId(packageId: string): string {
  return `evidence-package-${packageId}`;
}
