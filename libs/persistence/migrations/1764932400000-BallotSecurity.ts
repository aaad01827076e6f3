import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE, WORKER_ROLE } from '../roles';

/**
 * Ballot paper batches and ballot boxes tracked with a custody log, the discrepancies a step
 * finds (a seal or a count that does not match), raised to triage, and the security reviews held
 * with the police (docs/users/ballot-security.md).
 */
export class BallotSecurity1764932400000 implements MigrationInterface {
  name = 'BallotSecurity1764932400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ballot_items (
        id uuid PRIMARY KEY,
        authority_id text NOT NULL REFERENCES authorities(id),
        poll_id uuid REFERENCES polls(id),
        kind text NOT NULL CHECK (kind IN ('ballot_paper_batch', 'ballot_box')),
        label text NOT NULL,
        quantity integer CHECK (quantity >= 0),
        serial_from text,
        serial_to text,
        status text NOT NULL CHECK (status IN ('held', 'sealed', 'opened', 'returned')),
        location text NOT NULL,
        seal_number text,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (authority_id, kind, label)
      );
      CREATE INDEX ballot_items_poll_idx ON ballot_items (authority_id, poll_id, kind);
      CREATE TABLE ballot_custody_events (
        id uuid PRIMARY KEY,
        item_id uuid NOT NULL REFERENCES ballot_items(id),
        authority_id text NOT NULL REFERENCES authorities(id),
        action text NOT NULL,
        at timestamptz NOT NULL,
        recorded_by uuid NOT NULL,
        location text NOT NULL,
        seal_number text,
        seal_number_observed text,
        count_observed integer,
        access_by text[] NOT NULL DEFAULT '{}',
        note text NOT NULL DEFAULT ''
      );
      CREATE INDEX ballot_custody_events_item_idx ON ballot_custody_events (item_id, at);
      CREATE TABLE ballot_discrepancies (
        id uuid PRIMARY KEY,
        authority_id text NOT NULL REFERENCES authorities(id),
        item_id uuid NOT NULL REFERENCES ballot_items(id),
        custody_event_id uuid NOT NULL REFERENCES ballot_custody_events(id),
        kind text NOT NULL CHECK (kind IN ('seal_mismatch', 'count_mismatch')),
        expected text NOT NULL,
        observed text NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'allegation', 'dismissed')),
        allegation_id uuid REFERENCES allegations(id),
        decision_note text,
        decided_by uuid,
        decided_at timestamptz,
        raised_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ballot_discrepancies_authority_idx ON ballot_discrepancies (authority_id, status, raised_at DESC);
      CREATE TABLE ballot_security_reviews (
        id uuid PRIMARY KEY,
        authority_id text NOT NULL REFERENCES authorities(id),
        poll_id uuid REFERENCES polls(id),
        force_id text NOT NULL REFERENCES police_forces(id),
        held_on date NOT NULL,
        attendees text[] NOT NULL,
        findings text NOT NULL,
        actions jsonb NOT NULL,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ballot_security_reviews_authority_idx ON ballot_security_reviews (authority_id, held_on DESC);
      CREATE INDEX ballot_security_reviews_force_idx ON ballot_security_reviews (force_id);
    `);
    const policies: Record<string, string> = {
      ballot_items: 'authority_id = app_authority()',
      ballot_custody_events: 'authority_id = app_authority()',
      ballot_discrepancies: 'authority_id = app_authority()',
      ballot_security_reviews: 'authority_id = app_authority() OR force_id = app_force()',
    };
    for (const [table, rule] of Object.entries(policies)) {
      await q.query(`GRANT SELECT, INSERT, UPDATE ON ${table} TO ${API_ROLE}, ${WORKER_ROLE}`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant ON ${table} TO ${API_ROLE} USING (${rule} OR app_system())`);
      await q.query(`CREATE POLICY worker ON ${table} TO ${WORKER_ROLE} USING (true)`);
    }
    // The custody log and the reviews are records: appended, never changed.
    await q.query(`REVOKE UPDATE ON ballot_custody_events, ballot_security_reviews FROM ${API_ROLE}, ${WORKER_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ballot_security_reviews; DROP TABLE ballot_discrepancies; DROP TABLE ballot_custody_events; DROP TABLE ballot_items');
  }
}
