// Temporal over mutual TLS (docs/operators/temporal-connection.md): a real Temporal server whose
// frontend requires a client certificate, with certificates made here. The API and the worker
// connect with TEMPORAL_TLS_CA / _CERT / _KEY and run a case; a wrong CA, no client certificate,
// a certificate from a CA the server does not trust, a wrong server name, or no TLS at all stop
// the API and the worker at start-up, within a bounded time, with one line naming the setting.
// The worker's native connection does the same on its own, and an API key turns TLS on.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { loadConfig, TemporalConfig } from '@libs/config';
import { runNodeService } from '@libs/infra';
import { connectTemporalClient, TemporalConnectError } from '@libs/temporal';
import { connectTemporalWorker } from '@libs/temporal/native';
import { createDataSource, migrate } from '@libs/persistence';
import { createTestDatabase } from './support/database';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';
import { startTlsTemporalServer, RunningTlsTemporal } from './support/temporal-tls-server';
import { makeTestCertificates, TestCertificates } from './support/tls-certs';

let certs: TestCertificates;
let server: RunningTlsTemporal;

beforeAll(async () => {
  certs = makeTestCertificates();
  server = await startTlsTemporalServer(certs, { log: (line) => process.stderr.write(`${line}\n`) });
}, 180_000);
afterAll(async () => {
  await server?.stop();
  certs?.remove();
});

describe('with the right CA, client certificate and key', () => {
  let stack: TestStack;
  let stopWorker = async () => undefined as void;
  beforeAll(async () => {
    stack = await startTestStack({ worker: 'none', env: { ...server.env } });
  }, 120_000);
  afterAll(async () => {
    await stopWorker();
    await stack?.close();
  });

  it('the API takes an allegation and the worker process runs its workflow', async () => {
    // The built worker, as deployed, with the stack's settings (TLS included); its stderr is kept
    // so that a worker that could not connect says why.
    const worker = runNodeService('worker', resolve(__dirname, '../dist/apps/worker/src/main.js'), { ...stack.env, LOG_LEVEL: 'info' }, 'pipe');
    let workerStderr = '';
    let workerStdout = '';
    worker.child.stderr?.on('data', (chunk: Buffer) => (workerStderr += chunk.toString()));
    worker.child.stdout?.on('data', (chunk: Buffer) => (workerStdout += chunk.toString()));
    let stopping = false;
    stopWorker = () => ((stopping = true), worker.stop(5_000));
    void worker.exited.then((code) => !stopping && process.stderr.write(`worker exited with ${code}: ${workerStderr}\n`));
    const created = await stack.http
      .post('/allegations')
      .set('Authorization', `Bearer ${await stack.token('staff@southvale')}`)
      .send(allegationBody({ safetyConcern: true }))
      .expect(201);
    const id = created.body.id as string;
    // The safety alert is written only by the workflow's first activity: the API started the
    // workflow over mutual TLS and the worker process ran it over mutual TLS.
    const alerts = await eventually(
      'the safety alert from the workflow',
      async () => {
        const res = await stack.http
          .get('/me/notifications')
          .set('Authorization', `Bearer ${await stack.token('spoc@southvale-police')}`)
          .expect(200);
        const mine = res.body.filter((n: { caseId: string }) => n.caseId === id);
        return mine.length > 0 && mine;
      },
      90_000,
      250,
    );
    expect(alerts).toEqual([expect.objectContaining({ kind: 'safety_alert' })]);
    expect({ exitCode: worker.child.exitCode, stderr: workerStderr }).toMatchObject({ exitCode: null });
    // What the worker tells its operator: the connection is mutual TLS; the key is not in the log.
    const connected = workerStdout
      .split('\n')
      .filter((l) => l.includes('"connected to Temporal"'))
      .map((l) => JSON.parse(l));
    expect(connected).toEqual([expect.objectContaining({ temporal: { address: server.address, namespace: 'default', tls: 'mutual', apiKey: 'unset' } })]);
    expect(workerStdout).not.toContain('BEGIN');
    const health = await stack.http.get('/health').expect(200);
    expect(health.body.checks.temporal).toBe('up');
  });
});

describe('a connection the server refuses stops each process at start-up, naming the setting', () => {
  const dist = resolve(__dirname, '../dist');
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    const db = await createDataSource({ url: database.url, poolSize: 2 }).initialize();
    await migrate(db);
    await db.destroy();
  });
  afterAll(() => database?.drop());

  const CONNECT_TIMEOUT_MS = 3_000;

  /** Runs the built entry point until it exits; its exit code, stderr and how long it took. */
  function start(entry: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string; ms: number }> {
    const started = Date.now();
    const child = spawn(process.execPath, [join(dist, entry)], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: database.url,
        DATA_DIR: certs.dir,
        PORT: '0',
        LOG_LEVEL: 'warn',
        TEMPORAL_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        TEMPORAL_TASK_QUEUE: 'refused',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    return new Promise((done) =>
      child.once('exit', (code) => {
        clearTimeout(killer);
        done({ code, stderr, ms: Date.now() - started });
      }),
    );
  }

  const cases: [string, () => Record<string, string>, RegExp][] = [
    [
      'a CA that did not sign the server certificate',
      () => ({ ...server.env, TEMPORAL_TLS_CA: certs.otherCa }),
      /could not connect to Temporal: TEMPORAL_TLS_CA: the Temporal server at 127\.0\.0\.1:\d+ presented a certificate that the CA in TEMPORAL_TLS_CA did not sign/,
    ],
    [
      'no client certificate',
      () => ({ TEMPORAL_ADDRESS: server.address, TEMPORAL_TLS_CA: certs.ca }),
      /could not connect to Temporal: TEMPORAL_TLS_CERT: the Temporal server at 127\.0\.0\.1:\d+ requires a client certificate \(mutual TLS\); set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY/,
    ],
    [
      'a client certificate from a CA the server does not trust',
      () => ({ ...server.env, TEMPORAL_TLS_CERT: certs.strangerCert, TEMPORAL_TLS_KEY: certs.strangerKey }),
      /could not connect to Temporal: TEMPORAL_TLS_CERT: the Temporal server at 127\.0\.0\.1:\d+ refused the client certificate in TEMPORAL_TLS_CERT/,
    ],
    [
      'a server name the certificate is not for',
      () => ({ ...server.env, TEMPORAL_TLS_SERVER_NAME: 'temporal.example.org' }),
      /could not connect to Temporal: TEMPORAL_TLS_SERVER_NAME: the Temporal server's certificate is not for "temporal\.example\.org"/,
    ],
    [
      'a namespace the server does not have',
      () => ({ ...server.env, TEMPORAL_NAMESPACE: 'no-such-namespace' }),
      /could not connect to Temporal: TEMPORAL_NAMESPACE: the server at 127\.0\.0\.1:\d+ has no namespace "no-such-namespace"/,
    ],
    [
      'no TLS at all',
      () => ({ TEMPORAL_ADDRESS: server.address }),
      /could not connect to Temporal: TEMPORAL_TLS: the Temporal server at 127\.0\.0\.1:\d+ closed a plain connection; if it requires TLS, set TEMPORAL_TLS_CA/,
    ],
  ];

  it.each(cases)('%s', async (_, env, message) => {
    // The API and the worker side by side, as a deployment starts them.
    const [api, worker] = await Promise.all([start('apps/api/src/main.js', env()), start('apps/worker/src/main.js', env())]);
    for (const [name, run] of [
      ['api', api],
      ['worker', worker],
    ] as const) {
      expect({ name, code: run.code }).toEqual({ name, code: 1 });
      const last = run.stderr.trim().split('\n').at(-1) ?? '';
      expect(last.startsWith(`${name}: `)).toBe(true);
      expect(last).toMatch(message);
      // Bounded: the connect timeout, the probe, and a loaded machine's process start-up; never a hang.
      expect(run.ms).toBeLessThan(90_000);
      expect(run.stderr).not.toContain('BEGIN');
    }
  });
});

describe("the worker's native connection (the SDK's Rust core) on its own", () => {
  const attempt = async (env: Record<string, string>) => {
    const started = Date.now();
    const connection = await connectTemporalWorker(loadConfig(TemporalConfig, { ...env, TEMPORAL_CONNECT_TIMEOUT_MS: '3000' })).catch((error: Error) => error);
    const ms = Date.now() - started;
    if (!(connection instanceof Error)) await connection.close();
    return { connection, ms };
  };

  it('connects with the right files and refuses the wrong ones in a bounded time, naming the setting', async () => {
    expect((await attempt(server.env)).connection).not.toBeInstanceOf(Error);
    for (const [env, setting] of [
      [{ ...server.env, TEMPORAL_TLS_CA: certs.otherCa }, 'TEMPORAL_TLS_CA'],
      [{ TEMPORAL_ADDRESS: server.address, TEMPORAL_TLS_CA: certs.ca }, 'TEMPORAL_TLS_CERT'],
      [{ ...server.env, TEMPORAL_TLS_SERVER_NAME: 'temporal.example.org' }, 'TEMPORAL_TLS_SERVER_NAME'],
    ] as const) {
      const { connection, ms } = await attempt(env);
      expect(connection).toBeInstanceOf(TemporalConnectError);
      expect((connection as Error).message).toMatch(new RegExp(`^could not connect to Temporal: ${setting}: `));
      expect(ms).toBeLessThan(3_000 + 10_000);
    }
  });
});

describe('an API key turns TLS on unless TEMPORAL_TLS=false', () => {
  const attempt = (env: Record<string, string>) =>
    connectTemporalClient(loadConfig(TemporalConfig, { ...env, TEMPORAL_CONNECT_TIMEOUT_MS: '2000' })).catch((error: Error) => error);

  it('with only an API key the client speaks TLS and checks the server against the system CAs', async () => {
    // The test CA is not a system CA: refused naming TEMPORAL_TLS_CA, which shows TLS was on.
    const error = await attempt({ TEMPORAL_ADDRESS: server.address, TEMPORAL_API_KEY: 'test-api-key' });
    expect(error).toBeInstanceOf(TemporalConnectError);
    expect((error as Error).message).toMatch(/^could not connect to Temporal: TEMPORAL_TLS_CA: .* no system-trusted CA signed; set TEMPORAL_TLS_CA/);
    expect((error as Error).message).not.toContain('test-api-key');
  });

  it('with TEMPORAL_TLS=false the key goes over a plain connection, which this server refuses', async () => {
    const error = await attempt({ TEMPORAL_ADDRESS: server.address, TEMPORAL_API_KEY: 'test-api-key', TEMPORAL_TLS: 'false' });
    expect((error as Error).message).toMatch(/^could not connect to Temporal: TEMPORAL_TLS: the Temporal server at .* closed a plain connection/);
  });

  it('with the CA and client certificate as well, the key rides along and the connection is made', async () => {
    const connection = await attempt({ ...server.env, TEMPORAL_API_KEY: 'test-api-key' });
    expect(connection).not.toBeInstanceOf(Error);
    await (connection as Awaited<ReturnType<typeof connectTemporalClient>>).close();
  });
});
