import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Police liaison (an authority's agreement with a force: its SPOC and FEOA, the agreed contact
 * cadence, each contact made) and candidate contacts shared with a force's FEOA, with a
 * data-sharing record for each disclosure and a log of each time the FEOA read them.
 */
export class Liaison1764406800000 implements MigrationInterface {
  name = 'Liaison1764406800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE liaison_agreements (
        id uuid PRIMARY KEY,
        authority_id text NOT NULL REFERENCES authorities(id),
        force_id text NOT NULL REFERENCES police_forces(id),
        -- the authority's lead for the liaison; null: its Returning Officer
        lead_id uuid REFERENCES users(id),
        spoc_id uuid NOT NULL REFERENCES users(id),
        feoa_id uuid NOT NULL REFERENCES users(id),
        contact_every text NOT NULL,
        notes text NOT NULL DEFAULT '',
        last_contact_at timestamptz NOT NULL,
        -- projected by the agreement's liaison workflow
        next_contact_due_at timestamptz,
        escalated_at timestamptz,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (authority_id, force_id)
      );
      CREATE INDEX liaison_agreements_force_idx ON liaison_agreements (force_id);
      CREATE TABLE liaison_contacts (
        id uuid PRIMARY KEY,
        agreement_id uuid NOT NULL REFERENCES liaison_agreements(id),
        at timestamptz NOT NULL,
        made_by text NOT NULL,
        made_with text NOT NULL,
        channel text NOT NULL,
        summary text NOT NULL,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX liaison_contacts_agreement_idx ON liaison_contacts (agreement_id, at DESC);
      CREATE TABLE candidate_contacts (
        id uuid PRIMARY KEY,
        authority_id text NOT NULL REFERENCES authorities(id),
        kind text NOT NULL CHECK (kind IN ('candidate', 'agent')),
        name text NOT NULL,
        electoral_area text,
        party text,
        email text,
        phone text,
        address text,
        acts_for text,
        election_id text,
        poll_date date,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX candidate_contacts_authority_idx ON candidate_contacts (authority_id, created_at DESC);
      -- One row per disclosure: who shared, what (field names and the values disclosed), with whom,
      -- when, why and on which lawful basis. Never updated or deleted by the application.
      CREATE TABLE data_sharing_records (
        id uuid PRIMARY KEY,
        authority_id text NOT NULL REFERENCES authorities(id),
        contact_id uuid NOT NULL REFERENCES candidate_contacts(id),
        force_id text NOT NULL REFERENCES police_forces(id),
        recipient_role text NOT NULL,
        fields text[] NOT NULL,
        disclosed jsonb NOT NULL,
        lawful_basis text NOT NULL,
        purpose text NOT NULL,
        shared_by uuid NOT NULL,
        shared_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX data_sharing_records_authority_idx ON data_sharing_records (authority_id, shared_at DESC);
      CREATE INDEX data_sharing_records_force_idx ON data_sharing_records (force_id, contact_id, shared_at DESC);
      CREATE TABLE data_sharing_reads (
        id uuid PRIMARY KEY,
        record_id uuid NOT NULL REFERENCES data_sharing_records(id),
        reader_id text NOT NULL,
        force_id text NOT NULL,
        read_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX data_sharing_reads_record_idx ON data_sharing_reads (record_id, read_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'DROP TABLE data_sharing_reads; DROP TABLE data_sharing_records; DROP TABLE candidate_contacts; DROP TABLE liaison_contacts; DROP TABLE liaison_agreements;',
    );
  }
}
