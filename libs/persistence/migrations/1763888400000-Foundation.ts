import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants, users, policy, allegations with their intake outbox, audit chain and notifications. */
export class Foundation1763888400000 implements MigrationInterface {
  name = 'Foundation1763888400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE police_forces (
        id text PRIMARY KEY,
        name text NOT NULL
      );
      CREATE TABLE authorities (
        id text PRIMARY KEY,
        name text NOT NULL,
        reference_prefix text NOT NULL UNIQUE,
        force_id text NOT NULL REFERENCES police_forces(id)
      );
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        username text NOT NULL UNIQUE,
        display_name text NOT NULL,
        email text NOT NULL,
        roles text[] NOT NULL,
        authority_id text REFERENCES authorities(id),
        force_id text REFERENCES police_forces(id),
        CHECK ((authority_id IS NULL) <> (force_id IS NULL))
      );
      CREATE INDEX users_authority_idx ON users (authority_id);
      CREATE INDEX users_force_idx ON users (force_id);
      CREATE TABLE policies (
        authority_id text PRIMARY KEY REFERENCES authorities(id),
        document jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid
      );
      CREATE TABLE reference_counters (
        authority_id text NOT NULL REFERENCES authorities(id),
        year int NOT NULL,
        last_number int NOT NULL,
        PRIMARY KEY (authority_id, year)
      );
      CREATE TABLE allegations (
        id uuid PRIMARY KEY,
        authority_id text NOT NULL REFERENCES authorities(id),
        reference text NOT NULL UNIQUE,
        category text NOT NULL,
        election_id text,
        poll_date date,
        location jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        reporter jsonb NOT NULL,
        description text NOT NULL,
        urgency text NOT NULL,
        safety_concern boolean NOT NULL,
        people_involved jsonb NOT NULL DEFAULT '[]',
        status text NOT NULL,
        triage_due_at timestamptz,
        referred_force_id text REFERENCES police_forces(id),
        escalated_at timestamptz,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX allegations_tenant_created_idx ON allegations (authority_id, created_at DESC, id DESC);
      CREATE INDEX allegations_referred_force_idx ON allegations (referred_force_id);
      CREATE TABLE idempotency_keys (
        authority_id text NOT NULL REFERENCES authorities(id),
        key text NOT NULL,
        request_hash text NOT NULL,
        -- Deferred so the key can be claimed first in the transaction, before the case exists.
        allegation_id uuid NOT NULL REFERENCES allegations(id) DEFERRABLE INITIALLY DEFERRED,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (authority_id, key)
      );
      -- Transactional outbox: the row that promises a workflow for an acknowledged allegation.
      CREATE TABLE workflow_starts (
        allegation_id uuid PRIMARY KEY REFERENCES allegations(id),
        workflow_id text NOT NULL UNIQUE,
        input jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        attempts int NOT NULL DEFAULT 0,
        last_error text
      );
      CREATE INDEX workflow_starts_pending_idx ON workflow_starts (created_at) WHERE started_at IS NULL;
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        case_id uuid NOT NULL,
        authority_id text NOT NULL REFERENCES authorities(id),
        seq int NOT NULL,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        role text NOT NULL,
        action text NOT NULL,
        before jsonb,
        after jsonb,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        UNIQUE (case_id, seq)
      );
      CREATE TABLE notifications (
        id uuid PRIMARY KEY,
        recipient_id uuid NOT NULL REFERENCES users(id),
        case_id uuid,
        kind text NOT NULL,
        subject text NOT NULL,
        body text NOT NULL,
        due_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        UNIQUE (recipient_id, due_key)
      );
      CREATE INDEX notifications_recipient_idx ON notifications (recipient_id, created_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE notifications;
      DROP TABLE audit_events;
      DROP TABLE workflow_starts;
      DROP TABLE idempotency_keys;
      DROP TABLE allegations;
      DROP TABLE reference_counters;
      DROP TABLE policies;
      DROP TABLE users;
      DROP TABLE authorities;
      DROP TABLE police_forces;
    `);
  }
}
