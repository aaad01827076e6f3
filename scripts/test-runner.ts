// `npm test`: unit and end-to-end tests against real PostgreSQL and Temporal. Uses DATABASE_URL
// and TEMPORAL_ADDRESS when set; otherwise starts a throw-away embedded PostgreSQL and an
// in-memory Temporal dev server for the run, and stops them afterwards. Extra arguments go to
// Jest (for example `npm test -- test/intake.e2e-spec.ts`). SIGINT or SIGTERM, to this process or
// to the `npm test` above it, stops Jest with everything its test files started (Jest runs in a
// process group of its own: SIGTERM to the group, SIGKILL after 3 s), and then the servers.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmbeddedPostgres, startTemporalDevServer } from '@libs/infra';

const say = (line: string) => process.stderr.write(`[test] ${line}\n`);

/** Suites whose assertions are about this process's memory. */
const MEMORY_MEASURED = ['test/evidence-large.e2e-spec.ts', 'test/indicators.e2e-spec.ts'];

async function main(): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  let jest: ChildProcess | undefined;
  let stopped: Promise<void> | undefined;
  let interrupted = false;
  let jestGroup = true;
  /** Jest first, then the servers newest first; each within its own bound; once, however often called. */
  const stopAll = () =>
    (stopped ??= (async () => {
      interrupted = true;
      if (jest?.pid && jest.exitCode === null && jest.signalCode === null) {
        const group = jestGroup ? -jest.pid : jest.pid;
        const gone = new Promise<void>((r) => jest!.once('exit', () => r()));
        const signalGroup = (signal: NodeJS.Signals) => {
          try {
            process.kill(group, signal);
          } catch {
            // the group is gone already
          }
        };
        signalGroup('SIGTERM');
        const timer = setTimeout(() => signalGroup('SIGKILL'), 3_000);
        await gone;
        clearTimeout(timer);
        // Jest's workers and what the test files spawned may outlive Jest by a moment.
        if (jestGroup) signalGroup('SIGKILL');
      }
      for (const { name, stop } of [...stops].reverse()) {
        const done = stop().then(
          () => say(`stopped ${name}`),
          (e) => say(`cleanup: stopping ${name} failed: ${(e as Error).message}`),
        );
        const inTime = await Promise.race([done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000).unref())]);
        if (!inTime) say(`cleanup: stopping ${name} took longer than 5 s; going on`);
      }
    })());
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => {
      say(`${signal} received; stopping the tests and the servers`);
      void stopAll().then(() => process.exit(code));
    });
  }
  try {
    if (!env.DATABASE_URL) {
      const dataDir = join(tmpdir(), `casework-test-pg-${randomBytes(4).toString('hex')}`);
      say(`starting embedded PostgreSQL (throw-away, ${dataDir})`);
      const pg = await startEmbeddedPostgres({ dataDir, persistent: false, database: 'casework_test' });
      stops.push({ name: 'PostgreSQL', stop: () => pg.stop() });
      env.DATABASE_URL = pg.url;
    } else {
      say('using DATABASE_URL (each test file creates and drops its own database there)');
    }
    if (!env.TEMPORAL_ADDRESS) {
      say('starting the Temporal dev server (in memory)');
      const temporal = await startTemporalDevServer({ log: say });
      stops.push({ name: 'Temporal', stop: () => temporal.stop() });
      env.TEMPORAL_ADDRESS = temporal.address;
    } else {
      say(`using TEMPORAL_ADDRESS ${env.TEMPORAL_ADDRESS}`);
    }
    const jestBin = require.resolve('jest/bin/jest');
    const common = [jestBin, '--ci', ...(process.env.CI ? ['--maxWorkers=2'] : [])];
    const runJest = (args: string[]) =>
      new Promise<number>((resolveCode) => {
        if (interrupted) return resolveCode(1);
        // Watch mode reads the terminal, which a process group in the background may not.
        const detached = !args.some((a) => a.startsWith('--watch'));
        const child = (jest = spawn(process.execPath, [...common, ...args], { cwd: resolve(__dirname, '..'), env, stdio: 'inherit', detached }));
        jestGroup = detached;
        child.on('exit', (c, signal) => resolveCode(c ?? (signal ? 1 : 0)));
      });
    const chosen = process.argv.slice(2);
    if (chosen.length > 0) return await runJest(chosen);
    // Suites that measure their own process's memory run last, each in a Jest process of its own:
    // a worker that has already run other suites carries their heap, which skews the figures.
    const everythingElse = await runJest([
      '--testPathIgnorePatterns=/node_modules/',
      ...MEMORY_MEASURED.map((f) => `--testPathIgnorePatterns=${f.replace(/\./g, '\\.')}`),
    ]);
    let measured = 0;
    for (const suite of MEMORY_MEASURED) {
      say(`running ${suite} in a process of its own`);
      measured ||= await runJest([suite]);
    }
    return everythingElse || measured;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    say(`failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
