// A real stack for one test file: its own PostgreSQL database (migrated and seeded), the shared
// Temporal server with a task queue of its own, the Nest app in-process (supertest), and a
// worker either in-process (bundle built once per file) or as a child process that a test can kill.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { withPathAliases } from '@libs/temporal/path-aliases';
import pino from 'pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApiApp, loadApiConfigs } from '@apps/api/src/app.factory';
import { CaseworkWorker, createAllegationWorker } from '@apps/worker/src/worker';
import { findDemoUser, loadOrCreateSigningKeys, signToken, SigningKeys } from '@libs/auth';
import { CheckpointConfig, loadConfig, SmtpConfig, TemporalConfig } from '@libs/config';
import type { Policy } from '@libs/domain';
import { ManagedProcess, runNodeService, waitFor } from '@libs/infra';
import { createSmtpMailer } from '@libs/mail';
import { createDataSource, migrate, seedDemo, WORKER_ROLE } from '@libs/persistence';
import { FsContentStore } from '@libs/storage';
import { connectTemporalClient } from '@libs/temporal';
import { connectTemporalWorker } from '@libs/temporal/native';
import { loadCheckpointSigner } from '@libs/transparency';
import { createTestDatabase } from './database';

let bundle: ReturnType<typeof bundleWorkflowCode> | undefined;
let runtimeInstalled = false;

/** The SDK's runtime, quiet but for warnings; installed before the first native connection. */
function installQuietRuntime() {
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // already installed in this process
    }
  }
}

/** The workflow bundle, built once per test file (each Jest file has its own module registry). */
export function workflowBundle() {
  installQuietRuntime();
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN'), webpackConfigHook: withPathAliases });
  return bundle;
}

export interface TestStack {
  app: INestApplication;
  http: ReturnType<typeof request>;
  db: DataSource;
  temporal: Client;
  taskQueue: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  token(username: string): Promise<string>;
  /** starts a worker in this process */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  /** starts the built worker (dist/) as a child process that a test may SIGKILL */
  spawnWorker(): ManagedProcess;
  setPolicy(authorityId: string, patch: Partial<Policy>): Promise<void>;
  close(): Promise<void>;
}

export interface TestStackOptions {
  policy?: Partial<Policy>;
  worker?: 'in-process' | 'none';
  env?: Record<string, string>;
  /** SMTP_URL for the in-process worker's mailer and for spawned workers; unset: in-app only */
  smtpUrl?: string;
  /**
   * The API's errors (its 500s with their stacks) on stderr; unset: silent. The fault suites turn
   * it on so that an unexpected 500 in CI says what it was.
   */
  apiErrorsToStderr?: boolean;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  installQuietRuntime();
  const database = await createTestDatabase();
  const db = await createDataSource({ url: database.url, poolSize: 5 }).initialize();
  await migrate(db);
  await seedDemo(db);
  // The in-process worker runs as the worker's database role, as the worker process does; `db`
  // stays the owner, for what tests set up and tamper with.
  const workerDb = await createDataSource({ url: database.url, poolSize: 5, applicationName: 'casework-worker', role: WORKER_ROLE }).initialize();
  const dataDir = mkdtempSync(join(tmpdir(), 'casework-test-data-'));
  const taskQueue = `test-${randomBytes(6).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '10',
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    OUTBOX_SWEEP_MS: '3600000',
    ...options.env,
    // Empty means unset: a developer's own SMTP_URL never reaches the tests' workers.
    SMTP_URL: options.smtpUrl ?? '',
  };
  const stack: Partial<TestStack> & { keys?: SigningKeys } = { db, taskQueue, dataDir, env };
  const setPolicy = async (authorityId: string, patch: Partial<Policy>) => {
    await db.query(`UPDATE policies SET document = document || $2::jsonb WHERE authority_id = $1`, [authorityId, JSON.stringify(patch)]);
  };
  if (options.policy) for (const id of ['northshire', 'southvale']) await setPolicy(id, options.policy);

  const app = await createApiApp(
    loadApiConfigs(env),
    options.apiErrorsToStderr ? pino({ level: 'error', base: { process: 'test-api' } }, pino.destination(2)) : pino({ level: 'silent' }),
  );
  await app.init();
  // The test's own client and worker connect as the API does: TEMPORAL_ADDRESS, TLS and namespace
  // from env (options.env can point a stack at another server, such as a TLS one).
  const temporalConfig = loadConfig(TemporalConfig, env);
  const connection = await connectTemporalClient(temporalConfig);
  const temporal = new Client({ connection, namespace: temporalConfig.TEMPORAL_NAMESPACE });
  const keys = await loadOrCreateSigningKeys(dataDir);

  let worker: CaseworkWorker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  const children: ManagedProcess[] = [];

  const startWorker = async () => {
    nativeConnection ??= await connectTemporalWorker(temporalConfig);
    worker = await createAllegationWorker({
      connection: nativeConnection,
      namespace: temporalConfig.TEMPORAL_NAMESPACE,
      taskQueue,
      db: workerDb,
      store: new FsContentStore(join(dataDir, 'evidence')),
      workflowBundle: await workflowBundle(),
      mailer: createSmtpMailer(loadConfig(SmtpConfig, env)),
      checkpointSigner: loadCheckpointSigner(loadConfig(CheckpointConfig, env)),
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    worker = undefined;
  };
  if ((options.worker ?? 'in-process') === 'in-process') await startWorker();

  return Object.assign(stack, {
    app,
    http: request(app.getHttpServer()),
    temporal,
    setPolicy,
    startWorker,
    stopWorker,
    token: async (username: string) => {
      const user = findDemoUser(username);
      if (!user) throw new Error(`no demo user ${username}`);
      return signToken(keys, { sub: user.id, roles: user.roles, authorityId: user.authorityId, forceId: user.forceId, name: user.username });
    },
    spawnWorker: () => {
      const entry = resolve(__dirname, '../../dist/apps/worker/src/main.js');
      if (!existsSync(entry)) throw new Error(`${entry} is missing: run the tests through \`npm test\`, which builds dist/ first`);
      const child = runNodeService('worker', entry, { ...env, LOG_LEVEL: 'warn' }, 'ignore');
      children.push(child);
      return child;
    },
    close: async () => {
      await stopWorker();
      for (const child of children) await child.stop(5_000);
      await app.close();
      await connection.close();
      await nativeConnection?.close();
      await workerDb.destroy();
      await db.destroy();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  }) as TestStack;
}

/** Polls until `probe` returns a truthy value or the deadline passes; never a bare sleep. */
export function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  return waitFor(what, async () => (await probe()) || undefined, timeoutMs, intervalMs);
}

export function allegationBody(overrides: Record<string, unknown> = {}) {
  return {
    category: 'postal_vote',
    pollDate: '2027-05-06',
    location: { ward: 'Castle Ward', pollingDistrict: 'CW3' },
    occurredAt: '2026-11-01T10:00:00Z',
    reporter: { name: 'A. Elector', contact: 'a.elector@example.com', type: 'elector' },
    description: 'A canvasser was seen collecting completed postal votes at Elm Court care home.',
    urgency: 'routine',
    safetyConcern: false,
    peopleInvolved: [{ name: 'J. Canvasser', role: 'canvasser' }],
    ...overrides,
  };
}
