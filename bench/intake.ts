// `npm run bench:intake`: intake throughput. Starts a throw-away stack (see bench/support.ts;
// DATABASE_URL and TEMPORAL_ADDRESS are used when set), warms up, then drives POST /allegations
// and, as the reference, GET /health, each with BENCH_CONCURRENCY clients (default 16) for
// BENCH_REQUESTS requests (default 3000) over keep-alive connections. Every intake must answer
// 201, and afterwards every acknowledged allegation must have its started workflow
// (workflow_starts.started_at). Progress and figures go to stderr; the last stdout line is JSON:
// {"name":"intake","value":<allegations/s>,"unit":"allegations/s","reference":<health/s>,"ratio":...}.
// Exits 1 on any failed request, broken invariant or start-up failure, after stopping everything.
// BENCH_TEMPORAL (without TEMPORAL_ADDRESS): `dev` (default) the CLI's in-memory dev server,
// `server` the real Temporal server on the bench's PostgreSQL, `both` one after the other in the
// same run, each on a fresh stack; the JSON then carries each under "runs" (value and reference
// stay the first's). Each run also reports the CPU seconds per intake of Temporal, the worker, the
// API and PostgreSQL over the measured phase, and, on the real server, a Go CPU profile of the
// server for that phase (its top functions on stderr; BENCH_PROFILE_SECONDS, default 15). An
// intake is acknowledged once its workflow is started; the case's first workflow task runs when
// the worker gets to it. So each run also waits until the last BENCH_DRAIN_SAMPLE (50) cases
// acknowledged have had their first task, and reports how long after the last intake that was
// and the CPU per intake over the phase and that drain together: a worker that falls behind
// looks cheaper over the phase alone.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { allegationWorkflowId } from '@libs/domain';
import { freePort } from '@libs/infra';
import { cpuSnapshot, CpuSnapshot, firstTasksDone, PostgresCpu } from './samplers';
import { allegationBody, demoToken, describe, envInt, HttpResult, LoadResult, round, runBenchmark, runLoad, RunningStack, sayer, Stack } from './support';

const say = sayer('bench:intake');
let stack = new Stack(say);
type Mode = 'dev' | 'server';

const USERNAME = 'staff@northshire';

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
    lines.push(
      `acknowledged allegations found: ${mine.found}/${ids.size}, with a workflow_starts row: ${mine.with_outbox}, started_at set: ${mine.started} -> ${allStarted ? 'every acknowledged allegation has its workflow' : 'INVARIANT BROKEN'}`,
    );
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
  const statuses = Object.entries(r.failureStatuses)
    .map(([s, n]) => `${s === '0' ? 'transport error' : s} x${n}`)
    .join(', ');
  return `${r.name}: ${r.failures} failed (${statuses}); first: ${r.failureSamples.join(' | ')}`;
}

/** CPU seconds each process used per intake over the measured phase. */
function cpuPerIntake(from: CpuSnapshot, to: CpuSnapshot, intakes: number): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const key of ['temporal', 'worker', 'api', 'postgres', 'host'] as const) {
    const a = from[key];
    const b = to[key];
    out[key] = a !== undefined && b !== undefined && intakes > 0 ? round(((b - a) / intakes) * 1000, 2) : null; // CPU ms per intake
  }
  return out;
}

/** A CPU profile of the Temporal server (Go pprof) over `seconds`, and its top functions. */
async function profileServer(pprofPort: number, seconds: number): Promise<{ file: string; top: string[] } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${pprofPort}/debug/pprof/profile?seconds=${seconds}`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const file = join(tmpdir(), `bench-intake-temporal-server-${Date.now()}.pprof`);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const go = ['go', '/usr/local/go/bin/go'].find((g) => spawnSync(g, ['version']).status === 0);
    if (!go) return { file, top: ['(no Go toolchain to read the profile)'] };
    const top = spawnSync(go, ['tool', 'pprof', '-top', '-nodecount=25', file], { encoding: 'utf8' });
    const cum = spawnSync(go, ['tool', 'pprof', '-top', '-cum', '-nodecount=40', file], { encoding: 'utf8' });
    return { file, top: [...(top.stdout ?? '').split('\n'), '--- by cumulative time:', ...(cum.stdout ?? '').split('\n')].filter((l) => l.trim()) };
  } catch (error) {
    say(`profiling the Temporal server failed: ${(error as Error).message}`);
    return undefined;
  }
}

interface RunOutcome {
  json: Record<string, unknown>;
  problems: string[];
}

async function runOnce(mode: Mode | 'external'): Promise<RunOutcome> {
  const concurrency = envInt('BENCH_CONCURRENCY', 16);
  const requests = envInt('BENCH_REQUESTS', 3000);
  const warmup = envInt('BENCH_WARMUP', 100);
  const progressEvery = 1000;
  const label =
    mode === 'external'
      ? `Temporal at ${process.env.TEMPORAL_ADDRESS}`
      : mode === 'dev'
        ? 'Temporal dev server (CLI, in memory)'
        : 'Temporal server on PostgreSQL';
  say(`intake benchmark on the ${label}: ${requests} requests at concurrency ${concurrency} (warm-up ${warmup}), as ${USERNAME}`);

  const pprofPort = mode === 'server' ? await freePort() : undefined;
  const running = await stack.start({ log: say, logLevel: 'warn', temporal: mode === 'server' ? 'server' : 'dev', pprofPort });
  const postgresCpu = new PostgresCpu(running.postgresPid);
  const pids = {
    temporal: running.temporalPid,
    worker: running.services.find((s) => s.name === 'worker')?.child.pid,
    api: running.services.find((s) => s.name === 'api')?.child.pid,
  };
  const pgPoll = setInterval(() => postgresCpu.poll(), 1_000);
  const token = await demoToken(running.keys, USERNAME);
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
  const cpuBefore = cpuSnapshot(pids, postgresCpu);
  const profile = pprofPort ? profileServer(pprofPort, envInt('BENCH_PROFILE_SECONDS', 15)) : undefined;
  const intakeResult = await runLoad({
    ...common,
    name: 'intake',
    count: requests,
    request: intake('run'),
    expectStatus: 201,
    onSuccess: collect,
    progressEvery,
  });
  const cpuAfter = cpuSnapshot(pids, postgresCpu);
  say(describe(intakeResult));
  const lastAcknowledged = [...ids].slice(-envInt('BENCH_DRAIN_SAMPLE', 50)).map(allegationWorkflowId);
  const drainMs = await firstTasksDone(running.temporalAddress, lastAcknowledged, 300_000);
  const cpuDrained = cpuSnapshot(pids, postgresCpu);
  clearInterval(pgPoll);
  const cpu = cpuPerIntake(cpuBefore, cpuAfter, intakeResult.ok);
  const cpuWithDrain = cpuPerIntake(cpuBefore, cpuDrained, intakeResult.ok);
  const cpuLine = (c: Record<string, number | null>) =>
    Object.entries(c)
      .map(([k, v]) => `${k === 'host' ? 'host (all processes)' : k} ${v ?? 'n/a'}`)
      .join(', ');
  say(`CPU ms per intake (measured phase): ${cpuLine(cpu)}`);
  say(
    drainMs === undefined
      ? `the worker had not run the first task of the last ${lastAcknowledged.length} cases 300 s after the last intake`
      : `the worker ran the first task of the last ${lastAcknowledged.length} cases acknowledged ${round(drainMs / 1000, 2)} s after the last intake`,
  );
  say(`CPU ms per intake (measured phase and that drain): ${cpuLine(cpuWithDrain)}`);
  const profiled = await profile;
  if (profiled) {
    say(`Go CPU profile of the Temporal server (first ${envInt('BENCH_PROFILE_SECONDS', 15)} s of the measured phase): ${profiled.file}`);
    for (const line of profiled.top) say(`  ${line}`);
  }

  // An interrupt stops the stack under the load: what was measured then means nothing.
  if (stack.isStopping) throw new Error('interrupted; no figures');
  say('checking: every 201 is one allegation, and every acknowledged allegation has its started workflow');
  const invariant = await checkInvariant(running, ids, created, rowsBefore);
  for (const line of invariant.lines) say(`  ${line}`);
  say(`invariant check: ${invariant.ok ? 'PASS' : 'FAIL'}`);

  const ratio = intakeResult.perSecond / healthResult.perSecond;
  say(`figures (${label}):`);
  say(
    `  intake  POST /allegations  ${intakeResult.perSecond.toFixed(1)} allegations/s  p50 ${intakeResult.p50Ms.toFixed(1)} ms  p99 ${intakeResult.p99Ms.toFixed(1)} ms`,
  );
  say(
    `  health  GET /health        ${healthResult.perSecond.toFixed(1)} requests/s     p50 ${healthResult.p50Ms.toFixed(1)} ms  p99 ${healthResult.p99Ms.toFixed(1)} ms`,
  );
  say(`  ratio   intake/health      ${ratio.toFixed(3)}`);
  say(`  target  >= 150 allegations/s with p99 < 250 ms: ${intakeResult.perSecond >= 150 && intakeResult.p99Ms < 250 ? 'met' : 'missed'}`);

  const problems: string[] = [];
  for (const r of [...warmResults, healthResult, intakeResult]) if (r.failures > 0) problems.push(failureSummary(r));
  if (!invariant.ok) problems.push('the invariant check failed');
  if (drainMs === undefined) problems.push("the worker did not run the new cases' first tasks within 300 s");
  if (running.unexpectedExits.length > 0) problems.push(`the ${running.unexpectedExits.join(' and ')} exited during the run`);
  for (const p of problems) say(`FAILED: ${p}`);

  const json = {
    temporal: mode,
    value: round(intakeResult.perSecond, 2),
    reference: round(healthResult.perSecond, 2),
    ratio: round(ratio, 4),
    p50Ms: round(intakeResult.p50Ms, 2),
    p99Ms: round(intakeResult.p99Ms, 2),
    healthP50Ms: round(healthResult.p50Ms, 2),
    healthP99Ms: round(healthResult.p99Ms, 2),
    cpuMsPerIntake: cpu,
    firstTasksDrainedS: drainMs === undefined ? null : round(drainMs / 1000, 2),
    cpuMsPerIntakeWithDrain: cpuWithDrain,
    concurrency,
    requests,
    failures: intakeResult.failures + healthResult.failures + warmResults.reduce((n, r) => n + r.failures, 0),
    invariantOk: invariant.ok,
  };
  return { json, problems };
}

async function main(): Promise<number> {
  const choice = process.env.BENCH_TEMPORAL ?? 'dev';
  if (!['dev', 'server', 'both'].includes(choice)) throw new Error(`BENCH_TEMPORAL must be dev, server or both, not ${JSON.stringify(choice)}`);
  const modes: (Mode | 'external')[] = process.env.TEMPORAL_ADDRESS ? ['external'] : choice === 'both' ? ['dev', 'server'] : [choice as Mode];
  const outcomes: RunOutcome[] = [];
  for (const [i, mode] of modes.entries()) {
    if (i > 0) {
      await stack.stop();
      stack = new Stack(say);
    }
    outcomes.push(await runOnce(mode));
  }
  if (outcomes.length > 1) {
    say('both servers, same run:');
    for (const o of outcomes) {
      const j = o.json as { temporal: string; value: number; p50Ms: number; p99Ms: number; reference: number; cpuMsPerIntake: Record<string, number | null> };
      say(
        `  ${j.temporal.padEnd(6)} ${j.value} allegations/s  p50 ${j.p50Ms} ms  p99 ${j.p99Ms} ms  (health ${j.reference}/s)  CPU ms/intake: ${Object.entries(
          j.cpuMsPerIntake,
        )
          .map(([k, v]) => `${k} ${v ?? 'n/a'}`)
          .join(', ')}`,
      );
    }
  }
  const first = outcomes[0].json;
  process.stdout.write(
    `${JSON.stringify({
      name: 'intake',
      unit: 'allegations/s',
      ...first,
      ...(outcomes.length > 1 ? { runs: Object.fromEntries(outcomes.map((o) => [o.json.temporal, o.json])) } : {}),
    })}\n`,
  );
  return outcomes.some((o) => o.problems.length > 0) ? 1 : 0;
}

// A function, not the stack: with BENCH_TEMPORAL=both, main replaces it between the runs.
runBenchmark(() => stack, say, main);
