// `npm start` brings the whole system up on a fresh DATA_DIR, and SIGINT stops every process it
// started (PostgreSQL, Temporal, worker, API), leaving none behind. So does a SIGINT or SIGTERM
// sent the way a process manager, a CI job or a script sends it: to the PID of `npm start`
// itself, not to its process group; within docker stop's 10 s grace. The same for `npm test`.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../libs/infra';
import { eventually } from './support/stack';

function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parentOf) if (parent === pid) (found.push(child), walk(child));
  };
  walk(root);
  return found;
}

const alive = (pid: number) => {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z';
  } catch {
    return false;
  }
};

let child: ChildProcess | undefined;
let dataDir: string;
const spawned: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const c of [child, ...spawned]) {
    if (!c?.pid || c.exitCode !== null) continue;
    for (const pid of descendants(c.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    c.kill('SIGKILL');
  }
  for (const dir of [dataDir, ...dirs]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const root = resolve(__dirname, '..');

/**
 * Runs an npm script as a process manager would: `npm` is the process it starts and signals.
 * CASEWORK_SKIP_BUILD: dist/ is already built by the `npm test` running this file, and other
 * test files are using it, so the script's build step (which deletes dist/) is skipped.
 */
function runNpm(args: string[], env: NodeJS.ProcessEnv) {
  const npm = spawn('npm', args, { cwd: root, env: { ...env, CASEWORK_SKIP_BUILD: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(npm);
  const out = { text: '' };
  npm.stdout!.on('data', (c) => (out.text += c));
  npm.stderr!.on('data', (c) => (out.text += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => npm.once('exit', (code, signal) => r({ code, signal })));
  return { npm, out, exited };
}

/** docker stop's default grace: after it, SIGKILL. */
const DOCKER_STOP_GRACE_MS = 10_000;

describe.each(['SIGINT', 'SIGTERM'] as const)('%s to the PID of `npm start`', (signal) => {
  it('stops every process it started within docker stop\'s grace, PostgreSQL last and cleanly', async () => {
    const dir = join(tmpdir(), `casework-npm-start-${randomBytes(4).toString('hex')}`);
    dirs.push(dir);
    mkdirSync(dir, { mode: 0o755 });
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, PORT: String(port), LOG_LEVEL: 'warn', SEED_DEMO: 'false' };
    delete env.DATABASE_URL;
    delete env.TEMPORAL_ADDRESS;
    const { npm, out, exited } = runNpm(['start'], env);
    await eventually('npm start to say it is ready', async () => out.text.includes('press Ctrl-C'), 150_000, 250).catch((error) => {
      throw new Error(`${(error as Error).message}\n${out.text}`);
    });
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const started = descendants(npm.pid!);
    // The launcher, PostgreSQL (with its helpers), Temporal, the worker and the API.
    expect(started.length).toBeGreaterThanOrEqual(5);

    const sentAt = Date.now();
    process.kill(npm.pid!, signal);
    await eventually('every process npm start started to be gone', async () => started.every((pid) => !alive(pid)), DOCKER_STOP_GRACE_MS, 50).catch((error) => {
      throw new Error(`${(error as Error).message}; still running: ${started.filter(alive).join(', ')}\n${out.text}`);
    });
    const took = Date.now() - sentAt;
    expect(took).toBeLessThan(DOCKER_STOP_GRACE_MS);
    await exited;
    expect(out.text).toContain(`${signal} received`);
    expect(out.text).toContain('stopped PostgreSQL');
    expect(out.text).not.toMatch(/took longer than|failed:/);
    // The log says the layers stopped newest first.
    const order = ['stopped api', 'stopped Temporal', 'stopped PostgreSQL'].map((line) => out.text.indexOf(line));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    process.stderr.write(`[start.e2e] ${signal} to npm start: everything stopped in ${took} ms\n`);
  }, 240_000);
});

it('SIGTERM to the PID of `npm test` stops Jest and the PostgreSQL and Temporal it started', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  // A test file that waits, so that the run is under way when the signal comes.
  const { npm, out, exited } = runNpm(['test', '--', '--testMatch', '**/test/fixtures/waits.fixture.ts'], env);
  await eventually('the test file to be running', async () => out.text.includes('waiting to be interrupted'), 150_000, 250).catch((error) => {
    throw new Error(`${(error as Error).message}\n${out.text}`);
  });
  const started = descendants(npm.pid!);
  // The runner, PostgreSQL, Temporal, Jest (and its worker).
  expect(started.length).toBeGreaterThanOrEqual(4);
  const sentAt = Date.now();
  process.kill(npm.pid!, 'SIGTERM');
  await eventually('every process npm test started to be gone', async () => started.every((pid) => !alive(pid)), DOCKER_STOP_GRACE_MS, 50).catch((error) => {
    throw new Error(`${(error as Error).message}; still running: ${started.filter(alive).join(', ')}\n${out.text}`);
  });
  expect(Date.now() - sentAt).toBeLessThan(DOCKER_STOP_GRACE_MS);
  await exited;
  expect(out.text).toContain('stopped PostgreSQL');
  expect(out.text).toContain('stopped Temporal');
}, 240_000);

it('starts everything, serves the API, and leaves no process after SIGINT', async () => {
  const entry = resolve(__dirname, '../dist/scripts/start.js');
  expect(existsSync(entry)).toBe(true);
  dataDir = join(tmpdir(), `casework-start-${randomBytes(4).toString('hex')}`);
  mkdirSync(dataDir, { mode: 0o755 });
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  let output = '';
  child = spawn(process.execPath, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));

  await eventually('npm start to say it is ready', async () => output.includes('press Ctrl-C'), 150_000, 250).catch((error) => {
    throw new Error(`${(error as Error).message}\n${output}`);
  });
  expect(output).toContain(`http://127.0.0.1:${port}/docs`);
  expect(output).toMatch(/Temporal UI\s+http:\/\/127\.0\.0\.1:\d+/);
  const health = await fetch(`http://127.0.0.1:${port}/health`);
  expect(health.status).toBe(200);
  // The web front end, served by the built API from dist/ with its templates and GOV.UK assets.
  expect(output).toMatch(new RegExp(`Web\\s+http://127\\.0\\.0\\.1:${port}/`));
  const signIn = await fetch(`http://127.0.0.1:${port}/sign-in`);
  expect(signIn.status).toBe(200);
  expect(await signIn.text()).toContain('staff@northshire');
  expect((await fetch(`http://127.0.0.1:${port}/assets/govuk/govuk-frontend.min.css`)).status).toBe(200);

  const started = descendants(child.pid!);
  // PostgreSQL (with its helpers), Temporal, the worker and the API.
  expect(started.length).toBeGreaterThanOrEqual(4);
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  await eventually('every started process to be gone', async () => started.every((pid) => !alive(pid)), 20_000);
  expect(output).toContain('stopped PostgreSQL');
}, 240_000);
