// `TEMPORAL_MODE=server npm start` on a fresh DATA_DIR: embedded PostgreSQL, the Temporal server
// v1.30.4 on it (its two databases and their schema made on the way), the worker and the API. An
// allegation's workflow runs on that server; a SIGTERM to the npm PID stops every process it
// started, within docker stop's 10 s grace. In the fault suites (run once, on Node 24 in CI)
// because the server's first start makes its schema, which takes a while on a loaded machine.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@libs/infra';
import { allegationBody, eventually } from '../support/stack';
import { alive, descendants } from '../support/processes';

const root = resolve(__dirname, '../..');
const dataDir = join(tmpdir(), `casework-server-mode-${randomBytes(4).toString('hex')}`);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('runs the whole system on the real Temporal server on PostgreSQL, and stops it all on a SIGTERM to npm', async () => {
  mkdirSync(dataDir, { mode: 0o755 });
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    TEMPORAL_MODE: 'server',
    CASEWORK_SKIP_BUILD: '1',
  };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  const npm = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  npm.stdout!.on('data', (c) => (out += c));
  npm.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((r) => npm.once('exit', (code) => r(code)));
  try {
    await eventually('npm start to say it is ready', async () => out.includes('press Ctrl-C'), 360_000, 500).catch((error) => {
      throw new Error(`${(error as Error).message}\n${out}`);
    });
    expect(out).toContain('starting the Temporal server on PostgreSQL');
    expect(out).toContain('(none in TEMPORAL_MODE=server)');

    const base = `http://127.0.0.1:${port}`;
    const tokenFor = (user: string) =>
      new Promise<string>((resolveToken, reject) => {
        const t = spawn(process.execPath, [join(root, 'dist/scripts/token.js'), user], { env: { ...process.env, DATA_DIR: dataDir } });
        let text = '';
        t.stdout.on('data', (c) => (text += c));
        t.on('exit', (code) => (code === 0 ? resolveToken(text.trim()) : reject(new Error(`token exited ${code}`))));
      });
    const token = await tokenFor('staff@northshire');
    const spocToken = await tokenFor('spoc@northshire-police');
    const created = await fetch(`${base}/allegations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `server-mode-${randomBytes(4).toString('hex')}` },
      body: JSON.stringify(allegationBody({ safetyConcern: true })),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    // The safety alert to the force's SPOC is written only by the workflow's activity: the
    // workflow ran on the server.
    await eventually(
      'the workflow to raise its safety alert',
      async () => {
        const res = await fetch(`${base}/me/notifications?aboutType=allegation&aboutId=${id}`, { headers: { authorization: `Bearer ${spocToken}` } });
        const list = (await res.json()) as { kind: string }[];
        return res.ok && list.some((n) => n.kind === 'safety_alert');
      },
      90_000,
      500,
    );

    const started = descendants(npm.pid!);
    const sentAt = Date.now();
    process.kill(npm.pid!, 'SIGTERM');
    await eventually('every process it started to be gone', async () => started.every((p) => !alive(p)), 10_000, 50).catch((error) => {
      throw new Error(`${(error as Error).message}; still running: ${started.filter(alive).join(', ')}\n${out}`);
    });
    process.stderr.write(`[server-mode] ${started.length} processes gone ${Date.now() - sentAt} ms after SIGTERM to npm\n`);
    expect(await exited).toBe(0);
    expect(out).toContain('stopped PostgreSQL');
  } finally {
    if (npm.exitCode === null) {
      for (const pid of descendants(npm.pid!)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      npm.kill('SIGKILL');
    }
  }
});
