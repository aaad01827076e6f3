import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The API's row-level security policy on the intake outbox (`workflow_starts`) said "the case is
 * one the caller may see" as `allegation_id IN (SELECT id FROM allegations)`. PostgreSQL cannot
 * turn that into a lookup by key inside a policy: it ran the subquery whole, a scan of every case
 * the caller may see, for each outbox row it checked. So the intake's outbox insert and its
 * `markStarted` (which checks the row twice, as it reads and as it writes) each cost time in
 * proportion to the authority's cases: 7.5 ms and 7.9 ms of PostgreSQL time at 5,000 cases,
 * against 0.2 ms and 0.1 ms with the policy below (`EXPLAIN ANALYZE`, docs/developers/performance.md).
 * The correlated `EXISTS` says the same thing (the row's case exists and the caller may see it,
 * through the cases' own policy) and is answered through the cases' primary key.
 */
export class OutboxPolicyByCase1764962000000 implements MigrationInterface {
  name = 'OutboxPolicyByCase1764962000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER POLICY tenant ON workflow_starts USING (EXISTS (SELECT 1 FROM allegations a WHERE a.id = workflow_starts.allegation_id) OR app_system())',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER POLICY tenant ON workflow_starts USING (allegation_id IN (SELECT id FROM allegations) OR app_system())');
  }
}
