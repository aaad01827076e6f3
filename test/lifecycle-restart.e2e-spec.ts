// A worker killed with SIGKILL while a referral waits for its SPOC: a decision made meanwhile is
// answered 503 promptly rather than hanging, the SPOC deadline still fires after the restart, and
// every reminder, escalation and decision happens exactly once.
import { allegationWorkflowId } from '@libs/domain';
import { getStateQuery } from '@workflows/allegation/messages';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    worker: 'none',
    env: { DECISION_TIMEOUT_MS: '2000' },
    policy: {
      triageDue: { routine: 'PT60S', urgent: 'PT60S', immediate: 'PT60S' },
      spocResponseDue: { routine: 'PT10S', urgent: 'PT10S', immediate: 'PT10S' },
      remindBefore: ['PT7S'],
      workingDays: false,
    },
  });
});
afterAll(() => stack?.close());

const as = async (username: string) => `Bearer ${await stack.token(username)}`;

async function sent(caseId: string): Promise<string[]> {
  const rows = await stack.db.query(
    'SELECT u.username, n.kind FROM notifications n JOIN users u ON u.id = n.recipient_id WHERE n.case_id = $1 ORDER BY u.username, n.kind',
    [caseId],
  );
  return rows.map((r: { username: string; kind: string }) => `${r.username} ${r.kind}`);
}

const accept = async (id: string) =>
  stack.http
    .post(`/allegations/${id}/referral/accept`)
    .set('Authorization', await as('spoc@northshire-police'))
    .send({ crimeReference: 'NP/RESTART/1' });

async function referredCase(): Promise<string> {
  const created = await stack.http
    .post('/allegations')
    .set('Authorization', await as('staff@northshire'))
    .send(allegationBody())
    .expect(201);
  const id = created.body.id;
  // A query is answered only by a running worker: the child has bundled its workflows and started.
  await eventually(
    'a worker to run the case',
    () =>
      stack.temporal.workflow
        .getHandle(allegationWorkflowId(id))
        .query(getStateQuery)
        .catch(() => undefined),
    60_000,
  );
  await stack.http
    .post(`/allegations/${id}/triage`)
    .set('Authorization', await as('triage@northshire'))
    .send({ decision: 'refer', forceId: 'northshire-police', note: 'refer' })
    .expect(200);
  return id;
}

it('keeps the referral handshake exactly-once across a worker killed mid-flow', async () => {
  const first = stack.spawnWorker();
  const waiting = await referredCase();
  const decided = await referredCase();
  await eventually(
    'the SPOC reminder from the first worker',
    async () => (await sent(waiting)).includes('spoc@northshire-police spoc_response_reminder'),
    30_000,
  );

  first.child.kill('SIGKILL');
  await first.exited;

  // No worker: the decision cannot be judged, and the API says so within its timeout.
  const started = Date.now();
  const meanwhile = await accept(decided);
  expect(meanwhile.status).toBe(503);
  expect(meanwhile.body.message).toMatch(/did not answer/);
  expect(Date.now() - started).toBeLessThan(6_000);

  stack.spawnWorker();
  await eventually(
    'the escalation from the second worker',
    async () => (await sent(waiting)).includes('returning_officer@northshire spoc_response_escalation'),
    60_000,
  );
  await new Promise((r) => setTimeout(r, 2_000));
  expect(await sent(waiting)).toEqual([
    'returning_officer@northshire spoc_response_escalation',
    'spoc@northshire-police referral_received',
    // no SPOC was named, so the escalation goes to every SPOC of the force as well
    'spoc@northshire-police spoc_response_escalation',
    'spoc@northshire-police spoc_response_reminder',
  ]);

  // The decision sent while the worker was down may or may not have been kept by the server;
  // retrying it is safe either way: it is applied once, and a repeat is refused.
  const retry = await accept(decided);
  expect([200, 409]).toContain(retry.status);
  const accepted = await stack.db.query("SELECT count(*)::int AS n FROM audit_events WHERE case_id = $1 AND action = 'referral.accepted'", [decided]);
  expect(accepted[0].n).toBe(1);
  const got = await stack.http
    .get(`/allegations/${decided}`)
    .set('Authorization', await as('triage@northshire'))
    .expect(200);
  expect(got.body).toMatchObject({ status: 'accepted', referral: { crimeReference: 'NP/RESTART/1' } });
});
