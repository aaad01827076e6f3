// Figures of `npm run bench:soak`: a per-minute table and the overall figures on stderr, the checks
// (every timer fired once, nothing unexpected), and the JSON last line on stdout. Returns the exit code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuKey } from './samplers';
import { describeCpu, describeStats, fmtMiB, mib, Probes, r1, RssSampler, Stats, stats } from './samplers';
import type { PacedLoadResult } from './soak-load';
import type { FiredTimer, TimerKind, TimerReading } from './soak-timers';
import { latencyStats, LatencyStats, LoadResult, round } from './support';

/** The processes the soak samples, and the phases its samples are grouped by (bench/soak.ts takes them from here). */
export type Proc = 'worker' | 'temporal' | 'api';
export type Phase = 'idle' | 'creating' | 'soak' | 'draining';

export interface SoakFigures {
  say: (line: string) => void;
  host: { cores: number; cpu: string; memGiB: number; loadavgStart: number[]; loadavgEnd: number[] };
  settings: Record<string, number>;
  opened: LoadResult[];
  load: PacedLoadResult;
  timers: TimerReading;
  expected: number;
  expectedByCase: (caseId: string) => readonly TimerKind[];
  /** the cases the soak set timers on (confirmed decisions only) */
  caseIds: string[];
  /** cases whose request for information got no confirmation (503: the workflow did not answer in time) */
  unconfirmedIds: string[];
  probes: Probes;
  sampler: RssSampler<Proc, Phase>;
  heapDir: string;
  pids: Partial<Record<Proc, number>>;
  idle: Partial<Record<Proc, number>>;
  afterCreation: Partial<Record<Proc, number>>;
  loadSamples: { at: number; loadavg: number[] }[];
  cpuSoak: Partial<Record<CpuKey, number>>;
  soakFrom: number;
  soakTo: number;
  unexpectedExits: string[];
}

interface HeapSample {
  at: number;
  thread: number;
  usedBytes: number;
}

/** The heap reports of one process, by thread (bench/heap-reporter.ts). */
function readHeap(dir: string, pid: number | undefined): HeapSample[] {
  if (!pid || !readdirSync(dir).includes(`${pid}.jsonl`)) return [];
  return readFileSync(join(dir, `${pid}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as HeapSample);
}

/** Heap in use over all of a process's threads at `at`: each thread's latest report by then, in MiB. */
function heapAt(samples: HeapSample[], at: number): number | undefined {
  const latest = new Map<number, number>();
  for (const s of samples) if (s.at <= at) latest.set(s.thread, s.usedBytes);
  return latest.size ? [...latest.values()].reduce((a, b) => a + b, 0) / 2 ** 20 : undefined;
}

const ms = (v: number) => v.toFixed(0).padStart(6);
const lat = (f: FiredTimer) => f.firedMs - f.dueMs;

export function report(f: SoakFigures): number {
  const { say, load, timers, probes, sampler } = f;
  const workerHeap = readHeap(f.heapDir, f.pids.worker);
  const apiHeap = readHeap(f.heapDir, f.pids.api);
  // Rows up to the last timer that fell due (after a deadline passed with timers missing, the
  // wait for them adds nothing to the table).
  const end = Math.max(f.soakTo, ...timers.fired.map((t) => Math.max(t.dueMs, t.firedMs)));
  const minuteCount = Math.ceil((end - f.soakFrom) / 60_000);
  const rows = [];
  say('figures:');
  say(
    `  host: ${f.host.cores} cores (${f.host.cpu}), ${f.host.memGiB} GiB; load average ${f.host.loadavgStart.join(' ')} at the start, ${f.host.loadavgEnd.join(' ')} at the end (other work shared the machine)`,
  );
  for (const o of f.opened)
    say(
      `  ${o.name}: ${o.ok}/${o.requests} in ${(o.elapsedMs / 1000).toFixed(0)} s, ${o.perSecond.toFixed(1)}/s, p50 ${o.p50Ms.toFixed(0)} ms, p99 ${o.p99Ms.toFixed(0)} ms`,
    );
  say('  minute  requests  req/s   p50 ms p95 ms p99 ms  failed | timers due  late p50 s  p99 s | worker RSS  heap   Temporal RSS  API RSS heap | load 1m');
  for (let m = 0; m < minuteCount; m++) {
    const from = f.soakFrom + m * 60_000;
    const to = from + 60_000;
    const inMinute = load.samples.filter((s) => s.at >= from && s.at < to);
    const api = latencyStats(inMinute.filter((s) => s.ok).map((s) => s.ms));
    const due = timers.fired.filter((t) => t.dueMs >= from && t.dueMs < to);
    const late = stats(due.map(lat));
    const rss = sampler.samples.filter((s) => s.at >= from && s.at < to);
    const peak = (p: Proc) => mib(Math.max(0, ...rss.map((s) => s.kib[p] ?? 0)) || undefined);
    const loadAt = f.loadSamples.filter((s) => s.at < to).at(-1)?.loadavg[0];
    const row = {
      minute: m + 1,
      requests: inMinute.length,
      perS: round(inMinute.length / 60, 1),
      p50Ms: round(api.p50Ms, 1),
      p95Ms: round(api.p95Ms, 1),
      p99Ms: round(api.p99Ms, 1),
      failed: inMinute.filter((s) => !s.ok).length,
      timersDue: due.length,
      lateP50S: late.p50,
      lateP99S: late.p99,
      workerRssMiB: r1(peak('worker')),
      workerHeapMiB: r1(heapAt(workerHeap, to)),
      temporalRssMiB: r1(peak('temporal')),
      apiRssMiB: r1(peak('api')),
      apiHeapMiB: r1(heapAt(apiHeap, to)),
      loadavg1: loadAt ?? null,
    };
    rows.push(row);
    const soak = from < f.soakTo ? ' ' : '*';
    say(
      `  ${String(row.minute).padStart(5)}${soak} ${String(row.requests).padStart(8)} ${row.perS.toFixed(1).padStart(6)} ${ms(api.p50Ms)} ${ms(api.p95Ms)} ${ms(api.p99Ms)} ${String(row.failed).padStart(7)} | ${String(row.timersDue).padStart(10)} ${late.p50.toFixed(3).padStart(10)} ${late.p99.toFixed(3).padStart(6)} | ${fmtMiB(peak('worker')).padStart(10)} ${fmtMiB(heapAt(workerHeap, to)).padStart(8)} ${fmtMiB(peak('temporal')).padStart(12)} ${fmtMiB(peak('api')).padStart(8)} ${fmtMiB(heapAt(apiHeap, to)).padStart(8)} | ${loadAt ?? 'n/a'}`,
    );
  }
  say("  (* after the load stopped: the last timers falling due; RSS is the minute's peak, heap the V8 heap in use over all threads at its end)");

  const ok = load.samples.filter((s) => s.ok);
  const overall = latencyStats(ok.map((s) => s.ms));
  const byOp: Record<string, LatencyStats> = {};
  for (const name of new Set(load.samples.map((s) => s.op))) byOp[name] = latencyStats(ok.filter((s) => s.op === name).map((s) => s.ms));
  const achieved = load.samples.length / ((load.endedAt - load.startedAt) / 1000);
  say(
    `  API over the soak: ${load.samples.length} requests, ${achieved.toFixed(1)}/s (target ${f.settings.ratePerS}/s; the schedule was ${(load.behindMs / 1000).toFixed(1)} s behind at the end), p50 ${overall.p50Ms.toFixed(0)} ms, p95 ${overall.p95Ms.toFixed(0)} ms, p99 ${overall.p99Ms.toFixed(0)} ms, max ${overall.maxMs.toFixed(0)} ms`,
  );
  for (const [name, st] of Object.entries(byOp))
    say(
      `    ${name.padEnd(20)} n=${String(st.count).padStart(6)}  p50 ${ms(st.p50Ms)} ms  p95 ${ms(st.p95Ms)} ms  p99 ${ms(st.p99Ms)} ms  max ${ms(st.maxMs)} ms`,
    );
  say(`  CPU over the soak, % of one core: ${describeCpu(f.cpuSoak)}`);

  const all = stats(timers.fired.map(lat));
  const byKind: Record<string, Stats> = {};
  for (const kind of new Set(timers.fired.map((t) => t.kind))) byKind[kind] = stats(timers.fired.filter((t) => t.kind === kind).map(lat));
  const reference = stats(probes.fired.map((p) => p.firedAt - p.dueAt));
  say('  timer lateness (notification created_at - intended due time):');
  say(`    ${describeStats('all timers', all)}`);
  for (const [kind, st] of Object.entries(byKind)) say(`    ${describeStats(kind, st)}`);
  say(`    ${describeStats('reference: plain timer + activity', reference)}`);

  // Exactly once: each timer set fired once, under one due key, with each notice written once.
  const firedBy = new Map<string, number>();
  for (const t of timers.fired) firedBy.set(`${t.caseId} ${t.kind}`, (firedBy.get(`${t.caseId} ${t.kind}`) ?? 0) + 1);
  let missing = 0;
  for (const id of f.caseIds) for (const kind of f.expectedByCase(id)) if (!firedBy.has(`${id} ${kind}`)) missing += 1;
  const secondFirings = [...firedBy.values()].reduce((n, c) => n + c - 1, 0);
  const early = timers.fired.filter((t) => lat(t) < -1000).length;
  const peak = (p: Proc) => sampler.peak(p);
  const endRss = sampler.samples.at(-1)?.kib ?? {};
  say(
    `  exactly once: expected ${f.expected} timers, fired ${timers.fired.length}, missing ${missing}, fired twice ${secondFirings}, duplicate rows ${timers.duplicateRows}, notices sent twice ${timers.duplicateSends}, unexpected notices ${timers.unexpected.length}, fired over 1 s early ${early}`,
  );
  say('  RSS                 idle     after opening   peak     end');
  for (const p of ['worker', 'temporal', 'api'] as const)
    say(
      `    ${p.padEnd(14)}${fmtMiB(f.idle[p]).padStart(9)}${fmtMiB(mib(f.afterCreation[p])).padStart(14)}${fmtMiB(peak(p)).padStart(10)}${fmtMiB(mib(endRss[p])).padStart(9)}`,
    );

  // A 503 to a decision is the API's documented answer when the workflow does not answer within
  // DECISION_TIMEOUT_MS (a worker behind): not confirmed, neither refused nor lost. Counted, with
  // how many took effect after all, but not a failure of the run.
  const unconfirmed = f.unconfirmedIds.length;
  const tookEffect = f.unconfirmedIds.filter((id) => firedBy.has(`${id} information_lapse`)).length;
  if (unconfirmed > 0)
    say(
      `  decisions answered 503 (not confirmed within DECISION_TIMEOUT_MS): ${unconfirmed}, of which ${tookEffect} took effect (their reply deadline lapsed)`,
    );
  const problems: string[] = [];
  const failed = Object.entries(load.failures).filter(([k]) => k !== 'request information 503');
  if (failed.length > 0) problems.push(`failed requests: ${failed.map(([k, n]) => `${k} x${n}`).join(', ')}; first: ${load.failureSamples.join(' | ')}`);
  if (missing > 0) problems.push(`${missing} timers did not fire within the deadline`);
  if (secondFirings + timers.duplicateRows + timers.duplicateSends > 0) problems.push('a notice was sent twice');
  if (timers.unexpected.length > 0) problems.push(`${timers.unexpected.length} unexpected notices, e.g. ${timers.unexpected[0]}`);
  if (early > 0) problems.push(`${early} timers fired more than a second early`);
  if (probes.failures.length > 0 || probes.fired.length < probes.started - probes.failures.length) problems.push('reference timers failed to start or fire');
  if (f.unexpectedExits.length > 0) problems.push(`the ${f.unexpectedExits.join(' and ')} exited during the run`);
  for (const p of problems) say(`FAILED: ${p}`);

  const rssOf = (p: Proc) => ({ idle: r1(f.idle[p]), afterOpening: r1(mib(f.afterCreation[p])), peak: r1(peak(p)), end: r1(mib(endRss[p])) });
  process.stdout.write(
    `${JSON.stringify({
      name: 'soak',
      value: round(overall.p99Ms, 1),
      unit: 'ms (API p99 over the soak)',
      reference: reference.p99,
      referenceNote: "p99 lateness (s) of a plain Temporal timer + activity with the same due times, on the bench process's own worker",
      timerLatenessS: { p50: all.p50, p99: all.p99, max: all.max, count: all.count },
      timerLatenessByKindS: byKind,
      referenceLatenessS: reference,
      api: {
        requests: load.samples.length,
        perSecond: round(achieved, 2),
        p50Ms: round(overall.p50Ms, 1),
        p95Ms: round(overall.p95Ms, 1),
        p99Ms: round(overall.p99Ms, 1),
        maxMs: round(overall.maxMs, 1),
        byOperation: Object.fromEntries(Object.entries(byOp).map(([k, s]) => [k, { n: s.count, p50Ms: round(s.p50Ms, 1), p99Ms: round(s.p99Ms, 1) }])),
      },
      opening: f.opened.map((o) => ({ name: o.name, cases: o.ok, perSecond: round(o.perSecond, 1), p99Ms: round(o.p99Ms, 1) })),
      perMinute: rows,
      workerRssMiB: rssOf('worker'),
      temporalRssMiB: rssOf('temporal'),
      apiRssMiB: rssOf('api'),
      cpuPercentSoak: f.cpuSoak,
      decisionsUnconfirmed: unconfirmed,
      unconfirmedTookEffect: tookEffect,
      timersExpected: f.expected,
      timersFired: timers.fired.length,
      missing,
      firedTwice: secondFirings,
      duplicateRows: timers.duplicateRows,
      duplicateSends: timers.duplicateSends,
      unexpected: timers.unexpected.length,
      early,
      settings: f.settings,
      host: f.host,
      ok: problems.length === 0,
    })}\n`,
  );
  return problems.length > 0 ? 1 : 0;
}
