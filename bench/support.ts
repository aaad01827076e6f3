// Shared by the benchmarks in bench/: a throw-away stack (embedded PostgreSQL, in-memory Temporal,
// the worker and the API as child processes), a closed-loop HTTP load driver with keep-alive, and
// latency figures. Everything started is registered in a Stack and stopped, newest first, by
// stack.stop(), which is safe to call more than once and from a signal handler.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { findDemoUser, loadOrCreateSigningKeys, signToken, SigningKeys } from '@libs/auth';
import {
  freePort,
  ManagedProcess,
  runNodeService,
  startEmbeddedPostgres,
  WORKER_NODE_FLAGS,
  startTemporalDevServer,
  startTemporalPostgresServer,
  waitFor,
} from '@libs/infra';
import { createDataSource, migrate, seedDemo } from '@libs/persistence';

export function sayer(prefix: string): (line: string) => void {
  return (line: string) => process.stderr.write(`[${prefix}] ${line}\n`);
}

export interface StackOptions {
  log: (line: string) => void;
  /** where the worker and API live: the compiled dist/ root */
  distDir?: string;
  /** LOG_LEVEL for the worker and the API */
  logLevel?: string;
  /** extra environment for the worker and the API */
  env?: NodeJS.ProcessEnv;
  /**
   * without TEMPORAL_ADDRESS: `dev`, the CLI's in-memory dev server (default), or `server`, the
   * real Temporal server with its databases on the bench's PostgreSQL
   */
  temporal?: 'dev' | 'server';
  /** `server` only: serve Go's pprof at this port */
  pprofPort?: number;
}

export interface RunningStack {
  baseUrl: string;
  databaseUrl: string;
  temporalAddress: string;
  /** the pid of the Temporal dev server started here (undefined with TEMPORAL_ADDRESS or the SDK's download) */
  temporalPid?: number;
  /** the PostgreSQL postmaster's pid, when PostgreSQL was started here (from postmaster.pid) */
  postgresPid?: number;
  dataDir: string;
  keys: SigningKeys;
  /** true when PostgreSQL was started here, so its database holds only what this run wrote */
  ownDatabase: boolean;
  services: ManagedProcess[];
  /** names of services that exited while they should have been running */
  unexpectedExits: string[];
}

export class Stack {
  private readonly stops: { name: string; stop: () => Promise<void> }[] = [];
  private stopping: Promise<void> | undefined;
  /** a component being started right now; stop() waits for it so it cannot be left behind */
  private starting: Promise<unknown> | undefined;
  running?: RunningStack;

  constructor(private readonly log: (line: string) => void) {}

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  add(name: string, stop: () => Promise<void>): void {
    this.stops.push({ name, stop });
  }

  /** Starts one component and registers its stop before anyone can observe it started. */
  private async launch<T extends { stop(): Promise<void> }>(name: string, start: () => Promise<T>): Promise<T> {
    if (this.isStopping) throw new Error(`stopping: ${name} not started`);
    const starting = (async () => {
      const started = await start();
      this.add(name, () => started.stop());
      return started;
    })();
    this.starting = starting.catch(() => undefined);
    try {
      return await starting;
    } finally {
      this.starting = undefined;
    }
  }

  /** Stops everything registered, newest first, once any start in progress has finished; later calls wait for the first. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      if (this.starting) {
        this.log('waiting for the component being started, to stop it too');
        await this.starting;
      }
      const stops = [...this.stops].reverse();
      this.log(`stopping ${stops.map((s) => s.name).join(', ') || 'nothing'}`);
      for (const s of stops) {
        try {
          await s.stop();
          this.log(`stopped ${s.name}`);
        } catch (error) {
          this.log(`stopping ${s.name} failed: ${(error as Error).message}`);
        }
      }
    })();
    return this.stopping;
  }

  /**
   * PostgreSQL (DATABASE_URL or embedded, thrown away), migrations and demo data, Temporal
   * (TEMPORAL_ADDRESS or an in-memory dev server), a fresh DATA_DIR with the signing key, then
   * the worker and the API on a free port; resolves once GET /health answers 200.
   */
  async start(options: StackOptions): Promise<RunningStack> {
    const log = options.log;
    const distDir = options.distDir ?? resolve(__dirname, '..');
    const aborted = () => {
      if (this.isStopping) throw new Error('stopping: start-up abandoned');
    };

    let databaseUrl = process.env.DATABASE_URL;
    const ownDatabase = !databaseUrl;
    let postgresPid: number | undefined;
    if (!databaseUrl) {
      // Directly under the temp dir (not in a mkdtemp dir): run as root, PostgreSQL runs as the
      // postgres user, who must be able to traverse every parent of its data directory.
      const pgDir = join(tmpdir(), `casework-bench-pg-${randomBytes(6).toString('hex')}`);
      log(`starting embedded PostgreSQL (throw-away, data in ${pgDir})`);
      // Registered first, so a failed start still removes the directory (stop() removes it too).
      this.add('PostgreSQL data directory', async () => rmSync(pgDir, { recursive: true, force: true }));
      const pg = await this.launch('PostgreSQL', () => startEmbeddedPostgres({ dataDir: pgDir, persistent: false, database: 'casework_bench' }));
      databaseUrl = pg.url;
      try {
        postgresPid = Number(readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
      } catch {
        // not readable (another user): figures that need it are left out
      }
    } else {
      log('using the PostgreSQL at DATABASE_URL');
    }
    aborted();

    const ds = await createDataSource({ url: databaseUrl, poolSize: 2, applicationName: 'casework-bench' }).initialize();
    try {
      const applied = await migrate(ds);
      log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');
      const seeded = await seedDemo(ds);
      log(`demo data: ${seeded.users} users, ${seeded.authorities} authorities added`);
    } finally {
      await ds.destroy();
    }
    aborted();

    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    let temporalPid: number | undefined;
    if (!temporalAddress && options.temporal === 'server') {
      log('starting the Temporal server on PostgreSQL');
      const temporal = await this.launch('Temporal', () => startTemporalPostgresServer({ postgresUrl: databaseUrl!, log, pprofPort: options.pprofPort }));
      temporalAddress = temporal.address;
      temporalPid = temporal.pid;
      log(`Temporal at ${temporalAddress}`);
    } else if (!temporalAddress) {
      log('starting the Temporal dev server (in memory, headless)');
      const temporal = await this.launch('Temporal', () => startTemporalDevServer({ log }));
      temporalAddress = temporal.address;
      temporalPid = temporal.pid;
      log(`Temporal at ${temporalAddress}`);
    } else {
      log(`using the Temporal server at ${temporalAddress}`);
    }
    aborted();

    const dataDir = mkdtempSync(join(tmpdir(), 'casework-bench-data-'));
    this.add('DATA_DIR', async () => rmSync(dataDir, { recursive: true, force: true }));
    const keys = await loadOrCreateSigningKeys(dataDir);

    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...options.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: options.logLevel ?? 'warn',
    };
    // The bench signs its own tokens with the key in DATA_DIR; an identity provider would refuse them.
    delete env.AUTH_JWKS_URL;
    delete env.AUTH_ISSUER;
    delete env.AUTH_AUDIENCE;

    const unexpectedExits: string[] = [];
    const services: ManagedProcess[] = [];
    for (const [name, entry] of [
      ['worker', 'apps/worker/src/main.js'],
      ['api', 'apps/api/src/main.js'],
    ] as const) {
      aborted();
      log(`starting the ${name} (${entry})`);
      // BENCH_WORKER_NODE_FLAGS, BENCH_API_NODE_FLAGS: Node flags for the worker or the API
      // alone, such as `--cpu-prof --cpu-prof-dir=/tmp/prof` (not allowed in NODE_OPTIONS; the
      // profile is written when the process exits, so it is given 30 s to stop rather than 3).
      // The worker gets its production flags (WORKER_NODE_FLAGS) besides these.
      const flags = name === 'worker' ? process.env.BENCH_WORKER_NODE_FLAGS : process.env.BENCH_API_NODE_FLAGS;
      const nodeFlags = [...(name === 'worker' ? WORKER_NODE_FLAGS : []), ...(flags ? flags.split(' ').filter(Boolean) : [])];
      const service = runNodeService(name, join(distDir, entry), env, 'pipe', nodeFlags);
      forwardOutput(service, log);
      services.push(service);
      this.add(name, () => service.stop(flags ? 30_000 : undefined));
      void service.exited.then((code) => {
        if (!this.isStopping) {
          unexpectedExits.push(name);
          log(`the ${name} exited unexpectedly (code ${code})`);
        }
      });
    }

    const baseUrl = `http://127.0.0.1:${port}`;
    let giveUp: (error: Error) => void = () => undefined;
    const exitedEarly = new Promise<never>((_, reject) => (giveUp = reject));
    for (const service of services) {
      void service.exited.then((code) => giveUp(new Error(`the ${service.name} exited during start-up (code ${code})`)));
    }
    await Promise.race([
      waitFor(
        'the API to answer GET /health with 200',
        async () => {
          aborted();
          return (await fetch(`${baseUrl}/health`)).status === 200;
        },
        120_000,
        250,
      ),
      exitedEarly,
    ]);
    log(`API ready at ${baseUrl}`);
    this.running = { baseUrl, databaseUrl, temporalAddress, temporalPid, postgresPid, dataDir, keys, ownDatabase, services, unexpectedExits };
    return this.running;
  }
}

/**
 * Child stdout and stderr go to our stderr, line by line, so our stdout stays machine-readable.
 * The Temporal SDK logs at INFO whatever LOG_LEVEL says (webpack's bundle report included); those
 * lines, and the continuation lines of a multi-line entry, are dropped unless BENCH_VERBOSE is set.
 */
function forwardOutput(service: ManagedProcess, log: (line: string) => void): void {
  const verbose = Boolean(process.env.BENCH_VERBOSE);
  for (const stream of [service.child.stdout, service.child.stderr]) {
    if (!stream) continue;
    let pending = '';
    let quiet = false;
    const emit = (line: string) => {
      const level = /^\d{4}-\d\d-\d\dT[\d:.]+Z \[(\w+)\]/.exec(line)?.[1];
      if (level) quiet = ['TRACE', 'DEBUG', 'INFO'].includes(level);
      if (line.trim() && (verbose || !quiet)) log(`${service.name}: ${line}`);
    };
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) emit(line);
    });
    stream.on('end', () => emit(pending));
  }
}

// ---------------------------------------------------------------------------------------------
// Load

export interface HttpResult {
  status: number;
  body: string;
  ms: number;
  error?: string;
}

export interface HttpRequestSpec {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One request over the given keep-alive agent; never rejects (a transport error is status 0). */
export function send(agent: http.Agent, baseUrl: URL, spec: HttpRequestSpec, timeoutMs = 30_000): Promise<HttpResult> {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    let settled = false;
    const done = (status: number, body: string, error?: string) => {
      if (settled) return;
      settled = true;
      resolvePromise({ status, body, ms: performance.now() - started, error });
    };
    const headers: Record<string, string | number> = { accept: 'application/json', ...spec.headers };
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(spec.body);
    }
    const req = http.request(
      { agent, host: baseUrl.hostname, port: baseUrl.port, method: spec.method, path: spec.path, headers, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        res.on('error', (e) => done(0, '', e.message));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', (e) => done(0, '', e.message));
    req.end(spec.body);
  });
}

export interface LoadOptions {
  name: string;
  concurrency: number;
  count: number;
  baseUrl: string;
  /** the i-th request (0-based) */
  request: (i: number) => HttpRequestSpec;
  expectStatus: number;
  /** called with each expected response, e.g. to collect ids */
  onSuccess?: (result: HttpResult, i: number) => void;
  progressEvery?: number;
  log?: (line: string) => void;
  /** checked before each request: true ends the run early (an interrupt) */
  shouldStop?: () => boolean;
}

export interface LoadResult {
  name: string;
  concurrency: number;
  requests: number;
  ok: number;
  failures: number;
  /** status (0 = transport error) to count */
  failureStatuses: Record<string, number>;
  failureSamples: string[];
  elapsedMs: number;
  perSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Closed loop: `concurrency` clients, each sending its next request when the last one answers. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const base = new URL(options.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  const latencies = new Float64Array(options.count);
  const failureStatuses: Record<string, number> = {};
  const failureSamples: string[] = [];
  let next = 0;
  let completed = 0;
  let ok = 0;
  const every = options.progressEvery ?? 0;
  const started = performance.now();
  const client = async () => {
    for (let i = next++; i < options.count; i = next++) {
      if (options.shouldStop?.()) throw new Error(`${options.name}: interrupted`);
      const spec = options.request(i);
      const result = await send(agent, base, spec);
      latencies[i] = result.ms;
      if (result.status === options.expectStatus) {
        ok += 1;
        options.onSuccess?.(result, i);
      } else {
        failureStatuses[result.status] = (failureStatuses[result.status] ?? 0) + 1;
        if (failureSamples.length < 5) failureSamples.push(`${result.status} ${result.error ?? result.body.slice(0, 300)}`);
      }
      completed += 1;
      if (every > 0 && completed % every === 0 && options.log) {
        const secs = (performance.now() - started) / 1000;
        options.log(`${options.name}: ${completed}/${options.count} done, ${(completed / secs).toFixed(1)}/s so far, ${completed - ok} failed`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, client));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return {
    name: options.name,
    concurrency: options.concurrency,
    requests: options.count,
    ok,
    failures: options.count - ok,
    failureStatuses,
    failureSamples,
    elapsedMs,
    perSecond: options.count / (elapsedMs / 1000),
    p50Ms: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? 0,
    meanMs: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1),
  };
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function describe(r: LoadResult): string {
  return (
    `${r.name}: ${r.requests} requests at concurrency ${r.concurrency} in ${(r.elapsedMs / 1000).toFixed(2)} s: ${r.perSecond.toFixed(1)}/s, ` +
    `p50 ${r.p50Ms.toFixed(1)} ms, p90 ${r.p90Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms, ${r.failures} failed`
  );
}

/** Reads a positive integer from the environment. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`${name} must be a positive integer, not "${raw}"`);
  return Number(raw);
}

// ---------------------------------------------------------------------------------------------
// Chains: one virtual client drives one case through several requests, in order

export interface LatencyStats {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export function latencyStats(values: number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? 0,
    meanMs: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1),
  };
}

export interface ChainStep<C> {
  name: string;
  request: (ctx: C) => HttpRequestSpec;
  expectStatus: number;
  /** called with the expected response, e.g. to keep the case id for the next steps */
  onSuccess?: (result: HttpResult, ctx: C) => void;
}

export interface ChainOptions<C> {
  name: string;
  concurrency: number;
  /** how many chains (cases) to run */
  count: number;
  baseUrl: string;
  /** the i-th chain's context (0-based), handed to each of its steps */
  context: (i: number) => C;
  steps: ChainStep<C>[];
  progressEvery?: number;
  log?: (line: string) => void;
  /** checked before each request: true ends the run early (an interrupt) */
  shouldStop?: () => boolean;
}

export interface ChainResult {
  name: string;
  concurrency: number;
  /** chains whose every step answered as expected */
  completed: number;
  /** requests that did not; the first one ends the run (no new chain starts) */
  failures: number;
  failureSamples: string[];
  elapsedMs: number;
  /** completed chains per second */
  perSecond: number;
  /** latency of each step, by step name */
  steps: Record<string, LatencyStats>;
}

/**
 * Closed loop over chains: `concurrency` clients, each running one chain's steps in order, then
 * the next chain. A failed step ends its chain and stops new chains from starting (fail fast);
 * chains already under way run to their end, or their first failure.
 */
export async function runChains<C>(options: ChainOptions<C>): Promise<ChainResult> {
  const base = new URL(options.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  const latencies = new Map(options.steps.map((s) => [s.name, [] as number[]]));
  const failureSamples: string[] = [];
  let failures = 0;
  let next = 0;
  let completed = 0;
  const every = options.progressEvery ?? 0;
  const started = performance.now();
  const client = async () => {
    for (let i = next++; i < options.count && failures === 0; i = next++) {
      const ctx = options.context(i);
      for (const step of options.steps) {
        if (options.shouldStop?.()) throw new Error(`${options.name}: interrupted`);
        const result = await send(agent, base, step.request(ctx));
        if (result.status !== step.expectStatus) {
          failures += 1;
          if (failureSamples.length < 5) failureSamples.push(`${step.name} (chain ${i}): ${result.status} ${result.error ?? result.body.slice(0, 300)}`);
          break;
        }
        latencies.get(step.name)!.push(result.ms);
        step.onSuccess?.(result, ctx);
        if (step !== options.steps[options.steps.length - 1]) continue;
        completed += 1;
        if (every > 0 && completed % every === 0 && options.log) {
          options.log(`${options.name}: ${completed}/${options.count} done, ${(completed / ((performance.now() - started) / 1000)).toFixed(1)}/s so far`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, client));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return {
    name: options.name,
    concurrency: options.concurrency,
    completed,
    failures,
    failureSamples,
    elapsedMs,
    perSecond: completed / (elapsedMs / 1000),
    steps: Object.fromEntries([...latencies].map(([name, values]) => [name, latencyStats(values)])),
  };
}

// ---------------------------------------------------------------------------------------------
// Running a benchmark

/** A bearer token for a demo user (`<role>@<tenant>`), signed with the stack's embedded key. */
export async function demoToken(keys: SigningKeys, username: string): Promise<string> {
  const user = findDemoUser(username);
  if (!user) throw new Error(`no demo user ${username}`);
  return signToken(keys, { sub: user.id, roles: user.roles, authorityId: user.authorityId, forceId: user.forceId, name: user.username });
}

/** A valid POST /allegations body; `i` makes each description distinct; `overrides` replaces fields (urgency, occurredAt). */
export function allegationBody(i: number, overrides: Record<string, unknown> = {}): string {
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
    ...overrides,
  });
}

/**
 * Runs a benchmark's main: SIGINT/SIGTERM and unhandled rejections stop the stack and exit 1;
 * otherwise the stack is stopped when main settles, and the process exits with main's code (1 if
 * it threw). `stack` may be a function giving the current stack, for a bench that starts a fresh
 * one part-way (bench/intake.ts with BENCH_TEMPORAL=both).
 */
export function runBenchmark(stack: Stack | (() => Stack), say: (line: string) => void, main: () => Promise<number>): void {
  const current = typeof stack === 'function' ? stack : () => stack;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      say(`${signal} received`);
      void current()
        .stop()
        .then(() => process.exit(1));
    });
  }
  process.on('unhandledRejection', (error) => {
    say(`unhandled rejection: ${(error as Error)?.stack ?? error}`);
    void current()
      .stop()
      .then(() => process.exit(1));
  });
  main()
    .catch((error: Error) => {
      say(`failed: ${error.stack ?? error.message}`);
      return 1;
    })
    .then(async (code) => {
      await current().stop();
      process.exit(code);
    });
}
