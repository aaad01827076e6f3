// `npm run bench:soak`: many open cases with live timers, under a steady mixed load, for a
// sustained period. Starts a throw-away stack (bench/support.ts; DATABASE_URL and TEMPORAL_ADDRESS
// are used when set), with a short policy: triage of an urgent case due in BENCH_SOAK_URGENT_S
// (120) with a reminder half-way, a reporter's reply due in BENCH_SOAK_REPLY_S (90), and elapsed
// time rather than working days. Then:
//
// 1. opens BENCH_SOAK_CASES routine allegations (default 10,000) through POST /allegations at
//    BENCH_CONCURRENCY (16). Each has live timers (its triage reminders and escalation two days
//    out, its statutory clock), none due in the run; BENCH_SOAK_SPREAD_PERCENT of them (10%) are
//    opened last, with offence times chosen so that their "apply for extension" task falls due
//    BENCH_SOAK_LEAD_S (60) plus 0 to BENCH_SOAK_MINUTES after each is opened, spread evenly;
// 2. for BENCH_SOAK_MINUTES (10) drives a paced mixed load (bench/soak-load.ts) of BENCH_SOAK_RPS
//    requests/s (8) from BENCH_SOAK_CLIENTS clients (8): case reads, lists, full-text searches,
//    the notification inbox, urgent intakes (each sets a triage reminder and escalation due within
//    the run) and request-for-information decisions on the open cases (each sets a reply deadline
//    that lapses within the run, on a workflow long since evicted from the worker's cache);
// 3. waits for every timer set to fire (at most BENCH_DEADLINE_S, 300, after the last due time).
//
// Measured, per minute and overall: API latency p50/p95/p99 by operation; worker, Temporal server
// and API RSS (/proc, every second) and worker and API V8 heap (bench/heap-reporter.ts, preloaded,
// every 5 s, all threads); the lateness of the due timers (bench/soak-timers.ts); the load
// average. Reference in the same run: a plain Temporal timer + activity
// (bench/timer-probe.workflow.ts) for every BENCH_PROBE_EVERY-th (5) timer the soak sets, with the
// same due time, on the benchmark's own worker. Every timer must fire exactly once and no other
// notice may appear. Progress goes to stderr; the last stdout line is JSON:
// {"name":"soak","value":<API p99 ms>,...}. Exits 1 on a failed request, a missing, duplicate or
// unexpected notice, or a start-up failure, after stopping everything.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Client } from 'pg';
import { cpuPercent, cpuSnapshot, PostgresCpu, RssSampler, startProbes } from './samplers';
import { runPacedLoad, SoakOperation } from './soak-load';
import { report, type Phase, type Proc } from './soak-report';
import { countDueEvents, offenceTimeForExtensionTask, readTimers, TimerKind } from './soak-timers';
import { allegationBody, demoToken, describe, envInt, round, runBenchmark, runLoad, sayer, send, Stack } from './support';

const say = sayer('bench:soak');
const stack = new Stack(say);
const GOLDEN = (Math.sqrt(5) - 1) / 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loadavg = () => os.loadavg().map((v) => round(v, 2));

async function main(): Promise<number> {
  const cases = envInt('BENCH_SOAK_CASES', 10_000);
  const minutes = envInt('BENCH_SOAK_MINUTES', 10);
  const concurrency = envInt('BENCH_CONCURRENCY', 16);
  const ratePerS = envInt('BENCH_SOAK_RPS', 8);
  const clients = envInt('BENCH_SOAK_CLIENTS', 8);
  const spreadPercent = Number(process.env.BENCH_SOAK_SPREAD_PERCENT ?? 10);
  const urgentS = envInt('BENCH_SOAK_URGENT_S', 120);
  const replyS = envInt('BENCH_SOAK_REPLY_S', 90);
  const leadS = envInt('BENCH_SOAK_LEAD_S', 60);
  const probeEvery = envInt('BENCH_PROBE_EVERY', 5);
  const deadlineS = envInt('BENCH_DEADLINE_S', 300);
  const spreadCount = Math.round((cases * Math.min(Math.max(spreadPercent, 0), 100)) / 100);
  const host = { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memGiB: round(os.totalmem() / 2 ** 30, 1), loadavgStart: loadavg() };
  say(`host: ${host.cores} cores (${host.cpu}), ${host.memGiB} GiB, load average ${host.loadavgStart.join(' ')} at the start`);
  say(
    `soak: ${cases} open cases (${spreadCount} with an extension task due during the soak), then ${minutes} min of mixed load at ${ratePerS} requests/s from ${clients} clients`,
  );

  Runtime.install({ logger: new DefaultLogger('WARN') });
  const heapDir = mkdtempSync(join(os.tmpdir(), 'casework-soak-heap-'));
  stack.add('heap reports', async () => rmSync(heapDir, { recursive: true, force: true }));
  const preload = `--require ${resolve(__dirname, 'heap-reporter.js')}`;
  const running = await stack.start({
    log: say,
    logLevel: 'warn',
    env: { BENCH_HEAP_DIR: heapDir, NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' ') },
  });
  const pids = {
    worker: running.services.find((s) => s.name === 'worker')?.child.pid,
    temporal: running.temporalPid,
    api: running.services.find((s) => s.name === 'api')?.child.pid,
  };
  if (pids.temporal === undefined) say('the Temporal server was not started here (TEMPORAL_ADDRESS): its RSS is not measured');
  const postgresCpu = new PostgresCpu(running.postgresPid);
  const sampler = new RssSampler<Proc, Phase>(pids, postgresCpu, 'idle');
  sampler.start();
  const loadSamples: { at: number; loadavg: number[] }[] = [];
  const loadTimer = setInterval(() => loadSamples.push({ at: Date.now(), loadavg: loadavg() }), 10_000);
  loadTimer.unref();
  stack.add('samplers', async () => {
    sampler.stop();
    clearInterval(loadTimer);
  });

  const [admin, staff, triage] = await Promise.all(['admin@northshire', 'staff@northshire', 'triage@northshire'].map((u) => demoToken(running.keys, u)));
  const runId = randomBytes(4).toString('hex');
  const base = new URL(running.baseUrl);
  const policyPatch = {
    workingDays: false,
    triageDue: { urgent: `PT${urgentS}S` },
    remindBefore: ['PT2H', `PT${Math.round(urgentS / 2)}S`],
    informationReplyDue: `PT${replyS}S`,
  };
  const agent = new http.Agent();
  const policyAnswer = await send(agent, base, {
    method: 'PATCH',
    path: '/admin/policies/northshire',
    headers: { authorization: `Bearer ${admin}` },
    body: JSON.stringify(policyPatch),
  });
  agent.destroy();
  if (policyAnswer.status !== 200) throw new Error(`PATCH /admin/policies/northshire: ${policyAnswer.status} ${policyAnswer.body.slice(0, 300)}`);
  const extensionAfterMonths = (JSON.parse(policyAnswer.body) as { extensionTaskAfterMonths: number }).extensionTaskAfterMonths;
  say(`policy: ${JSON.stringify(policyPatch)}; extension task ${extensionAfterMonths} months after the offence`);

  say("starting the reference timers' worker (bench/timer-probe.workflow.ts, in this process, on a task queue of its own)");
  const probes = await startProbes(stack, running, runId);
  let timersSet = 0;
  const probe = (dueAt: number) => {
    if (timersSet++ % probeEvery === 0) probes.start(dueAt);
  };

  // Idle reference: RSS with a handful of cases, before the many.
  // Opening stops early once many intakes fail (say, a Temporal server that lost its namespace under load).
  let attempted = 0;
  let succeeded = 0;
  const failing = () => attempted - succeeded > concurrency + 100;
  const common = { concurrency, baseUrl: running.baseUrl, log: say, shouldStop: () => stack.isStopping || failing() };
  const intake = (key: string, i: number, overrides: Record<string, unknown> = {}) => (
    attempted++,
    {
      method: 'POST' as const,
      path: '/allegations',
      headers: { authorization: `Bearer ${staff}`, 'idempotency-key': `soak-${runId}-${key}` },
      body: allegationBody(i, overrides),
    }
  );
  const idOf = (body: string) => {
    succeeded += 1;
    return (JSON.parse(body) as { id: string }).id;
  };
  const warm = await runLoad({
    ...common,
    name: 'warm-up',
    count: 20,
    expectStatus: 201,
    request: (i) => intake(`warm-${i}`, i),
    onSuccess: (r) => void idOf(r.body),
  });
  if (warm.failures > 0) throw new Error(`warm-up failed: ${warm.failureSamples.join(' | ')}`);
  await sleep(5_000);
  const idle = { worker: sampler.median('worker', 'idle'), temporal: sampler.median('temporal', 'idle'), api: sampler.median('api', 'idle') };

  // 1. The open cases.
  sampler.phase = 'creating';
  const routineIds: string[] = [];
  say(`opening ${cases - spreadCount} routine cases at concurrency ${concurrency}`);
  const stoppedEarly = (error: Error): never => {
    throw failing() ? new Error(`opening stopped: ${attempted - succeeded} of ${attempted} intakes failed`) : error;
  };
  const opened = await runLoad({
    ...common,
    name: 'open',
    count: cases - spreadCount,
    expectStatus: 201,
    progressEvery: Math.max(1, Math.ceil(cases / 10)),
    request: (i) => intake(`open-${i}`, i),
    onSuccess: (r) => void routineIds.push(idOf(r.body)),
  }).catch(stoppedEarly);
  say(describe(opened));
  const spreadDue = new Map<string, number>();
  say(`opening ${spreadCount} cases whose extension task falls due ${leadS} to ${leadS + minutes * 60} s after each is opened`);
  // Counted from each case's own request, so that no task falls due before its case exists
  // however slowly they are opened.
  const targets: number[] = [];
  const spread =
    spreadCount === 0
      ? undefined
      : await runLoad({
          ...common,
          name: 'open with extension task',
          count: spreadCount,
          expectStatus: 201,
          request: (k) => {
            targets[k] = Date.now() + leadS * 1000 + Math.round(minutes * 60_000 * ((k * GOLDEN) % 1));
            return intake(`spread-${k}`, cases + k, { occurredAt: new Date(offenceTimeForExtensionTask(targets[k], extensionAfterMonths)).toISOString() });
          },
          onSuccess: (r, k) => {
            spreadDue.set(idOf(r.body), targets[k]);
            probe(targets[k]);
          },
        }).catch(stoppedEarly);
  if (spread) say(describe(spread));
  const failedOpening = opened.failures + (spread?.failures ?? 0);
  if (failedOpening > 0 || stack.isStopping)
    throw new Error(`opening cases failed: ${[...opened.failureSamples, ...(spread?.failureSamples ?? [])].join(' | ')}`);
  const afterCreation = sampler.sample();

  // 2. The soak.
  /** cases a request for information was sent for, and those the API confirmed (200) */
  const decided = new Set<string>();
  const confirmed = new Set<string>();
  const urgent = new Set<string>();
  const pool = [...routineIds];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(((i * GOLDEN * 7919) % 1) * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  let reads = 0;
  let intakes = 0;
  const get = (path: string, token = staff) => ({ method: 'GET' as const, path, headers: { authorization: `Bearer ${token}` } });
  const operations: SoakOperation[] = [
    { name: 'read case', weight: 8, expectStatus: 200, request: () => get(`/allegations/${routineIds[(reads++ * 7919) % routineIds.length]}`) },
    { name: 'list', weight: 2, expectStatus: 200, request: () => get('/allegations?q=care%20home&limit=20') },
    {
      name: 'search',
      weight: 3,
      expectStatus: 200,
      request: () =>
        get(`/allegations/search?q=${encodeURIComponent(['canvasser', 'postal votes', 'care home', '"red rosette"'][reads % 4])}&status=triage&limit=20`),
    },
    { name: 'inbox', weight: 1, expectStatus: 200, request: () => get('/me/notifications', triage) },
    {
      name: 'urgent intake',
      weight: 3,
      expectStatus: 201,
      request: () => intake(`urgent-${intakes}`, 2 * cases + intakes++, { urgency: 'urgent' }),
      onSuccess: (r, at) => {
        urgent.add(idOf(r.body));
        probe(at + Math.round(urgentS / 2) * 1000);
        probe(at + urgentS * 1000);
      },
    },
    {
      name: 'request information',
      weight: 3,
      expectStatus: 200,
      request: () => {
        const id = pool.pop();
        if (!id) return undefined;
        decided.add(id);
        return {
          method: 'POST',
          path: `/allegations/${id}/triage`,
          headers: { authorization: `Bearer ${triage}` },
          body: JSON.stringify({ decision: 'request_information', question: 'Which care home, and when?', note: 'soak: the account needs a place and a time' }),
        };
      },
      onSuccess: (r, at) => {
        confirmed.add(idOf(r.body));
        probe(at + replyS * 1000);
      },
    },
  ];
  sampler.phase = 'soak';
  const cpuFrom = cpuSnapshot(pids, postgresCpu);
  say(`soaking for ${minutes} min`);
  const load0 = Date.now();
  const progress = setInterval(() => {
    const now = sampler.sample();
    say(
      `soak: ${Math.round((Date.now() - load0) / 1000)} s; decisions ${confirmed.size}, urgent intakes ${urgent.size}; worker RSS ${Math.round((now.worker ?? 0) / 1024)} MiB, Temporal ${Math.round((now.temporal ?? 0) / 1024)} MiB; load average ${loadavg().join(' ')}`,
    );
  }, 30_000);
  const load = await runPacedLoad({
    baseUrl: running.baseUrl,
    ratePerS,
    clients,
    durationMs: minutes * 60_000,
    operations,
    shouldStop: () => stack.isStopping,
  });
  clearInterval(progress);
  const cpuSoak = cpuPercent(cpuFrom, cpuSnapshot(pids, postgresCpu));
  if (stack.isStopping) throw new Error('interrupted; no figures');

  // 3. Every timer set must fire.
  sampler.phase = 'draining';
  const expected = confirmed.size + 2 * urgent.size + spreadDue.size;
  const caseIds = [...routineIds, ...spreadDue.keys(), ...urgent];
  const expectedIds = [...confirmed, ...urgent, ...spreadDue.keys()];
  const lastDue = Math.max(load.endedAt + Math.max(urgentS, replyS) * 1000, ...spreadDue.values());
  const deadline = lastDue + deadlineS * 1000;
  const db = new Client({ connectionString: running.databaseUrl });
  await db.connect();
  try {
    say(`waiting for ${expected} timers (the last due ${Math.round((lastDue - Date.now()) / 1000)} s from now) and the reference timers`);
    for (let last = 0; ; await sleep(2_000)) {
      if (stack.isStopping) throw new Error('interrupted; no figures');
      // Over the cases with confirmed timers only: a decision answered 503 may or may not take effect.
      const seen = await countDueEvents(db, expectedIds);
      const probesDone = probes.fired.length >= probes.started - probes.failures.length;
      if ((seen >= expected && probesDone && Date.now() > lastDue) || Date.now() > deadline) break;
      if (Date.now() - last > 15_000) {
        last = Date.now();
        say(`timers fired: ${seen}/${expected}; reference: ${probes.fired.length}/${probes.started}`);
      }
    }
    await sleep(5_000); // a late second notice would show now
    sampler.sample();
    sampler.stop();
    const kindsOf = (id: string): TimerKind[] => [
      ...(decided.has(id) ? (['information_lapse'] as const) : []),
      ...(urgent.has(id) ? (['triage_reminder', 'triage_escalation'] as const) : []),
      ...(spreadDue.has(id) ? (['extension_task'] as const) : []),
    ];
    const timers = await readTimers(db, caseIds, extensionAfterMonths, (id, kind) => kindsOf(id).includes(kind));
    return report({
      say,
      host: { ...host, loadavgEnd: loadavg() },
      settings: { cases, spreadCount, minutes, ratePerS, clients, urgentS, replyS, probeEvery, concurrency },
      opened: [opened, ...(spread ? [spread] : [])],
      load,
      timers,
      expected,
      expectedByCase: kindsOf,
      caseIds: expectedIds,
      unconfirmedIds: [...decided].filter((id) => !confirmed.has(id)),
      probes,
      sampler,
      heapDir,
      pids,
      idle,
      afterCreation,
      loadSamples,
      cpuSoak,
      soakFrom: load.startedAt,
      soakTo: load.endedAt,
      unexpectedExits: running.unexpectedExits,
    });
  } finally {
    await db.end();
  }
}

runBenchmark(stack, say, main);
