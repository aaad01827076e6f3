// Concurrent POST /allegations with one Idempotency-Key: a client that retries before its first
// attempt has answered (or two tabs submitting at once). API.md: "the same key and body again
// gives the same 201 body"; a different body with the key is a 409. Exactly one case, one audit
// event and one workflow, however many arrive together.
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;
let staff: string;

beforeAll(async () => {
  stack = await startTestStack({ worker: 'none' });
  staff = `Bearer ${await stack.token('staff@northshire')}`;
});
afterAll(() => stack?.close());

type Json = Record<string, any>;
const post = (key: string, body: Json) => stack.http.post('/allegations').set('Authorization', staff).set('Idempotency-Key', key).send(body);

async function casesFor(key: string): Promise<Json[]> {
  return stack.db.query(
    `SELECT a.id, (SELECT count(*)::int FROM workflow_starts w WHERE w.allegation_id = a.id) AS starts,
            (SELECT count(*)::int FROM audit_events e WHERE e.case_id = a.id AND e.action = 'allegation.created') AS created
       FROM idempotency_keys k JOIN allegations a ON a.id = k.allegation_id WHERE k.key = $1`,
    [key],
  );
}

/** The workflows Temporal holds on this suite's task queue (visibility is eventually consistent). */
async function workflowsOnQueue(): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of stack.temporal.workflow.list({ query: `TaskQueue = '${stack.taskQueue}'` })) ids.push(w.workflowId);
  return ids;
}

describe('one Idempotency-Key, sent concurrently', () => {
  it('two at once: both 201 with the same case; one case, one workflow', async () => {
    const key = `race-two-${Date.now()}`;
    const body = allegationBody({ description: `Two submissions at once ${key}` });
    const [a, b] = await Promise.all([post(key, body), post(key, body)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body).toEqual(a.body);
    expect(await casesFor(key)).toEqual([{ id: a.body.id, starts: 1, created: 1 }]);
  });

  it('ten at once: all 201 with the same case, one workflow on the task queue', async () => {
    const key = `race-ten-${Date.now()}`;
    const body = allegationBody({ description: `Ten submissions at once ${key}` });
    const before = (await workflowsOnQueue()).length;
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(key, body)));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(201));
    for (const r of answers) expect(r.body).toEqual(answers[0].body);
    const [only] = await casesFor(key);
    expect(await casesFor(key)).toEqual([{ id: answers[0].body.id, starts: 1, created: 1 }]);
    const ids = await eventually('the workflow to be listed', async () => {
      const listed = await workflowsOnQueue();
      return listed.length > before ? listed : undefined;
    });
    expect(ids.filter((id) => id.includes(only.id))).toHaveLength(1);
    expect(ids).toHaveLength(before + 1);
  });

  it('the key with different bodies at once: one 201, the rest 409, one case', async () => {
    const key = `race-diff-${Date.now()}`;
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => post(key, allegationBody({ description: `Variant ${i} of ${key}` }))));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    const created = answers.find((r) => r.status === 201)!;
    for (const refused of answers.filter((r) => r.status === 409))
      expect(refused.body.details).toEqual([{ field: 'Idempotency-Key', problem: 'reused with a different body', code: 'intake.key_reused_body', values: {} }]);
    expect(await casesFor(key)).toEqual([{ id: created.body.id, starts: 1, created: 1 }]);
  });
});
