// The authority's dispatcher of risk review notices (workflows/risk-review-dispatch.workflow.ts,
// activities/risk-dispatch.ts): a review due sooner than the dispatcher's next look wakes it; a
// burst sent in several batches, by several attempts at once (a retry beside a stalled one),
// still tells the owner of each review exactly once, in digests; and a dispatcher stopped by
// hand is started again by the worker. risks.e2e-spec.ts has the cycle as the owner sees it.
import { findDemoUser } from '@libs/auth';
import { sendDueRiskNotices, wakeRiskDispatchers } from '@activities/risk-dispatch';
import { getRiskReviewDispatchStateQuery, riskReviewDispatchWorkflowId, riskReviewWorkflowId } from '@workflows/risk-review.messages';
import { eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;
const owner = findDemoUser('plan_owner@northshire')!;

beforeAll(async () => {
  stack = await startTestStack({ policy: { riskReviewGrace: 'P1D' } });
});
afterAll(() => stack?.close());

const as = async (username: string) => `Bearer ${await stack.token(username)}`;
const dispatcher = () => stack.temporal.workflow.getHandle(riskReviewDispatchWorkflowId('northshire', stack.taskQueue));

async function register(title: string, reviewEvery: string): Promise<string> {
  const res = await stack.http
    .post('/risks')
    .set('Authorization', await as('returning_officer@northshire'))
    .send({ title, category: 'postal_voting', likelihood: 3, impact: 3, ownerId: owner.id, mitigations: [], reviewEvery });
  if (res.status !== 201) throw new Error(`POST /risks: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

async function close(id: string): Promise<void> {
  await stack.http
    .post(`/risks/${id}/close`)
    .set('Authorization', await as('returning_officer@northshire'))
    .send({ note: 'test over' })
    .expect(200);
}

/** The reviews delivered to the owner for these risks: each due key with the notification that carried it. */
const delivered = async (ids: string[]): Promise<{ due_key: string; notification_id: string }[]> =>
  stack.db.query(
    `SELECT e.due_key, e.notification_id FROM notification_due_events e
      WHERE e.recipient_id = $1 AND split_part(e.due_key, ':', 2) = ANY($2::text[]) ORDER BY e.due_key`,
    [owner.id, ids],
  );

/** The risk's projected due date, once its workflow has written it. */
const projected = (id: string) =>
  eventually(`risk ${id}'s due date projected`, async () => {
    const [row] = await stack.db.query('SELECT next_review_due_at FROM risks WHERE id = $1 AND dispatched', [id]);
    return row?.next_review_due_at as Date | undefined;
  });

it('is woken by a review due sooner than its next look, and holds no timer per risk', async () => {
  const later = await register('Ballot box seals at the count', 'PT1M');
  const laterDue = await projected(later);
  // The dispatcher plans to look when that review falls due, a minute from now.
  await eventually(
    'the dispatcher to plan its look',
    async () => (await dispatcher().query(getRiskReviewDispatchStateQuery)).wakeAt === laterDue.toISOString(),
  );

  const sooner = await register('Proxy applications from one address', 'PT3S');
  const reminded = await eventually('the sooner reminder', async () => ((await delivered([sooner])).length === 1 ? Date.now() : undefined), 20_000, 100);
  const soonerDue = await projected(sooner);
  expect(reminded - soonerDue.getTime()).toBeLessThan(10_000);
  expect(await delivered([later])).toEqual([]);
  // Then it plans the later review's look again.
  await eventually('the later look planned', async () => (await dispatcher().query(getRiskReviewDispatchStateQuery)).wakeAt === laterDue.toISOString());

  // The risk's own workflow projected its dates and waits, with no timer of its own.
  const history = await stack.temporal.workflow.getHandle(riskReviewWorkflowId(sooner)).fetchHistory();
  expect(history.events?.filter((e) => e.timerStartedEventAttributes)).toEqual([]);
  expect(history.events?.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name)).toEqual([
    'projectDispatchedRiskDue',
  ]);
  await close(later);
  await close(sooner);
});

it('tells the owner of each review once when a burst is sent in batches by several attempts at once', async () => {
  const ids: string[] = [];
  // Due 15 s on: the dispatcher plans to look then, and does not wait for them in its activity.
  for (let i = 0; i < 7; i++) ids.push(await register(`Care home ${i + 1}: assisted voting`, 'PT15S'));
  for (const id of ids) await projected(id);
  // No worker: the reviews fall due with nobody to send them, then three attempts send them at once.
  await stack.stopWorker();
  expect(await delivered(ids)).toEqual([]);
  const lastDue = Math.max(...(await Promise.all(ids.map(projected))).map((d) => d.getTime()));
  await eventually('every review due', async () => Date.now() > lastDue + 200, 30_000, 100);
  const attempts = await Promise.all([1, 2, 3].map(() => sendDueRiskNotices(stack.db, null, { authorityId: 'northshire', batchSize: 2 })));
  await stack.startWorker();

  expect(attempts.reduce((sum, a) => sum + a.reminders, 0)).toBe(ids.length);
  expect(attempts.reduce((sum, a) => sum + a.batches, 0)).toBeGreaterThanOrEqual(4); // 7 reviews, at most 2 a batch
  const rows = await delivered(ids);
  expect(rows.map((r) => r.due_key.split(':')[1]).sort()).toEqual([...ids].sort());
  // Two reviews in a batch go in one digest: fewer notifications than reviews, each review listed in one.
  const notifications: { id: string; kind: string; body: string }[] = await stack.db.query(
    'SELECT id, kind, body FROM notifications WHERE id = ANY($1::uuid[])',
    [[...new Set(rows.map((r) => r.notification_id))]],
  );
  expect(notifications.length).toBeLessThan(ids.length);
  expect(notifications.some((n) => n.kind === 'risk_review_digest')).toBe(true);
  for (const i of ids.keys()) expect(notifications.filter((n) => n.body.includes(`"Care home ${i + 1}: assisted voting"`))).toHaveLength(1);

  // The dispatcher, running again, finds them sent and sends nothing more.
  await dispatcher().signal('riskNoticeDue', { dueAt: new Date().toISOString() });
  await new Promise((r) => setTimeout(r, 2_000));
  expect(await delivered(ids)).toHaveLength(ids.length);
  const [{ reminded }] = await stack.db.query('SELECT count(*)::int AS reminded FROM risks WHERE id = ANY($1::uuid[]) AND reminded_for = next_review_due_at', [
    ids,
  ]);
  expect(reminded).toBe(ids.length);
  for (const id of ids) await close(id);
});

it('is started again by the worker when stopped by hand with a review still to send', async () => {
  const id = await register('Count venue access', 'PT4S');
  const due = await projected(id);
  await dispatcher().terminate('stopped by an operator');
  await eventually('the review due', async () => Date.now() > due.getTime() + 500, 20_000, 100);
  expect(await delivered([id])).toEqual([]);

  // What the worker does at start.
  expect(await wakeRiskDispatchers(stack.db, { client: stack.temporal, taskQueue: stack.taskQueue })).toBe(1);
  await eventually('the reminder', async () => (await delivered([id])).length === 1, 20_000, 100);
  expect((await dispatcher().describe()).status.name).toBe('RUNNING');
  await close(id);
  // Nothing left to send: no dispatcher to wake.
  expect(await wakeRiskDispatchers(stack.db, { client: stack.temporal, taskQueue: stack.taskQueue })).toBe(0);
});
