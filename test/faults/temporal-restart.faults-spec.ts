// The Temporal dev server stopped and restarted on its SQLite file in the middle of the flow:
// once shut down (SIGTERM) while reminders fall due, once killed (SIGKILL) while escalations do.
// While it is down the API keeps answering: reads from PostgreSQL, intake recorded with a clear
// 503 (the outbox starts the workflow later), decisions 503, none of it slow. Afterwards every
// open workflow is still listed, every timer that fell due while the server was down fires, and
// nothing is lost or repeated (invariants 1, 3 and 4).
import { allegationWorkflowId } from '@libs/domain';
import { getStateQuery } from '@workflows/allegation/messages';
import { allegationBody, eventually, startTestStack, TestStack } from '../support/stack';
import { acknowledgedAllegationsKept, casesWithout, duplicateNotifications } from './support/invariants';
import { FaultServers, startFaultServers } from './support/servers';

// Reminders 12 s after intake, escalations after 45 s: the first outage covers the reminders of
// the first cases, the second their escalations.
const TRIAGE_DUE_S = 45;
const REMIND_BEFORE_S = 33;
/** How long a request may take while Temporal is down (the API's own timeouts, plus a loaded machine). */
const PROMPT_MS = 8_000;

let servers: FaultServers;
let stack: TestStack;

beforeAll(async () => {
  servers = await startFaultServers();
  stack = await startTestStack({
    apiErrorsToStderr: true,
    worker: 'none',
    // The intake outbox is swept every second, so cases recorded during an outage start soon after.
    env: { OUTBOX_SWEEP_MS: '1000', OUTBOX_GRACE_MS: '1000', DECISION_TIMEOUT_MS: '3000' },
    policy: {
      triageDue: { routine: `PT${TRIAGE_DUE_S}S`, urgent: `PT${TRIAGE_DUE_S}S`, immediate: `PT${TRIAGE_DUE_S}S` },
      remindBefore: [`PT${REMIND_BEFORE_S}S`],
      workingDays: false,
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await servers?.close();
});

const as = async (username: string) => `Bearer ${await stack.token(username)}`;
const cases: { id: string; triageDueAt: string }[] = [];

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}

async function listedRunning(): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const wf of stack.temporal.workflow.list({
    query: `TaskQueue = '${stack.taskQueue}' AND ExecutionStatus = 'Running' AND WorkflowType = 'allegationWorkflow'`,
  }))
    ids.add(wf.workflowId);
  return ids;
}

/** What the API does while Temporal is down: every answer prompt, none a 500. */
async function duringOutage(label: string): Promise<void> {
  const open = cases[0].id;
  const read = await timed(async () => stack.http.get(`/allegations/${open}`).set('Authorization', await as('triage@northshire')));
  expect(read.result.status).toBe(200);
  const decision = await timed(async () =>
    stack.http
      .post(`/allegations/${open}/triage`)
      .set('Authorization', await as('triage@northshire'))
      .send({ decision: 'resolve', resolution: 'advice', note: 'resolved' }),
  );
  expect(decision.result.status).toBe(503);
  const intake = await timed(async () =>
    stack.http
      .post('/allegations')
      .set('Authorization', await as('staff@northshire'))
      .set('Idempotency-Key', `outage-${label}`)
      .send(allegationBody()),
  );
  expect(intake.result.status).toBe(503);
  // "recorded, its workflow will be started": the case is acknowledged with its id, and kept
  expect(intake.result.body).toMatchObject({ id: expect.any(String), reference: expect.any(String) });
  cases.push({ id: intake.result.body.id, triageDueAt: '' });
  const health = await timed(async () => stack.http.get('/health'));
  expect(health.result.status).toBe(503);
  expect(health.result.body.checks).toEqual({ database: 'up', temporal: 'down' });
  process.stderr.write(
    `[faults] Temporal ${label} down: read ${read.ms} ms, decision 503 in ${decision.ms} ms, intake 503 in ${intake.ms} ms, health 503 in ${health.ms} ms\n`,
  );
  for (const t of [read, decision, intake, health]) expect(t.ms).toBeLessThan(PROMPT_MS);
}

it('keeps every workflow and fires every timer across a Temporal restart, graceful and crashed', async () => {
  // The worker is running before the cases are logged (it takes up to a minute to start on a
  // loaded machine), so the outage below begins well before their reminders fall due.
  stack.spawnWorker();
  const warmUp = await stack.http
    .post('/allegations')
    .set('Authorization', await as('staff@southvale'))
    .send(allegationBody())
    .expect(201);
  await eventually(
    'a worker to answer',
    () =>
      stack.temporal.workflow
        .getHandle(allegationWorkflowId(warmUp.body.id))
        .query(getStateQuery)
        .catch(() => undefined),
    200_000,
    500,
  );
  for (let i = 0; i < 6; i++) {
    const res = await stack.http
      .post('/allegations')
      .set('Authorization', await as('staff@northshire'))
      .send(allegationBody())
      .expect(201);
    cases.push(res.body);
  }
  const firstDue = Date.parse(cases[0].triageDueAt);
  expect(
    await casesWithout(
      stack,
      cases.map((c) => c.id),
      'triage_reminder',
    ),
  ).toHaveLength(cases.length);

  // 1. Shut down while the reminders fall due.
  await servers.temporal.stop('SIGTERM');
  await duringOutage('stopped');
  await eventually('the reminders to fall due', async () => Date.now() > firstDue - REMIND_BEFORE_S * 1000 + 2_000, 30_000, 250);
  expect(
    await casesWithout(
      stack,
      cases.map((c) => c.id),
      'triage_reminder',
    ),
  ).toHaveLength(cases.length);
  await servers.temporal.start();

  await eventually(
    'every case listed as running after the restart',
    async () => {
      const listed = await listedRunning();
      return cases.every((c) => listed.has(allegationWorkflowId(c.id)));
    },
    30_000,
    500,
  );
  await eventually(
    'every reminder to fire',
    async () =>
      (
        await casesWithout(
          stack,
          cases.map((c) => c.id),
          'triage_reminder',
        )
      ).length === 0,
    90_000,
    500,
  );

  // 2. Killed outright while the escalations fall due.
  await eventually('shortly before the first escalation', async () => Date.now() > firstDue - 3_000, 60_000, 250);
  const escalatedBefore =
    cases.length -
    (
      await casesWithout(
        stack,
        cases.map((c) => c.id),
        'triage_escalation',
      )
    ).length;
  await servers.temporal.stop('SIGKILL');
  await duringOutage('killed');
  await eventually('the first escalations to fall due', async () => Date.now() > firstDue + 2_000, 30_000, 250);
  await servers.temporal.start();

  const ids = [warmUp.body.id, ...cases.map((c) => c.id)];
  await eventually(
    'every case listed as running after the crash',
    async () => {
      const listed = await listedRunning();
      return ids.every((id) => listed.has(allegationWorkflowId(id)));
    },
    30_000,
    500,
  );
  await eventually('every escalation to fire', async () => (await casesWithout(stack, ids, 'triage_escalation')).length === 0, 120_000, 500);
  await new Promise((r) => setTimeout(r, 2_000)); // would any repeat still come?

  expect(await acknowledgedAllegationsKept(stack, ids)).toEqual({ missingRows: [], missingWorkflows: [] });
  expect(await duplicateNotifications(stack, ids)).toEqual([]);
  process.stderr.write(
    `[faults] Temporal restarts: ${ids.length} cases; ${cases.length - escalatedBefore} of ${cases.length} escalations fell due while the server was killed\n`,
  );
  // The decision refused with 503 during the outages was not applied behind the caller's back.
  const [row] = await stack.db.query('SELECT status FROM allegations WHERE id = $1', [cases[0].id]);
  expect(row.status).toBe('triage');
  // The API and the worker recovered by themselves: a decision now goes through.
  await stack.http
    .post(`/allegations/${cases[0].id}/triage`)
    .set('Authorization', await as('triage@northshire'))
    .send({ decision: 'resolve', resolution: 'advice', note: 'resolved after the restarts' })
    .expect(200);
});
