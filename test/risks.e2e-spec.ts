// The risk register's review cycles with seconds-long cadences: a reminder when a review falls
// due, exactly one escalation after the grace, a review restarting the cycle, cadence and
// poll-date changes taking effect at once, closure ending the cycle; and who may do what.
import { findDemoUser } from '@libs/auth';
import { riskReviewWorkflowId } from '@workflows/risk-review.messages';
import { eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;
const owner = findDemoUser('plan_owner@northshire')!;

beforeAll(async () => {
  stack = await startTestStack({ policy: { riskReviewGrace: 'PT2S', riskReviewNearPoll: { within: 'P7D', every: 'PT2S' } } });
});
afterAll(() => stack?.close());

type Json = Record<string, any>;
const as = async (username: string) => `Bearer ${await stack.token(username)}`;

function riskBody(overrides: Json = {}): Json {
  return {
    title: 'Postal vote harvesting in houses of multiple occupation',
    category: 'houses_of_multiple_occupation',
    likelihood: 3,
    impact: 4,
    ownerId: owner.id,
    mitigations: [{ description: 'Visit HMOs with more than 10 applications', ownerId: owner.id, status: 'in_progress' }],
    reviewEvery: 'PT3S',
    ...overrides,
  };
}

async function register(overrides: Json = {}, username = 'returning_officer@northshire'): Promise<Json> {
  const res = await stack.http
    .post('/risks')
    .set('Authorization', await as(username))
    .send(riskBody(overrides));
  if (res.status !== 201) throw new Error(`POST /risks: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function sent(riskId: string): Promise<string[]> {
  const rows = await stack.db.query(
    'SELECT u.username, n.kind FROM notifications n JOIN users u ON u.id = n.recipient_id WHERE n.due_key LIKE $1 ORDER BY n.created_at, u.username',
    [`risk:${riskId}:%`],
  );
  return rows.map((r: Json) => `${r.username} ${r.kind}`);
}

const get = async (id: string) =>
  (
    await stack.http
      .get(`/risks/${id}`)
      .set('Authorization', await as('plan_owner@northshire'))
      .expect(200)
  ).body;
const overdueIds = async (username = 'staff@northshire') =>
  (
    await stack.http
      .get('/risks?overdue=true')
      .set('Authorization', await as(username))
      .expect(200)
  ).body.map((r: Json) => r.id);

it('reminds the owner when a review falls due, escalates exactly once, and a review restarts the cycle', async () => {
  const risk = await register();
  expect(risk).toMatchObject({ score: 12, rating: 'high', status: 'open' });
  const due = await eventually('the first due date', async () => (await get(risk.id)).nextReviewDueAt);
  expect(Date.parse(due) - Date.parse(risk.createdAt)).toBe(3_000);

  await eventually('the reminder', async () => (await sent(risk.id)).includes('plan_owner@northshire risk_review_reminder'), 15_000);
  await eventually('the escalation', async () => (await sent(risk.id)).includes('returning_officer@northshire risk_review_escalation'), 15_000);
  // Overdue in the register without anyone having opened the risk.
  expect(await overdueIds()).toContain(risk.id);
  await new Promise((r) => setTimeout(r, 2_500));
  expect(await sent(risk.id)).toEqual(['plan_owner@northshire risk_review_reminder', 'returning_officer@northshire risk_review_escalation']);
  expect((await get(risk.id)).escalatedAt).not.toBeNull();

  // Only the owner records reviews.
  await stack.http
    .post(`/risks/${risk.id}/reviews`)
    .set('Authorization', await as('returning_officer@northshire'))
    .send({ notes: 'not mine' })
    .expect(403);
  const reviewed = await stack.http
    .post(`/risks/${risk.id}/reviews`)
    .set('Authorization', await as('plan_owner@northshire'))
    .send({ notes: 'Visits done', likelihood: 2, mitigations: [{ ...riskBody().mitigations[0], status: 'in_place' }] })
    .expect(201);
  expect(reviewed.body.risk).toMatchObject({ likelihood: 2, score: 8, rating: 'medium', overdue: false, escalatedAt: null });
  expect(Date.parse(reviewed.body.risk.nextReviewDueAt) - Date.parse(reviewed.body.review.reviewedAt)).toBe(3_000);
  expect(await overdueIds()).not.toContain(risk.id);
  // The restarted cycle reminds again when the next review falls due.
  await eventually("the next cycle's reminder", async () => (await sent(risk.id)).filter((s) => s.endsWith('risk_review_reminder')).length === 2, 15_000);
  const detail = await get(risk.id);
  expect(detail.reviews).toEqual([expect.objectContaining({ notes: 'Visits done', likelihood: 2, impact: 4 })]);
});

it('applies a cadence change at once, and tightens the cadence as polling day nears', async () => {
  const weekly = await register({ reviewEvery: 'P7D' });
  const first = await eventually('the weekly due date', async () => (await get(weekly.id)).nextReviewDueAt);
  expect(Date.parse(first) - Date.parse(weekly.createdAt)).toBe(7 * 86_400_000);
  await stack.http
    .patch(`/risks/${weekly.id}`)
    .set('Authorization', await as('plan_owner@northshire'))
    .send({ reviewEvery: 'PT2S' })
    .expect(200);
  await eventually('the reminder on the new cadence', async () => (await sent(weekly.id)).includes('plan_owner@northshire risk_review_reminder'), 15_000);

  const soon = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  const nearPoll = await register({ reviewEvery: 'P7D', pollDate: soon });
  const due = await eventually('the tightened due date', async () => (await get(nearPoll.id)).nextReviewDueAt);
  expect(Date.parse(due) - Date.parse(nearPoll.createdAt)).toBe(2_000);
});

it('reminds the new owner after a change of owner', async () => {
  const risk = await register({ reviewEvery: 'P7D' });
  const newOwner = findDemoUser('staff@northshire')!;
  await stack.http
    .patch(`/risks/${risk.id}`)
    .set('Authorization', await as('returning_officer@northshire'))
    .send({ ownerId: newOwner.id, reviewEvery: 'PT1S' })
    .expect(200);
  await eventually('the reminder to the new owner', async () => (await sent(risk.id)).includes('staff@northshire risk_review_reminder'), 15_000);
  expect((await sent(risk.id)).filter((s) => s.startsWith('plan_owner@northshire'))).toEqual([]);
});

it('ends the cycle when the risk is closed', async () => {
  const risk = await register({ reviewEvery: 'PT3S' });
  await eventually('the cycle to start', async () => (await get(risk.id)).nextReviewDueAt);
  const closed = await stack.http
    .post(`/risks/${risk.id}/close`)
    .set('Authorization', await as('returning_officer@northshire'))
    .send({ note: 'mitigated for good' })
    .expect(200);
  expect(closed.body).toMatchObject({ status: 'closed', nextReviewDueAt: null, overdue: false });
  const handle = stack.temporal.workflow.getHandle(riskReviewWorkflowId(risk.id));
  await eventually('the workflow to complete', async () => (await handle.describe()).status.name === 'COMPLETED');
  await new Promise((r) => setTimeout(r, 3_500));
  expect(await sent(risk.id)).toEqual([]);
  await stack.http
    .post(`/risks/${risk.id}/reviews`)
    .set('Authorization', await as('plan_owner@northshire'))
    .send({ notes: 'late' })
    .expect(409);
  const history = await stack.db.query('SELECT action FROM audit_events WHERE case_id = $1 ORDER BY seq', [risk.id]);
  expect(history.map((h: Json) => h.action)).toEqual(['risk.created', 'risk.closed']);
});

it('closes a risk once when several people close it at the same moment', async () => {
  const risk = await register({ reviewEvery: 'P7D' });
  const auth = await as('returning_officer@northshire');
  const answers = await Promise.all(
    Array.from({ length: 8 }, (_, n) =>
      stack.http
        .post(`/risks/${risk.id}/close`)
        .set('Authorization', auth)
        .send({ note: `closed by tab ${n}` }),
    ),
  );
  expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(7).fill(409)]);
  for (const refused of answers.filter((a) => a.status === 409)) expect(refused.body.message).toMatch(/already closed/);
  const history = await stack.db.query('SELECT action FROM audit_events WHERE case_id = $1 ORDER BY seq', [risk.id]);
  expect(history.map((h: Json) => h.action)).toEqual(['risk.created', 'risk.closed']);
});

it("keeps each authority's register to itself and to the roles that keep it", async () => {
  const risk = await register({ reviewEvery: 'P7D' });
  for (const user of ['staff@southvale', 'plan_owner@southvale', 'returning_officer@southvale']) {
    const auth = await as(user);
    await stack.http.get(`/risks/${risk.id}`).set('Authorization', auth).expect(404);
    await stack.http
      .patch(`/risks/${risk.id}`)
      .set('Authorization', auth)
      .send({ title: 'x' })
      .expect(user.startsWith('staff') ? 403 : 404);
    await stack.http.post(`/risks/${risk.id}/reviews`).set('Authorization', auth).send({ notes: 'x' }).expect(404);
    const list = await stack.http.get('/risks').set('Authorization', auth).expect(200);
    expect(list.body.map((r: Json) => r.id)).not.toContain(risk.id);
  }
  for (const user of ['triage@northshire', 'legal@northshire', 'admin@northshire', 'spoc@northshire-police', 'feoa@northshire-police']) {
    const auth = await as(user);
    await stack.http.get('/risks').set('Authorization', auth).expect(403);
    await stack.http.get(`/risks/${risk.id}`).set('Authorization', auth).expect(403);
    await stack.http.post('/risks').set('Authorization', auth).send(riskBody()).expect(403);
  }
  // An owner from another authority is refused, naming the field.
  const southvaleOwner = findDemoUser('plan_owner@southvale')!;
  const bad = await stack.http
    .post('/risks')
    .set('Authorization', await as('returning_officer@northshire'))
    .send(riskBody({ ownerId: southvaleOwner.id }))
    .expect(422);
  expect(bad.body.details).toEqual([{ field: 'ownerId', problem: 'is not a user of this authority', code: 'field.not_user_of_authority', values: {} }]);
});
