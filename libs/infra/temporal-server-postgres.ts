// The real Temporal server (go.temporal.io/server, the same code as the temporalio/server image) on
// PostgreSQL, for `TEMPORAL_MODE=server npm start`, the scale-out suite and bench:intake. Three steps:
//   1. findTemporalServerBinaries: `server` and `sql` (temporal-sql-tool) from TEMPORAL_SERVER_PATH /
//      TEMPORAL_SQL_TOOL_PATH, else the versioned cache outside the repository, else `go install`
//      into that cache (as temporal-cli.ts does for the CLI).
//   2. prepareTemporalDatabases: creates the `temporal` and `temporal_visibility` databases on the
//      given PostgreSQL when missing and brings their schemas up to date with temporal-sql-tool,
//      whose schema files are embedded in the binary (--schema-name postgresql/v12/...).
//   3. startTemporalPostgresServer: runs `server start` with docker/temporal/config/postgres.yaml,
//      a config template the server renders itself from TEMPORAL_SERVER_* variables set here, waits
//      for the frontend, and registers the namespace.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { Client } from 'pg';
import { createServer } from 'node:net';
import { waitFor } from './ports';
import { manageProcess } from './services';
import { probeTemporal, RunningTemporal } from './temporal-server';

export const TEMPORAL_SERVER_VERSION = 'v1.30.4';
const MODULE = 'go.temporal.io/server';

export type TemporalMode = 'dev' | 'server';

/** TEMPORAL_MODE: `dev` (the CLI's SQLite dev server, the default) or `server` (this file). */
export function temporalMode(env: NodeJS.ProcessEnv = process.env): TemporalMode {
  const mode = env.TEMPORAL_MODE ?? 'dev';
  if (mode !== 'dev' && mode !== 'server') throw new Error(`TEMPORAL_MODE must be dev or server, not ${JSON.stringify(mode)}`);
  return mode;
}

export function temporalServerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.TEMPORAL_SERVER_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'election-casework', 'temporal-server');
  return join(base, TEMPORAL_SERVER_VERSION);
}

export class TemporalServerNotFound extends Error {}

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
}

function findGo(): string | undefined {
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    if (spawnSync(candidate, ['version'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  return undefined;
}

/** The server and temporal-sql-tool binaries, building them with Go into the cache when missing. */
export function findTemporalServerBinaries(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`), env = process.env): TemporalServerBinaries {
  const dir = temporalServerCacheDir(env);
  const chosen = { server: env.TEMPORAL_SERVER_PATH || join(dir, 'server'), sqlTool: env.TEMPORAL_SQL_TOOL_PATH || join(dir, 'sql') };
  for (const [name, variable] of [
    ['server', 'TEMPORAL_SERVER_PATH'],
    ['sqlTool', 'TEMPORAL_SQL_TOOL_PATH'],
  ] as const) {
    if (env[variable] && !existsSync(chosen[name])) {
      throw new TemporalServerNotFound(`${variable} is set to ${env[variable]}, but no file is there; unset it or point it at the binary`);
    }
  }
  const missing = [chosen.server, chosen.sqlTool].filter((p) => !existsSync(p));
  if (missing.length === 0) return chosen;
  const go = findGo();
  if (!go) {
    throw new TemporalServerNotFound(
      `temporal: ${missing.join(' and ')} missing and no Go toolchain to build them. Install Go, or build ${MODULE}/cmd/server and cmd/tools/sql ${TEMPORAL_SERVER_VERSION} elsewhere and set TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH`,
    );
  }
  log(`temporal: building the Temporal server ${TEMPORAL_SERVER_VERSION} and temporal-sql-tool with Go into ${dir} (first run only; takes several minutes)...`);
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const build = spawnSync(go, ['install', `${MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`, `${MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`], {
    env: { ...env, GOBIN: dir, GOFLAGS: '-mod=mod' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stillMissing = [chosen.server, chosen.sqlTool].filter((p) => !existsSync(p));
  if (build.status !== 0 || stillMissing.length > 0) {
    throw new TemporalServerNotFound(
      `temporal: building the server failed (go exit ${build.status}); fix the Go error above, or set TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH`,
    );
  }
  log(`temporal: built ${dir} in ${Math.round((Date.now() - started) / 1000)} s`);
  return chosen;
}

/** The repository's file (docker/temporal/...), found from here whether running from dist/ or the sources. */
export function repoFile(relative: string): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`cannot find ${relative} above ${__dirname}`);
  }
}

export interface TemporalDatabases {
  host: string;
  port: number;
  user: string;
  password: string;
  /** history, tasks, namespaces... */
  database: string;
  visibility: string;
}

/** Temporal's databases on the same server (and with the same login) as the casework database URL. */
export function temporalDatabasesFor(url: string, env: NodeJS.ProcessEnv = process.env): TemporalDatabases {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: env.TEMPORAL_SERVER_DB || 'temporal',
    visibility: env.TEMPORAL_SERVER_VISIBILITY_DB || 'temporal_visibility',
  };
}

/**
 * Creates Temporal's two databases when missing, then applies what is missing of their schemas
 * (temporal-sql-tool keeps a schema_version table; safe on every start).
 */
export async function prepareTemporalDatabases(sqlTool: string, dbs: TemporalDatabases, log: (line: string) => void): Promise<void> {
  const admin = new Client({ host: dbs.host, port: dbs.port, user: dbs.user, password: dbs.password, database: 'postgres' });
  await admin.connect();
  try {
    for (const name of [dbs.database, dbs.visibility]) {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) {
        log(`temporal: creating database ${name}`);
        await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      }
    }
  } catch (error) {
    throw new Error(
      `temporal: cannot create Temporal's databases as ${dbs.user} (${(error as Error).message}); create ${dbs.database} and ${dbs.visibility} yourself, owned by that user`,
    );
  } finally {
    await admin.end();
  }
  for (const [name, schema] of [
    [dbs.database, 'postgresql/v12/temporal'],
    [dbs.visibility, 'postgresql/v12/visibility'],
  ]) {
    const common = ['--plugin', 'postgres12', '--ep', dbs.host, '-p', String(dbs.port), '-u', dbs.user, '--db', name];
    // The password goes by environment (SQL_PASSWORD), never on a command line.
    const run = (args: string[]) => {
      const result = spawnSync(sqlTool, [...common, ...args], { env: { ...process.env, SQL_PASSWORD: dbs.password }, encoding: 'utf8' });
      if (result.status !== 0)
        throw new Error(`temporal-sql-tool ${args[0]} on ${name} failed (exit ${result.status}): ${(result.stderr || result.stdout).trim().slice(-1500)}`);
    };
    if (!(await hasSchemaVersion(dbs, name))) run(['setup-schema', '-v', '0.0']);
    run(['update-schema', '--schema-name', schema]);
  }
  log(`temporal: schemas of ${dbs.database} and ${dbs.visibility} are up to date`);
}

async function hasSchemaVersion(dbs: TemporalDatabases, database: string): Promise<boolean> {
  const client = new Client({ host: dbs.host, port: dbs.port, user: dbs.user, password: dbs.password, database });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT to_regclass('public.schema_version') IS NOT NULL AS present");
    return rows[0].present;
  } finally {
    await client.end();
  }
}

/** The nine ports one all-in-one server listens on; kept across restarts so clients find it again. */
export interface TemporalServerPorts {
  frontend: number;
  http: number;
  history: number;
  matching: number;
  worker: number;
  frontendMembership: number;
  historyMembership: number;
  matchingMembership: number;
  workerMembership: number;
}

/**
 * A free port below 32768: the server records its services' ports in a smallint column
 * (cluster_membership), so the kernel's ephemeral ports (32768 and up) make it exit.
 */
async function freeLowPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port between 10000 and 32000 for the Temporal server');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}

export async function pickTemporalServerPorts(frontend?: number): Promise<TemporalServerPorts> {
  const ports = new Set<number>(frontend && frontend < 32_768 ? [frontend] : []);
  while (ports.size < 9) ports.add(await freeLowPort());
  const [f, http, history, matching, worker, fm, hm, mm, wm] = [...ports];
  return { frontend: f, http, history, matching, worker, frontendMembership: fm, historyMembership: hm, matchingMembership: mm, workerMembership: wm };
}

export interface TemporalPostgresServerOptions {
  /** a URL of the PostgreSQL that holds (or will hold) Temporal's databases; its login is used */
  postgresUrl: string;
  ports?: TemporalServerPorts;
  namespace?: string;
  /** how long Temporal keeps closed workflows' histories */
  retentionDays?: number;
  /** skip database creation and schema updates (a restart of a server already prepared) */
  skipSchema?: boolean;
  /** serve Go's pprof on 127.0.0.1 at this port (for profiling); unset: off */
  pprofPort?: number;
  /** where the server's own log goes; unset: kept in memory and shown only if it fails to start */
  logFile?: string;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface RunningTemporalPostgres extends RunningTemporal {
  ports: TemporalServerPorts;
  /** SIGKILL, as a crash; resolves once the process is gone */
  kill(): Promise<void>;
}

export async function startTemporalPostgresServer(options: TemporalPostgresServerOptions): Promise<RunningTemporalPostgres> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = options.env ?? process.env;
  const namespace = options.namespace ?? env.TEMPORAL_NAMESPACE ?? 'default';
  const binaries = findTemporalServerBinaries(log, env);
  const dbs = temporalDatabasesFor(options.postgresUrl, env);
  if (!options.skipSchema) await prepareTemporalDatabases(binaries.sqlTool, dbs, log);
  const ports = options.ports ?? (await pickTemporalServerPorts());
  const config = env.TEMPORAL_SERVER_CONFIG ? resolve(env.TEMPORAL_SERVER_CONFIG) : repoFile('docker/temporal/config/postgres.yaml');
  const dynamicConfig = env.TEMPORAL_SERVER_DYNAMIC_CONFIG
    ? resolve(env.TEMPORAL_SERVER_DYNAMIC_CONFIG)
    : repoFile('docker/temporal/dynamicconfig/casework.yaml');
  const serverEnv: NodeJS.ProcessEnv = {
    PATH: env.PATH,
    HOME: env.HOME,
    TZ: env.TZ,
    TEMPORAL_SERVER_LOG_LEVEL: env.TEMPORAL_SERVER_LOG_LEVEL ?? 'warn',
    TEMPORAL_SERVER_HISTORY_SHARDS: env.TEMPORAL_SERVER_HISTORY_SHARDS,
    TEMPORAL_SERVER_DB: dbs.database,
    TEMPORAL_SERVER_VISIBILITY_DB: dbs.visibility,
    TEMPORAL_SERVER_PG_HOST: dbs.host,
    TEMPORAL_SERVER_PG_PORT: String(dbs.port),
    TEMPORAL_SERVER_PG_USER: dbs.user,
    TEMPORAL_SERVER_PG_PASSWORD: dbs.password,
    TEMPORAL_SERVER_PG_MAX_CONNS: env.TEMPORAL_SERVER_PG_MAX_CONNS,
    TEMPORAL_SERVER_IP: '127.0.0.1',
    TEMPORAL_SERVER_FRONTEND_PORT: String(ports.frontend),
    TEMPORAL_SERVER_HTTP_PORT: String(ports.http),
    TEMPORAL_SERVER_HISTORY_PORT: String(ports.history),
    TEMPORAL_SERVER_MATCHING_PORT: String(ports.matching),
    TEMPORAL_SERVER_WORKER_PORT: String(ports.worker),
    TEMPORAL_SERVER_FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    TEMPORAL_SERVER_HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    TEMPORAL_SERVER_MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    TEMPORAL_SERVER_WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
    TEMPORAL_SERVER_DYNAMIC_CONFIG: dynamicConfig,
    TEMPORAL_SERVER_PPROF_PORT: options.pprofPort ? String(options.pprofPort) : undefined,
  };
  for (const key of Object.keys(serverEnv)) if (serverEnv[key] === undefined) delete serverEnv[key];

  const child = spawn(binaries.server, ['--config-file', config, '--allow-no-auth', 'start'], { env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const sink = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const keep = (chunk: Buffer) => {
    sink?.write(chunk);
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const managed = manageProcess('temporal-server', child);
  const address = `127.0.0.1:${ports.frontend}`;
  try {
    await Promise.race([
      waitFor(`the Temporal server on ${address}`, () => probeTemporal(address), 180_000, 250),
      managed.exited.then((code) => {
        throw new Error(`the Temporal server exited with code ${code}: ${lastError(tail)}`);
      }),
    ]);
    await ensureNamespace(address, namespace, options.retentionDays ?? 30, log);
  } catch (error) {
    child.kill('SIGKILL');
    await managed.exited;
    sink?.end();
    throw error;
  }
  return {
    address,
    pid: child.pid,
    ports,
    // A long grace by default, so the server drains its shards; npm start passes its own bound
    // (a SIGKILL is safe: the server's state is in PostgreSQL's transactions).
    stop: async (graceMs = 20_000) => {
      await managed.stop(graceMs);
      sink?.end();
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await managed.exited;
      sink?.end();
    },
  };
}

/** The server's last fatal or error log line, as `message: error` (its JSON lines end in long stack traces). */
function lastError(output: string): string {
  for (const line of output.split('\n').reverse()) {
    if (!/"level":"(fatal|error)"/.test(line)) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; error?: string };
      return `${entry.msg}${entry.error ? `: ${entry.error}` : ''}`;
    } catch {
      return line.slice(0, 500);
    }
  }
  return output.trim().slice(-1500);
}

/**
 * Registers the namespace unless it exists, then waits until the frontend serves it (a new
 * namespace reaches the server's namespace cache on its next refresh).
 */
async function ensureNamespace(address: string, namespace: string, retentionDays: number, log: (line: string) => void): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const service = connection.workflowService;
    try {
      await service.describeNamespace({ namespace });
    } catch (error) {
      if ((error as { code?: number }).code !== 5) throw error; // NOT_FOUND
      await service.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`) });
      log(`temporal: registered namespace ${namespace} (retention ${retentionDays} days)`);
    }
    await waitFor(
      `namespace ${namespace} to be served`,
      async () => {
        await service.listWorkflowExecutions({ namespace, pageSize: 1 });
        return true;
      },
      60_000,
      500,
    );
  } finally {
    await connection.close();
  }
}
