// `npm run bench:child-policies`: what a child table's row-level security policy costs a write as
// its parent grows. A throw-away PostgreSQL (DATABASE_URL is used when set), migrated and seeded,
// gets BENCH_PARENTS cases (default 10,000) of one authority, one evidence item each, and
// BENCH_PARENTS risks. Then, as the API's role in that authority's tenant context, one write per
// transaction as the API makes them, BENCH_WRITES (default 300) of each:
//
// - a custody event for an evidence item (its policy checks the item, whose own checks the case);
// - a review of a risk;
// - an evidence item for a case, by a force user (the policy's case arm: a referred case);
//
// timed under the policies of 1764964000000-ChildPoliciesByKey ("by key": EXISTS through the
// parent's primary key) and, as the same run's reference, under the form they replaced
// (`parent_id IN (SELECT id FROM parent)`). Prints the median and p95 of each, and one plan of
// each, and ends with one JSON line: {"name":"child-policies","value":<by-key custody median
// ms>,"reference":<IN-form custody median ms>,...}. Exits 1 if a write is refused.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { nameUuid } from '@libs/auth/demo-data';
import { startEmbeddedPostgres } from '@libs/infra';
import { API_ROLE, createDataSource, migrate, seedDemo } from '@libs/persistence';
import { envInt, latencyStats, round, runBenchmark, sayer, Stack } from './support';

const say = sayer('bench:child-policies');
const ms = (v: number) => `${round(v, 2)} ms`;
const stack = new Stack(say);

const AUTHORITY = 'northshire';
const FORCE = 'northshire-police';

/** The policies as they are now, and as they were (the reference). */
const FORMS = {
  byKey: {
    evidence_items: 'authority_id = app_authority() OR EXISTS (SELECT 1 FROM allegations a WHERE a.id = evidence_items.case_id)',
    custody_events: 'EXISTS (SELECT 1 FROM evidence_items e WHERE e.id = custody_events.evidence_id)',
    risk_reviews: 'EXISTS (SELECT 1 FROM risks r WHERE r.id = risk_reviews.risk_id)',
  },
  inSubquery: {
    evidence_items: 'authority_id = app_authority() OR case_id IN (SELECT id FROM allegations)',
    custody_events: 'evidence_id IN (SELECT id FROM evidence_items)',
    risk_reviews: 'risk_id IN (SELECT id FROM risks)',
  },
} as const;
type Form = keyof typeof FORMS;
type Stats = ReturnType<typeof latencyStats>;

interface Write {
  name: string;
  /** the tenant context the API would set */
  scope: { authority: string | null; force: string | null };
  sql: string;
  params: (i: number) => unknown[];
}

async function main(): Promise<number> {
  const parents = envInt('BENCH_PARENTS', 10_000);
  const writes = envInt('BENCH_WRITES', 300);
  let url = process.env.DATABASE_URL;
  if (!url) {
    const dir = mkdtempSync(join(tmpdir(), 'casework-bench-pg-'));
    stack.add('PostgreSQL data directory', async () => rmSync(dir, { recursive: true, force: true }));
    say('starting embedded PostgreSQL (throw-away)');
    const pg = await startEmbeddedPostgres({ dataDir: dir, persistent: false, database: 'casework_bench' });
    stack.add('PostgreSQL', () => pg.stop());
    url = pg.url;
  } else {
    say('using the PostgreSQL at DATABASE_URL');
  }
  const ds = await createDataSource({ url, poolSize: 1, applicationName: 'casework-bench' }).initialize();
  try {
    await migrate(ds);
    await seedDemo(ds);
  } finally {
    await ds.destroy();
  }

  const owner = new Client({ connectionString: url });
  await owner.connect();
  stack.add('owner connection', () => owner.end());
  const ownerId = nameUuid('plan_owner@northshire');
  say(`filling: ${parents} cases of ${AUTHORITY} (every one referred to ${FORCE}), an evidence item each, and ${parents} risks`);
  const t0 = performance.now();
  await owner.query(
    `INSERT INTO allegations (id, authority_id, reference, category, location, occurred_at, reporter, description, urgency, safety_concern,
                              status, referred_force_id, created_by, created_at, updated_at)
     SELECT gen_random_uuid(), $1, 'BENCH-' || g, 'personation', '{}', now(), '{}', 'bench', 'routine', false, 'referred', $2, $3, now(), now()
       FROM generate_series(1, $4) g`,
    [AUTHORITY, FORCE, ownerId, parents],
  );
  await owner.query(
    `INSERT INTO evidence_items (id, case_id, authority_id, kind, description, holder, status, created_by)
     SELECT gen_random_uuid(), id, authority_id, 'physical', 'bench', 'bench', 'held', $1 FROM allegations WHERE reference LIKE 'BENCH-%'`,
    [ownerId],
  );
  await owner.query(
    `INSERT INTO risks (id, authority_id, title, category, likelihood, impact, owner_id, review_every, status, created_by)
     SELECT gen_random_uuid(), $1, 'bench ' || g, 'postal_votes', 3, 3, $2, 'P7D', 'open', $2 FROM generate_series(1, $3) g`,
    [AUTHORITY, ownerId, parents],
  );
  await owner.query('ANALYZE');
  say(`filled in ${round((performance.now() - t0) / 1000, 1)} s`);

  const pick = async (sql: string) => (await owner.query(sql, [writes])).rows.map((r: { id: string }) => r.id);
  const evidenceIds = await pick(`SELECT id FROM evidence_items WHERE description = 'bench' ORDER BY random() LIMIT $1`);
  const riskIds = await pick(`SELECT id FROM risks WHERE title LIKE 'bench %' ORDER BY random() LIMIT $1`);
  const caseIds = await pick(`SELECT id FROM allegations WHERE reference LIKE 'BENCH-%' ORDER BY random() LIMIT $1`);

  const WRITES: Write[] = [
    {
      name: 'custody event',
      scope: { authority: AUTHORITY, force: null },
      sql: `INSERT INTO custody_events (evidence_id, seq, action, actor, role) VALUES ($1, $2, 'bench', 'bench', 'evidence_officer')`,
      params: (i) => [evidenceIds[i % evidenceIds.length], 1_000_000 + i],
    },
    {
      name: 'risk review',
      scope: { authority: AUTHORITY, force: null },
      sql: `INSERT INTO risk_reviews (id, risk_id, reviewed_by, notes, likelihood, impact, mitigations) VALUES ($1, $2, $3, 'bench', 3, 3, '[]')`,
      params: (i) => [randomUUID(), riskIds[i % riskIds.length], ownerId],
    },
    {
      name: 'evidence item, force user',
      scope: { authority: null, force: FORCE },
      sql: `INSERT INTO evidence_items (id, case_id, authority_id, kind, description, holder, status, created_by) VALUES ($1, $2, $3, 'physical', 'by the force', 'bench', 'held', $4)`,
      params: (i) => [randomUUID(), caseIds[i % caseIds.length], AUTHORITY, ownerId],
    },
  ];

  const api = new Client({ connectionString: url });
  await api.connect();
  stack.add('API-role connection', () => api.end());
  const setForm = async (form: Form) => {
    for (const [table, rule] of Object.entries(FORMS[form])) await owner.query(`ALTER POLICY tenant ON ${table} USING (${rule} OR app_system())`);
  };
  const inTenant = async <T>(scope: Write['scope'], work: () => Promise<T>): Promise<T> => {
    await api.query('BEGIN');
    try {
      await api.query(`SET LOCAL ROLE ${API_ROLE}`);
      await api.query(`SELECT set_config('app.authority_id', $1, true), set_config('app.force_id', $2, true)`, [scope.authority ?? '', scope.force ?? '']);
      const result = await work();
      await api.query('COMMIT');
      return result;
    } catch (error) {
      await api.query('ROLLBACK');
      throw error;
    }
  };

  const results: Record<string, Record<Form, Stats>> = {};
  let seq = 0;
  // Each form twice, alternating, so that a warming cache favours neither; the second round counts.
  for (const round of [0, 1]) {
    for (const form of ['inSubquery', 'byKey'] as Form[]) {
      await setForm(form);
      for (const write of WRITES) {
        const times: number[] = [];
        for (let i = 0; i < writes; i++) {
          const params = write.params(i);
          if (write.name === 'custody event') params[1] = 1_000_000 + seq++;
          const start = performance.now();
          await inTenant(write.scope, () => api.query(write.sql, params));
          times.push(performance.now() - start);
        }
        if (round === 1) (results[write.name] ??= {} as Record<Form, Stats>)[form] = latencyStats(times);
      }
    }
  }
  for (const form of ['inSubquery', 'byKey'] as Form[]) {
    await setForm(form);
    for (const write of WRITES) {
      const params = write.params(0);
      if (write.name === 'custody event') params[1] = 1_000_000 + seq++;
      const plan = await inTenant(write.scope, async () => {
        const rows = (await api.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${write.sql}`, params)).rows as { 'QUERY PLAN': string }[];
        return rows.map((r) => r['QUERY PLAN']);
      });
      say(`plan, ${write.name}, ${form === 'byKey' ? 'by key' : 'IN (SELECT ...)'}:`);
      for (const line of plan) say(`    ${line}`);
    }
  }

  say(`figures (${parents} cases, evidence items and risks in the authority; ${writes} writes each, one per transaction, as the API's role):`);
  for (const [name, forms] of Object.entries(results)) {
    say(
      `  ${name.padEnd(26)} by key: median ${ms(forms.byKey.p50Ms)}, p95 ${ms(forms.byKey.p95Ms)} | IN (SELECT ...), the reference: median ${ms(forms.inSubquery.p50Ms)}, p95 ${ms(forms.inSubquery.p95Ms)} | ${round(forms.inSubquery.p50Ms / forms.byKey.p50Ms, 1)} times`,
    );
  }
  const custody = results['custody event'];
  console.log(
    JSON.stringify({
      name: 'child-policies',
      unit: 'ms (median custody event write, by key)',
      value: round(custody.byKey.p50Ms, 3),
      reference: round(custody.inSubquery.p50Ms, 3),
      referenceNote: 'the same write under the replaced policy form, parent_id IN (SELECT id FROM parent), in the same run',
      parents,
      writes,
      results,
    }),
  );
  return 0;
}

runBenchmark(stack, say, main);
