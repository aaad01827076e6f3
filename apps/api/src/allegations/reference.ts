import type { EntityManager } from 'typeorm';

/**
 * The next human reference of an authority for a year, like NS-2026-00042. The counter row is
 * locked until the intake transaction ends, so numbers are unique and a rolled-back intake
 * leaves no gap.
 */
export async function nextReference(m: EntityManager, authorityId: string, prefix: string, year: number): Promise<string> {
  const [row] = await m.query(
    `INSERT INTO reference_counters (authority_id, year, last_number) VALUES ($1, $2, 1)
     ON CONFLICT (authority_id, year) DO UPDATE SET last_number = reference_counters.last_number + 1
     RETURNING last_number`,
    [authorityId, year],
  );
  return `${prefix}-${year}-${String(row.last_number).padStart(5, '0')}`;
}
