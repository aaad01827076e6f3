// Polling day: many risk reviews of one plan owner fall due at the same instant, and the
// authority's dispatcher (workflows/risk-review-dispatch.workflow.ts) tells the owner in one
// digest (activities/notification-digests.ts), written in one batch transaction
// (activities/risk-dispatch.ts). The worker is killed with SIGKILL while that batch is in
// PostgreSQL, uncommitted: the batch must commit nothing, and a new worker must then deliver
// every reminder exactly once (DESIGN.md invariant 4): each due review listed in exactly one of
// the digests (or notices) delivered, none lost with the batch and none repeated.
//
// To hold the batch in flight, the test takes a SHARE lock on the notifications table before the
// reviews fall due, so the batch's INSERT waits for it; the INSERT carries a comment with its
// batch size, which pg_stat_activity shows.
import type { QueryRunner } from 'typeorm';
import { fromLondonLocal } from '@libs/domain';
import { findDemoUser } from '@libs/auth';
import { getRiskReviewDispatchStateQuery, getRiskReviewStateQuery, riskReviewDispatchWorkflowId, riskReviewWorkflowId } from '@workflows/risk-review.messages';
import { eventually, startTestStack, TestStack } from '../support/stack';
import { startTestSmtpServer, TestSmtpServer } from '../support/smtp';
import { FaultServers, startFaultServers } from './support/servers';

const RISKS = 12;
const owner = findDemoUser('plan_owner@northshire')!;
const pollDate = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);

let servers: FaultServers;
let smtp: TestSmtpServer;
let stack: TestStack;

beforeAll(async () => {
  servers = await startFaultServers();
  smtp = await startTestSmtpServer();
  stack = await startTestStack({
    apiErrorsToStderr: true,
    smtpUrl: smtp.url,
    worker: 'none',
    policy: { riskReviewGrace: 'P1D' },
  });
});
afterAll(async () => {
  await stack?.close();
  await smtp?.close();
  await servers?.close();
});

/** The notify batches waiting on a lock right now: their sizes, from the INSERT's comment. */
async function blockedBatches(): Promise<number[]> {
  const rows: { query: string }[] = await stack.db.query(
    `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '/* notify: % due events */ INSERT INTO notifications%'`,
  );
  return rows.map((r) => Number(/^\/\* notify: (\d+) due events/.exec(r.query)?.[1] ?? 0));
}

/** The dispatcher of the authority's review notices, as its workflow counts what it has sent. */
const dispatcher = () => stack.temporal.workflow.getHandle(riskReviewDispatchWorkflowId('northshire', stack.taskQueue));

const title = (i: number) => `Postal votes at care home ${i + 1}`;

/** The due events recorded as delivered for these risks, with the notification that carried each. */
const delivered = async (ids: string[]): Promise<{ due_key: string; username: string; notification_id: string }[]> =>
  stack.db.query(
    `SELECT e.due_key, u.username, e.notification_id FROM notification_due_events e JOIN users u ON u.id = e.recipient_id
      WHERE split_part(e.due_key, ':', 2) = ANY($1::text[]) ORDER BY e.due_key`,
    [ids],
  );

/** The owner's notifications that name any of these risks: the digests, or a reminder sent alone. */
const messages = async (): Promise<{ id: string; kind: string; subject: string; body: string; due_key: string }[]> =>
  stack.db.query(
    `SELECT n.id, n.kind, n.subject, n.body, n.due_key FROM notifications n
      WHERE n.recipient_id = $1 AND n.body LIKE '%Postal votes at care home%' ORDER BY n.created_at`,
    [owner.id],
  );

it('lists every review in exactly one delivered digest after the worker is killed mid-digest', async () => {
  // The near-poll window opens at windowOpens; every risk registered before it, with a monthly
  // cadence, falls due one tight cadence (1 s) into it: all at the same instant, as on polling day.
  const windowOpens = Math.ceil((Date.now() + 40_000) / 1000) * 1000;
  const DUE_AT = new Date(windowOpens + 1_000).toISOString();
  const within = `PT${(fromLondonLocal(Date.parse(`${pollDate}T00:00:00Z`)) - windowOpens) / 1000}S`;
  await stack.setPolicy('northshire', { riskReviewNearPoll: { within, every: 'PT1S' } });

  // The lock that holds the batch in PostgreSQL, taken before anything can fall due.
  const lock: QueryRunner = stack.db.createQueryRunner();
  await lock.connect();
  await lock.startTransaction();
  await lock.query('LOCK TABLE notifications IN SHARE MODE');

  const first = stack.spawnWorker();
  const token = `Bearer ${await stack.token('returning_officer@northshire')}`;
  const ids: string[] = [];
  for (let i = 0; i < RISKS; i++) {
    const res = await stack.http
      .post('/risks')
      .set('Authorization', token)
      .send({ title: title(i), category: 'care_homes', likelihood: 3, impact: 4, ownerId: owner.id, mitigations: [], reviewEvery: 'P30D', pollDate })
      .expect(201);
    ids.push(res.body.id);
  }
  expect(Date.now()).toBeLessThan(windowOpens); // else the reviews would not fall due together

  // The reviews fall due; the worker's batch waits on the lock. Wait for a batch of several
  // reminders in flight (and, for up to 20 s more, for all of them to be in flight).
  const inFlight = await eventually(
    'a batch of several reminders waiting in PostgreSQL',
    async () => {
      const sizes = await blockedBatches();
      return Math.max(0, ...sizes) >= 2 ? sizes : undefined;
    },
    300_000,
    250,
  );
  const all = await eventually(
    'every reminder in a batch',
    async () => {
      const sizes = await blockedBatches();
      return sizes.reduce((a, b) => a + b, 0) >= RISKS ? sizes : undefined;
    },
    20_000,
    250,
  ).catch(() => inFlight);
  process.stderr.write(`[faults] notify batch kill: ${RISKS} reminders due at ${DUE_AT}; batches in flight at the kill: ${all.join(', ')}\n`);

  // While the batch is uncommitted, no reminder may count as done: the dispatcher's activity must
  // not have completed, however long the batch waits. A worker that acknowledged the notices
  // before writing them would count them as sent here, then lose them with the kill.
  // (More may have joined them, if not all were in flight: none can have gone.)
  const sum = (sizes: number[]) => sizes.reduce((a, b) => a + b, 0);
  await new Promise((r) => setTimeout(r, 5_000));
  expect(sum(await blockedBatches())).toBeGreaterThanOrEqual(sum(all));
  expect(await dispatcher().query(getRiskReviewDispatchStateQuery)).toMatchObject({ reminders: 0, escalations: 0 });

  first.child.kill('SIGKILL');
  await first.exited;
  await lock.rollbackTransaction();
  await lock.release();
  // The killed worker's batch now gets its lock, then finds its client gone: nothing committed.
  await eventually(
    'the killed batch to end',
    async () =>
      (await blockedBatches()).length === 0 &&
      (await stack.db.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '/* notify: %'`)).length === 0,
    30_000,
    250,
  );
  expect(await delivered(ids)).toEqual([]);
  expect(await messages()).toEqual([]);

  // A new worker retries the dispatcher's activity once its heartbeat times out.
  stack.spawnWorker();
  await eventually('every reminder', async () => (await delivered(ids)).length === RISKS, 240_000, 500);
  await new Promise((r) => setTimeout(r, 5_000)); // would any repeat still arrive?

  // Each due review recorded once, for its owner, and carried by a notification the owner has.
  const rows = await delivered(ids);
  expect(rows.map(({ due_key, username }) => ({ due_key, username }))).toEqual(
    ids.map((id) => ({ due_key: `risk:${id}:${DUE_AT}:reminder`, username: 'plan_owner@northshire' })).sort((a, b) => (a.due_key < b.due_key ? -1 : 1)),
  );
  const sent = await messages();
  expect(new Set(rows.map((r) => r.notification_id))).toEqual(new Set(sent.map((m) => m.id)));
  // Each risk named in exactly one of them, by the notification its due event points at.
  for (const [i, id] of ids.entries()) {
    const naming = sent.filter((m) => m.body.includes(`"${title(i)}"`));
    expect({ risk: title(i), messages: naming.length }).toEqual({ risk: title(i), messages: 1 });
    expect(naming[0].id).toBe(rows.find((r) => r.due_key.startsWith(`risk:${id}:`))!.notification_id);
  }
  // Told in digests, not one notice per review: fewer messages than reviews, at least one of them a digest.
  process.stderr.write(`[faults] notify batch kill: ${RISKS} reminders delivered in ${sent.length} notifications: ${sent.map((m) => m.subject).join('; ')}\n`);
  expect(sent.length).toBeLessThan(RISKS);
  const digests = sent.filter((m) => m.kind === 'risk_review_digest');
  expect(digests.length).toBeGreaterThan(0);
  for (const d of digests) {
    const listed = ids.filter((_, i) => d.body.includes(`"${title(i)}"`)).length;
    expect(d).toMatchObject({ subject: `${listed} risk reviews due`, due_key: `digest:${d.id}` });
  }
  // One email per notification, so one per digest, with the notification's Message-ID.
  await eventually(
    'every notification emailed',
    async () => (await stack.db.query('SELECT 1 FROM notifications WHERE id = ANY($1::uuid[]) AND emailed_at IS NULL', [sent.map((m) => m.id)])).length === 0,
    60_000,
    500,
  );
  const mails = smtp.received.filter((mail) => mail.text.includes('Postal votes at care home'));
  expect(mails.map((mail) => mail.messageId).sort()).toEqual(sent.map((m) => `<notification.${m.id}@election-casework>`).sort());
  for (const i of ids.keys()) expect(mails.filter((mail) => mail.text.includes(`"${title(i)}"`))).toHaveLength(1);
  for (const id of ids) {
    const state = await stack.temporal.workflow.getHandle(riskReviewWorkflowId(id)).query(getRiskReviewStateQuery);
    expect(state).toMatchObject({ nextReviewDueAt: DUE_AT, closed: false });
  }
  // The dispatcher counted each reminder once, from the attempt that committed: a retry, on the new worker.
  expect(await dispatcher().query(getRiskReviewDispatchStateQuery)).toMatchObject({ reminders: RISKS, escalations: 0 });
  const attempts = ((await dispatcher().fetchHistory()).events ?? [])
    .filter((e) => e.activityTaskStartedEventAttributes)
    .map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 1);
  expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
  // No risk's own workflow sent anything or held a timer: the dispatcher did it all.
  const history = await stack.temporal.workflow.getHandle(riskReviewWorkflowId(ids[0])).fetchHistory();
  expect(history.events?.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notify')).toEqual([]);
  expect(history.events?.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toEqual([]);
  expect(history.events?.filter((e) => e.timerStartedEventAttributes)).toEqual([]);
});
