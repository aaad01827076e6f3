// `npm run record:histories [-- --out DIR] [-- --only NAME,NAME]`: records the event histories
// that test/replay.spec.ts replays against the current workflow code. It runs the allegation
// workflow of THIS tree through the HTTP API, with seconds-long deadlines, stops each case at an
// interesting point and writes its history as proto3 JSON (what the SDK's historyToJSON writes)
// to DIR/<scenario>.json (default test/histories/).
//
// PostgreSQL: DATABASE_URL's server (a throw-away database is created and dropped there) or an
// embedded, throw-away one. Temporal: TEMPORAL_ADDRESS or an in-memory dev server. The API and
// the worker run in this process on a task queue of their own.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import * as proto from '@temporalio/proto';
import { temporal } from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import pino from 'pino';
import request from 'supertest';
import { createApiApp, loadApiConfigs } from '../apps/api/src/app.factory';
import { createAllegationWorker } from '../apps/worker/src/worker';
import { findDemoUser, loadOrCreateSigningKeys, signToken } from '../libs/auth';
import { allegationWorkflowId } from '../libs/domain';
import { startEmbeddedPostgres, startTemporalDevServer, waitFor } from '../libs/infra';
import { createDataSource, migrate, seedDemo } from '../libs/persistence';

const say = (line: string) => process.stderr.write(`[record] ${line}\n`);
const root = resolve(__dirname, '..', '..'); // dist/scripts -> the repository

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

/** Seconds-long deadlines, as in test/deadlines.e2e-spec.ts; `urgent` is long so a case can be caught early. */
const POLICY = { triageDue: { routine: 'PT4S', urgent: 'PT1H', immediate: 'PT3S' }, remindBefore: ['PT2S'], workingDays: false };

function allegationBody(overrides: Record<string, unknown> = {}) {
  return {
    category: 'postal_vote',
    pollDate: '2027-05-06',
    location: { ward: 'Castle Ward', pollingDistrict: 'CW3' },
    occurredAt: '2026-11-01T10:00:00Z',
    reporter: { name: 'A. Elector', contact: 'a.elector@example.com', type: 'elector' },
    description: 'A canvasser was seen collecting completed postal votes at Elm Court care home.',
    urgency: 'routine',
    safetyConcern: false,
    ...overrides,
  };
}

// --- reading a history

const typeOf = (e: HistoryEvent) => EventType[e.eventType ?? 0].replace(/^EVENT_TYPE_/, '');

function summary(events: HistoryEvent[]) {
  const activities = events.filter((e) => typeOf(e) === 'ACTIVITY_TASK_SCHEDULED').map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
  const done = events.filter((e) => typeOf(e) === 'ACTIVITY_TASK_COMPLETED').length;
  const ended = events.filter((e) => /^ACTIVITY_TASK_(FAILED|TIMED_OUT|CANCELED)$/.test(typeOf(e))).length;
  const lastTask = [...events].reverse().find((e) => typeOf(e).startsWith('WORKFLOW_TASK_'));
  return {
    activities,
    completed: done,
    timersStarted: events.filter((e) => typeOf(e) === 'TIMER_STARTED').length,
    timersFired: events.filter((e) => typeOf(e) === 'TIMER_FIRED').length,
    signals: events.filter((e) => typeOf(e) === 'WORKFLOW_EXECUTION_SIGNALED').map((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? '?'),
    /** no activity running and the last workflow task completed: the workflow waits for a timer or a message */
    idle: done + ended === activities.length && lastTask !== undefined && typeOf(lastTask) === 'WORKFLOW_TASK_COMPLETED',
    open: !events.some((e) => /^WORKFLOW_EXECUTION_(COMPLETED|FAILED|TIMED_OUT|TERMINATED|CANCELED|CONTINUED_AS_NEW)$/.test(typeOf(e))),
  };
}
type Summary = ReturnType<typeof summary>;

/**
 * The history as proto3 JSON, the form the Temporal CLI and UI export: what the SDK's historyToJSON
 * (@temporalio/common/lib/proto-utils) writes. That helper fails here with "type must be a Type":
 * the lock file gives @temporalio/common and @temporalio/proto a protobufjs copy each, and it
 * mixes them. This uses the copy @temporalio/proto itself is built on; test/replay.spec.ts reads
 * the files back the same way.
 */
function historyToJSON(history: History): unknown {
  const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [dirname(require.resolve('@temporalio/proto'))] }));
  const type = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');
  return protojson.toJson(type, temporal.api.history.v1.History.fromObject(history));
}

/** Worker identities hold a pid and the host name; they do not take part in replay. */
function scrubIdentities(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrubIdentities);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'identity' && typeof v === 'string' ? 'record-histories' : scrubIdentities(v)]));
  }
  return value;
}

// --- the scenarios

interface Ctx {
  http: ReturnType<typeof request>;
  client: Client;
  token(username: string): Promise<string>;
  /** polls the case's history until `ready` holds while the workflow is idle; returns the history */
  captureWhen(caseId: string, what: string, ready: (s: Summary, events: HistoryEvent[]) => boolean, timeoutMs?: number): Promise<History>;
}

interface Scenario {
  name: string;
  about: string;
  run(ctx: Ctx): Promise<{ caseId: string; history: History }>;
}

async function logCase(ctx: Ctx, user: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await ctx.http.post('/allegations').set('Authorization', `Bearer ${await ctx.token(user)}`).send(allegationBody(overrides));
  if (res.status !== 201) throw new Error(`POST /allegations as ${user} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'early-after-start',
    about: 'an urgent case (deadline an hour away) caught right after start: openTriage done, waiting on the reminder timer',
    async run(ctx) {
      const caseId = await logCase(ctx, 'staff@northshire', { urgency: 'urgent' });
      const history = await ctx.captureWhen(caseId, 'openTriage done and the reminder timer started', (s) => s.idle && s.completed === 1 && s.activities.join() === 'openTriage' && s.timersStarted >= 1 && s.timersFired === 0);
      return { caseId, history };
    },
  },
  {
    name: 'routine-reminder-escalation',
    about: 'a routine case: triage reminder, then the escalation to the Returning Officer; still open, waiting for a decision',
    async run(ctx) {
      const caseId = await logCase(ctx, 'staff@northshire');
      const history = await ctx.captureWhen(caseId, 'the reminder and the escalation', (s) => s.idle && s.open && s.activities.join() === 'openTriage,notify,notify' && s.completed === 3);
      return { caseId, history };
    },
  },
  {
    name: 'safety-concern',
    about: 'a safety concern: the SPOC/FEOA alert at once, the shortest triage deadline, its reminder and escalation',
    async run(ctx) {
      const caseId = await logCase(ctx, 'staff@southvale', { safetyConcern: true, category: 'undue_influence' });
      const history = await ctx.captureWhen(caseId, 'the alert, the reminder and the escalation', (s) => s.idle && s.open && s.activities.join() === 'notify,openTriage,notify,notify' && s.completed === 4);
      return { caseId, history };
    },
  },
  {
    name: 'policy-changed',
    about: 'a routine case that got the policyChanged signal (PATCH /admin/policies/northshire) before its deadline, then its reminder and escalation',
    async run(ctx) {
      const caseId = await logCase(ctx, 'staff@northshire');
      await ctx.captureWhen(caseId, 'openTriage done, before the reminder', (s) => s.idle && s.completed === 1 && s.timersStarted >= 1 && s.timersFired === 0);
      const res = await ctx.http.patch('/admin/policies/northshire').set('Authorization', `Bearer ${await ctx.token('admin@northshire')}`).send({ triageDue: { routine: 'PT6S' } });
      if (res.status !== 200) throw new Error(`PATCH /admin/policies/northshire answered ${res.status}: ${JSON.stringify(res.body)}`);
      const history = await ctx.captureWhen(caseId, 'the signal, the reminder and the escalation', (s, events) => {
        // openTriage, the reminder, then the escalation: the signal must come before the escalation.
        const scheduled = events.flatMap((e, i) => (typeOf(e) === 'ACTIVITY_TASK_SCHEDULED' ? [i] : []));
        const signalAt = events.findIndex((e) => typeOf(e) === 'WORKFLOW_EXECUTION_SIGNALED');
        if (signalAt >= 0 && scheduled.length >= 3 && signalAt > scheduled[2]) throw new Error('the policyChanged signal arrived after the deadline passed');
        return s.idle && s.open && s.signals.join() === 'policyChanged' && s.activities.join() === 'openTriage,notify,notify' && s.completed === 3;
      });
      return { caseId, history };
    },
  },
];

// --- infrastructure

function parseArgs(argv: string[]): { out: string; only?: string[] } {
  let out = join(root, 'test', 'histories');
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!v) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--out' || arg.startsWith('--out=')) out = resolve(process.cwd(), value());
    else if (arg === '--only' || arg.startsWith('--only=')) only = value().split(',');
    else if (arg === '--help' || arg === '-h') {
      process.stderr.write(`usage: npm run record:histories [-- --out DIR] [-- --only ${SCENARIOS.map((s) => s.name).join(',')}]\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  const unknown = only?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return { out, only };
}

async function main(): Promise<void> {
  const { out, only } = parseArgs(process.argv.slice(2));
  const scenarios = SCENARIOS.filter((s) => !only || only.includes(s.name));
  const stops: { name: string; stop: () => Promise<unknown> }[] = [];
  const stopAll = async () => {
    for (const { name, stop } of stops.splice(0).reverse()) await stop().catch((e) => say(`stopping ${name}: ${(e as Error).message}`));
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });

    // PostgreSQL: a database of our own, dropped at the end.
    let serverUrl = process.env.DATABASE_URL;
    if (!serverUrl) {
      const pgDir = join(tmpdir(), `casework-record-pg-${randomBytes(4).toString('hex')}`);
      say(`starting embedded PostgreSQL (throw-away, ${pgDir})`);
      stops.push({ name: 'PostgreSQL data directory', stop: async () => rmSync(pgDir, { recursive: true, force: true }) });
      const pg = await startEmbeddedPostgres({ dataDir: pgDir, persistent: false, database: 'casework_record' });
      stops.push({ name: 'PostgreSQL', stop: () => pg.stop() });
      serverUrl = pg.url;
    } else {
      say('using the PostgreSQL server at DATABASE_URL (a throw-away database there)');
    }
    const dbName = `casework_record_${randomBytes(4).toString('hex')}`;
    const admin = async (sql: string) => {
      const c = new PgClient({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    await admin(`CREATE DATABASE ${dbName}`);
    stops.push({ name: 'database', stop: () => admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`) });
    const url = new URL(serverUrl);
    url.pathname = `/${dbName}`;
    const databaseUrl = url.toString();
    const db = await createDataSource({ url: databaseUrl, poolSize: 5 }).initialize();
    stops.push({ name: 'database pool', stop: () => db.destroy() });
    await migrate(db);
    await seedDemo(db);
    for (const id of ['northshire', 'southvale']) await db.query(`UPDATE policies SET document = document || $2::jsonb WHERE authority_id = $1`, [id, JSON.stringify(POLICY)]);

    // Temporal.
    let address = process.env.TEMPORAL_ADDRESS;
    if (!address) {
      say('starting the Temporal dev server (in memory)');
      const server = await startTemporalDevServer({ log: say });
      stops.push({ name: 'Temporal', stop: () => server.stop() });
      address = server.address;
    } else {
      say(`using TEMPORAL_ADDRESS ${address}`);
    }
    const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
    const taskQueue = `record-${randomBytes(4).toString('hex')}`;

    // The API, in this process.
    const dataDir = mkdtempSync(join(tmpdir(), 'casework-record-data-'));
    stops.push({ name: 'DATA_DIR', stop: async () => rmSync(dataDir, { recursive: true, force: true }) });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '10',
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      OUTBOX_SWEEP_MS: '3600000',
    };
    delete env.AUTH_JWKS_URL;
    delete env.AUTH_ISSUER;
    delete env.AUTH_AUDIENCE;
    const app = await createApiApp(loadApiConfigs(env), pino({ level: 'silent' }));
    await app.init();
    stops.push({ name: 'API', stop: () => app.close() });
    const keys = await loadOrCreateSigningKeys(dataDir);
    const connection = await Connection.connect({ address });
    stops.push({ name: 'Temporal client', stop: () => connection.close() });
    const client = new Client({ connection, namespace });

    // The worker, with the workflows of this tree.
    say('bundling the workflows');
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
    const nativeConnection = await NativeConnection.connect({ address });
    stops.push({ name: 'worker connection', stop: () => nativeConnection.close() });
    // Only what the recorded scenarios use: no evidence store, no mailer (notifications stay in-app).
    // Cast, so that the script also builds in a clone of an older commit, whose worker takes less.
    const workerOptions = { connection: nativeConnection, namespace, taskQueue, db, workflowBundle };
    const worker = await createAllegationWorker(workerOptions as Parameters<typeof createAllegationWorker>[0]);

    const ctx: Ctx = {
      http: request(app.getHttpServer()),
      client,
      token: async (username) => {
        const user = findDemoUser(username);
        if (!user) throw new Error(`no demo user ${username}`);
        return signToken(keys, { sub: user.id, roles: user.roles, authorityId: user.authorityId, forceId: user.forceId, name: user.username });
      },
      captureWhen: async (caseId, what, ready, timeoutMs = 30_000) => {
        const handle = client.workflow.getHandle(allegationWorkflowId(caseId));
        let last: Summary | undefined;
        try {
          return await waitFor(`${what} (case ${caseId})`, async () => {
            const history = await handle.fetchHistory();
            last = summary(history.events ?? []);
            return ready(last, history.events ?? []) && history;
          }, timeoutMs, 100);
        } catch (error) {
          throw new Error(`${(error as Error).message}; the history had: ${JSON.stringify(last)}`);
        }
      },
    };

    mkdirSync(out, { recursive: true });
    const recorded: string[] = [];
    await worker.runUntil(async () => {
      // One after another: the policy change signals every open case of the authority.
      for (const scenario of scenarios) {
        say(`${scenario.name}: ${scenario.about}`);
        const { caseId, history } = await scenario.run(ctx);
        const file = join(out, `${scenario.name}.json`);
        const json = scrubIdentities(historyToJSON(history));
        writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
        const s = summary(history.events ?? []);
        const line = `${relative(process.cwd(), file) || file}: ${allegationWorkflowId(caseId)}, ${history.events?.length} events; activities ${s.activities.join(', ')}; timers ${s.timersStarted} started, ${s.timersFired} fired${s.signals.length ? `; signals ${s.signals.join(', ')}` : ''}`;
        recorded.push(line);
        say(`recorded ${line}`);
      }
    });
    process.stdout.write(`recorded ${recorded.length} histories in ${out}:\n${recorded.map((l) => `  ${l}\n`).join('')}`);
  } finally {
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    say(`failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
