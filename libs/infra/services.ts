import { ChildProcess, spawn } from 'node:child_process';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

/**
 * How long a stopped service (API, worker) has to finish in-flight work after SIGTERM before it
 * is killed. With Temporal's and PostgreSQL's own bounds, `npm start` stops within docker stop's
 * default 10 s grace (docs/operators/stopping.md).
 */
export const SERVICE_STOP_GRACE_MS = 3_000;

/** Runs a Node entry point as a child process that is stopped with SIGTERM, then SIGKILL. */
/**
 * The worker's Node flags wherever this project starts it (npm start, the benchmarks, the Docker
 * image's CMD, which repeats them): a smaller V8 heap, so that garbage is collected before the
 * worker's RSS passes 512 MiB with 10,000 open risks or cases. Measured, and what it costs, in
 * docs/developers/performance.md (the worker's workflow cache).
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-old-space-size=192', '--max-semi-space-size=4'];

export function runNodeService(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  stdio: 'inherit' | 'ignore' | 'pipe' = 'inherit',
  nodeFlags: string[] = [],
): ManagedProcess {
  return manageProcess(name, spawn(process.execPath, ['--enable-source-maps', ...nodeFlags, entry], { env, stdio: ['ignore', stdio, stdio] }));
}

/** Wraps a spawned child: its exit (128 for a signal) and a stop that sends SIGTERM, then SIGKILL. */
export function manageProcess(name: string, child: ChildProcess): ManagedProcess {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return {
    name,
    child,
    exited,
    async stop(graceMs = SERVICE_STOP_GRACE_MS) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
