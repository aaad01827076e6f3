// The police liaison workflow's input, state and messages, shared with the API: one
// contact-cadence workflow per liaison agreement (authority, force).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

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
