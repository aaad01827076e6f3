import type { DataSource } from 'typeorm';
import { withPolicyDefaults, type Policy } from '@libs/domain';
import { LiaisonStore } from '@libs/persistence/stores/liaison.store';
import { PoliciesStore } from '@libs/persistence/stores/policies.store';

/** Projects the liaison workflow's next contact due date, which `GET /liaison` reads. */
export async function projectLiaisonDue(db: DataSource, input: { agreementId: string; nextContactDueAt: string; escalated?: boolean }): Promise<void> {
  await new LiaisonStore(db).projectDue(input.agreementId, input.nextContactDueAt, Boolean(input.escalated));
}

/**
 * The authority's grace between contact falling due and the escalation to its Returning Officer,
 * read from the stored policy each time a reminder goes out, so a policy change applies from the
 * next due contact without the policy service having to signal every liaison workflow.
 */
export async function liaisonContactGrace(db: DataSource, authorityId: string): Promise<string> {
  const stored = await new PoliciesStore(db).find(authorityId);
  return withPolicyDefaults((stored?.document as Partial<Policy>) ?? {}).liaisonContactGrace;
}
