// Starts the Temporal CLI's dev server: with a SQLite file for `npm start` (so cases and their
// timers survive a restart, with the web UI), in memory for tests.
import { ChildProcess, spawn } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { temporalConfigFor, temporalConnectionOptions } from '@libs/temporal';
import { findTemporalCli } from './temporal-cli';
import { freePort, waitFor } from './ports';

export interface TemporalDevServerOptions {
  /** SQLite file; omitted means in-memory */
  dbFile?: string;
  port?: number;
  /** serve the web UI on this port; omitted means headless */
  uiPort?: number;
  namespace?: string;
  log?: (line: string) => void;
}

export interface RunningTemporal {
  address: string;
  uiUrl?: string;
  pid?: number;
  /** SIGTERM, then SIGKILL after `graceMs` (default TEMPORAL_STOP_GRACE_MS). */
  stop(graceMs?: number): Promise<void>;
}

export async function startTemporalDevServer(options: TemporalDevServerOptions = {}): Promise<RunningTemporal> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const namespace = options.namespace ?? 'default';
  const cli = findTemporalCli(log);
  if (!cli) return startWithSdkDownload(options, namespace);
  // The dev server also binds internal ports of its own choosing; on a busy machine one can be
  // taken between its check and its bind, and it exits at once. A fresh attempt then succeeds.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(cli, options, namespace, attempt === 1 ? options.port : undefined);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof DevServerExited)) throw error;
      log(`temporal: the dev server exited during start-up (${(error as Error).message.split('\n')[0].slice(0, 200)}); retrying`);
    }
  }
}

class DevServerExited extends Error {}

async function startOnce(cli: string, options: TemporalDevServerOptions, namespace: string, preferred?: number): Promise<RunningTemporal> {
  const port = preferred ?? (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', namespace, '--log-level', 'error'];
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (options.uiPort) args.push('--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1');
  else args.push('--headless');
  const child = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `127.0.0.1:${port}`;
  try {
    await Promise.race([
      waitFor(`the Temporal dev server on ${address}`, () => probeTemporal(address), 60_000, 200),
      exited.then((code) => {
        throw new DevServerExited(`the Temporal dev server exited with code ${code}: ${stderr.trim().slice(0, 1500)}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    address,
    pid: child.pid,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    stop: (graceMs = TEMPORAL_STOP_GRACE_MS) => stopChild(child, exited, graceMs),
  };
}

/** Whether the dev server started here answers at `address` (plain gRPC: the dev server has no TLS). */
export async function probeTemporal(address: string): Promise<boolean> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(temporalConfigFor(address, {})), connectTimeout: 1_000 });
  try {
    await connection.workflowService.getSystemInfo({});
    return true;
  } finally {
    await connection.close();
  }
}

export const TEMPORAL_STOP_GRACE_MS = 2_000;

async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function startWithSdkDownload(options: TemporalDevServerOptions, namespace: string): Promise<RunningTemporal> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ip: '127.0.0.1',
      namespace,
      dbFilename: options.dbFile,
      ui: Boolean(options.uiPort),
      uiPort: options.uiPort,
      port: options.port,
    },
  });
  const address = env.address;
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    // The SDK's teardown has no time limit of its own.
    stop: (graceMs = TEMPORAL_STOP_GRACE_MS) =>
      Promise.race([
        env.teardown(),
        new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`the Temporal test server did not stop within ${graceMs} ms`)), graceMs).unref()),
      ]),
  };
}
