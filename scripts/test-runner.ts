// `npm test`: unit and end-to-end tests against real PostgreSQL and Temporal. Uses DATABASE_URL
// and TEMPORAL_ADDRESS when set; otherwise starts a throw-away embedded PostgreSQL and an
// in-memory Temporal dev server for the run, and stops them afterwards. Extra arguments go to
// Jest (for example `npm test -- test/intake.e2e-spec.ts`).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmbeddedPostgres, startTemporalDevServer } from '../libs/infra';

const say = (line: string) => process.stderr.write(`[test] ${line}\n`);

/** Suites whose assertions are about this process's memory. */
const MEMORY_MEASURED = ['test/evidence-large.e2e-spec.ts', 'test/indicators.e2e-spec.ts'];

async function main(): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((e) => say(`cleanup: ${(e as Error).message}`));
  };
  process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
  process.on('SIGTERM', () => void stopAll().then(() => process.exit(143)));
  try {
    if (!env.DATABASE_URL) {
      const dataDir = join(tmpdir(), `casework-test-pg-${randomBytes(4).toString('hex')}`);
      say(`starting embedded PostgreSQL (throw-away, ${dataDir})`);
      const pg = await startEmbeddedPostgres({ dataDir, persistent: false, database: 'casework_test' });
      stops.push(() => pg.stop());
      env.DATABASE_URL = pg.url;
    } else {
      say('using DATABASE_URL (each test file creates and drops its own database there)');
    }
    if (!env.TEMPORAL_ADDRESS) {
      say('starting the Temporal dev server (in memory)');
      const temporal = await startTemporalDevServer({ log: say });
      stops.push(() => temporal.stop());
      env.TEMPORAL_ADDRESS = temporal.address;
    } else {
      say(`using TEMPORAL_ADDRESS ${env.TEMPORAL_ADDRESS}`);
    }
    const jest = require.resolve('jest/bin/jest');
    const common = [jest, '--ci', ...(process.env.CI ? ['--maxWorkers=2'] : [])];
    const runJest = (args: string[]) =>
      new Promise<number>((resolveCode) => {
        const child = spawn(process.execPath, [...common, ...args], { cwd: resolve(__dirname, '..'), env, stdio: 'inherit' });
        child.on('exit', (c, signal) => resolveCode(c ?? (signal ? 1 : 0)));
      });
    const chosen = process.argv.slice(2);
    if (chosen.length > 0) return await runJest(chosen);
    // Suites that measure their own process's memory run last, each in a Jest process of its own:
    // a worker that has already run other suites carries their heap, which skews the figures.
    const everythingElse = await runJest(['--testPathIgnorePatterns=/node_modules/', ...MEMORY_MEASURED.map((f) => `--testPathIgnorePatterns=${f.replace(/\./g, '\\.')}`)]);
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
