// The fault suites' own PostgreSQL and Temporal, which they stop, kill and restart. Each suite
// starts both for itself (whatever DATABASE_URL and TEMPORAL_ADDRESS say: nobody else's servers
// are stopped), on fixed ports so that a restart comes back at the address the API, the worker
// and the test already hold. Temporal keeps its state in a SQLite file, PostgreSQL in a data
// directory, so a restart resumes where it stopped, as it would in production. With
// { temporal: 'server' } Temporal is instead the real Temporal server with its databases on the
// suite's PostgreSQL (libs/infra/temporal-server-postgres.ts), its ports kept across restarts.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  freePort,
  manageProcess,
  ManagedProcess,
  pickTemporalServerPorts,
  RunningTemporal,
  RunningTemporalPostgres,
  startTemporalDevServer,
  startTemporalPostgresServer,
} from '@libs/infra';

const say = (line: string) => process.stderr.write(`[faults] ${line}\n`);

export interface FaultPostgres {
  /** server URL (its `postgres` database); test stacks create their own databases on it */
  readonly url: string;
  /** fast shutdown (SIGINT: connections are terminated), as an operator or a host restart would */
  stop(): Promise<void>;
  start(): Promise<void>;
  /**
   * SIGSTOP to the postmaster and every backend: connections stay open and nothing answers, as
   * when the database host hangs or the network between drops every packet.
   */
  freeze(): void;
  /** SIGCONT to the processes frozen */
  thaw(): void;
}

export interface FaultTemporal {
  readonly address: string;
  /** SIGTERM lets the server shut down; SIGKILL is a crash */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  start(): Promise<void>;
}

export interface FaultServersOptions {
  /** the CLI's dev server on SQLite (default), or the real Temporal server on the suite's PostgreSQL */
  temporal?: 'dev' | 'server';
}

export interface FaultServers {
  /** the directory holding the servers' data (and the Temporal server's log) */
  root: string;
  postgres: FaultPostgres;
  temporal: FaultTemporal;
  close(): Promise<void>;
}

/** Starts both servers and points this process's DATABASE_URL and TEMPORAL_ADDRESS at them. */
export async function startFaultServers(options: FaultServersOptions = {}): Promise<FaultServers> {
  const root = mkdtempSync(join(tmpdir(), 'casework-faults-'));
  // Run as root, PostgreSQL runs as the `postgres` user, who must be able to reach its directory.
  chmodSync(root, 0o755);
  const pgDir = join(root, 'pg');
  const pgPort = await freePort();
  const dbFile = join(root, 'temporal.sqlite');
  // The real server's ports are below 32768 (see pickTemporalServerPorts); the dev server takes any.
  const serverPorts = options.temporal === 'server' ? await pickTemporalServerPorts() : undefined;
  const temporalPort = serverPorts?.frontend ?? (await freePort());

  let pg: ManagedProcess | undefined;
  let frozen: number[] = [];
  let pgUrl = '';
  const startPg = async () => {
    const started = await runPostgresProcess(pgDir, pgPort);
    pg = started.process;
    pgUrl = started.url;
  };
  await startPg();

  let temporal: RunningTemporal | undefined;
  const address = `127.0.0.1:${temporalPort}`;
  let prepared = false;
  const startTemporal = async () => {
    if (serverPorts) {
      const started: RunningTemporalPostgres = await startTemporalPostgresServer({
        postgresUrl: pgUrl,
        ports: serverPorts,
        skipSchema: prepared,
        logFile: join(root, 'temporal-server.log'),
        log: say,
      });
      prepared = true;
      temporal = started;
      return;
    }
    // The dev server retries a failed start on another port; only this one will do here.
    for (let attempt = 1; ; attempt++) {
      const started = await startTemporalDevServer({ dbFile, port: temporalPort, log: say });
      if (started.address === address) {
        temporal = started;
        return;
      }
      await started.stop();
      if (attempt >= 3) throw new Error(`the Temporal dev server would not start on ${address}`);
    }
  };
  await startTemporal();

  process.env.DATABASE_URL = pgUrl;
  process.env.TEMPORAL_ADDRESS = address;

  const postgres: FaultPostgres = {
    url: pgUrl,
    stop: async () => {
      const running = pg;
      pg = undefined;
      await running?.stop(30_000);
    },
    start: startPg,
    freeze: () => {
      frozen = postgresProcesses(pgDir);
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    },
    thaw: () => {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      frozen = [];
    },
  };
  const temporalControl: FaultTemporal = {
    address,
    stop: async (signal) => {
      const running = temporal;
      temporal = undefined;
      if (!running) return;
      if (!running.pid) throw new Error('the Temporal server was not started from a binary, so it cannot be signalled');
      if (signal === 'SIGKILL') process.kill(running.pid, 'SIGKILL');
      // A SIGTERM stop is given the time to finish that the suite means to test (npm start's own bound is shorter).
      await running.stop(10_000);
    },
    start: startTemporal,
  };
  return {
    root,
    postgres,
    temporal: temporalControl,
    close: async () => {
      await temporalControl.stop('SIGTERM').catch((e) => say(`stopping Temporal: ${(e as Error).message}`));
      await postgres.stop().catch((e) => say(`stopping PostgreSQL: ${(e as Error).message}`));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The postmaster (from its pid file) and its children (backends, checkpointer, ...), from /proc. */
function postgresProcesses(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after ')'
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false; // gone since the listing
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

/** Starts postgres-process.js and waits for the URL it prints once PostgreSQL accepts connections. */
async function runPostgresProcess(dataDir: string, port: number): Promise<{ process: ManagedProcess; url: string }> {
  const child = spawn(process.execPath, [join(__dirname, 'postgres-process.js'), dataDir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const managed = manageProcess('postgres', child);
  const exited = managed.exited;
  const firstLine = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(line));
    exited.then((code) => reject(new Error(`embedded PostgreSQL did not start (exit ${code})`)));
  });
  const { url } = JSON.parse(await firstLine) as { url: string };
  return { process: managed, url };
}
