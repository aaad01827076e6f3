// Evidence retention: a closed case's items are kept for the authority's `evidenceRetention`
// after closure; then their disposal review falls due. A changed policy re-dates every item of
// the authority's closed cases, not only those closed later.
import type { EntityManager } from 'typeorm';
import { durationMs, parseDuration, withPolicyDefaults, type Policy } from '@libs/domain';

async function retentionMs(m: EntityManager, authorityId: string): Promise<number> {
  const [row] = await m.query('SELECT document FROM policies WHERE authority_id = $1', [authorityId]);
  return durationMs(parseDuration(withPolicyDefaults((row?.document as Partial<Policy>) ?? {}).evidenceRetention));
}

/** Sets the retention date of a closed case's items that have none yet. */
export async function setRetentionOnClosure(m: EntityManager, caseId: string, authorityId: string, closedAt: string): Promise<void> {
  const ms = await retentionMs(m, authorityId);
  await m.query(
    `UPDATE evidence_items SET retention_until = $2::timestamptz + ($3 || ' milliseconds')::interval WHERE case_id = $1 AND retention_until IS NULL AND status <> 'destroyed'`,
    [caseId, closedAt, String(ms)],
  );
}

/** Re-dates the retention of every live item of the authority's closed cases; returns how many. */
export async function reevaluateRetention(m: EntityManager, authorityId: string): Promise<number> {
  const ms = await retentionMs(m, authorityId);
  const [, count] = await m.query(
    `UPDATE evidence_items e SET retention_until = a.closed_at + ($2 || ' milliseconds')::interval
       FROM allegations a
      WHERE e.case_id = a.id AND a.authority_id = $1 AND a.closed_at IS NOT NULL AND e.status <> 'destroyed'`,
    [authorityId, String(ms)],
  );
  return Number(count ?? 0);
}
