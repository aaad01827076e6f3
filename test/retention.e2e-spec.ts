// Retention and disposal: closure dates each item's retention from policy; a legal hold blocks
// disposal; disposal destroys the bytes and keeps the record and hash; a changed retention policy
// re-dates existing items; the scheduled review raises each due item once.
import { allegationBody, startTestStack, TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    policy: { triageDue: { routine: 'PT60S', urgent: 'PT60S', immediate: 'PT60S' }, remindBefore: [], workingDays: false, evidenceRetention: 'PT2S' },
  });
});
afterAll(() => stack?.close());

type Json = Record<string, any>;
const as = async (username: string) => `Bearer ${await stack.token(username)}`;

async function post(username: string, path: string, body: Json, status: number): Promise<Json> {
  const res = await stack.http
    .post(path)
    .set('Authorization', await as(username))
    .send(body);
  if (res.status !== status) throw new Error(`POST ${path} as ${username}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const item = async (id: string) =>
  (
    await stack.http
      .get(`/evidence/${id}`)
      .set('Authorization', await as('returning_officer@northshire'))
      .expect(200)
  ).body;

it('keeps evidence until its retention date, honours a legal hold, then destroys the bytes and keeps the record', async () => {
  const { id: caseId } = await post('staff@northshire', '/allegations', allegationBody(), 201);
  const bytes = Buffer.from(`retained ${caseId}`);
  const file = (
    await stack.http
      .post(`/allegations/${caseId}/evidence`)
      .set('Authorization', await as('staff@northshire'))
      .set('Content-Type', 'text/plain')
      .set('X-Description', 'statement')
      .send(bytes)
      .expect(201)
  ).body;
  const paper = await post(
    'triage@northshire',
    `/allegations/${caseId}/evidence`,
    { kind: 'physical', description: 'ballot paper', sealNumber: 'S-9', location: 'strongroom' },
    201,
  );
  expect((await item(file.id)).retentionUntil).toBeNull();
  await post('returning_officer@northshire', `/evidence/${file.id}/dispose`, { note: 'too soon' }, 409);

  const closed = await post(
    'triage@northshire',
    `/allegations/${caseId}/triage`,
    { decision: 'resolve', resolution: 'not_an_offence', note: 'no offence' },
    200,
  );
  const retained = await item(file.id);
  expect(Date.parse(retained.retentionUntil) - Date.parse(closed.closedAt)).toBe(2_000);

  const early = await post('returning_officer@northshire', `/evidence/${file.id}/dispose`, { note: 'early' }, 409);
  expect(early.details[0].field).toBe('retention');
  await post('legal@northshire', `/evidence/${file.id}/legal-hold`, { hold: true, reason: 'election petition lodged' }, 200);
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(retained.retentionUntil) - Date.now() + 200)));

  // The scheduled review raises the due items once, but not the held one.
  const review = async () =>
    stack.temporal.workflow.execute('evidenceRetentionReviewWorkflow', { taskQueue: stack.taskQueue, workflowId: `retention-review-${Date.now()}` });
  expect(await review()).toEqual({ due: 1, raised: 1 });
  expect(await review()).toEqual({ due: 1, raised: 0 });
  const [{ n }] = await stack.db.query("SELECT count(*)::int AS n FROM notifications WHERE kind = 'disposal_review' AND case_id = $1", [caseId]);
  expect(n).toBe(1);

  const held = await post('returning_officer@northshire', `/evidence/${file.id}/dispose`, { note: 'held' }, 409);
  expect(held.details[0].field).toBe('legal_hold');
  await post('legal@northshire', `/evidence/${file.id}/legal-hold`, { hold: false, reason: 'petition dismissed' }, 200);
  const destroyed = await post('returning_officer@northshire', `/evidence/${file.id}/dispose`, { note: 'retention ended; reviewed with legal' }, 200);
  expect(destroyed).toMatchObject({ status: 'destroyed', sha256: file.sha256, size: bytes.length, destroyedAt: expect.any(String) });
  expect(destroyed.custody.at(-1)).toMatchObject({ action: 'destroyed', note: 'retention ended; reviewed with legal' });
  const gone = await stack.http.get(`/evidence/${file.id}/content`).set('Authorization', await as('legal@northshire'));
  expect(gone.status).toBe(410);
  await post('triage@northshire', `/evidence/${file.id}/custody`, { action: 'examined', from: 'staff@northshire', note: 'x' }, 409);
  await post('returning_officer@northshire', `/evidence/${file.id}/dispose`, { note: 'again' }, 409);

  // A longer retention re-dates the remaining item of the closed case.
  await stack.http
    .patch('/admin/policies/northshire')
    .set('Authorization', await as('admin@northshire'))
    .send({ evidenceRetention: 'P30D' })
    .expect(200);
  const redated = await item(paper.id);
  expect(Date.parse(redated.retentionUntil) - Date.parse(closed.closedAt)).toBe(30 * 86_400_000);
  const tooSoon = await post('returning_officer@northshire', `/evidence/${paper.id}/dispose`, { note: 'x' }, 409);
  expect(tooSoon.details[0].field).toBe('retention');

  const actions = (await stack.db.query('SELECT action FROM audit_events WHERE case_id = $1 ORDER BY seq', [caseId])).map((r: Json) => r.action);
  expect(actions).toEqual(expect.arrayContaining(['evidence.legal_hold_placed', 'disposal.refused', 'evidence.legal_hold_lifted', 'evidence.destroyed']));
});
