// Defence in depth below the services' own tenant filters (README "Tenancy in the database"):
// the API's database role sees a tenant's rows only inside that tenant's scope, set with
// SET LOCAL in each transaction, so a query that forgets its tenant filter returns nothing; and
// neither the API's role nor the worker's may change or remove an audit event.
import { DataSource } from 'typeorm';
import { DEMO_USERS } from '@libs/auth';
import { API_ROLE, createDataSource, migrate, runInTenantScope, WORKER_ROLE } from '@libs/persistence';
import { AllegationsStore } from '@libs/persistence/stores/allegations.store';
import { allegationBody, startTestStack, TestStack } from './support/stack';
import { MIGRATIONS } from '@libs/persistence/migrations';

let stack: TestStack;
let api: DataSource;
let worker: DataSource;
const cases: Record<'northshire' | 'southvale', string> = { northshire: '', southvale: '' };
const staff = (authorityId: string) => DEMO_USERS.find((u) => u.authorityId === authorityId && u.roles.includes('staff'))!;
const northshire = { authorityId: 'northshire', userId: staff('northshire').id };

/** Tables that hold a tenant's rows and were written by the two intakes below. */
const WRITTEN = ['allegations', 'audit_events', 'idempotency_keys', 'workflow_starts', 'reference_counters'];

beforeAll(async () => {
  stack = await startTestStack({ worker: 'none' });
  for (const tenant of ['northshire', 'southvale'] as const) {
    const res = await stack.http
      .post('/allegations')
      .set('Authorization', `Bearer ${await stack.token(`staff@${tenant}`)}`)
      .set('Idempotency-Key', `rls-${tenant}`)
      .send(allegationBody());
    expect(res.status).toBe(201);
    cases[tenant] = res.body.id;
  }
  api = stack.app.get(DataSource);
  worker = await createDataSource({ url: stack.env.DATABASE_URL!, poolSize: 2, role: WORKER_ROLE }).initialize();
});
afterAll(async () => {
  await worker?.destroy();
  await stack?.close();
});

/** The SQLSTATE a statement fails with; undefined if it succeeds. */
async function sqlState(statement: Promise<unknown>): Promise<string | undefined> {
  try {
    await statement;
    return undefined;
  } catch (error) {
    const e = error as { code?: string; driverError?: { code?: string } };
    return e.driverError?.code ?? e.code;
  }
}
const count = async (db: DataSource, table: string) => Number((await db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);

describe('row-level security on tenant tables', () => {
  it('the API connects as its own role, not as the owner of the schema', async () => {
    expect(await api.query('SELECT current_user AS role')).toEqual([{ role: API_ROLE }]);
    expect(await stack.db.query('SELECT current_user = $1 AS api', [API_ROLE])).toEqual([{ api: false }]);
  });

  it('a query through the API with no tenant context returns nothing from a tenant table', async () => {
    for (const table of WRITTEN) {
      expect(await count(stack.db, table)).toBeGreaterThan(0);
      expect({ table, rows: await count(api, table) }).toEqual({ table, rows: 0 });
    }
    // The store's read by id has no tenant filter of its own (the services check access after it).
    expect(await new AllegationsStore(api).find(cases.northshire)).toBeUndefined();
    expect(await new AllegationsStore(api).find(cases.southvale)).toBeUndefined();
  });

  it("northshire's context never shows southvale's rows, even with no tenant filter in the query", async () => {
    await runInTenantScope(northshire, async () => {
      expect(await api.query('SELECT DISTINCT authority_id FROM allegations')).toEqual([{ authority_id: 'northshire' }]);
      expect(await api.query('SELECT DISTINCT authority_id FROM audit_events')).toEqual([{ authority_id: 'northshire' }]);
      expect(await api.query('SELECT id FROM allegations WHERE id = $1', [cases.southvale])).toEqual([]);
      expect((await new AllegationsStore(api).find(cases.northshire))?.id).toBe(cases.northshire);
      expect(await new AllegationsStore(api).find(cases.southvale)).toBeUndefined();
      // Even a read that names the other tenant gets none of its rows (the owner's connection would).
      expect(await new AllegationsStore(api).list('southvale', { limit: 10 })).toEqual([]);
      expect((await new AllegationsStore(stack.db).list('southvale', { limit: 10 })).map((a) => a.id)).toEqual([cases.southvale]);
      // Inside a transaction too, and writes: another tenant's row is neither changed nor created.
      await api.transaction(async (m) => {
        expect(await m.query('SELECT allegation_id FROM workflow_starts')).toEqual([{ allegation_id: cases.northshire }]);
        const [, changed] = await m.query("UPDATE allegations SET description = 'overwritten' WHERE id = $1", [cases.southvale]);
        expect(changed).toBe(0);
      });
      expect(await api.transaction('SERIALIZABLE', (m) => m.query('SELECT DISTINCT authority_id FROM audit_events'))).toEqual([{ authority_id: 'northshire' }]);
      const insert = api.query(
        "INSERT INTO risks (id, authority_id, title, category, likelihood, impact, owner_id, review_every, status, created_by) VALUES (gen_random_uuid(), 'southvale', 't', 'c', 1, 1, $1, 'P7D', 'open', $1)",
        [northshire.userId],
      );
      expect(await sqlState(insert)).toBe('42501');
    });
    const [southvale] = await stack.db.query('SELECT description FROM allegations WHERE id = $1', [cases.southvale]);
    expect(southvale.description).not.toBe('overwritten');
  });

  it('the context is SET LOCAL: it ends with its transaction and never reaches the next user of a connection', async () => {
    // More scoped statements than the pool has connections, then more unscoped ones: none sees a row.
    await Promise.all(Array.from({ length: 24 }, () => runInTenantScope(northshire, () => api.query('SELECT 1 FROM allegations'))));
    const unscoped = await Promise.all(Array.from({ length: 24 }, () => count(api, 'allegations')));
    expect(unscoped.every((n) => n === 0)).toBe(true);
  });

  it('a force sees a case once it is referred to it, and no other', async () => {
    const force = { forceId: 'northshire-police', userId: DEMO_USERS.find((u) => u.forceId === 'northshire-police')!.id };
    expect(await runInTenantScope(force, () => count(api, 'allegations'))).toBe(0);
    await stack.db.query("UPDATE allegations SET referral_force_ids = '{northshire-police}' WHERE id = $1", [cases.northshire]);
    expect(await runInTenantScope(force, () => api.query('SELECT id FROM allegations'))).toEqual([{ id: cases.northshire }]);
  });

  it("child rows follow their parent: custody events, risk reviews and a force's evidence only through a parent the context may see", async () => {
    // Written by the owner: one evidence item and one risk in each authority.
    const evidence: Record<string, string> = {};
    const risks: Record<string, string> = {};
    for (const tenant of ['northshire', 'southvale'] as const) {
      const [item] = await stack.db.query(
        `INSERT INTO evidence_items (id, case_id, authority_id, kind, description, holder, status, created_by)
         VALUES (gen_random_uuid(), $1, $2, 'physical', 'leaflet', 'clerk', 'held', $3) RETURNING id`,
        [cases[tenant], tenant, staff(tenant).id],
      );
      evidence[tenant] = item.id;
      const [risk] = await stack.db.query(
        `INSERT INTO risks (id, authority_id, title, category, likelihood, impact, owner_id, review_every, status, created_by)
         VALUES (gen_random_uuid(), $1, 'postal votes', 'postal', 2, 2, $2, 'P7D', 'open', $2) RETURNING id`,
        [tenant, staff(tenant).id],
      );
      risks[tenant] = risk.id;
    }
    const custody = (tenant: string, seq: number) =>
      api.query(`INSERT INTO custody_events (evidence_id, seq, action, actor, role) VALUES ($1, $2, 'moved', 'clerk', 'staff')`, [evidence[tenant], seq]);
    const review = (tenant: string) =>
      api.query(
        `INSERT INTO risk_reviews (id, risk_id, reviewed_by, notes, likelihood, impact, mitigations) VALUES (gen_random_uuid(), $1, $2, 'ok', 2, 2, '[]')`,
        [risks[tenant], northshire.userId],
      );
    await runInTenantScope(northshire, async () => {
      expect(await sqlState(custody('northshire', 1))).toBeUndefined();
      expect(await sqlState(custody('southvale', 1))).toBe('42501');
      expect(await sqlState(review('northshire'))).toBeUndefined();
      expect(await sqlState(review('southvale'))).toBe('42501');
    });
    await stack.db.query(`INSERT INTO custody_events (evidence_id, seq, action, actor, role) VALUES ($1, 1, 'moved', 'clerk', 'staff')`, [evidence.southvale]);
    const seen = (table: string, column: string) => runInTenantScope(northshire, () => api.query(`SELECT ${column} AS parent FROM ${table}`));
    expect(await seen('custody_events', 'evidence_id')).toEqual([{ parent: evidence.northshire }]);
    expect(await seen('risk_reviews', 'risk_id')).toEqual([{ parent: risks.northshire }]);

    // A force adds evidence to a case referred to it, and to no other; it sees that case's evidence only.
    const force = { forceId: 'northshire-police', userId: DEMO_USERS.find((u) => u.forceId === 'northshire-police')!.id };
    await stack.db.query("UPDATE allegations SET referral_force_ids = '{northshire-police}' WHERE id = $1", [cases.northshire]);
    const forceItem = (tenant: 'northshire' | 'southvale') =>
      api.query(
        `INSERT INTO evidence_items (id, case_id, authority_id, kind, description, holder, status, created_by)
         VALUES (gen_random_uuid(), $1, $2, 'physical', 'seized leaflet', 'officer', 'held', $3)`,
        [cases[tenant], tenant, force.userId],
      );
    await runInTenantScope(force, async () => {
      expect(await sqlState(forceItem('northshire'))).toBeUndefined();
      expect(await sqlState(forceItem('southvale'))).toBe('42501');
      expect(await api.query('SELECT DISTINCT case_id FROM evidence_items')).toEqual([{ case_id: cases.northshire }]);
      expect(await api.query('SELECT evidence_id FROM custody_events')).toEqual([{ evidence_id: evidence.northshire }]);
    });
  });

  it("search's owner-run function (for the GIN index) returns only the context's authority's matches", async () => {
    const matching = "SELECT allegations_matching(websearch_to_tsquery('english', 'canvasser')) AS id";
    expect(await stack.db.query("SELECT count(*)::int AS n FROM allegations WHERE search @@ websearch_to_tsquery('english', 'canvasser')")).toEqual([{ n: 2 }]);
    expect(await api.query(matching)).toEqual([]);
    expect(await runInTenantScope(northshire, () => api.query(matching))).toEqual([{ id: cases.northshire }]);
    expect(await sqlState(worker.query(matching))).toBe('42501');
  });

  it('the worker is cross-tenant by design: its role sees every tenant', async () => {
    expect(await worker.query('SELECT current_user AS role')).toEqual([{ role: WORKER_ROLE }]);
    for (const table of WRITTEN) expect(await count(worker, table)).toBe(await count(stack.db, table));
  });

  it('every table with a tenant or case column has row-level security (a new one must be added to the migration)', async () => {
    const rows: { table: string; rls: boolean }[] = await stack.db.query(
      `SELECT DISTINCT c.relname AS table, c.relrowsecurity AS rls
         FROM information_schema.columns col JOIN pg_class c ON c.relname = col.table_name AND c.relkind = 'r'
        WHERE col.table_schema = 'public' AND col.column_name IN ('authority_id', 'case_id', 'allegation_id', 'recipient_id', 'evidence_id', 'risk_id', 'agreement_id', 'contact_id', 'record_id', 'indicator_id')`,
    );
    // The user directory is read across tenants on purpose: a referral names another force's SPOC.
    const unprotected = rows.filter((r) => !r.rls && r.table !== 'users').map((r) => r.table);
    expect(unprotected).toEqual([]);
    expect(rows.length).toBeGreaterThan(20);
  });
});

describe('audit events are append-only for the application', () => {
  const attempts = (caseId: string) =>
    [
      ["UPDATE audit_events SET action = 'nothing happened' WHERE case_id = $1", [caseId]],
      ['DELETE FROM audit_events WHERE case_id = $1', [caseId]],
      ['TRUNCATE audit_events', []],
    ] as const;

  it("the API's role may not UPDATE, DELETE or TRUNCATE an audit event, even its own tenant's", async () => {
    await runInTenantScope(northshire, async () => {
      expect(await count(api, 'audit_events')).toBeGreaterThan(0);
      for (const [sql, params] of attempts(cases.northshire))
        expect({ sql, state: await sqlState(api.query(sql, [...params])) }).toEqual({ sql, state: '42501' });
    });
  });

  it("the worker's role may not either", async () => {
    for (const [sql, params] of attempts(cases.southvale))
      expect({ sql, state: await sqlState(worker.query(sql, [...params])) }).toEqual({ sql, state: '42501' });
  });

  it('every event is still there, and the case histories still verify', async () => {
    expect(await stack.db.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'nothing happened'")).toEqual([{ n: 0 }]);
    for (const tenant of ['northshire', 'southvale'] as const) {
      const res = await stack.http.get(`/allegations/${cases[tenant]}/history/verify`).set('Authorization', `Bearer ${await stack.token(`legal@${tenant}`)}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ valid: true });
    }
  });
});

describe('the owner of the schema', () => {
  it('still migrates: the tenancy migration undoes and applies again, roles and all', async () => {
    // Undo back to and including TenantIsolation (the migrations after it build on its roles).
    const after = MIGRATIONS.slice(MIGRATIONS.findIndex((m) => m.name === 'TenantIsolation1764666000000')).map((m) => m.name);
    for (let i = 0; i < after.length; i++) await stack.db.undoLastMigration({ transaction: 'each' });
    expect(await stack.db.query("SELECT relrowsecurity AS rls FROM pg_class WHERE relname = 'allegations'")).toEqual([{ rls: false }]);
    expect(await migrate(stack.db)).toEqual(after);
    expect(await count(api, 'allegations')).toBe(0);
    expect(await runInTenantScope(northshire, () => count(api, 'allegations'))).toBe(1);
  });
});
