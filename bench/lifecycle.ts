// `npm run bench:lifecycle`: cases driven from intake to closure through the API. Starts a
// throw-away stack (see bench/support.ts; DATABASE_URL and TEMPORAL_ADDRESS are used when set),
// warms up, then with BENCH_CONCURRENCY clients (default 16) runs BENCH_CASES cases (default 300)
// twice: as the reference, bare intake (POST /allegations only); then the lifecycle, each client
// driving one case at a time through intake -> refer -> accept -> outcome -> close. Every
// decision is a Temporal Update that returns once PostgreSQL shows it, so each transition's
// latency is a full round trip through the workflow and its projection. Every request must
// succeed, and afterwards every lifecycle case must be closed with outcome caution and have
// exactly one audit event per transition. Progress and figures go to stderr; the last stdout
// line is JSON: {"name":"lifecycle","value":<cases/s>,"unit":"cases/s","reference":<intakes/s>,
// "ratio":...,"p99Ms":{"intake":...,...},...}. Exits 1 on any failed request, broken invariant or
// start-up failure, after stopping everything.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { allegationBody, ChainResult, ChainStep, demoToken, envInt, round, runBenchmark, runChains, RunningStack, sayer, Stack } from './support';

const say = sayer('bench:lifecycle');
const stack = new Stack(say);

/** audit action written by each transition, in order */
const TRANSITIONS = {
  intake: 'allegation.created',
  refer: 'triage.referred',
  accept: 'referral.accepted',
  outcome: 'investigation.outcome_recorded',
  close: 'case.closed',
} as const;
type Transition = keyof typeof TRANSITIONS;

interface Case {
  i: number;
  id: string;
}

/** Each lifecycle case is closed with outcome caution, with exactly one audit event per transition. */
async function checkInvariant(running: RunningStack, ids: string[], expected: number): Promise<{ ok: boolean; line: string }> {
  const db = new Client({ connectionString: running.databaseUrl });
  await db.connect();
  try {
    const counts = Object.values(TRANSITIONS)
      .map((action, n) => `count(e.id) FILTER (WHERE e.action = $${n + 2}) = 1`)
      .join(' AND ');
    const [row] = (
      await db.query(
        `SELECT count(*)::int AS cases, count(*) FILTER (WHERE ok)::int AS good FROM (
           SELECT bool_and(a.status = 'closed' AND a.outcome = 'caution') AND ${counts} AS ok
             FROM unnest($1::uuid[]) AS r(id) LEFT JOIN allegations a ON a.id = r.id LEFT JOIN audit_events e ON e.case_id = r.id
            GROUP BY r.id) per_case`,
        [ids, ...Object.values(TRANSITIONS)],
      )
    ).rows;
    const ok = ids.length === expected && row.cases === expected && row.good === expected;
    return { ok, line: `lifecycle cases closed with outcome caution and one audit event per transition: ${row.good}/${expected}` };
  } finally {
    await db.end();
  }
}

async function main(): Promise<number> {
  const concurrency = envInt('BENCH_CONCURRENCY', 16);
  const cases = envInt('BENCH_CASES', 300);
  const warmup = envInt('BENCH_WARMUP', 32);
  const progressEvery = 100;
  say(`lifecycle benchmark: ${cases} cases at concurrency ${concurrency} (warm-up ${warmup}), reference: ${cases} bare intakes`);

  const running = await stack.start({ log: say, logLevel: 'warn' });
  const [staff, triage, spoc] = await Promise.all(['staff@northshire', 'triage@northshire', 'spoc@northshire-police'].map((u) => demoToken(running.keys, u)));
  const runId = randomBytes(4).toString('hex');
  const closedIds: string[] = [];

  const decision = (name: Transition, token: string, path: string, body: (c: Case) => object): ChainStep<Case> => ({
    name,
    request: (c) => ({ method: 'POST', path: `/allegations/${c.id}/${path}`, headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body(c)) }),
    expectStatus: 200,
  });
  const intake = (phase: string): ChainStep<Case> => ({
    name: 'intake',
    request: (c) => ({
      method: 'POST',
      path: '/allegations',
      headers: { authorization: `Bearer ${staff}`, 'idempotency-key': `bench-${runId}-${phase}-${c.i}` },
      body: allegationBody(c.i),
    }),
    expectStatus: 201,
    onSuccess: (result, c) => (c.id = (JSON.parse(result.body) as { id: string }).id),
  });
  const lifecycle = (phase: string): ChainStep<Case>[] => [
    intake(phase),
    decision('refer', triage, 'triage', () => ({ decision: 'refer', forceId: 'northshire-police', note: 'bench: names a canvasser and a care home' })),
    decision('accept', spoc, 'referral/accept', (c) => ({ crimeReference: `NP/BENCH/${runId}/${c.i}` })),
    decision('outcome', spoc, 'referral/outcome', () => ({ outcome: 'caution', note: 'bench: suspect cautioned' })),
    {
      ...decision('close', triage, 'close', () => ({ outcome: 'caution', note: 'bench: police cautioned the canvasser' })),
      onSuccess: (_, c) => void closedIds.push(c.id),
    },
  ];
  const common = { concurrency, baseUrl: running.baseUrl, context: (i: number): Case => ({ i, id: '' }), log: say, shouldStop: () => stack.isStopping };
  const settle = () => new Promise((r) => setTimeout(r, 2_000)); // let the worker catch up before measuring
  const results: ChainResult[] = [];
  const failed = () => results.some((r) => r.failures > 0) || stack.isStopping;

  say(`warming up: ${warmup} cases through the lifecycle`);
  results.push(await runChains({ ...common, name: 'warm-up', count: warmup, steps: lifecycle('warm') }));
  closedIds.length = 0;
  if (!failed()) {
    await settle();
    say(`reference: ${cases} x POST /allegations at concurrency ${concurrency}`);
    results.push(await runChains({ ...common, name: 'reference intake', count: cases, steps: [intake('ref')], progressEvery }));
  }
  if (!failed()) {
    await settle();
    say(`measuring: ${cases} cases through intake -> refer -> accept -> outcome -> close at concurrency ${concurrency}`);
    results.push(await runChains({ ...common, name: 'lifecycle', count: cases, steps: lifecycle('run'), progressEvery }));
  }
  // An interrupt stops the stack under the load: what was measured then means nothing.
  if (stack.isStopping) throw new Error('interrupted; no figures');

  const problems = results.filter((r) => r.failures > 0).map((r) => `${r.name}: ${r.failures} failed request(s): ${r.failureSamples.join(' | ')}`);
  if (problems.length > 0) {
    for (const p of problems) say(`FAILED: ${p}`);
    return 1;
  }
  const [, reference, measured] = results;
  say('checking: every lifecycle case is closed with outcome caution and its audit chain has each transition once');
  const invariant = await checkInvariant(running, closedIds, cases);
  say(`  ${invariant.line}`);
  say(`invariant check: ${invariant.ok ? 'PASS' : 'FAIL'}`);
  if (!invariant.ok) problems.push('the invariant check failed');
  if (running.unexpectedExits.length > 0) problems.push(`the ${running.unexpectedExits.join(' and ')} exited during the run`);

  const ratio = measured.perSecond / reference.perSecond;
  const row = (label: string, s: { p50Ms: number; p95Ms: number; p99Ms: number }) =>
    `  ${label.padEnd(22)} ${s.p50Ms.toFixed(1).padStart(8)} ${s.p95Ms.toFixed(1).padStart(8)} ${s.p99Ms.toFixed(1).padStart(8)}`;
  say('figures:');
  say(
    `  lifecycle  ${measured.perSecond.toFixed(2)} cases/s (${cases} cases, ${(measured.elapsedMs / 1000).toFixed(1)} s, ${(measured.perSecond * 5).toFixed(1)} requests/s)`,
  );
  say(`  reference  ${reference.perSecond.toFixed(2)} intakes/s (bare POST /allegations, ${(reference.elapsedMs / 1000).toFixed(1)} s)`);
  say(`  ratio      ${ratio.toFixed(3)}`);
  say(`  ${'ms per transition'.padEnd(22)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)}`);
  say(row('reference intake', reference.steps.intake));
  for (const name of Object.keys(TRANSITIONS)) say(row(name, measured.steps[name]));
  for (const p of problems) say(`FAILED: ${p}`);

  process.stdout.write(
    `${JSON.stringify({
      name: 'lifecycle',
      value: round(measured.perSecond, 2),
      unit: 'cases/s',
      reference: round(reference.perSecond, 2),
      ratio: round(ratio, 4),
      p99Ms: Object.fromEntries(Object.keys(TRANSITIONS).map((name) => [name, round(measured.steps[name].p99Ms, 1)])),
      referenceP99Ms: round(reference.steps.intake.p99Ms, 1),
      cases,
      concurrency,
      invariantOk: invariant.ok,
    })}\n`,
  );
  return problems.length > 0 ? 1 : 0;
}

runBenchmark(stack, say, main);
