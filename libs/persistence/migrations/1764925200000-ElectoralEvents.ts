import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE, WORKER_ROLE } from '../roles';

/**
 * Polls and their electoral events (polling day, postal vote opening sessions, verification,
 * count), each event with its safety and security plan, its police liaison contact and the risks
 * from the register it is exposed to. An authority's own records; the force named as an event's
 * police contact may read that event (docs/users/electoral-events.md).
 */
export class ElectoralEvents1764925200000 implements MigrationInterface {
  name = 'ElectoralEvents1764925200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE polls (
        id uuid PRIMARY KEY,
        authority_id text NOT NULL REFERENCES authorities(id),
        -- the identifier allegations and risks already carry (electionId), unique in the authority
        election_id text NOT NULL,
        title text NOT NULL,
        polling_day date NOT NULL,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (authority_id, election_id)
      );
      CREATE TABLE electoral_events (
        id uuid PRIMARY KEY,
        poll_id uuid NOT NULL REFERENCES polls(id),
        authority_id text NOT NULL REFERENCES authorities(id),
        kind text NOT NULL CHECK (kind IN ('polling_day', 'postal_vote_opening', 'verification', 'count', 'other')),
        title text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz,
        venue text NOT NULL DEFAULT '',
        plan jsonb,
        police_force_id text REFERENCES police_forces(id),
        police_contact_id uuid REFERENCES users(id),
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX electoral_events_poll_idx ON electoral_events (poll_id, starts_at);
      CREATE INDEX electoral_events_force_idx ON electoral_events (police_force_id);
      CREATE TABLE electoral_event_risks (
        event_id uuid NOT NULL REFERENCES electoral_events(id),
        risk_id uuid NOT NULL REFERENCES risks(id),
        authority_id text NOT NULL REFERENCES authorities(id),
        linked_by uuid NOT NULL,
        linked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, risk_id)
      );
      CREATE INDEX electoral_event_risks_risk_idx ON electoral_event_risks (risk_id);
    `);
    const policies: Record<string, string> = {
      polls: 'authority_id = app_authority() OR id IN (SELECT poll_id FROM electoral_events WHERE police_force_id = app_force())',
      electoral_events: 'authority_id = app_authority() OR police_force_id = app_force()',
      electoral_event_risks: 'authority_id = app_authority()',
    };
    for (const [table, rule] of Object.entries(policies)) {
      await q.query(`GRANT SELECT, INSERT, UPDATE ON ${table} TO ${API_ROLE}, ${WORKER_ROLE}`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant ON ${table} TO ${API_ROLE} USING (${rule} OR app_system())`);
      await q.query(`CREATE POLICY worker ON ${table} TO ${WORKER_ROLE} USING (true)`);
    }
    // A risk is unlinked from an event when the plan no longer needs it.
    await q.query(`GRANT DELETE ON electoral_event_risks TO ${API_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The polls policy reads electoral_events: it goes first.
    await q.query('DROP POLICY tenant ON polls; DROP TABLE electoral_event_risks; DROP TABLE electoral_events; DROP TABLE polls');
  }
}
