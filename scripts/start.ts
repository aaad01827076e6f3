// `npm start`: the whole system on one machine. PostgreSQL (DATABASE_URL, or embedded with its
// data in DATA_DIR), migrations, demo data, Temporal (TEMPORAL_ADDRESS, or the CLI's dev server
// on a SQLite file in DATA_DIR, with its UI; with TEMPORAL_MODE=server, the real Temporal server on
// that same PostgreSQL: libs/infra/temporal-server-postgres.ts), the worker and the API. SIGINT or
// SIGTERM stops everything it started, in reverse order, and leaves no process behind.
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadOrCreateSigningKeys } from '../libs/auth';
import { ApiConfig, ConfigError, loadConfig } from '../libs/config';
import { embeddedPgDir, EMBEDDED_DATABASE, ManagedProcess, pickTemporalServerPorts, preferredPort, runNodeService, startEmbeddedPostgres, startTemporalDevServer, startTemporalPostgresServer, temporalMode, waitFor } from '../libs/infra';
import { createDataSource, migrate, seedDemo } from '../libs/persistence';

const say = (line: string) => process.stderr.write(`[start] ${line}\n`);
const stops: { name: string; stop: () => Promise<void> }[] = [];
let stopping = false;
let shuttingDown: Promise<never> | undefined;

/** Stops everything started, newest first. A second signal while stopping waits for the first. */
function shutdown(code: number, why: string): Promise<never> {
  if (shuttingDown) return shuttingDown;
  stopping = true;
  shuttingDown = (async () => {
    say(`${why}; stopping ${stops.map((s) => s.name).reverse().join(', ') || 'nothing'}`);
    for (const s of [...stops].reverse()) {
      try {
        await s.stop();
        say(`stopped ${s.name}`);
      } catch (error) {
        say(`stopping ${s.name} failed: ${(error as Error).message}`);
      }
    }
    process.exit(code);
  })();
  return shuttingDown;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
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
  const dataDir = resolve(api.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(api.PORT) };
  const mode = temporalMode(env);

  if (!env.DATABASE_URL) {
    say(`starting embedded PostgreSQL (data in ${embeddedPgDir(dataDir)})`);
    const pg = await startEmbeddedPostgres({ dataDir: embeddedPgDir(dataDir), persistent: true, database: EMBEDDED_DATABASE });
    stops.push({ name: 'PostgreSQL', stop: () => pg.stop() });
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
    const temporal = await startTemporalPostgresServer({ postgresUrl: env.DATABASE_URL!, ports: await pickTemporalServerPorts(await preferredPort(7233)), logFile: join(dataDir, 'temporal-server.log'), log: say });
    stops.push({ name: 'Temporal', stop: () => temporal.stop() });
    env.TEMPORAL_ADDRESS = temporal.address;
    say(`Temporal server at ${temporal.address} (its log: ${join(dataDir, 'temporal-server.log')})`);
  } else if (!env.TEMPORAL_ADDRESS) {
    const dbFile = join(dataDir, 'temporal.sqlite');
    say(`starting the Temporal dev server (state in ${dbFile})`);
    const temporal = await startTemporalDevServer({ dbFile, port: await preferredPort(7233), uiPort: await preferredPort(8233), log: say });
    stops.push({ name: 'Temporal', stop: () => temporal.stop() });
    env.TEMPORAL_ADDRESS = temporal.address;
    uiUrl = temporal.uiUrl;
  } else {
    say(`using the Temporal server at ${env.TEMPORAL_ADDRESS}`);
  }
  if (stopping) return;

  const dist = resolve(__dirname, '..');
  const services: ManagedProcess[] = [
    runNodeService('worker', join(dist, 'apps/worker/src/main.js'), env),
    runNodeService('api', join(dist, 'apps/api/src/main.js'), env),
  ];
  for (const service of services) {
    stops.push({ name: service.name, stop: () => service.stop() });
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
  say(`  Temporal UI  ${uiUrl ?? (mode === 'server' && !process.env.TEMPORAL_ADDRESS ? '(none in TEMPORAL_MODE=server)' : '(external Temporal server; see its own UI)')}`);
  say(`  tokens       npm run -s token -- staff@northshire`);
  say('press Ctrl-C to stop everything');
}

main().catch((error) => void shutdown(1, `start-up failed: ${(error as Error).message}`));
