// `npm run bench:risks`: the risk register's review cycles at scale. Starts a throw-away stack
// (see bench/support.ts; DATABASE_URL and TEMPORAL_ADDRESS are used when set), sets the
// authority's riskReviewGrace to P1D (so no escalation falls due in the run), registers
// BENCH_RISKS open risks (default 10,000) through POST /risks with BENCH_CONCURRENCY clients
// (default 16), each with a review cadence of BENCH_DUE_MIN_S plus up to BENCH_DUE_SPREAD_S
// seconds (default 60 + 0..60 s, spread by the golden ratio), so each risk's first review falls
// due 60 to 120 s after its own creation. It then waits for every reminder (at most
// BENCH_DEADLINE_S, default 600, after the last due time). Reminders therefore fall due about as
// fast as risks are created; a wider window (say BENCH_DUE_MIN_S=300 BENCH_DUE_SPREAD_S=600)
// spreads them more thinly and mostly after creation.
//
// Measured:
// - the lateness of each reminder: the created_at of the notification that carried it, alone or
//   in a digest (PostgreSQL's now() in the notify activity's transaction), minus the due time the
//   workflow intended, which is in its due key (`risk:<id>:<nextReviewDueAt>:reminder`, recorded
//   per recipient in notification_due_events); the bench also checks that this due
//   time is the risk's creation time plus its cadence, as libs/domain/risks.ts computes it;
// - how fast reminders fell due and how fast they were written (a backlog shows as the second
//   falling behind the first);
// - the RSS of the worker, the Temporal dev server and the API (VmRSS in /proc/<pid>/status,
//   sampled every second): at idle before the risks, after their creation, at the peak and at the
//   end; and the CPU of each process, PostgreSQL and the host, per phase and per reminder;
// - the creation rate and latency of POST /risks.
// References in the same run: the RSS and CPU at idle before the risks are created; and a plain
// Temporal timer (bench/timer-probe.workflow.ts: a sleep to the due time, then one activity, the
// same shape as a reminder without the application), started once for every BENCH_PROBE_EVERY
// risks (default 10) with that risk's cadence, run by a worker of the bench's own, in this process,
// on its own task queue.
//
// Every risk must get exactly one reminder, with no escalation. Progress and figures go to stderr;
// the last stdout line is JSON: {"name":"risks","value":<p99 lateness s>,"unit":...,"reference":
// <timer p99 s>,...}. Exits 1 on a failed request, a missing or duplicate reminder, a wrong due
// time or a start-up failure, after stopping everything.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Client } from 'pg';
import { findDemoUser } from '@libs/auth';
import { TemporalConfig, WorkerConfig } from '@libs/config';
import { durationMs, parseDuration } from '@libs/domain';
import { riskReviewDispatchWorkflowId, riskReviewWorkflowId } from '@workflows/risk-review.messages';
import {
  cpuPercent,
  cpuSnapshot,
  CpuKey,
  CpuSnapshot,
  describeCpu,
  describeShape,
  describeStats,
  fmtMiB,
  historyShape,
  HistoryShape,
  mib,
  PostgresCpu,
  r1,
  RssSampler,
  startProbes,
  stats,
} from './samplers';
import { demoToken, describe, envInt, HttpResult, round, runBenchmark, runLoad, sayer, send, Stack } from './support';

const say = sayer('bench:risks');
const stack = new Stack(say);

const CREATOR = 'returning_officer@northshire';
const OWNER = 'plan_owner@northshire';
const ADMIN = 'admin@northshire';
const AUTHORITY = 'northshire';
const GOLDEN = (Math.sqrt(5) - 1) / 2;

type Proc = 'worker' | 'temporal' | 'api';
type Phase = 'idle' | 'creating' | 'waiting';

interface Reminder {
  riskId: string;
  dueMs: number;
  createdMs: number;
  expectedDueMs: number;
}

const DUE_KEY = /^risk:([0-9a-f-]{36}):(.+):reminder$/;

/**
 * The reminders and escalations of this run's risks (by title), with the intended due time from
 * each due key. A reminder is a due event delivered to its owner: a notification_due_events row
 * (recipient, due key), whose notification, the reminder alone or a digest listing it, must exist;
 * its time is that notification's created_at. A reminder or escalation notification that no such
 * row points at counts too, so a reminder sent outside the record would show as a duplicate.
 */
async function readNotifications(
  db: Client,
  titlePrefix: string,
): Promise<{ reminders: Reminder[]; escalations: number; unparsable: string[]; messages: number }> {
  const rows: { due_key: string; kind: string; created_ms: string; risk_created_ms: string; review_every: string; notification_id: string }[] = (
    await db.query(
      `SELECT e.due_key, 'risk_review_reminder' AS kind, (extract(epoch FROM n.created_at) * 1000)::float8 AS created_ms,
              (extract(epoch FROM r.created_at) * 1000)::float8 AS risk_created_ms, r.review_every, n.id AS notification_id
         FROM notification_due_events e JOIN notifications n ON n.id = e.notification_id
         JOIN risks r ON r.id::text = split_part(e.due_key, ':', 2)
        WHERE e.due_key LIKE 'risk:%:reminder' AND r.title LIKE $1
       UNION ALL
       SELECT n.due_key, n.kind, (extract(epoch FROM n.created_at) * 1000)::float8 AS created_ms,
              (extract(epoch FROM r.created_at) * 1000)::float8 AS risk_created_ms, r.review_every, n.id AS notification_id
         FROM notifications n JOIN risks r ON r.id::text = split_part(n.due_key, ':', 2)
        WHERE n.due_key LIKE 'risk:%' AND n.kind IN ('risk_review_reminder', 'risk_review_escalation') AND r.title LIKE $1
          AND NOT EXISTS (SELECT 1 FROM notification_due_events e WHERE e.notification_id = n.id)`,
      [`${titlePrefix}%`],
    )
  ).rows;
  const reminders: Reminder[] = [];
  const unparsable: string[] = [];
  const messages = new Set<string>();
  let escalations = 0;
  for (const row of rows) {
    if (row.kind === 'risk_review_escalation') {
      escalations += 1;
      continue;
    }
    messages.add(row.notification_id);
    const match = DUE_KEY.exec(row.due_key);
    const dueMs = match ? Date.parse(match[2]) : NaN;
    if (!match || Number.isNaN(dueMs)) {
      unparsable.push(row.due_key);
      continue;
    }
    reminders.push({
      riskId: match[1],
      dueMs,
      createdMs: Number(row.created_ms),
      expectedDueMs: Math.round(Number(row.risk_created_ms)) + durationMs(parseDuration(row.review_every)),
    });
  }
  return { reminders, escalations, unparsable, messages: messages.size };
}

/** Risks of this run whose reminder has been delivered (alone or in a digest). */
async function countReminders(db: Client, titlePrefix: string): Promise<number> {
  const [row] = (
    await db.query(
      `SELECT count(DISTINCT r.id)::int AS risks FROM notification_due_events e JOIN notifications n ON n.id = e.notification_id
         JOIN risks r ON r.id::text = split_part(e.due_key, ':', 2)
        WHERE e.due_key LIKE 'risk:%:reminder' AND r.title LIKE $1`,
      [`${titlePrefix}%`],
    )
  ).rows;
  return row.risks;
}

// ---------------------------------------------------------------------------------------------

function riskBody(title: string, ownerId: string, reviewEvery: string): string {
  return JSON.stringify({
    title,
    category: 'houses_of_multiple_occupation',
    likelihood: 3,
    impact: 4,
    ownerId,
    mitigations: [{ description: 'Visit every HMO with more than 10 postal vote applications', ownerId, status: 'in_progress' }],
    reviewEvery,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const count = envInt('BENCH_RISKS', 10_000);
  const concurrency = envInt('BENCH_CONCURRENCY', 16);
  const warmup = envInt('BENCH_WARMUP', 20);
  const dueMinS = envInt('BENCH_DUE_MIN_S', 60);
  const dueSpreadS = envInt('BENCH_DUE_SPREAD_S', 60);
  const probeEvery = envInt('BENCH_PROBE_EVERY', 10);
  const deadlineS = envInt('BENCH_DEADLINE_S', 600);
  const cores = os.cpus().length;
  const host = { cores, cpu: os.cpus()[0]?.model ?? 'unknown', memGiB: round(os.totalmem() / 2 ** 30, 1), loadavgStart: os.loadavg().map((v) => round(v, 2)) };
  say(`host: ${host.cores} cores (${host.cpu}), ${host.memGiB} GiB, load average ${host.loadavgStart.join(' ')} at the start`);
  say(
    `risk benchmark: ${count} open risks at concurrency ${concurrency}, each first due ${dueMinS} to ${dueMinS + dueSpreadS} s after its creation; reference: a plain timer for every ${probeEvery} risks`,
  );
  // The worker's workflow cache: WORKER_MAX_CACHED_WORKFLOWS, or its default (libs/config).
  const cacheSetting = process.env.WORKER_MAX_CACHED_WORKFLOWS;
  const workerCache = cacheSetting ? Number(cacheSetting) : new WorkerConfig().WORKER_MAX_CACHED_WORKFLOWS;
  say(
    `the worker's workflow cache: ${workerCache} workflows (${cacheSetting ? 'WORKER_MAX_CACHED_WORKFLOWS' : 'the default of WORKER_MAX_CACHED_WORKFLOWS'})${count > workerCache ? `, fewer than the ${count} risks: a change to an evicted risk's workflow replays it from its history first` : ''}`,
  );

  // Our own worker (for the reference timers) logs through the SDK runtime: warnings only.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const running = await stack.start({ log: say, logLevel: 'warn' });
  const workerPid = running.services.find((s) => s.name === 'worker')?.child.pid;
  const apiPid = running.services.find((s) => s.name === 'api')?.child.pid;
  if (running.temporalPid === undefined) say('the Temporal server was not started here (TEMPORAL_ADDRESS) or has no pid: its RSS is not measured');
  const postgresCpu = new PostgresCpu(running.postgresPid);
  const sampler = new RssSampler<Proc, Phase>({ worker: workerPid, temporal: running.temporalPid, api: apiPid }, postgresCpu, 'idle');
  sampler.start();

  const [creator, admin] = await Promise.all([demoToken(running.keys, CREATOR), demoToken(running.keys, ADMIN)]);
  const ownerId = findDemoUser(OWNER)!.id;
  const runId = randomBytes(4).toString('hex');
  const titlePrefix = `Bench risk ${runId} `;
  const agent = new http.Agent({ keepAlive: true });
  const base = new URL(running.baseUrl);

  // Policy: reminders only. A grace of a day keeps escalations out of the run (none may appear).
  const policy = await send(agent, base, {
    method: 'PATCH',
    path: `/admin/policies/${AUTHORITY}`,
    headers: { authorization: `Bearer ${admin}` },
    body: JSON.stringify({ riskReviewGrace: 'P1D' }),
  });
  if (policy.status !== 200) throw new Error(`PATCH /admin/policies/${AUTHORITY}: ${policy.status} ${policy.body.slice(0, 300)}`);
  say('policy: riskReviewGrace P1D (no escalation can fall due during the run); no poll date on the risks, so the near-poll cadence does not apply');
  agent.destroy();

  say("starting the reference timers' worker (bench/timer-probe.workflow.ts, in this process, on a task queue of its own)");
  const probes = await startProbes(stack, running, runId);

  const common = { concurrency, baseUrl: running.baseUrl, log: say, shouldStop: () => stack.isStopping };
  if (warmup > 0) {
    // Weekly cadence: open, but nothing falls due in the run.
    say(`warming up: ${warmup} risks with a weekly cadence (they stay open, with no reminder in the run)`);
    const warm = await runLoad({
      ...common,
      name: 'warm-up',
      count: warmup,
      expectStatus: 201,
      request: (i) => ({
        method: 'POST',
        path: '/risks',
        headers: { authorization: `Bearer ${creator}` },
        body: riskBody(`Bench warm-up ${runId} ${i}`, ownerId, 'P7D'),
      }),
    });
    say(describe(warm));
    if (warm.failures > 0) throw new Error(`warm-up failed: ${warm.failureSamples.join(' | ')}`);
  }
  await sleep(3_000);
  const cpuPids = { worker: workerPid, temporal: running.temporalPid, api: apiPid };
  say('sampling idle RSS and CPU for 5 s');
  const cpuIdleFrom = cpuSnapshot(cpuPids, postgresCpu);
  await sleep(5_000);
  const cpuIdle = cpuPercent(cpuIdleFrom, cpuSnapshot(cpuPids, postgresCpu));
  const idle = { worker: sampler.median('worker', 'idle'), temporal: sampler.median('temporal', 'idle'), api: sampler.median('api', 'idle') };
  say(`idle RSS: worker ${fmtMiB(idle.worker)}, Temporal ${fmtMiB(idle.temporal)}, API ${fmtMiB(idle.api)}`);

  // Creation. Risk i's cadence spreads its due time over the window by the golden ratio, so the
  // due times stay evenly spread whatever the creation rate.
  const cadenceMs = (i: number) => Math.round((dueMinS + dueSpreadS * ((i * GOLDEN) % 1)) * 1000);
  const ids: string[] = new Array(count);
  let maxDueMs = 0;
  let badBodies = 0;
  sampler.phase = 'creating';
  const cpuAtCreation = cpuSnapshot(cpuPids, postgresCpu);
  const creationStarted = Date.now();
  say(`creating ${count} risks through POST /risks at concurrency ${concurrency}`);
  const created = await runLoad({
    ...common,
    name: 'create',
    count,
    expectStatus: 201,
    progressEvery: Math.max(1, Math.ceil(count / 10)),
    request: (i) => ({
      method: 'POST',
      path: '/risks',
      headers: { authorization: `Bearer ${creator}` },
      body: riskBody(`${titlePrefix}${i}`, ownerId, `PT${(cadenceMs(i) / 1000).toFixed(3)}S`),
    }),
    onSuccess: (result: HttpResult, i: number) => {
      try {
        const body = JSON.parse(result.body) as { id: string; createdAt: string };
        ids[i] = body.id;
        maxDueMs = Math.max(maxDueMs, Date.parse(body.createdAt) + cadenceMs(i));
      } catch {
        badBodies += 1;
      }
      if (i % probeEvery === 0) probes.start(Date.now() + cadenceMs(i));
    },
  });
  const creationEnded = Date.now();
  const cpuAfterCreation = cpuSnapshot(cpuPids, postgresCpu);
  const afterCreation = sampler.sample();
  say(describe(created));
  say(
    `RSS after creation: worker ${fmtMiB(mib(afterCreation.worker))}, Temporal ${fmtMiB(mib(afterCreation.temporal))}, API ${fmtMiB(mib(afterCreation.api))}`,
  );
  if (stack.isStopping) throw new Error('interrupted; no figures');
  await probes.settled();
  const expected = created.ok - badBodies;

  // Waiting for the reminders.
  sampler.phase = 'waiting';
  const db = new Client({ connectionString: running.databaseUrl });
  await db.connect();
  let received = 0;
  let end: Partial<Record<Proc, number>>;
  let cpuAtEnd: CpuSnapshot;
  let notifications: Awaited<ReturnType<typeof readNotifications>>;
  try {
    const deadline = Math.max(maxDueMs, Date.now()) + deadlineS * 1000;
    say(
      `waiting for ${expected} reminders (the last falls due ${((maxDueMs - Date.now()) / 1000).toFixed(0)} s from now) and ${probes.started - probes.failures.length} reference timers; deadline ${deadlineS} s after the last due time`,
    );
    let lastReport = 0;
    for (;;) {
      if (stack.isStopping) throw new Error('interrupted; no figures');
      received = await countReminders(db, titlePrefix);
      const probesDone = probes.fired.length >= probes.started - probes.failures.length;
      if ((received >= expected && probesDone) || Date.now() > deadline) break;
      if (Date.now() - lastReport >= 10_000) {
        lastReport = Date.now();
        const now = sampler.sample();
        say(
          `reminders: ${received}/${expected}; reference timers: ${probes.fired.length}/${probes.started}; worker RSS ${fmtMiB(mib(now.worker))}, Temporal ${fmtMiB(mib(now.temporal))}; load average ${os
            .loadavg()
            .map((v) => v.toFixed(2))
            .join(' ')}`,
        );
      }
      await sleep(1_000);
    }
    cpuAtEnd = cpuSnapshot(cpuPids, postgresCpu);
    if (received < expected) say(`deadline passed with ${received}/${expected} reminders`);
    // A few seconds more, so a second reminder for a risk would be seen.
    await sleep(5_000);
    end = sampler.sample();
    sampler.stop();
    notifications = await readNotifications(db, titlePrefix);
  } finally {
    sampler.stop();
    await db.end();
  }
  const host2 = { ...host, loadavgEnd: os.loadavg().map((v) => round(v, 2)) };
  // The server's work per risk: the history of a sample of the measured risks' workflows, each
  // of which has had its start and its projection (the dispatcher sent its reminder).
  let shape: HistoryShape | undefined;
  const sampleIds = ids
    .filter(Boolean)
    .filter((_, i) => i % Math.max(1, Math.floor(count / 20)) === 0)
    .slice(0, 20);
  try {
    shape = await historyShape(running.temporalAddress, sampleIds.map(riskReviewWorkflowId));
  } catch (error) {
    say(`could not read the sample's histories: ${(error as Error).message}`);
  }
  // The dispatcher's work for all of them: its current run's history (it continues as new when long).
  let dispatcherShape: HistoryShape | undefined;
  try {
    dispatcherShape = await historyShape(running.temporalAddress, [
      riskReviewDispatchWorkflowId(AUTHORITY, process.env.TEMPORAL_TASK_QUEUE ?? new TemporalConfig().TEMPORAL_TASK_QUEUE),
    ]);
  } catch (error) {
    say(`could not read the dispatcher's history: ${(error as Error).message}`);
  }

  // Figures.
  const perRisk = new Map<string, number>();
  for (const r of notifications.reminders) perRisk.set(r.riskId, (perRisk.get(r.riskId) ?? 0) + 1);
  const mine = new Set(ids.filter(Boolean));
  const receivedRisks = [...perRisk.keys()].filter((id) => mine.has(id)).length;
  const duplicates = notifications.reminders.length - perRisk.size;
  const dueMismatches = notifications.reminders.filter((r) => r.dueMs !== r.expectedDueMs).length;
  const lateness = notifications.reminders.map((r) => r.createdMs - r.dueMs);
  const all = stats(lateness);
  const during = stats(notifications.reminders.filter((r) => r.dueMs < creationEnded).map((r) => r.createdMs - r.dueMs));
  const after = stats(notifications.reminders.filter((r) => r.dueMs >= creationEnded).map((r) => r.createdMs - r.dueMs));
  const probeLateness = probes.fired.map((p) => p.firedAt - p.dueAt);
  const probeStats = stats(probeLateness);
  const probeDuring = stats(probes.fired.filter((p) => p.dueAt < creationEnded).map((p) => p.firedAt - p.dueAt));
  const probeAfter = stats(probes.fired.filter((p) => p.dueAt >= creationEnded).map((p) => p.firedAt - p.dueAt));
  const cpuCreating = cpuPercent(cpuAtCreation, cpuAfterCreation);
  const cpuWaiting = cpuPercent(cpuAfterCreation, cpuAtEnd);
  // CPU per reminder while waiting: the phase's CPU above the idle rate, over the reminders written in it.
  const waitingS = (cpuAtEnd.at - cpuAfterCreation.at) / 1000;
  const writtenWaiting = notifications.reminders.filter((r) => r.createdMs >= cpuAfterCreation.at && r.createdMs <= cpuAtEnd.at).length;
  const cpuMsPerReminder: Partial<Record<CpuKey, number>> = {};
  for (const key of ['worker', 'temporal', 'postgres'] as const) {
    const a = cpuAfterCreation[key];
    const b = cpuAtEnd[key];
    if (a === undefined || b === undefined || writtenWaiting === 0) continue;
    cpuMsPerReminder[key] = round(((b - a - ((cpuIdle[key] ?? 0) / 100) * waitingS) * 1000) / writtenWaiting, 1);
  }
  // Throughput: how fast reminders fell due, and how fast they were written. A system that keeps
  // up writes them as fast as they fall due; one that falls behind writes them over a longer span.
  const rateOver = (times: number[]) => {
    const spanS = times.length > 1 ? (Math.max(...times) - Math.min(...times)) / 1000 : 0;
    return { spanS, perS: spanS > 0 ? times.length / spanS : 0 };
  };
  const dueRate = rateOver(notifications.reminders.map((r) => r.dueMs));
  const writeRate = rateOver(notifications.reminders.map((r) => r.createdMs));
  const worker = { idle: idle.worker, afterCreation: mib(afterCreation.worker), peak: sampler.peak('worker'), end: mib(end.worker) };
  const temporal = { idle: idle.temporal, afterCreation: mib(afterCreation.temporal), peak: sampler.peak('temporal'), end: mib(end.temporal) };
  const api = { idle: idle.api, afterCreation: mib(afterCreation.api), peak: sampler.peak('api'), end: mib(end.api) };
  const perRiskKiB = (m: { idle?: number; peak?: number }) => (m.idle !== undefined && m.peak !== undefined ? ((m.peak - m.idle) * 1024) / count : undefined);

  say('figures:');
  say(
    `  host               ${host2.cores} cores (${host2.cpu}), ${host2.memGiB} GiB; load average ${host2.loadavgStart.join(' ')} at the start, ${host2.loadavgEnd.join(' ')} at the end`,
  );
  say(
    `  creation           ${created.ok}/${count} risks in ${(created.elapsedMs / 1000).toFixed(1)} s: ${created.perSecond.toFixed(1)} risks/s, POST /risks p50 ${created.p50Ms.toFixed(0)} ms, p99 ${created.p99Ms.toFixed(0)} ms`,
  );
  say(
    `  reminders          expected ${expected}, received for ${receivedRisks} risks, duplicates ${duplicates}, escalations ${notifications.escalations}, due time not creation + cadence: ${dueMismatches}`,
  );
  say(
    `  messages           ${notifications.messages} notifications carried the ${notifications.reminders.length} reminders (a digest lists one owner's reminders sent in the same batch of the dispatcher)`,
  );
  say(
    `  reminder rate      fell due at ${dueRate.perS.toFixed(1)}/s (over ${dueRate.spanS.toFixed(0)} s); written at ${writeRate.perS.toFixed(1)}/s (over ${writeRate.spanS.toFixed(0)} s)`,
  );
  if (writeRate.perS < 0.9 * dueRate.perS) {
    say(
      `  BACKLOG            reminders were written more slowly than they fell due, so a queue built up: their lateness measures that queue (throughput), not the timers`,
    );
  }
  say(`  CPU, % of one core  at idle: ${describeCpu(cpuIdle)}`);
  say(`                      while creating: ${describeCpu(cpuCreating)}`);
  say(`                      while waiting for the reminders: ${describeCpu(cpuWaiting)}`);
  say(
    `  CPU per reminder   written while waiting (${writtenWaiting} in ${waitingS.toFixed(0)} s), above the idle rate: ${Object.entries(cpuMsPerReminder)
      .map(([k, v]) => `${k} ${v} ms`)
      .join(', ')}`,
  );
  if (shape) say(`  history per risk   ${describeShape(shape)}; each has had its start and its projection`);
  if (dispatcherShape) say(`  dispatcher         ${describeShape(dispatcherShape)}: the authority's one dispatcher, which sent every reminder`);
  say(`  worker cache       ${workerCache} workflows${cacheSetting ? ' (WORKER_MAX_CACHED_WORKFLOWS)' : ' (the default)'} for ${count + warmup} open risks`);
  say(`  lateness (reminder row created_at - intended due time):`);
  say(`    ${describeStats('all reminders', all)}`);
  say(`    ${describeStats('due while risks were being created', during)}`);
  say(`    ${describeStats('due after creation ended', after)}`);
  say(`  reference: plain Temporal timer + activity, same cadences, bench's own worker:`);
  say(`    ${describeStats('all timers', probeStats)}`);
  say(`    ${describeStats('due while risks were being created', probeDuring)}`);
  say(`    ${describeStats('due after creation ended', probeAfter)}`);
  say(`  lateness by due time (the window from the first to the last due time, in tenths):`);
  const first = Math.min(...notifications.reminders.map((r) => r.dueMs));
  const last = Math.max(...notifications.reminders.map((r) => r.dueMs));
  const width = Math.max(1, (last - first) / 10);
  for (let b = 0; b < 10 && notifications.reminders.length > 0; b++) {
    const inBucket = notifications.reminders.filter((r) => Math.min(9, Math.floor((r.dueMs - first) / width)) === b);
    const st = stats(inBucket.map((r) => r.createdMs - r.dueMs));
    const from = (first + b * width - creationStarted) / 1000;
    say(
      `    due ${from.toFixed(0).padStart(4)}-${(from + width / 1000).toFixed(0).padEnd(4)} s after creation began  n=${String(st.count).padStart(5)}  p50 ${st.p50.toFixed(3)} s  p99 ${st.p99.toFixed(3)} s  max ${st.max.toFixed(3)} s`,
    );
  }
  say(`  RSS                idle (before the ${count} risks)   after creation   peak        end`);
  for (const [label, m] of [
    ['worker', worker],
    ['Temporal server', temporal],
    ['API', api],
  ] as const) {
    say(
      `    ${label.padEnd(17)}${fmtMiB(m.idle).padStart(12)}${fmtMiB(m.afterCreation).padStart(26)}${fmtMiB(m.peak).padStart(12)}${fmtMiB(m.end).padStart(11)}`,
    );
  }
  const wpr = perRiskKiB(worker);
  const tpr = perRiskKiB(temporal);
  say(
    `    peak over idle per open risk: worker ${wpr === undefined ? 'n/a' : `${wpr.toFixed(1)} KiB`}, Temporal server ${tpr === undefined ? 'n/a' : `${tpr.toFixed(1)} KiB`}`,
  );
  say(`  note: the reference timers run in the bench process, which also drives the HTTP load; all processes share the host's ${cores} cores`);

  const problems: string[] = [];
  if (created.failures > 0) problems.push(`${created.failures} POST /risks failed: ${created.failureSamples.join(' | ')}`);
  if (badBodies > 0) problems.push(`${badBodies} 201 answers without a risk id`);
  if (receivedRisks < expected) problems.push(`${expected - receivedRisks} risks got no reminder within ${deadlineS} s of the last due time`);
  if (duplicates > 0) problems.push(`${duplicates} duplicate reminders`);
  if (notifications.escalations > 0) problems.push(`${notifications.escalations} escalations (none should fall due)`);
  if (dueMismatches > 0) problems.push(`${dueMismatches} reminders whose due time is not the risk's creation plus its cadence`);
  if (notifications.unparsable.length > 0)
    problems.push(`${notifications.unparsable.length} reminder due keys not of the form risk:<id>:<due>:reminder, e.g. ${notifications.unparsable[0]}`);
  if (probes.failures.length > 0) problems.push(`${probes.failures.length} reference timers did not start: ${probes.failures[0]}`);
  if (probes.fired.length < probes.started - probes.failures.length)
    problems.push(`${probes.started - probes.failures.length - probes.fired.length} reference timers did not fire`);
  if (running.unexpectedExits.length > 0) problems.push(`the ${running.unexpectedExits.join(' and ')} exited during the run`);
  for (const p of problems) say(`FAILED: ${p}`);

  const rss = (m: { idle?: number; afterCreation?: number; peak?: number; end?: number }) => ({
    idle: r1(m.idle),
    afterCreation: r1(m.afterCreation),
    peak: r1(m.peak),
    end: r1(m.end),
  });
  process.stdout.write(
    `${JSON.stringify({
      name: 'risks',
      value: all.p99,
      unit: 's (p99 reminder lateness)',
      reference: probeStats.p99,
      referenceNote: "p99 lateness of a plain Temporal timer + activity with the same cadences, on the bench process's own worker",
      ratio: probeStats.p99 > 0 ? round(all.p99 / probeStats.p99, 2) : null,
      risks: count,
      concurrency,
      dueWindowS: [dueMinS, dueMinS + dueSpreadS],
      created: created.ok,
      createFailures: created.failures,
      createPerSecond: round(created.perSecond, 2),
      createP50Ms: round(created.p50Ms, 1),
      createP99Ms: round(created.p99Ms, 1),
      creationS: round(created.elapsedMs / 1000, 1),
      remindersExpected: expected,
      remindersReceived: receivedRisks,
      duplicates,
      escalations: notifications.escalations,
      messages: notifications.messages,
      dueMismatches,
      latenessS: all,
      latenessDueDuringCreationS: during,
      latenessDueAfterCreationS: after,
      referenceLatenessS: probeStats,
      referenceDueDuringCreationS: probeDuring,
      referenceDueAfterCreationS: probeAfter,
      dueRatePerS: round(dueRate.perS, 1),
      writeRatePerS: round(writeRate.perS, 1),
      cpuPercentCreating: cpuCreating,
      cpuPercentWaiting: cpuWaiting,
      cpuPercentIdle: cpuIdle,
      cpuMsPerReminderWaiting: cpuMsPerReminder,
      workerRssMiB: rss(worker),
      temporalRssMiB: rss(temporal),
      apiRssMiB: rss(api),
      workerPeakOverIdleKiBPerRisk: wpr === undefined ? null : round(wpr, 2),
      temporalPeakOverIdleKiBPerRisk: tpr === undefined ? null : round(tpr, 2),
      workerCache,
      workerCacheSetting: cacheSetting ?? null,
      historyPerRisk: shape ?? null,
      dispatcherHistory: dispatcherShape ?? null,
      host: host2,
      ok: problems.length === 0,
    })}\n`,
  );
  return problems.length > 0 ? 1 : 0;
}

runBenchmark(stack, say, main);
