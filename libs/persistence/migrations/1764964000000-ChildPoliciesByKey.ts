import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox's policy, again (1764962000000-OutboxPolicyByCase): four more tables said "the parent
 * row is one the caller may see" as `parent_id IN (SELECT id FROM parent)`. PostgreSQL answers
 * that with a hashed subplan, a scan of every parent row the caller may see, built for each
 * statement that checks a row. The parents here grow with polling day: cases (for the evidence
 * tables' case arm), evidence items (for each custody event, whose subplan scans the evidence
 * items and, through their policy, the cases), and risks (for each review). The correlated
 * `EXISTS` says the same (the parent exists and the caller may see it, through its own policy) and
 * is answered through the parent's primary key. Figures in docs/developers/performance.md.
 * The small parents (indicators, liaison agreements, data sharing records) keep the old form: a
 * bulk insert of observations checks each row, and one hashed scan of a few rows is cheaper there.
 */
const POLICIES: Record<string, { byKey: string; before: string }> = {
  evidence_items: {
    byKey: 'authority_id = app_authority() OR EXISTS (SELECT 1 FROM allegations a WHERE a.id = evidence_items.case_id)',
    before: 'authority_id = app_authority() OR case_id IN (SELECT id FROM allegations)',
  },
  evidence_packages: {
    byKey: 'authority_id = app_authority() OR force_id = app_force() OR EXISTS (SELECT 1 FROM allegations a WHERE a.id = evidence_packages.case_id)',
    before: 'authority_id = app_authority() OR force_id = app_force() OR case_id IN (SELECT id FROM allegations)',
  },
  custody_events: {
    byKey: 'EXISTS (SELECT 1 FROM evidence_items e WHERE e.id = custody_events.evidence_id)',
    before: 'evidence_id IN (SELECT id FROM evidence_items)',
  },
  risk_reviews: {
    byKey: 'EXISTS (SELECT 1 FROM risks r WHERE r.id = risk_reviews.risk_id)',
    before: 'risk_id IN (SELECT id FROM risks)',
  },
};

export class ChildPoliciesByKey1764964000000 implements MigrationInterface {
  name = 'ChildPoliciesByKey1764964000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, { byKey }] of Object.entries(POLICIES)) await q.query(`ALTER POLICY tenant ON ${table} USING (${byKey} OR app_system())`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table, { before }] of Object.entries(POLICIES)) await q.query(`ALTER POLICY tenant ON ${table} USING (${before} OR app_system())`);
  }
}
