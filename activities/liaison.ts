import type { DataSource } from 'typeorm';
import { withPolicyDefaults, type Policy } from '@libs/domain';
import { LiaisonStore } from '@libs/persistence/stores/liaison.store';

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
  const [row] = await db.query('SELECT document FROM policies WHERE authority_id = $1', [authorityId]);
  return withPolicyDefaults((row?.document as Partial<Policy>) ?? {}).liaisonContactGrace;
}
