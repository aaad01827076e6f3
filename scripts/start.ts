// `npm start`: the whole system on one machine. PostgreSQL (DATABASE_URL, or embedded with its
// data in DATA_DIR), migrations, demo data, Temporal (TEMPORAL_ADDRESS, or the CLI's dev server
// on a SQLite file in DATA_DIR, with its UI; with TEMPORAL_MODE=server, the real Temporal server on
// that same PostgreSQL: libs/infra/temporal-server-postgres.ts), the worker and the API. SIGINT or
// SIGTERM, to this process or to the `npm start` above it (scripts/launch.mjs makes them one
// process), stops everything it started, in reverse order, within STOP_BOUND_MS, and leaves no
// process behind.
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadOrCreateSigningKeys } from '@libs/auth';
import { ApiConfig, ConfigError, loadConfig } from '@libs/config';
import {
  embeddedPgDir,
  isPortOpen,
  EMBEDDED_DATABASE,
  ManagedProcess,
  POSTGRES_STOP_GRACE_MS,
  pickTemporalServerPorts,
  preferredPort,
  runNodeService,
  WORKER_NODE_FLAGS,
  SERVICE_STOP_GRACE_MS,
  startEmbeddedPostgres,
  startTemporalDevServer,
  startTemporalPostgresServer,
  temporalMode,
  TEMPORAL_STOP_GRACE_MS,
  waitFor,
} from '@libs/infra';
import { createDataSource, migrate, seedDemo } from '@libs/persistence';

const say = (line: string) => process.stderr.write(`[start] ${line}\n`);

/**
 * Each layer is stopped within its own bound, so a stuck one cannot keep the next from stopping:
 * the API and the worker together (SIGTERM, SIGKILL after SERVICE_STOP_GRACE_MS, 3 s), then
 * Temporal (SIGTERM, SIGKILL after TEMPORAL_STOP_GRACE_MS, 2 s), then PostgreSQL (fast shutdown,
 * immediate shutdown after POSTGRES_STOP_GRACE_MS, 2 s, SIGKILL half a second later). A step that
 * overruns its bound by STEP_SLACK_MS is given up on (and logged) and the next one stopped anyway.
 * Worst case about 8 s, inside docker stop's default 10 s; usually 1 to 2 s.
 */
const STEP_SLACK_MS = 500;

interface Stoppable {
  name: string;
  /** stops in the same layer are stopped together */
  layer: number;
  bound: number;
  stop: () => Promise<void>;
}
const stops: Stoppable[] = [];
let stopping = false;
let shuttingDown: Promise<never> | undefined;
/** The start-up step under way: a signal waits (briefly) for it, so what it starts is stopped too. */
let pendingStart: Promise<unknown> = Promise.resolve();

async function starting<T>(step: Promise<T>, register: (started: T) => void): Promise<T> {
  const registered = step.then((started) => {
    register(started);
    return started;
  });
  pendingStart = registered.catch(() => undefined);
  return registered;
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), ms).unref())]);

/** Stops everything started, newest layer first. A second signal while stopping waits for the first. */
function shutdown(code: number, why: string): Promise<never> {
  if (shuttingDown) return shuttingDown;
  stopping = true;
  shuttingDown = (async () => {
    const began = Date.now();
    if (!(await within(pendingStart, 3_000))) say('a start-up step is still under way; stopping what has started');
    say(
      `${why}; stopping ${
        stops
          .map((s) => s.name)
          .reverse()
          .join(', ') || 'nothing'
      }`,
    );
    const layers = [...new Set(stops.map((s) => s.layer))].sort((a, b) => b - a);
    for (const layer of layers) {
      await Promise.all(
        stops
          .filter((s) => s.layer === layer)
          .map(async (s) => {
            const from = Date.now();
            const stopped = s.stop().then(
              () => say(`stopped ${s.name} (${Date.now() - from} ms)`),
              (error) => say(`stopping ${s.name} failed: ${(error as Error).message}`),
            );
            if (!(await within(stopped, s.bound + STEP_SLACK_MS))) say(`stopping ${s.name} took longer than ${s.bound + STEP_SLACK_MS} ms; going on`);
          }),
      );
    }
    say(`stopped everything in ${Date.now() - began} ms`);
    process.exit(code);
  })();
  return shuttingDown;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void shutdown(0, `${signal} received`));
}

async function main(): Promise<void> {
  let api: ApiConfig;
  try {
    api = loadConfig(ApiConfig);
  } catch (error) {
    if (error instanceof ConfigError) {
      say(error.message);
      process.exit(1);
    }
    throw error;
  }
  // Another process on the port (an earlier npm start, say) would answer our readiness check and
  // make us print "ready" for it, while our own API failed to listen: say so before starting anything.
  if (await isPortOpen(api.PORT)) {
    say(`port ${api.PORT} is already in use by another process (an npm start still running?): stop it, or set PORT to a free port`);
    process.exit(1);
  }
  const dataDir = resolve(api.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(api.PORT) };
  const mode = temporalMode(env);

  if (!env.DATABASE_URL) {
    say(`starting embedded PostgreSQL (data in ${embeddedPgDir(dataDir)})`);
    const pg = await starting(startEmbeddedPostgres({ dataDir: embeddedPgDir(dataDir), persistent: true, database: EMBEDDED_DATABASE }), (pg) =>
      stops.push({ name: 'PostgreSQL', layer: 0, bound: POSTGRES_STOP_GRACE_MS + 1_000, stop: () => pg.stop() }),
    );
    env.DATABASE_URL = pg.url;
  } else {
    say('using the PostgreSQL at DATABASE_URL');
  }
  if (stopping) return;

  const ds = await createDataSource({ url: env.DATABASE_URL!, poolSize: 2 }).initialize();
  const applied = await migrate(ds);
  say(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');
  if (env.SEED_DEMO !== 'false') {
    const added = await seedDemo(ds);
    say(`demo data: ${added.users} users added (${added.users === 0 ? 'already seeded' : 'first run'})`);
  }
  await ds.destroy();
  await loadOrCreateSigningKeys(dataDir);
  if (stopping) return;

  let uiUrl: string | undefined;
  if (!env.TEMPORAL_ADDRESS && mode === 'server') {
    say('starting the Temporal server on PostgreSQL (TEMPORAL_MODE=server; no Temporal UI in this mode)');
    const temporal = await starting(
      startTemporalPostgresServer({
        postgresUrl: env.DATABASE_URL!,
        ports: await pickTemporalServerPorts(await preferredPort(7233)),
        logFile: join(dataDir, 'temporal-server.log'),
        log: say,
      }),
      (temporal) => stops.push({ name: 'Temporal', layer: 1, bound: TEMPORAL_STOP_GRACE_MS + 1_000, stop: () => temporal.stop(TEMPORAL_STOP_GRACE_MS) }),
    );
    env.TEMPORAL_ADDRESS = temporal.address;
    say(`Temporal server at ${temporal.address} (its log: ${join(dataDir, 'temporal-server.log')})`);
  } else if (!env.TEMPORAL_ADDRESS) {
    const dbFile = join(dataDir, 'temporal.sqlite');
    say(`starting the Temporal dev server (state in ${dbFile})`);
    const ports = { port: await preferredPort(7233), uiPort: await preferredPort(8233) };
    const temporal = await starting(startTemporalDevServer({ dbFile, ...ports, log: say }), (temporal) =>
      stops.push({ name: 'Temporal', layer: 1, bound: TEMPORAL_STOP_GRACE_MS, stop: () => temporal.stop() }),
    );
    env.TEMPORAL_ADDRESS = temporal.address;
    uiUrl = temporal.uiUrl;
  } else {
    say(`using the Temporal server at ${env.TEMPORAL_ADDRESS}`);
  }
  if (stopping) return;

  const dist = resolve(__dirname, '..');
  const services: ManagedProcess[] = [
    runNodeService('worker', join(dist, 'apps/worker/src/main.js'), env, 'inherit', [...WORKER_NODE_FLAGS]),
    runNodeService('api', join(dist, 'apps/api/src/main.js'), env),
  ];
  for (const service of services) {
    stops.push({ name: service.name, layer: 2, bound: SERVICE_STOP_GRACE_MS, stop: () => service.stop() });
    void service.exited.then((code) => {
      if (!stopping) void shutdown(1, `the ${service.name} exited unexpectedly (code ${code})`);
    });
  }
  const base = `http://127.0.0.1:${api.PORT}`;
  await waitFor('the API to answer /health', async () => (await fetch(`${base}/health`)).ok, 120_000, 250);
  if (stopping) return;
  say('ready:');
  say(`  Web          ${base}/  (sign in as a demo user)`);
  say(`  API          ${base}`);
  say(`  API docs     ${base}/docs`);
  say(
    `  Temporal UI  ${uiUrl ?? (mode === 'server' && !process.env.TEMPORAL_ADDRESS ? '(none in TEMPORAL_MODE=server)' : '(external Temporal server; see its own UI)')}`,
  );
  say(`  tokens       npm run -s token -- staff@northshire`);
  say(`press Ctrl-C to stop everything (from a script: kill -TERM ${process.pid}, this process or the npm above it)`);
}

main().catch((error) => void shutdown(1, `start-up failed: ${(error as Error).message}`));
