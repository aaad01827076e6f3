// `npm run bench:intake`: intake throughput. Starts a throw-away stack (see bench/support.ts;
// DATABASE_URL and TEMPORAL_ADDRESS are used when set), warms up, then drives POST /allegations
// and, as the reference, GET /health, each with BENCH_CONCURRENCY clients (default 16) for
// BENCH_REQUESTS requests (default 3000) over keep-alive connections. Every intake must answer
// 201, and afterwards every acknowledged allegation must have its started workflow
// (workflow_starts.started_at). Progress and figures go to stderr; the last stdout line is JSON:
// {"name":"intake","value":<allegations/s>,"unit":"allegations/s","reference":<health/s>,"ratio":...}.
// Exits 1 on any failed request, broken invariant or start-up failure, after stopping everything.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { findDemoUser, signToken } from '../libs/auth';
import { describe, envInt, HttpResult, LoadResult, round, runLoad, RunningStack, sayer, Stack } from './support';

const say = sayer('bench:intake');
const stack = new Stack(say);

const USERNAME = 'staff@northshire';

function allegationBody(i: number): string {
  return JSON.stringify({
    category: 'postal_vote',
    electionId: 'northshire-local-2027',
    location: { ward: 'Castle Ward', pollingDistrict: 'CW3', pollingStation: 'St Mary’s Church Hall' },
    occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    reporter: { name: 'A. Elector', contact: 'a.elector@example.com', type: 'elector' },
    description: `Bench allegation ${i}: a canvasser was seen collecting completed postal votes at a care home.`,
    urgency: 'routine',
    safetyConcern: false,
    peopleInvolved: [{ name: 'J. Canvasser', role: 'canvasser', details: 'wore a red rosette' }],
  });
}

interface InvariantCheck {
  ok: boolean;
  lines: string[];
}

/** Every 201 is one allegations row, and each has a workflow_starts row with started_at set. */
async function checkInvariant(running: RunningStack, ids: Set<string>, created: number, rowsBefore: number): Promise<InvariantCheck> {
  const db = new Client({ connectionString: running.databaseUrl });
  await db.connect();
  try {
    const lines: string[] = [];
    let ok = true;
    const [{ count: total }] = (await db.query('SELECT count(*)::int AS count FROM allegations')).rows;
    const added = total - rowsBefore;
    const rowsMatch = added === created && ids.size === created;
    ok &&= rowsMatch;
    lines.push(`allegations rows added: ${added}; 201 responses: ${created}; distinct ids in them: ${ids.size} -> ${rowsMatch ? 'match' : 'MISMATCH'}`);
    const [mine] = (
      await db.query(
        `SELECT count(a.id)::int AS found, count(w.allegation_id)::int AS with_outbox, count(w.started_at)::int AS started
           FROM unnest($1::uuid[]) AS r(id) LEFT JOIN allegations a ON a.id = r.id LEFT JOIN workflow_starts w ON w.allegation_id = a.id`,
        [[...ids]],
      )
    ).rows;
    const allStarted = mine.found === ids.size && mine.with_outbox === ids.size && mine.started === ids.size;
    ok &&= allStarted;
    lines.push(`acknowledged allegations found: ${mine.found}/${ids.size}, with a workflow_starts row: ${mine.with_outbox}, started_at set: ${mine.started} -> ${allStarted ? 'every acknowledged allegation has its workflow' : 'INVARIANT BROKEN'}`);
    if (running.ownDatabase) {
      const [{ count: orphans }] = (
        await db.query('SELECT count(*)::int AS count FROM allegations a LEFT JOIN workflow_starts w ON w.allegation_id = a.id WHERE w.started_at IS NULL')
      ).rows;
      ok &&= orphans === 0;
      lines.push(`allegations in the database without a started workflow: ${orphans}`);
    }
    return { ok, lines };
  } finally {
    await db.end();
  }
}

async function countAllegations(databaseUrl: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return (await db.query('SELECT count(*)::int AS count FROM allegations')).rows[0].count;
  } finally {
    await db.end();
  }
}

function failureSummary(r: LoadResult): string {
  const statuses = Object.entries(r.failureStatuses).map(([s, n]) => `${s === '0' ? 'transport error' : s} x${n}`).join(', ');
  return `${r.name}: ${r.failures} failed (${statuses}); first: ${r.failureSamples.join(' | ')}`;
}

async function main(): Promise<number> {
  const concurrency = envInt('BENCH_CONCURRENCY', 16);
  const requests = envInt('BENCH_REQUESTS', 3000);
  const warmup = envInt('BENCH_WARMUP', 100);
  const progressEvery = 1000;
  say(`intake benchmark: ${requests} requests at concurrency ${concurrency} (warm-up ${warmup}), as ${USERNAME}`);

  const running = await stack.start({ log: say, logLevel: 'warn' });
  const user = findDemoUser(USERNAME)!;
  const token = await signToken(running.keys, { sub: user.id, roles: user.roles, authorityId: user.authorityId, forceId: user.forceId, name: user.username });
  const runId = randomBytes(4).toString('hex');
  const ids = new Set<string>();
  let created = 0;
  const rowsBefore = await countAllegations(running.databaseUrl);

  const intake = (phase: string) => (i: number) => ({
    method: 'POST' as const,
    path: '/allegations',
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': `bench-${runId}-${phase}-${i}` },
    body: allegationBody(i),
  });
  const collect = (result: HttpResult) => {
    created += 1;
    try {
      ids.add((JSON.parse(result.body) as { id: string }).id);
    } catch {
      say(`a 201 without a JSON body naming an id: ${result.body.slice(0, 200)}`); // the distinct-id count then fails the check
    }
  };
  const health = () => ({ method: 'GET' as const, path: '/health' });
  const common = { concurrency, baseUrl: running.baseUrl, log: say, shouldStop: () => stack.isStopping };

  say(`warming up: ${warmup} x GET /health, ${warmup} x POST /allegations`);
  const warmResults = [
    await runLoad({ ...common, name: 'warm-up health', count: warmup, request: health, expectStatus: 200 }),
    await runLoad({ ...common, name: 'warm-up intake', count: warmup, request: intake('warm'), expectStatus: 201, onSuccess: collect }),
  ];
  for (const r of warmResults) say(describe(r));
  // Let the worker catch up with the warm-up's workflows before measuring.
  await new Promise((r) => setTimeout(r, 2_000));

  say(`reference: ${requests} x GET /health at concurrency ${concurrency}`);
  const healthResult = await runLoad({ ...common, name: 'health', count: requests, request: health, expectStatus: 200, progressEvery });
  say(describe(healthResult));

  say(`measuring: ${requests} x POST /allegations at concurrency ${concurrency}`);
  const intakeResult = await runLoad({ ...common, name: 'intake', count: requests, request: intake('run'), expectStatus: 201, onSuccess: collect, progressEvery });
  say(describe(intakeResult));

  // An interrupt stops the stack under the load: what was measured then means nothing.
  if (stack.isStopping) throw new Error('interrupted; no figures');
  say('checking: every 201 is one allegation, and every acknowledged allegation has its started workflow');
  const invariant = await checkInvariant(running, ids, created, rowsBefore);
  for (const line of invariant.lines) say(`  ${line}`);
  say(`invariant check: ${invariant.ok ? 'PASS' : 'FAIL'}`);

  const ratio = intakeResult.perSecond / healthResult.perSecond;
  say('figures:');
  say(`  intake  POST /allegations  ${intakeResult.perSecond.toFixed(1)} allegations/s  p50 ${intakeResult.p50Ms.toFixed(1)} ms  p99 ${intakeResult.p99Ms.toFixed(1)} ms`);
  say(`  health  GET /health        ${healthResult.perSecond.toFixed(1)} requests/s     p50 ${healthResult.p50Ms.toFixed(1)} ms  p99 ${healthResult.p99Ms.toFixed(1)} ms`);
  say(`  ratio   intake/health      ${ratio.toFixed(3)}`);
  say(`  target  >= 150 allegations/s with p99 < 250 ms: ${intakeResult.perSecond >= 150 && intakeResult.p99Ms < 250 ? 'met' : 'missed'}`);

  const problems: string[] = [];
  for (const r of [...warmResults, healthResult, intakeResult]) if (r.failures > 0) problems.push(failureSummary(r));
  if (!invariant.ok) problems.push('the invariant check failed');
  if (running.unexpectedExits.length > 0) problems.push(`the ${running.unexpectedExits.join(' and ')} exited during the run`);
  for (const p of problems) say(`FAILED: ${p}`);

  process.stdout.write(
    `${JSON.stringify({
      name: 'intake',
      value: round(intakeResult.perSecond, 2),
      unit: 'allegations/s',
      reference: round(healthResult.perSecond, 2),
      ratio: round(ratio, 4),
      p50Ms: round(intakeResult.p50Ms, 2),
      p99Ms: round(intakeResult.p99Ms, 2),
      healthP50Ms: round(healthResult.p50Ms, 2),
      healthP99Ms: round(healthResult.p99Ms, 2),
      concurrency,
      requests,
      failures: intakeResult.failures + healthResult.failures + warmResults.reduce((n, r) => n + r.failures, 0),
      invariantOk: invariant.ok,
    })}\n`,
  );
  return problems.length > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    say(`${signal} received`);
    void stack.stop().then(() => process.exit(1));
  });
}

process.on('unhandledRejection', (error) => {
  say(`unhandled rejection: ${(error as Error)?.stack ?? error}`);
  void stack.stop().then(() => process.exit(1));
});

main()
  .catch((error: Error) => {
    say(`failed: ${error.stack ?? error.message}`);
    return 1;
  })
  .then(async (code) => {
    await stack.stop();
    process.exit(code);
  });
