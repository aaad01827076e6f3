import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The allegation lifecycle's projection: the workflow's state (referral, deadlines, outcome,
 * statutory clock) as the API shows it, versioned so that an older projection never overwrites
 * a newer one, and every force a case was ever referred to (their SPOCs keep read access).
 */
export class Lifecycle1763902800000 implements MigrationInterface {
  name = 'Lifecycle1763902800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE allegations
        ADD COLUMN state jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN state_version int NOT NULL DEFAULT 0,
        ADD COLUMN spoc_due_at timestamptz,
        ADD COLUMN information_due_at timestamptz,
        ADD COLUMN next_due_at timestamptz,
        ADD COLUMN outcome text,
        ADD COLUMN closed_at timestamptz,
        ADD COLUMN duplicate_of uuid REFERENCES allegations(id),
        ADD COLUMN referral_force_ids text[] NOT NULL DEFAULT '{}',
        ADD COLUMN operation_ford boolean NOT NULL DEFAULT false;
      UPDATE allegations SET next_due_at = triage_due_at WHERE status = 'triage';
      UPDATE allegations SET operation_ford = (safety_concern OR urgency = 'immediate');
      CREATE INDEX allegations_referral_forces_idx ON allegations USING gin (referral_force_ids);
      CREATE INDEX allegations_open_due_idx ON allegations (authority_id, next_due_at) WHERE next_due_at IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX allegations_open_due_idx;
      DROP INDEX allegations_referral_forces_idx;
      ALTER TABLE allegations
        DROP COLUMN state, DROP COLUMN state_version, DROP COLUMN spoc_due_at, DROP COLUMN information_due_at,
        DROP COLUMN next_due_at, DROP COLUMN outcome, DROP COLUMN closed_at, DROP COLUMN duplicate_of,
        DROP COLUMN referral_force_ids, DROP COLUMN operation_ford;
    `);
  }
}
