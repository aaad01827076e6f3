import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE, WORKER_ROLE } from '../roles';

/**
 * The directory's administration (docs/users/administration.md):
 *
 * - `users.deactivated_at`/`deactivated_by`: a deactivated user cannot sign in and their tokens
 *   are refused; the row stays, since cases, risks and audit events name them. `created_at`.
 * - the national administrator (`national_admin`), the one user with no tenant: the tenant check
 *   now allows no tenant for that role alone.
 * - who added an authority or a force, and when. Who (`*_by`) is the token's subject: text, since
 *   an identity provider's subjects need not be UUIDs.
 * - `identity_mappings`: an identity provider's claim and value, mapped to roles at one tenant
 *   (libs/auth/identity-mapping.ts). A tenant's rows, under row-level security like the others;
 *   the verifier reads every tenant's in the API's system scope.
 */
export class DirectoryAdministration1764939600000 implements MigrationInterface {
  name = 'DirectoryAdministration1764939600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
      ALTER TABLE users ADD COLUMN deactivated_at timestamptz;
      ALTER TABLE users ADD COLUMN deactivated_by text;
      ALTER TABLE users DROP CONSTRAINT users_check;
      ALTER TABLE users ADD CONSTRAINT users_tenant CHECK (
        CASE WHEN 'national_admin' = ANY (roles) THEN authority_id IS NULL AND force_id IS NULL AND roles = '{national_admin}'
             ELSE (authority_id IS NULL) <> (force_id IS NULL) END);
      ALTER TABLE authorities ADD COLUMN added_at timestamptz NOT NULL DEFAULT now();
      ALTER TABLE authorities ADD COLUMN added_by text;
      ALTER TABLE police_forces ADD COLUMN added_at timestamptz NOT NULL DEFAULT now();
      ALTER TABLE police_forces ADD COLUMN added_by text;

      CREATE TABLE identity_mappings (
        id uuid PRIMARY KEY,
        authority_id text REFERENCES authorities(id),
        force_id text REFERENCES police_forces(id),
        claim text NOT NULL,
        value text NOT NULL,
        roles text[] NOT NULL CHECK (cardinality(roles) > 0 AND NOT ('national_admin' = ANY (roles))),
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        CHECK ((authority_id IS NULL) <> (force_id IS NULL))
      );
      CREATE UNIQUE INDEX identity_mappings_per_tenant ON identity_mappings (claim, value, coalesce(authority_id, ''), coalesce(force_id, ''));
      GRANT SELECT, INSERT, UPDATE, DELETE ON identity_mappings TO ${API_ROLE};
      GRANT SELECT ON identity_mappings TO ${WORKER_ROLE};
      ALTER TABLE identity_mappings ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON identity_mappings TO ${API_ROLE} USING (authority_id = app_authority() OR force_id = app_force() OR app_system());
      CREATE POLICY worker ON identity_mappings TO ${WORKER_ROLE} USING (true);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE identity_mappings;
      ALTER TABLE police_forces DROP COLUMN added_by, DROP COLUMN added_at;
      ALTER TABLE authorities DROP COLUMN added_by, DROP COLUMN added_at;
      -- The old schema has no place for a user without a tenant: the national administrators go.
      DELETE FROM notifications WHERE recipient_id IN (SELECT id FROM users WHERE 'national_admin' = ANY (roles));
      DELETE FROM users WHERE 'national_admin' = ANY (roles);
      ALTER TABLE users DROP CONSTRAINT users_tenant;
      ALTER TABLE users ADD CONSTRAINT users_check CHECK ((authority_id IS NULL) <> (force_id IS NULL));
      ALTER TABLE users DROP COLUMN deactivated_by, DROP COLUMN deactivated_at, DROP COLUMN created_at;
    `);
  }
}
