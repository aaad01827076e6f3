// `npm start` brings the whole system up on a fresh DATA_DIR, and SIGINT stops every process it
// started (PostgreSQL, Temporal, worker, API), leaving none behind.
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

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

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
