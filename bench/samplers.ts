// Shared by the timer benchmarks (bench/risks.ts, bench/soak.ts): process memory and CPU read
// from /proc, lateness figures, and the reference timers (a plain Temporal timer + activity, run
// by a worker of the benchmark's own).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Client as TemporalClient } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { connectTemporalClient, temporalConfigFor } from '@libs/temporal';
import { connectTemporalWorker } from '@libs/temporal/native';
import { percentile, round, RunningStack, Stack } from './support';

// ---------------------------------------------------------------------------------------------
// Memory

/** Resident set size of a process in KiB: /proc/<pid>/status VmRSS, or `ps` where there is no /proc. */
export function rssKiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // no /proc (or the process is gone): try ps
  }
  const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  const kib = Number(ps.stdout?.trim());
  return ps.status === 0 && kib > 0 ? kib : undefined;
}

// ---------------------------------------------------------------------------------------------
// CPU

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** utime + stime (seconds, all threads) and the parent pid of a process, from /proc/<pid>/stat. */
export function procStat(pid: number): { cpuS: number; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
    return { ppid: Number(rest[1]), cpuS: (Number(rest[11]) + Number(rest[12])) / CLK_TCK };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used by PostgreSQL: the postmaster and its children (backends, background
 * processes). Backends come and go, so each process's last figure is kept after it exits; polled
 * every second, a process that exits loses at most its last second.
 */
export class PostgresCpu {
  private readonly seen = new Map<number, number>();

  constructor(private readonly postmaster: number | undefined) {}

  poll(): number | undefined {
    if (!this.postmaster) return undefined;
    try {
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const pid = Number(entry);
        const st = procStat(pid);
        if (st && (pid === this.postmaster || st.ppid === this.postmaster)) this.seen.set(pid, Math.max(st.cpuS, this.seen.get(pid) ?? 0));
      }
    } catch {
      return undefined;
    }
    let total = 0;
    for (const v of this.seen.values()) total += v;
    return total;
  }
}

/** CPU seconds used so far by each measured process, PostgreSQL (all its processes), this process, and the host. */
export interface CpuSnapshot {
  at: number;
  worker?: number;
  temporal?: number;
  api?: number;
  postgres?: number;
  bench: number;
  /** busy seconds of all the host's cores, whoever used them */
  host?: number;
}

export function cpuSnapshot(pids: { worker?: number; temporal?: number; api?: number }, postgres: PostgresCpu): CpuSnapshot {
  const one = (pid?: number) => (pid ? procStat(pid)?.cpuS : undefined);
  let host: number | undefined;
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields; // idle and iowait left out
    host = (user + nice + system + irq + softirq + steal) / CLK_TCK;
  } catch {
    host = undefined;
  }
  const usage = process.cpuUsage();
  return {
    at: Date.now(),
    worker: one(pids.worker),
    temporal: one(pids.temporal),
    api: one(pids.api),
    postgres: postgres.poll(),
    bench: (usage.user + usage.system) / 1e6,
    host,
  };
}

export type CpuKey = Exclude<keyof CpuSnapshot, 'at'>;
export const CPU_KEYS: CpuKey[] = ['worker', 'temporal', 'api', 'postgres', 'bench', 'host'];

/** Average CPU between two snapshots, in % of one core (the host's figure is over all its cores together). */
export function cpuPercent(from: CpuSnapshot, to: CpuSnapshot): Partial<Record<CpuKey, number>> {
  const secs = (to.at - from.at) / 1000;
  const out: Partial<Record<CpuKey, number>> = {};
  for (const key of CPU_KEYS) {
    const a = from[key];
    const b = to[key];
    if (a !== undefined && b !== undefined && secs > 0) out[key] = round(((b - a) / secs) * 100, 0);
  }
  return out;
}

export const describeCpu = (c: Partial<Record<CpuKey, number>>) =>
  CPU_KEYS.filter((k) => c[k] !== undefined)
    .map((k) => `${k === 'host' ? 'host (all processes)' : k} ${c[k]}%`)
    .join(', ');

/** VmRSS of named processes, sampled every second (and on demand), each sample tagged with the phase it was taken in. */
export class RssSampler<Proc extends string, Phase extends string> {
  readonly samples: { at: number; phase: Phase; kib: Partial<Record<Proc, number>> }[] = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly pids: Record<Proc, number | undefined>,
    private readonly postgres: PostgresCpu,
    public phase: Phase,
  ) {}

  sample(): Partial<Record<Proc, number>> {
    this.postgres.poll();
    const kib: Partial<Record<Proc, number>> = {};
    for (const [name, pid] of Object.entries(this.pids) as [Proc, number | undefined][]) {
      const value = rssKiB(pid);
      if (value !== undefined) kib[name] = value;
    }
    this.samples.push({ at: Date.now(), phase: this.phase, kib });
    return kib;
  }

  start(everyMs = 1_000): void {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** median of a phase's samples, in MiB */
  median(proc: Proc, phase: Phase): number | undefined {
    const values = this.samples
      .filter((s) => s.phase === phase && s.kib[proc] !== undefined)
      .map((s) => s.kib[proc]!)
      .sort((a, b) => a - b);
    return values.length ? values[Math.floor(values.length / 2)] / 1024 : undefined;
  }

  /** highest sample of the whole run, in MiB */
  peak(proc: Proc): number | undefined {
    const values = this.samples.map((s) => s.kib[proc]).filter((v): v is number => v !== undefined);
    return values.length ? Math.max(...values) / 1024 : undefined;
  }
}

export const mib = (kib: number | undefined) => (kib === undefined ? undefined : kib / 1024);
export const fmtMiB = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(0)} MiB`);
export const r1 = (v: number | undefined) => (v === undefined ? null : round(v, 1));

// ---------------------------------------------------------------------------------------------
// Lateness

export interface Stats {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  min: number;
  mean: number;
}

/** Figures of a list of latenesses, in seconds. */
export function stats(ms: number[]): Stats {
  const sorted = [...ms].sort((a, b) => a - b);
  const s = (v: number) => round(v / 1000, 3);
  return {
    count: sorted.length,
    p50: s(percentile(sorted, 0.5)),
    p95: s(percentile(sorted, 0.95)),
    p99: s(percentile(sorted, 0.99)),
    max: s(sorted[sorted.length - 1] ?? 0),
    min: s(sorted[0] ?? 0),
    mean: s(sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1)),
  };
}

export const describeStats = (label: string, st: Stats) =>
  `${label.padEnd(34)} n=${String(st.count).padStart(6)}  p50 ${st.p50.toFixed(3)} s  p95 ${st.p95.toFixed(3)} s  p99 ${st.p99.toFixed(3)} s  max ${st.max.toFixed(3)} s  min ${st.min.toFixed(3)} s`;

// ---------------------------------------------------------------------------------------------
// The reference: plain timers on a worker of the bench's own

export interface Probes {
  start(dueAt: number): void;
  fired: { probeId: number; dueAt: number; firedAt: number }[];
  started: number;
  failures: string[];
  /** resolves once every start has been answered */
  settled(): Promise<void>;
}

/**
 * Starts the reference's worker (bench/timer-probe.workflow.ts) in this process, on a task queue
 * of its own, registered with `stack` so it stops with it; start(dueAt) starts one probe timer.
 */
export async function startProbes(stack: Stack, running: RunningStack, runId: string): Promise<Probes> {
  const taskQueue = `bench-timer-probe-${runId}`;
  const fired: Probes['fired'] = [];
  // As the API and worker connect: the environment's TLS settings and namespace.
  const temporalConfig = temporalConfigFor(running.temporalAddress);
  const connection = await connectTemporalWorker(temporalConfig);
  const namespace = temporalConfig.TEMPORAL_NAMESPACE;
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection,
      namespace,
      taskQueue,
      workflowsPath: require.resolve('./timer-probe.workflow'),
      activities: {
        async probeFired(input: { probeId: number; dueAt: number }) {
          const firedAt = Date.now();
          fired.push({ ...input, firedAt });
          return firedAt;
        },
      },
    });
  } catch (error) {
    await connection.close();
    throw error;
  }
  const running$ = worker.run();
  const clientConnection = await connectTemporalClient(temporalConfig);
  stack.add('timer-probe worker', async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running$.catch(() => undefined);
    await connection.close();
    await clientConnection.close();
  });
  const client = new TemporalClient({ connection: clientConnection, namespace });
  const pending = new Set<Promise<unknown>>();
  const probes: Probes = {
    fired,
    started: 0,
    failures: [],
    start(dueAt: number) {
      const probeId = probes.started++;
      const p = client.workflow
        .start('timerProbeWorkflow', { workflowId: `${taskQueue}-${probeId}`, taskQueue, args: [{ probeId, dueAt }] })
        .catch((error: Error) => void probes.failures.push(error.message))
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
  return probes;
}

// ---------------------------------------------------------------------------------------------
// What a workflow costs the server: its history

export interface HistoryShape {
  workflows: number;
  /** means per workflow */
  events: number;
  workflowTasks: number;
  activityTasks: number;
  localActivities: number;
  timers: number;
}

/**
 * Fetches the histories of the given workflows and counts, per workflow on average, its events,
 * workflow tasks (WorkflowTaskCompleted), activity tasks (ActivityTaskScheduled), local
 * activities (MarkerRecorded "core_local_activity") and timers (TimerStarted). Each workflow task
 * and activity task is a round trip through the server's queues, so these are the units of work
 * the server does per due event.
 */
export async function historyShape(temporalAddress: string, workflowIds: string[]): Promise<HistoryShape> {
  const config = temporalConfigFor(temporalAddress);
  const connection = await connectTemporalClient(config);
  const client = new TemporalClient({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const totals = { events: 0, workflowTasks: 0, activityTasks: 0, localActivities: 0, timers: 0 };
  let workflows = 0;
  try {
    for (const workflowId of workflowIds) {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      workflows += 1;
      for (const event of history.events ?? []) {
        totals.events += 1;
        if (event.workflowTaskCompletedEventAttributes) totals.workflowTasks += 1;
        if (event.activityTaskScheduledEventAttributes) totals.activityTasks += 1;
        if (event.markerRecordedEventAttributes?.markerName === 'core_local_activity') totals.localActivities += 1;
        if (event.timerStartedEventAttributes) totals.timers += 1;
      }
    }
  } finally {
    await connection.close();
  }
  const per = (n: number) => (workflows ? round(n / workflows, 2) : 0);
  return {
    workflows,
    events: per(totals.events),
    workflowTasks: per(totals.workflowTasks),
    activityTasks: per(totals.activityTasks),
    localActivities: per(totals.localActivities),
    timers: per(totals.timers),
  };
}

export const describeShape = (s: HistoryShape) =>
  `${s.events} events, ${s.workflowTasks} workflow tasks, ${s.activityTasks} activity tasks, ${s.localActivities} local activities, ${s.timers} timers (mean of ${s.workflows} workflows)`;

/**
 * Waits until each of `workflowIds` has completed a workflow task (a history of 4 events or
 * more: started, then a task scheduled, started and completed), for at most `timeoutMs`. Returns
 * the ms waited, or undefined if the time ran out. It asks after the last one every 100 ms, and
 * after all of them once that one is done: one request at a time, so the asking adds little to
 * what is measured.
 */
export async function firstTasksDone(temporalAddress: string, workflowIds: string[], timeoutMs: number): Promise<number | undefined> {
  const config = temporalConfigFor(temporalAddress);
  const connection = await connectTemporalClient(config);
  const client = new TemporalClient({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const start = Date.now();
  let waiting = [...workflowIds];
  try {
    const done = async (id: string) => (await client.workflow.getHandle(id).describe()).historyLength >= 4;
    while (waiting.length > 0) {
      const [last] = waiting.slice(-1);
      if (await done(last)) {
        const still: string[] = [];
        for (const id of waiting) if (!(await done(id))) still.push(id);
        waiting = still;
        if (waiting.length === 0) break;
      }
      if (Date.now() - start > timeoutMs) return undefined;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await connection.close();
  }
  return Date.now() - start;
}
