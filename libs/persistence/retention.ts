// Evidence retention: a closed case's items are kept for the authority's `evidenceRetention`
// after closure; then their disposal review falls due. A changed policy re-dates every item of
// the authority's closed cases, not only those closed later.
import type { EntityManager } from 'typeorm';
import { durationMs, parseDuration, withPolicyDefaults, type Policy } from '@libs/domain';
import { EvidenceStore } from './stores/evidence.store';
import { PoliciesStore } from './stores/policies.store';

async function retentionMs(m: EntityManager, authorityId: string): Promise<number> {
  const stored = await new PoliciesStore(m).find(authorityId);
  return durationMs(parseDuration(withPolicyDefaults((stored?.document as Partial<Policy>) ?? {}).evidenceRetention));
}

/** Sets the retention date of a closed case's items that have none yet. */
export async function setRetentionOnClosure(m: EntityManager, caseId: string, authorityId: string, closedAt: string): Promise<void> {
  const ms = await retentionMs(m, authorityId);
  await new EvidenceStore(m).setRetentionFrom(caseId, closedAt, ms);
}

/** Re-dates the retention of every live item of the authority's closed cases; returns how many. */
export async function reevaluateRetention(m: EntityManager, authorityId: string): Promise<number> {
  const ms = await retentionMs(m, authorityId);
  return new EvidenceStore(m).redateRetentionOfClosedCases(authorityId, ms);
}
