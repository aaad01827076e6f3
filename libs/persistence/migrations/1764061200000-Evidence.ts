import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evidence (ACPO principles, ISO/IEC 27037): items with their content hash, a custody log per
 * item, and packages for the police with their manifest and its hash.
 */
export class Evidence1764061200000 implements MigrationInterface {
  name = 'Evidence1764061200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE evidence_items (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES allegations(id),
        authority_id text NOT NULL REFERENCES authorities(id),
        kind text NOT NULL CHECK (kind IN ('digital', 'physical')),
        description text NOT NULL,
        -- what the uploader called the file: metadata only, never a path
        filename text,
        content_type text,
        size bigint,
        sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        seal_number text,
        location text,
        holder text NOT NULL,
        status text NOT NULL CHECK (status IN ('held', 'packaged', 'handed_over', 'destroyed')),
        package_id uuid,
        legal_hold boolean NOT NULL DEFAULT false,
        legal_hold_reason text,
        retention_until timestamptz,
        destroyed_at timestamptz,
        integrity_checked_at timestamptz,
        integrity_ok boolean,
        custody_seq int NOT NULL DEFAULT 0,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'digital') = (sha256 IS NOT NULL))
      );
      CREATE INDEX evidence_items_case_idx ON evidence_items (case_id, created_at);
      CREATE INDEX evidence_items_sha256_idx ON evidence_items (sha256) WHERE sha256 IS NOT NULL;
      CREATE TABLE custody_events (
        id bigserial PRIMARY KEY,
        evidence_id uuid NOT NULL REFERENCES evidence_items(id),
        seq int NOT NULL,
        action text NOT NULL,
        from_holder text,
        to_holder text,
        location text,
        seal_number text,
        note text,
        actor text NOT NULL,
        role text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (evidence_id, seq)
      );
      CREATE TABLE evidence_packages (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES allegations(id),
        authority_id text NOT NULL REFERENCES authorities(id),
        force_id text REFERENCES police_forces(id),
        status text NOT NULL CHECK (status IN ('sealed', 'handed_over', 'acknowledged')),
        manifest jsonb NOT NULL,
        manifest_sha256 text NOT NULL,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        handed_over_at timestamptz,
        handed_over_by uuid,
        acknowledge_due_at timestamptz,
        acknowledged_at timestamptz,
        acknowledged_by uuid
      );
      CREATE INDEX evidence_packages_case_idx ON evidence_packages (case_id);
      ALTER TABLE evidence_items ADD CONSTRAINT evidence_items_package_fk FOREIGN KEY (package_id) REFERENCES evidence_packages(id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE evidence_items DROP CONSTRAINT evidence_items_package_fk;
      DROP TABLE evidence_packages;
      DROP TABLE custody_events;
      DROP TABLE evidence_items;
    `);
  }
}
