// A decision that reaches Temporal before any worker has run the case's workflow (a worker behind
// on a busy day) is delivered together with the workflow's start. Found by `npm run bench:soak`:
// the workflow then opened the first triage deadline over the decision's own deadline, so a
// request for information never lapsed and the case sat in awaiting_information for good. Here
// the reporter's reply deadline must still lapse and bring the case back to triage.
import { allegationWorkflowId } from '@libs/domain';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    worker: 'none',
    env: { DECISION_TIMEOUT_MS: '60000' },
    policy: { informationReplyDue: 'PT3S', workingDays: false },
  });
});
afterAll(() => stack?.close());

const as = async (username: string) => `Bearer ${await stack.token(username)}`;

it('lets the reply deadline of a request for information made before the first workflow task lapse', async () => {
  const created = await stack.http
    .post('/allegations')
    .set('Authorization', await as('staff@northshire'))
    .send(allegationBody())
    .expect(201);
  const id: string = created.body.id;

  // No worker yet: the decision waits at the server for the case's first workflow task.
  const decision = stack.http
    .post(`/allegations/${id}/triage`)
    .set('Authorization', await as('triage@northshire'))
    .send({ decision: 'request_information', question: 'Which care home?', note: 'needs a place' })
    .then((r) => r);
  // No API shows an update waiting at the server, so give the request time to get there; the
  // history check below fails if it arrived after the first workflow task instead.
  await new Promise((r) => setTimeout(r, 2_000));
  await stack.startWorker();
  const answered = await decision;
  expect(answered.status).toBe(200);
  expect(answered.body).toMatchObject({ status: 'awaiting_information' });

  const history = await stack.temporal.workflow.getHandle(allegationWorkflowId(id)).fetchHistory();
  const events = history.events ?? [];
  const accepted = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  // The first workflow task's results end where the second task starts. (The case's first
  // scheduled activity marked that point until new cases stopped scheduling `openTriage`.)
  const secondTask = events.findIndex((e, i) => e.workflowTaskStartedEventAttributes && events.slice(0, i).some((f) => f.workflowTaskStartedEventAttributes));
  expect(accepted).toBeGreaterThan(-1);
  expect(accepted).toBeLessThan(secondTask < 0 ? events.length : secondTask); // decided in the very first workflow task

  const triage = await as('triage@northshire');
  const back = await eventually(
    'the case back in triage after the reply deadline',
    async () => {
      const got = await stack.http.get(`/allegations/${id}`).set('Authorization', triage).expect(200);
      return got.body.status === 'triage' ? got.body : undefined;
    },
    60_000,
    250,
  );
  expect(back.informationRequest).toMatchObject({ lapsedAt: expect.any(String) });
  // The workflow shows the case back in triage before its notify activity has written (in a batch
  // with other due events since issue 15), so wait for the notice, then check there is one.
  const lapses = async () =>
    (await stack.db.query("SELECT count(DISTINCT due_key)::int AS n FROM notifications WHERE case_id = $1 AND kind = 'information_reply_lapsed'", [id]))[0]
      .n as number;
  await eventually('the lapse notification', async () => (await lapses()) > 0, 20_000, 100);
  expect(await lapses()).toBe(1);
  // The deadlines are the reply deadline (lapsed) and the new triage deadline: no triage
  // deadline from the start left open beside them.
  expect(back.deadlines.history.map((d: { kind: string }) => d.kind)).toEqual(['information_reply', 'triage']);
});
