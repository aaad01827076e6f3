// `npm start` brings the whole system up on a fresh DATA_DIR, and a SIGINT or a SIGTERM stops
// every process it started (PostgreSQL, Temporal, worker, API), leaving none behind, within
// docker stop's 10 s grace. The signal is sent the way a process manager, a CI job or a script
// sends it: to the PID of `npm` itself, not to its process group (which a terminal's Ctrl-C
// signals). The same for `npm test` and the servers it starts.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { freePort } from '@libs/infra';
import { eventually } from './support/stack';
import { descendants, alive } from './support/processes';

const spawned: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const c of spawned) {
    if (!c.pid || c.exitCode !== null || c.signalCode !== null) continue;
    for (const pid of descendants(c.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    c.kill('SIGKILL');
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const root = resolve(__dirname, '..');
/** docker stop's default grace between SIGTERM and SIGKILL. */
const DOCKER_STOP_GRACE_MS = 10_000;

/**
 * Runs an npm script as a process manager would: `npm` is the process it starts and signals.
 * CASEWORK_SKIP_BUILD: dist/ is already built by the `npm test` running this file, and other
 * test files are using it, so the script's build step (which deletes dist/) is skipped.
 */
function runNpm(args: string[], env: NodeJS.ProcessEnv, ownGroup = false) {
  expect(existsSync(resolve(root, 'dist/scripts/start.js'))).toBe(true);
  const npm = spawn('npm', args, { cwd: root, env: { ...env, CASEWORK_SKIP_BUILD: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: ownGroup });
  spawned.push(npm);
  const out = { text: '' };
  npm.stdout!.on('data', (c) => (out.text += c));
  npm.stderr!.on('data', (c) => (out.text += c));
  const exited = new Promise<number | null>((r) => npm.once('exit', (code) => r(code)));
  return { npm, out, exited };
}

/** `npm start` on a throw-away DATA_DIR and a free PORT, once it says it is ready. */
async function npmStart(ownGroup = false) {
  const dataDir = join(tmpdir(), `casework-start-${randomBytes(4).toString('hex')}`);
  dirs.push(dataDir);
  mkdirSync(dataDir, { mode: 0o755 });
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  const run = runNpm(['start'], env, ownGroup);
  await eventually('npm start to say it is ready', async () => run.out.text.includes('press Ctrl-C'), 150_000, 250).catch((error) => {
    throw new Error(`${(error as Error).message}\n${run.out.text}`);
  });
  return { ...run, port };
}

/** Signals `pid` alone (a negative pid: its process group), and waits for every process in `started` to be gone; returns how long that took. */
async function signalAndWait(pid: number, signal: NodeJS.Signals, started: number[], out: { text: string }): Promise<number> {
  const sentAt = Date.now();
  process.kill(pid, signal);
  await eventually('every process it started to be gone', async () => started.every((p) => !alive(p)), DOCKER_STOP_GRACE_MS, 50).catch((error) => {
    throw new Error(`${(error as Error).message}; still running: ${started.filter(alive).join(', ')}\n${out.text}`);
  });
  const took = Date.now() - sentAt;
  const log = out.text
    .split('\n')
    .filter((line) => /stopp|received/.test(line))
    .join('\n  ');
  process.stderr.write(`[start.e2e] ${signal} to npm (pid ${pid}): ${started.length} processes gone in ${took} ms\n  ${log}\n`);
  return took;
}

/** The stop, as the log tells it: the signal, the layers newest first, PostgreSQL last, nothing overrunning. */
function expectCleanStop(output: string, signal: string) {
  expect(output).toContain(`${signal} received`);
  expect(output).not.toMatch(/took longer than|failed:/);
  const order = ['stopped api', 'stopped Temporal', 'stopped PostgreSQL', 'stopped everything'].map((line) => output.indexOf(line));
  expect(order.every((i) => i >= 0)).toBe(true);
  expect(order).toEqual([...order].sort((a, b) => a - b));
}

it('refuses to start, naming the port, when another process already listens on PORT', async () => {
  const taken = createServer((_req, res) => res.end('{"status":"ok"}'));
  const port = await freePort();
  await new Promise<void>((r) => taken.listen(port, '127.0.0.1', r));
  try {
    const dataDir = join(tmpdir(), `casework-start-${randomBytes(4).toString('hex')}`);
    dirs.push(dataDir);
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port) };
    delete env.DATABASE_URL;
    delete env.TEMPORAL_ADDRESS;
    const run = runNpm(['start'], env);
    expect(await run.exited).toBe(1);
    expect(run.out.text).toContain(`port ${port} is already in use by another process`);
    // Nothing was started: no database was made in DATA_DIR.
    expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
  } finally {
    await new Promise((r) => taken.close(r));
  }
}, 60_000);

it('starts everything, serves the API, and leaves no process after a SIGINT to the npm start PID', async () => {
  const { npm, out, exited, port } = await npmStart();
  const output = () => out.text;
  expect(output()).toContain(`http://127.0.0.1:${port}/docs`);
  expect(output()).toMatch(/Temporal UI\s+http:\/\/127\.0\.0\.1:\d+/);
  const health = await fetch(`http://127.0.0.1:${port}/health`);
  expect(health.status).toBe(200);
  // The web front end, served by the built API from dist/ with its templates and GOV.UK assets.
  expect(output()).toMatch(new RegExp(`Web\\s+http://127\\.0\\.0\\.1:${port}/`));
  const signIn = await fetch(`http://127.0.0.1:${port}/sign-in`);
  expect(signIn.status).toBe(200);
  expect(await signIn.text()).toContain('staff@northshire');
  expect((await fetch(`http://127.0.0.1:${port}/assets/govuk/govuk-frontend.min.css`)).status).toBe(200);

  const started = descendants(npm.pid!);
  // start.js (npm's child, through `exec`), PostgreSQL (with its helpers), Temporal, the worker and the API.
  expect(started.length).toBeGreaterThanOrEqual(5);
  expect(await signalAndWait(npm.pid!, 'SIGINT', started, out)).toBeLessThan(DOCKER_STOP_GRACE_MS);
  expect(await exited).toBe(0);
  expectCleanStop(output(), 'SIGINT');
}, 240_000);

it('leaves no process after a SIGTERM to the npm start PID', async () => {
  const { npm, out, exited } = await npmStart();
  const started = descendants(npm.pid!);
  expect(started.length).toBeGreaterThanOrEqual(5);
  expect(await signalAndWait(npm.pid!, 'SIGTERM', started, out)).toBeLessThan(DOCKER_STOP_GRACE_MS);
  await exited;
  expectCleanStop(out.text, 'SIGTERM');
}, 240_000);

it('leaves no process after a SIGINT to the whole process group (a Ctrl-C in a terminal), PostgreSQL stopped too', async () => {
  // Every process gets the signal at once: PostgreSQL shuts itself down, and start.js must still
  // see that through (it used to wait for ever for PostgreSQL's exit, which had already happened).
  const { npm, out, exited } = await npmStart(true);
  const started = descendants(npm.pid!);
  expect(started.length).toBeGreaterThanOrEqual(5);
  expect(await signalAndWait(-npm.pid!, 'SIGINT', started, out)).toBeLessThan(DOCKER_STOP_GRACE_MS);
  await exited;
  expect(out.text).toContain('SIGINT received');
  expect(out.text).toMatch(/stopped PostgreSQL[^\n]*\n[^\n]*stopped everything/);
}, 240_000);

it('SIGTERM to the npm test PID stops Jest and the PostgreSQL and Temporal it started', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  // A test file that waits, so that the run is under way when the signal comes.
  const { npm, out, exited } = runNpm(['test', '--', '--testMatch', '**/test/fixtures/waits.fixture.ts'], env);
  await eventually('the test file to be running', async () => out.text.includes('waiting to be interrupted'), 150_000, 250).catch((error) => {
    throw new Error(`${(error as Error).message}\n${out.text}`);
  });
  const started = descendants(npm.pid!);
  // The runner, PostgreSQL, Temporal and Jest.
  expect(started.length).toBeGreaterThanOrEqual(4);
  expect(await signalAndWait(npm.pid!, 'SIGTERM', started, out)).toBeLessThan(DOCKER_STOP_GRACE_MS);
  await exited;
  expect(out.text).toContain('SIGTERM received; stopping the tests and the servers');
  expect(out.text).toContain('stopped Temporal');
  expect(out.text).toContain('stopped PostgreSQL');
}, 240_000);
