import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE, WORKER_ROLE } from '../roles';

/**
 * Defence in depth for tenancy and the record (README "Tenancy in the database").
 *
 * - Two NOLOGIN roles that the processes switch to (libs/persistence/roles.ts): `casework_api`
 *   and `casework_worker`. The login user of DATABASE_URL keeps owning the schema and runs the
 *   migrations and the seed. Neither role may UPDATE, DELETE or TRUNCATE audit events, nor the
 *   other append-only records (custody events, data-sharing records and reads, reviews,
 *   contacts, observations, checkpoints).
 * - Row-level security on every table that holds a tenant's data. The API's role sees a row
 *   only when the transaction's tenant context (`SET LOCAL`, libs/persistence/tenant-scope.ts)
 *   names its authority, or names a force the row was shared with; with no context it sees
 *   nothing, so a query that forgets its tenant filter returns nothing. The worker's role is
 *   cross-tenant by design and has a policy that admits every row.
 */
const TENANT_FUNCTIONS = `
  CREATE FUNCTION app_authority() RETURNS text LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('app.authority_id', true), '') $$;
  CREATE FUNCTION app_force() RETURNS text LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('app.force_id', true), '') $$;
  CREATE FUNCTION app_user() RETURNS text LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('app.user_id', true), '') $$;
  -- The API's own background work (the intake outbox sweep) declares itself; no request does.
  CREATE FUNCTION app_system() RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT coalesce(current_setting('app.scope', true) = 'system', false) $$;
  -- The authorities a force works with: its own area's, those it has a liaison agreement with,
  -- those that referred a case to it or shared a contact with it. A force appends to their audit
  -- logs (a referral decision, a read of shared contacts), which needs the log's tail.
  CREATE FUNCTION app_force_partners() RETURNS SETOF text LANGUAGE sql STABLE AS $$
    SELECT id FROM authorities WHERE force_id = app_force()
    UNION SELECT authority_id FROM liaison_agreements WHERE force_id = app_force()
    UNION SELECT authority_id FROM allegations WHERE referred_force_id = app_force() OR app_force() = ANY (referral_force_ids)
    UNION SELECT authority_id FROM data_sharing_records WHERE force_id = app_force()
  $$;
  -- Full-text search under row-level security: @@ is not leakproof, so PostgreSQL will not use
  -- the GIN index ahead of a policy and would read every case of the authority instead (92 ms
  -- rather than 1 ms at 20,000 cases). This function runs as the owner, so no policy is in its
  -- way, and returns only the context's authority's matches; the search that calls it is still
  -- subject to the policy. apps/api/src/allegations/search.service.ts
  CREATE FUNCTION allegations_matching(q tsquery) RETURNS SETOF uuid LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT id FROM allegations WHERE search @@ q AND authority_id = app_authority()
  $$;
  REVOKE ALL ON FUNCTION allegations_matching(tsquery) FROM PUBLIC;
`;

/** Each tenant table and who, besides the worker and the API's system scope, may see its rows. */
const API_POLICIES: Record<string, string> = {
  allegations: 'authority_id = app_authority() OR referred_force_id = app_force() OR app_force() = ANY (referral_force_ids)',
  idempotency_keys: 'authority_id = app_authority()',
  workflow_starts: 'allegation_id IN (SELECT id FROM allegations)',
  reference_counters: 'authority_id = app_authority()',
  policies: 'authority_id = app_authority() OR authority_id IN (SELECT app_force_partners())',
  audit_events: 'authority_id = app_authority() OR authority_id IN (SELECT app_force_partners())',
  evidence_items: 'authority_id = app_authority() OR case_id IN (SELECT id FROM allegations)',
  evidence_packages: 'authority_id = app_authority() OR force_id = app_force() OR case_id IN (SELECT id FROM allegations)',
  custody_events: 'evidence_id IN (SELECT id FROM evidence_items)',
  risks: 'authority_id = app_authority()',
  risk_reviews: 'risk_id IN (SELECT id FROM risks)',
  liaison_agreements: 'authority_id = app_authority() OR force_id = app_force()',
  liaison_contacts: 'agreement_id IN (SELECT id FROM liaison_agreements)',
  candidate_contacts: 'authority_id = app_authority() OR id IN (SELECT contact_id FROM data_sharing_records)',
  data_sharing_records: 'authority_id = app_authority() OR force_id = app_force()',
  data_sharing_reads: 'force_id = app_force() OR record_id IN (SELECT id FROM data_sharing_records)',
  indicators: 'authority_id = app_authority()',
  indicator_uploads: 'authority_id = app_authority()',
  indicator_observations: 'indicator_id IN (SELECT id FROM indicators)',
  indicator_alerts: 'authority_id = app_authority()',
  merkle_logs: 'authority_id = app_authority() OR authority_id IN (SELECT app_force_partners())',
  merkle_subtrees: 'authority_id = app_authority() OR authority_id IN (SELECT app_force_partners())',
  transparency_checkpoints: 'authority_id = app_authority() OR authority_id IN (SELECT app_force_partners())',
};

/** Records the application only ever appends to: neither role may change or remove a row. */
const APPEND_ONLY = [
  'audit_events',
  'custody_events',
  'data_sharing_records',
  'data_sharing_reads',
  'risk_reviews',
  'liaison_contacts',
  'indicator_observations',
  'transparency_checkpoints',
  'transparency_keys',
  'merkle_subtrees',
];

/** The only rows the application deletes: a risk withdrawn before its review workflow started. */
const API_DELETES = ['risks'];

function createRole(role: string): string {
  // Roles are cluster-wide: another database on the server (a parallel test file, a second
  // deployment) may have created it, or be creating it right now.
  return `
    DO $$ BEGIN
      -- A DBA may have created it (docker/postgres/init-databases.sh): then CREATEROLE is not needed.
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
        CREATE ROLE ${role} NOLOGIN;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$;
    -- The login user switches to the role (SET ROLE), so it needs membership with SET. A superuser
    -- has it already. A user with CREATEROLE may grant it to itself (on PostgreSQL 16 its creator
    -- gets only ADMIN, so the grant is always made); otherwise a DBA must have granted it (README),
    -- and the grant is left to them.
    DO $$ BEGIN
      IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT ${role} TO %I', current_user);
      END IF;
    EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
      RAISE NOTICE 'could not grant ${role} to %: a DBA must, before the API or worker connects', current_user;
    END $$;`;
}

export class TenantIsolation1764666000000 implements MigrationInterface {
  name = 'TenantIsolation1764666000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(createRole(API_ROLE) + createRole(WORKER_ROLE));
    const [{ tables }] = await q.query(`SELECT array_agg(tablename::text) AS tables FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`);
    const list = (names: string[]) => names.join(', ');
    const statements = [
      TENANT_FUNCTIONS,
      `GRANT USAGE ON SCHEMA public TO ${API_ROLE}, ${WORKER_ROLE}`,
      `GRANT EXECUTE ON FUNCTION allegations_matching(tsquery) TO ${API_ROLE}`,
      // Indicator uploads stage their rows in a temporary table; the database may not grant TEMP to PUBLIC.
      `DO $$ BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO ${API_ROLE}, ${WORKER_ROLE}', current_database()); END $$`,
      `GRANT SELECT, INSERT, UPDATE ON ${list(tables)} TO ${API_ROLE}, ${WORKER_ROLE}`,
      `REVOKE UPDATE ON ${list(APPEND_ONLY)} FROM ${API_ROLE}, ${WORKER_ROLE}`,
      `GRANT DELETE ON ${list(API_DELETES)} TO ${API_ROLE}`,
      `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${API_ROLE}, ${WORKER_ROLE}`,
      // Tables added later are usable by both roles (never UPDATE-able audit rows: those exist now);
      // whether a new table holds tenant data and needs a policy, test/tenancy-rls.e2e-spec.ts asks.
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE ON TABLES TO ${API_ROLE}, ${WORKER_ROLE}`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${API_ROLE}, ${WORKER_ROLE}`,
    ];
    for (const [table, rule] of Object.entries(API_POLICIES)) {
      statements.push(
        `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
        `CREATE POLICY tenant ON ${table} TO ${API_ROLE} USING (${rule} OR app_system())`,
        `CREATE POLICY worker ON ${table} TO ${WORKER_ROLE} USING (true)`,
      );
    }
    // A notification is its recipient's, within their tenant: the API raises them for other users
    // of the caller's authority (indicator alerts, with ON CONFLICT, which needs them visible too).
    statements.push(
      'ALTER TABLE notifications ENABLE ROW LEVEL SECURITY',
      `CREATE POLICY tenant ON notifications TO ${API_ROLE} USING (recipient_id::text = app_user() OR recipient_id IN (SELECT id FROM users WHERE authority_id = app_authority()) OR app_system())`,
      `CREATE POLICY worker ON notifications TO ${WORKER_ROLE} USING (true)`,
    );
    for (const statement of statements) await q.query(statement);
  }

  async down(q: QueryRunner): Promise<void> {
    const statements: string[] = [];
    for (const table of [...Object.keys(API_POLICIES), 'notifications']) {
      statements.push(
        `ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`,
        `DROP POLICY IF EXISTS tenant ON ${table}`,
        `DROP POLICY IF EXISTS worker ON ${table}`,
      );
    }
    statements.push(
      'DROP FUNCTION allegations_matching(tsquery), app_force_partners(), app_system(), app_user(), app_force(), app_authority()',
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${API_ROLE}, ${WORKER_ROLE}`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${API_ROLE}, ${WORKER_ROLE}`,
      // The roles stay: they are cluster-wide and other databases may use them.
      `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${API_ROLE}, ${WORKER_ROLE}`,
      `REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${API_ROLE}, ${WORKER_ROLE}`,
      `REVOKE USAGE ON SCHEMA public FROM ${API_ROLE}, ${WORKER_ROLE}`,
      `DO $$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM ${API_ROLE}, ${WORKER_ROLE}', current_database()); END $$`,
    );
    for (const statement of statements) await q.query(statement);
  }
}
