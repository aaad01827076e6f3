// Intake end to end: the real Nest app over HTTP, PostgreSQL, Temporal and a worker.
import { randomUUID } from 'node:crypto';
import { allegationWorkflowId } from '@libs/domain';
import { IntakeRecoveryService } from '@apps/api/src/allegations/intake-recovery.service';
import { Client } from '@temporalio/client';
import { AllegationWorkflowStarter } from '@apps/api/src/allegations/workflow-starter';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';
import { appendAuditEvent, loadAuditEvents } from '@libs/persistence';

let stack: TestStack;
let staff: string;

beforeAll(async () => {
  stack = await startTestStack();
  staff = await stack.token('staff@northshire');
});
afterAll(() => stack?.close());
afterEach(() => jest.restoreAllMocks());

const count = async (table: string) => Number((await stack.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
const post = (body: unknown, key?: string, token = staff) => {
  const req = stack.http.post('/allegations').set('Authorization', `Bearer ${token}`);
  if (key) req.set('Idempotency-Key', key);
  return req.send(body as object);
};
const workflowExists = async (caseId: string) => {
  try {
    await stack.temporal.workflow.getHandle(allegationWorkflowId(caseId)).describe();
    return true;
  } catch {
    return false;
  }
};

describe('logging an allegation', () => {
  it('acknowledges with a reference and a triage deadline, and the case, its workflow and its history exist', async () => {
    const res = await post(allegationBody(), randomUUID()).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      reference: expect.stringMatching(/^NS-\d{4}-\d{5}$/),
      status: 'triage',
      triageDueAt: expect.any(String),
    });
    expect(Date.parse(res.body.triageDueAt)).toBeGreaterThan(Date.now());
    expect(await workflowExists(res.body.id)).toBe(true);

    const got = await stack.http.get(`/allegations/${res.body.id}`).set('Authorization', `Bearer ${staff}`).expect(200);
    expect(got.body).toMatchObject({
      id: res.body.id,
      reference: res.body.reference,
      status: 'triage',
      category: 'postal_vote',
      location: { ward: 'Castle Ward' },
      triageDueAt: res.body.triageDueAt,
    });

    const state = await stack.temporal.workflow.getHandle(allegationWorkflowId(res.body.id)).query('getState');
    expect(state).toMatchObject({ status: 'triage', deadlines: [{ kind: 'triage', dueAt: res.body.triageDueAt }] });

    const legal = await stack.token('legal@northshire');
    const history = await stack.http
      .get(`/allegations/${res.body.id}/history`)
      .set('Authorization', `Bearer ${legal}`)
      .set('X-Access-Reason', 'preparing a court bundle')
      .expect(200);
    expect(history.body[0]).toMatchObject({ seq: 1, action: 'allegation.created', role: 'staff', before: null, prevHash: '0'.repeat(64) });
    expect(history.body.at(-1)).toMatchObject({ action: 'history.read', after: { reason: 'preparing a court bundle' } });
    const verify = await stack.http.get(`/allegations/${res.body.id}/history/verify`).set('Authorization', `Bearer ${legal}`).expect(200);
    expect(verify.body).toEqual({ valid: true, events: history.body.length });
  });

  it('numbers references per authority in sequence', async () => {
    const a = await post(allegationBody()).expect(201);
    const b = await post(allegationBody()).expect(201);
    const n = (ref: string) => Number(ref.split('-')[2]);
    expect(n(b.body.reference)).toBe(n(a.body.reference) + 1);
    const southvale = await post(allegationBody(), undefined, await stack.token('staff@southvale')).expect(201);
    expect(southvale.body.reference).toMatch(/^SV-\d{4}-00001$/);
  });

  it('returns the same case for a retry with the same Idempotency-Key and creates nothing new', async () => {
    const key = randomUUID();
    const first = await post(allegationBody({ description: 'retry me' }), key).expect(201);
    const before = await count('allegations');
    const again = await post(allegationBody({ description: 'retry me' }), key).expect(201);
    expect(again.body).toEqual(first.body);
    expect(await count('allegations')).toBe(before);
  });

  it('refuses the same Idempotency-Key with a different body (409) and writes nothing', async () => {
    const key = randomUUID();
    await post(allegationBody({ description: 'original' }), key).expect(201);
    const before = await count('allegations');
    const res = await post(allegationBody({ description: 'different' }), key).expect(409);
    expect(res.body).toMatchObject({ statusCode: 409, details: [{ field: 'Idempotency-Key' }] });
    expect(await count('allegations')).toBe(before);
  });

  it('makes one case from two concurrent requests with the same key', async () => {
    const key = randomUUID();
    const before = await count('allegations');
    const [a, b] = await Promise.all([post(allegationBody(), key), post(allegationBody(), key)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect(await count('allegations')).toBe(before + 1);
  });
});

describe('bad input gets a clear 4xx naming the field, and changes nothing', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['an unknown category', { category: 'arson' }, 'category'],
    ['no election or poll date', { pollDate: undefined }, 'electionId'],
    ['a poll date that is not a date', { pollDate: '2027-02-30' }, 'pollDate'],
    ['a location with no place', { location: {} }, 'location'],
    ['a location that is a string', { location: 'Castle Ward' }, 'location'],
    ['an occurredAt in the future', { occurredAt: '2099-01-01T00:00:00Z' }, 'occurredAt'],
    ['an occurredAt that is not a date', { occurredAt: 'last Tuesday' }, 'occurredAt'],
    ['a reporter without contact', { reporter: { name: 'A', type: 'elector' } }, 'reporter.contact'],
    ['a reporter of unknown type', { reporter: { name: 'A', contact: 'x', type: 'alien' } }, 'reporter.type'],
    ['an empty description', { description: '' }, 'description'],
    ['an unknown urgency', { urgency: 'whenever' }, 'urgency'],
    ['a safetyConcern that is a string', { safetyConcern: 'yes' }, 'safetyConcern'],
    ['a person without a name', { peopleInvolved: [{ role: 'agent' }] }, 'peopleInvolved.0.name'],
    ['an unknown field', { status: 'closed' }, 'status'],
  ];
  it.each(cases)('422 for %s', async (_what, override, field) => {
    const before = await count('allegations');
    const keysBefore = await count('idempotency_keys');
    const res = await post(allegationBody(override), randomUUID()).expect(422);
    expect(res.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity' });
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await count('allegations')).toBe(before);
    expect(await count('idempotency_keys')).toBe(keysBefore);
  });

  it('400 for malformed JSON', async () => {
    const res = await stack.http
      .post('/allegations')
      .set('Authorization', `Bearer ${staff}`)
      .set('Content-Type', 'application/json')
      .send('{"category": ')
      .expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, details: [{ field: 'body', problem: 'malformed JSON' }] });
  });

  it('415 for a body that is not JSON', async () => {
    const res = await stack.http
      .post('/allegations')
      .set('Authorization', `Bearer ${staff}`)
      .set('Content-Type', 'text/plain')
      .send('category=postal_vote')
      .expect(415);
    expect(res.body.details[0].field).toBe('Content-Type');
  });

  it('400 for a malformed Idempotency-Key', async () => {
    const before = await count('allegations');
    await post(allegationBody(), 'has spaces in it').expect(400);
    expect(await count('allegations')).toBe(before);
  });

  it('422 for a bad list query', async () => {
    const res = await stack.http.get('/allegations?limit=1000&status=lost').set('Authorization', `Bearer ${staff}`).expect(422);
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['limit', 'status']);
  });
});

describe('listing', () => {
  it('pages newest first with a cursor, and filters by status, category and text', async () => {
    const token = await stack.token('staff@southvale');
    const marker = `marker-${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (const category of ['bribery', 'treating', 'bribery']) {
      ids.push((await post(allegationBody({ category, description: `${marker} ${category}` }), undefined, token).expect(201)).body.id);
    }
    const page1 = await stack.http.get(`/allegations?q=${marker}&limit=2`).set('Authorization', `Bearer ${token}`).expect(200);
    expect(page1.body.items.map((a: { id: string }) => a.id)).toEqual([ids[2], ids[1]]);
    const page2 = await stack.http.get(`/allegations?q=${marker}&limit=2&cursor=${page1.body.nextCursor}`).set('Authorization', `Bearer ${token}`).expect(200);
    expect(page2.body.items.map((a: { id: string }) => a.id)).toEqual([ids[0]]);
    expect(page2.body.nextCursor).toBeNull();
    const bribery = await stack.http.get(`/allegations?q=${marker}&category=bribery&status=triage`).set('Authorization', `Bearer ${token}`).expect(200);
    expect(bribery.body.items).toHaveLength(2);
    await stack.http.get('/allegations?cursor=not-a-cursor').set('Authorization', `Bearer ${token}`).expect(422);
  });
});

describe('invariant 1: a committed allegation always gets its workflow', () => {
  it('recovers a crash between the database commit and the workflow start', async () => {
    const starter = stack.app.get(AllegationWorkflowStarter);
    jest.spyOn(starter, 'start').mockRejectedValueOnce(new Error('simulated crash after commit'));
    const key = randomUUID();
    const failed = await post(allegationBody(), key).expect(503);
    const id = failed.body.id as string;
    expect(id).toBeDefined();
    expect(await workflowExists(id)).toBe(false);

    // The recovery sweep (run on a timer in every API process) starts it.
    expect(await stack.app.get(IntakeRecoveryService).sweep(0)).toBeGreaterThanOrEqual(1);
    expect(await workflowExists(id)).toBe(true);
    const retried = await post(allegationBody(), key).expect(201);
    expect(retried.body.id).toBe(id);
    expect(Number((await stack.db.query('SELECT count(*)::int AS n FROM allegations WHERE id = $1', [id]))[0].n)).toBe(1);
    await eventually(
      'the workflow to project the case',
      async () => (await stack.db.query('SELECT status FROM allegations WHERE id = $1', [id]))[0].status === 'triage',
    );
  });

  it('recovers the reverse: the workflow started but the start was never recorded', async () => {
    const starter = stack.app.get(AllegationWorkflowStarter);
    jest.spyOn(starter, 'markStarted').mockRejectedValueOnce(new Error('simulated crash after the workflow start'));
    const key = randomUUID();
    const failed = await post(allegationBody(), key).expect(503);
    const id = failed.body.id as string;
    expect(await workflowExists(id)).toBe(true);
    expect((await stack.db.query('SELECT started_at FROM workflow_starts WHERE allegation_id = $1', [id]))[0].started_at).toBeNull();

    await stack.app.get(IntakeRecoveryService).sweep(0);
    expect((await stack.db.query('SELECT started_at FROM workflow_starts WHERE allegation_id = $1', [id]))[0].started_at).not.toBeNull();
    const runs = [];
    for await (const run of stack.temporal.workflow.list({ query: `WorkflowId = '${allegationWorkflowId(id)}'` })) runs.push(run);
    expect(runs).toHaveLength(1);
    expect((await post(allegationBody(), key).expect(201)).body.id).toBe(id);
  });

  it('does not hold up a retried intake while the sweep is busy starting other workflows', async () => {
    const starter = stack.app.get(AllegationWorkflowStarter);
    const keys = [randomUUID(), randomUUID()];
    const ids: string[] = [];
    for (const key of keys) {
      jest.spyOn(starter, 'start').mockRejectedValueOnce(new Error('simulated crash after commit'));
      ids.push((await post(allegationBody(), key).expect(503)).body.id);
    }
    // The sweep's start of the first case hangs (a slow Temporal) until the test lets it go.
    const workflows = stack.app.get(Client).workflow;
    const start = workflows.start.bind(workflows);
    let letGo!: () => void;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    const spy = jest.spyOn(workflows, 'start').mockImplementation(async (type, options) => {
      if (options.workflowId === allegationWorkflowId(ids[0])) await gate;
      return start(type as never, options as never);
    });
    try {
      let sweepDone = false;
      const sweep = stack.app
        .get(IntakeRecoveryService)
        .sweep(0)
        .then((n) => ((sweepDone = true), n));
      await eventually('the sweep to reach the first case', async () => spy.mock.calls.some(([, o]) => o.workflowId === allegationWorkflowId(ids[0])));
      // The client retries the second case meanwhile: its start is recorded at once, not after the sweep.
      const retried = await post(allegationBody(), keys[1]).expect(201);
      expect(retried.body.id).toBe(ids[1]);
      expect(sweepDone).toBe(false);
      letGo();
      expect(await sweep).toBeGreaterThanOrEqual(1);
      for (const id of ids) expect(await workflowExists(id)).toBe(true);
      const unstarted = await stack.db.query('SELECT allegation_id FROM workflow_starts WHERE allegation_id = ANY($1::uuid[]) AND started_at IS NULL', [ids]);
      expect(unstarted).toEqual([]);
    } finally {
      letGo();
      spy.mockRestore();
    }
  });
});

describe('audit chain', () => {
  it('names the first broken seq when a row is edited behind the API', async () => {
    const { body } = await post(allegationBody()).expect(201);
    const legal = await stack.token('legal@northshire');
    await stack.http.get(`/allegations/${body.id}/history`).set('Authorization', `Bearer ${legal}`).set('X-Access-Reason', 'first read').expect(200);
    await stack.http.get(`/allegations/${body.id}/history`).set('Authorization', `Bearer ${legal}`).set('X-Access-Reason', 'second read').expect(200);
    await stack.db.query(`UPDATE audit_events SET after = jsonb_set(after, '{reason}', '"nothing to see"') WHERE case_id = $1 AND seq = 2`, [body.id]);
    const verify = await stack.http.get(`/allegations/${body.id}/history/verify`).set('Authorization', `Bearer ${legal}`).expect(200);
    expect(verify.body).toMatchObject({ valid: false, firstBrokenSeq: 2 });
  });

  it('names the event whose text in the history answer was edited behind the API, which the hash chain does not cover', async () => {
    const { body } = await post(allegationBody()).expect(201);
    const legal = await stack.token('legal@northshire');
    const read = (reason: string) =>
      stack.http.get(`/allegations/${body.id}/history`).set('Authorization', `Bearer ${legal}`).set('X-Access-Reason', reason).expect(200);
    await read('first read');
    await read('second read');
    const [{ seq }] = await stack.db.query(`SELECT seq FROM audit_events WHERE case_id = $1 AND after->>'reason' = 'first read'`, [body.id]);
    const verify = () => stack.http.get(`/allegations/${body.id}/history/verify`).set('Authorization', `Bearer ${legal}`).expect(200);
    expect((await verify()).body).toEqual({ valid: true, events: seq + 1 });
    // The stored text is what the history answers: edited, the answer shows the edit, and verify names the event.
    await stack.db.query(`UPDATE audit_events SET history_json = replace(history_json, 'first read', 'nothing to see') WHERE case_id = $1 AND seq = $2`, [
      body.id,
      seq,
    ]);
    expect((await read('third read')).body[seq - 1].after.reason).toBe('nothing to see');
    expect((await verify()).body).toEqual({
      valid: false,
      events: seq + 2,
      firstBrokenSeq: seq,
      problem: 'its text in the history answer is not what its hashed content renders to',
    });
    // A change that parses to the same event (spacing) is named too: the text must be the rendering, byte for byte.
    await stack.db.query(
      `UPDATE audit_events SET history_json = audit_event_json(seq, at, actor, role, action, before, after, prev_hash, hash) WHERE case_id = $1 AND seq = $2`,
      [body.id, seq],
    );
    expect((await verify()).body).toEqual({ valid: true, events: seq + 2 });
    await stack.db.query(`UPDATE audit_events SET history_json = replace(history_json, '{"seq":', '{ "seq":') WHERE case_id = $1 AND seq = $2`, [
      body.id,
      seq + 1,
    ]);
    expect((await verify()).body).toMatchObject({ valid: false, firstBrokenSeq: seq + 1 });
  });

  it('notices a deleted event', async () => {
    const { body } = await post(allegationBody()).expect(201);
    const legal = await stack.token('legal@northshire');
    for (const reason of ['one', 'two', 'three']) {
      await stack.http.get(`/allegations/${body.id}/history`).set('Authorization', `Bearer ${legal}`).set('X-Access-Reason', `read ${reason}`).expect(200);
    }
    await stack.db.query('DELETE FROM audit_events WHERE case_id = $1 AND seq = 3', [body.id]);
    const verify = await stack.http.get(`/allegations/${body.id}/history/verify`).set('Authorization', `Bearer ${legal}`).expect(200);
    expect(verify.body).toMatchObject({ valid: false, firstBrokenSeq: 3 });
  });

  it('answers the history as the events are stored, whatever their before and after hold', async () => {
    const { body } = await post(allegationBody()).expect(201);
    const legal = await stack.token('legal@northshire');
    // Values PostgreSQL writes as text in the answer: quotes, escapes, non-ASCII, numbers, nesting, nulls.
    const awkward = {
      note: 'He said "vote for me" \\ and left\n\ttab, ünïcödé, 投票, \u2028 🙂',
      n: 1.5,
      big: 12345678901234,
      neg: -0.001,
      flag: false,
      none: null,
      list: [1, 'two', { three: [] }],
      empty: {},
    };
    await stack.db.transaction((m) =>
      appendAuditEvent(m, {
        caseId: body.id,
        authorityId: 'northshire',
        actor: 'test',
        role: 'staff',
        action: 'case.awkward',
        before: awkward,
        after: [awkward, 'x'],
      }),
    );
    await stack.db.transaction((m) =>
      appendAuditEvent(m, {
        caseId: body.id,
        authorityId: 'northshire',
        actor: 'actor "quoted" ü \\ \u0001\u001f\u007f\u2028 🗳',
        role: 'staff',
        action: 'case.plain',
      }),
    );
    const res = await stack.http
      .get(`/allegations/${body.id}/history`)
      .set('Authorization', `Bearer ${legal}`)
      .set('X-Access-Reason', 'checking the history answer')
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual(await loadAuditEvents(stack.db.manager, body.id));
    expect(res.body.find((e: { action: string }) => e.action === 'case.awkward')).toMatchObject({ before: awkward, after: [awkward, 'x'] });
    // verify renders each event again in the API, apart from PostgreSQL's audit_event_json that wrote it: the same bytes.
    const verify = await stack.http.get(`/allegations/${body.id}/history/verify`).set('Authorization', `Bearer ${legal}`).expect(200);
    expect(verify.body).toEqual({ valid: true, events: res.body.length });
  });

  it('requires a stated reason to read a history (400) and records nothing without one', async () => {
    const { body } = await post(allegationBody()).expect(201);
    const legal = await stack.token('legal@northshire');
    const before = Number((await stack.db.query('SELECT count(*)::int AS n FROM audit_events WHERE case_id = $1', [body.id]))[0].n);
    const res = await stack.http.get(`/allegations/${body.id}/history`).set('Authorization', `Bearer ${legal}`).expect(400);
    expect(res.body.details[0].field).toBe('X-Access-Reason');
    expect(Number((await stack.db.query('SELECT count(*)::int AS n FROM audit_events WHERE case_id = $1', [body.id]))[0].n)).toBe(before);
  });
});

describe('health and docs', () => {
  it('reports PostgreSQL and Temporal up without a token', async () => {
    const res = await stack.http.get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', checks: { database: 'up', temporal: 'up' } });
  });

  it('serves the OpenAPI document', async () => {
    const res = await stack.http.get('/docs/openapi.json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/allegations', '/allegations/{id}', '/allegations/{id}/history', '/health', '/me/notifications']),
    );
    await stack.http.get('/docs').expect(200);
  });

  it('answers every request with a request id', async () => {
    const res = await stack.http.get('/health').set('X-Request-Id', 'trace-123').expect(200);
    expect(res.headers['x-request-id']).toBe('trace-123');
  });
});
