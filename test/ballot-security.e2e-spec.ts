// Ballot paper batches and ballot boxes in custody: each step recorded, the seal checked at every
// step that reads it, a seal or a count that does not match raised to triage, who turns it into an
// allegation (once, however often asked) or dismisses it; the security review with the police as
// a dated record with its actions; every step in the authority's audit log.
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;
type Json = Record<string, any>;

beforeAll(async () => {
  stack = await startTestStack({ worker: 'in-process' });
});
afterAll(() => stack?.close());

const as = async (username: string) => `Bearer ${await stack.token(username)}`;
const post = async (username: string, url: string, body: object) =>
  stack.http
    .post(url)
    .set('Authorization', await as(username))
    .send(body);
const batch = (label: string) => ({
  kind: 'ballot_paper_batch',
  label,
  quantity: 500,
  serialFrom: 'CW-000001',
  serialTo: 'CW-000500',
  receivedFrom: 'Acme Election Print',
  location: 'Town Hall strong room',
});
const auditActions = async (caseId: string) =>
  (await stack.db.query('SELECT action FROM audit_events WHERE case_id = $1 ORDER BY seq', [caseId])).map((r: Json) => r.action);

it('a batch goes from the printer to storage, sealed, to the count and back, every step in its custody log', async () => {
  const item = (await post('staff@northshire', '/ballot-items', batch('Castle Ward batch 1')).then((r) => (expect(r.status).toBe(201), r))).body;
  expect(item).toMatchObject({ status: 'held', location: 'Town Hall strong room', sealNumber: null, quantity: 500 });
  const step = async (body: Json, status = 201) => {
    const res = await post('staff@northshire', `/ballot-items/${item.id}/custody`, body);
    expect({ status: res.status, body: res.body }).toMatchObject({ status });
    return res.body;
  };
  await step({ action: 'stored', location: 'Depot cage 2', accessBy: ['Electoral services manager', 'Depot supervisor'] });
  await step({ action: 'sealed', sealNumber: 'S-100' });
  // A sealed item that moves needs the seal number read off it.
  const noSeal = await step({ action: 'moved', location: 'Count hall' }, 409);
  expect(noSeal.details).toEqual([expect.objectContaining({ field: 'sealNumberObserved' })]);
  const moved = await step({ action: 'moved', location: 'Count hall', sealNumberObserved: 'S-100' });
  expect(moved.discrepancies).toEqual([]);
  const opened = await step({ action: 'opened', sealNumberObserved: 'S-100', countObserved: 500 });
  expect(opened).toMatchObject({ item: { status: 'opened', sealNumber: null, location: 'Count hall' }, discrepancies: [] });
  await step({ action: 'returned', location: 'Town Hall strong room' });
  const after = await step({ action: 'stored', location: 'x', accessBy: ['y'] }, 409);
  expect(after.message).toContain('returned');

  const detail = (
    await stack.http
      .get(`/ballot-items/${item.id}`)
      .set('Authorization', await as('legal@northshire'))
      .expect(200)
  ).body;
  expect(detail.custody.map((c: Json) => c.action)).toEqual(['received', 'stored', 'sealed', 'moved', 'opened', 'returned']);
  expect(detail.custody[1]).toMatchObject({ location: 'Depot cage 2', accessBy: ['Electoral services manager', 'Depot supervisor'] });
  expect(await auditActions(item.id)).toEqual(['ballot.received', 'ballot.stored', 'ballot.sealed', 'ballot.moved', 'ballot.opened', 'ballot.returned']);
  // The refused steps changed nothing.
  expect(detail.status).toBe('returned');
});

it('a seal and a count that do not match are raised to triage, who logs one allegation from one and dismisses the other', async () => {
  const item = (await post('returning_officer@northshire', '/ballot-items', batch('Castle Ward batch 2'))).body;
  await post('staff@northshire', `/ballot-items/${item.id}/custody`, { action: 'sealed', sealNumber: 'S-200' });
  const opened = (await post('staff@northshire', `/ballot-items/${item.id}/custody`, { action: 'opened', sealNumberObserved: 'S-299', countObserved: 498 }))
    .body;
  expect(opened.discrepancies.map((d: Json) => [d.kind, d.expected, d.observed])).toEqual([
    ['seal_mismatch', 'S-200', 'S-299'],
    ['count_mismatch', '500', '498'],
  ]);
  // The step is recorded: what was found is the record.
  expect(opened.item.status).toBe('opened');

  const notified = await stack.db.query(
    "SELECT u.username, n.subject, n.about_type, n.about_id FROM notifications n JOIN users u ON u.id = n.recipient_id WHERE n.kind = 'ballot_discrepancy' AND n.due_key = ANY($1) ORDER BY n.subject",
    [opened.discrepancies.map((d: Json) => `ballot-discrepancy:${d.id}`)],
  );
  expect(notified).toEqual([
    {
      username: 'triage@northshire',
      subject: 'Ballot security: count does not match on Castle Ward batch 2',
      about_type: 'ballot_discrepancy',
      about_id: opened.discrepancies[1].id,
    },
    {
      username: 'triage@northshire',
      subject: 'Ballot security: seal number does not match on Castle Ward batch 2',
      about_type: 'ballot_discrepancy',
      about_id: opened.discrepancies[0].id,
    },
  ]);
  const open = (
    await stack.http
      .get('/ballot-discrepancies?status=open')
      .set('Authorization', await as('triage@northshire'))
      .expect(200)
  ).body;
  expect(open.map((d: Json) => d.id)).toEqual(expect.arrayContaining(opened.discrepancies.map((d: Json) => d.id)));
  expect(
    (
      await stack.http
        .get('/ballot-discrepancies')
        .set('Authorization', await as('triage@southvale'))
        .expect(200)
    ).body,
  ).toEqual([]);

  const [seal, count] = opened.discrepancies;
  const body = allegationBody({ category: 'other', description: 'The seal on Castle Ward batch 2 did not match the seal register at the count.' });
  const [first, second] = await Promise.all([
    post('triage@northshire', `/ballot-discrepancies/${seal.id}/allegation`, body),
    post('triage@northshire', `/ballot-discrepancies/${seal.id}/allegation`, body),
  ]);
  const created = [first, second].filter((r) => r.status === 201);
  expect(created.length).toBeGreaterThanOrEqual(1);
  // However often asked, one case; the other answer is the same case or a 409 saying it is decided.
  for (const r of [first, second]) expect([201, 409]).toContain(r.status);
  const caseId = created[0].body.allegation.id;
  expect(created.every((r) => r.body.allegation.id === caseId)).toBe(true);
  expect(
    (
      await stack.db.query('SELECT count(*)::int AS n FROM allegations WHERE id IN (SELECT allegation_id FROM ballot_discrepancies WHERE id = $1)', [seal.id])
    )[0].n,
  ).toBe(1);
  await eventually(
    'the case is in triage',
    async () => (await stack.http.get(`/allegations/${caseId}`).set('Authorization', await as('triage@northshire'))).body.status === 'triage',
  );
  expect(await auditActions(caseId)).toContain('allegation.ballot_discrepancy_linked');

  await post('triage@northshire', `/ballot-discrepancies/${count.id}/dismiss`, {}).then((r) => expect(r.status).toBe(422));
  const dismissed = await post('triage@northshire', `/ballot-discrepancies/${count.id}/dismiss`, {
    reason: 'Two spoilt papers were set aside before the count.',
  });
  expect(dismissed.status).toBe(200);
  expect(dismissed.body).toMatchObject({ status: 'dismissed', decisionNote: 'Two spoilt papers were set aside before the count.' });
  expect((await post('triage@northshire', `/ballot-discrepancies/${count.id}/dismiss`, { reason: 'again' })).status).toBe(409);
  expect(await auditActions(item.id)).toEqual([
    'ballot.received',
    'ballot.sealed',
    'ballot.opened',
    'ballot.discrepancy_raised',
    'ballot.discrepancy_raised',
    'ballot.discrepancy_allegation',
    'ballot.discrepancy_dismissed',
  ]);
});

it('refuses a bad item or step naming the field, with nothing written; another authority sees nothing', async () => {
  const count = async () =>
    (await stack.db.query('SELECT (SELECT count(*) FROM ballot_items)::int + (SELECT count(*) FROM ballot_custody_events)::int AS n'))[0].n;
  const before = await count();
  const bad = await post('staff@northshire', '/ballot-items', { kind: 'ballot_bag', label: '', quantity: -1, location: 'x' });
  expect(bad.status).toBe(422);
  expect([...new Set(bad.body.details.map((d: Json) => d.field))].sort()).toEqual(['kind', 'label', 'quantity', 'receivedFrom']);
  const item = (await post('staff@northshire', '/ballot-items', batch('Castle Ward batch 3'))).body;
  const dup = await post('staff@northshire', '/ballot-items', batch('Castle Ward batch 3'));
  expect(dup.status).toBe(409);
  expect((await post('staff@northshire', `/ballot-items/${item.id}/custody`, { action: 'burnt' })).status).toBe(422);
  expect((await post('staff@northshire', `/ballot-items/${item.id}/custody`, { action: 'stored', location: 'Depot' })).status).toBe(409);
  expect((await post('staff@northshire', `/ballot-items/${item.id}/custody`, { action: 'moved', location: 'x', at: '2099-01-01T00:00:00Z' })).status).toBe(422);
  expect(await count()).toBe(before + 2);
  await stack.http
    .get(`/ballot-items/${item.id}`)
    .set('Authorization', await as('staff@southvale'))
    .expect(404);
  expect((await post('staff@southvale', `/ballot-items/${item.id}/custody`, { action: 'moved', location: 'x' })).status).toBe(404);
  await stack.http
    .get('/ballot-items?pollId=not-a-uuid')
    .set('Authorization', await as('staff@northshire'))
    .expect(422);
});

it('a security review with the police is a dated record with its actions, read by that force too', async () => {
  const review = {
    forceId: 'northshire-police',
    heldOn: '2026-11-01',
    attendees: ['Returning Officer', 'PC A. Officer, election SPOC'],
    findings: 'The depot cage is shared with the recycling team; no key log is kept.',
    actions: [{ description: 'Keep a key log for the depot cage', owner: 'Electoral services', dueBy: '2027-04-01' }],
  };
  const created = await post('returning_officer@northshire', '/ballot-security-reviews', review);
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({
    heldOn: '2026-11-01',
    forceId: 'northshire-police',
    actions: [expect.objectContaining({ description: 'Keep a key log for the depot cage', status: 'open' })],
  });
  expect((await post('returning_officer@northshire', '/ballot-security-reviews', { ...review, heldOn: '2099-01-01' })).status).toBe(422);
  expect((await post('returning_officer@northshire', '/ballot-security-reviews', { ...review, forceId: 'atlantis-police' })).status).toBe(422);
  expect((await post('staff@northshire', '/ballot-security-reviews', review)).status).toBe(403);
  const byForce = (
    await stack.http
      .get('/ballot-security-reviews')
      .set('Authorization', await as('spoc@northshire-police'))
      .expect(200)
  ).body;
  expect(byForce.map((r: Json) => r.id)).toContain(created.body.id);
  expect(
    (
      await stack.http
        .get('/ballot-security-reviews')
        .set('Authorization', await as('spoc@southvale-police'))
        .expect(200)
    ).body.map((r: Json) => r.id),
  ).not.toContain(created.body.id);
  expect(await auditActions(created.body.id)).toEqual(['ballot.security_review_recorded']);
});

it('an action agreed at a review is marked done once, by whom and when, in the audit log and Merkle log, and the force sees it', async () => {
  const review = {
    forceId: 'northshire-police',
    heldOn: '2026-11-02',
    attendees: ['Returning Officer'],
    findings: 'Ballot boxes stored unlocked overnight.',
    actions: [
      { description: 'Fit a lock to the box store', owner: 'Facilities', dueBy: '2027-03-01' },
      { description: 'Police patrol the depot', owner: 'Northshire Police', dueBy: '2027-05-05' },
    ],
  };
  const created = (await post('returning_officer@northshire', '/ballot-security-reviews', review)).body;
  const [lock, patrol] = created.actions;
  const url = (actionId: string, reviewId = created.id) => `/ballot-security-reviews/${reviewId}/actions/${actionId}/done`;

  // Only the authority's Returning Officer marks an action done; another authority cannot find it.
  expect((await post('staff@northshire', url(lock.id), {})).status).toBe(403);
  expect((await post('spoc@northshire-police', url(lock.id), {})).status).toBe(403);
  expect((await post('returning_officer@southvale', url(lock.id), {})).status).toBe(404);
  expect((await post('returning_officer@northshire', url('00000000-0000-4000-8000-000000000009'), {})).status).toBe(404);
  expect((await post('returning_officer@northshire', url(lock.id, 'not-a-review'), {})).status).toBe(404);
  expect((await post('returning_officer@northshire', url(lock.id), { note: 'x'.repeat(2001) })).status).toBe(422);

  const before = Date.now();
  const done = await post('returning_officer@northshire', url(lock.id), { note: 'Lock fitted 3 March' });
  expect(done.status).toBe(200);
  const ro = (await stack.http.get('/ballot-security-reviews').set('Authorization', await as('returning_officer@northshire'))).body.find(
    (r: Json) => r.id === created.id,
  );
  expect(done.body).toEqual({
    reviewId: created.id,
    action: expect.objectContaining({
      id: lock.id,
      status: 'done',
      doneBy: expect.any(String),
      doneByName: expect.any(String),
      doneNote: 'Lock fitted 3 March',
    }),
  });
  expect(Date.parse(done.body.action.doneAt)).toBeGreaterThanOrEqual(before - 1000);

  // A second time is refused and changes nothing: the first completion stands.
  const again = await post('returning_officer@northshire', url(lock.id), { note: 'again' });
  expect(again.status).toBe(409);
  expect(again.body.details[0].field).toBe('status');

  const byForce = (
    await stack.http
      .get('/ballot-security-reviews')
      .set('Authorization', await as('spoc@northshire-police'))
      .expect(200)
  ).body.find((r: Json) => r.id === created.id);
  for (const seen of [ro, byForce]) {
    expect(seen.actions).toEqual([
      expect.objectContaining({ id: lock.id, status: 'done', doneAt: done.body.action.doneAt, doneNote: 'Lock fitted 3 March' }),
      expect.objectContaining({ id: patrol.id, status: 'open' }),
    ]);
  }
  expect(await auditActions(created.id)).toEqual(['ballot.security_review_recorded', 'ballot.security_review_action_done']);
  const [event] = await stack.db.query(
    "SELECT actor, after, log_index FROM audit_events WHERE case_id = $1 AND action = 'ballot.security_review_action_done'",
    [created.id],
  );
  expect(event).toMatchObject({
    actor: done.body.action.doneBy,
    after: expect.objectContaining({ actionId: lock.id, status: 'done', note: 'Lock fitted 3 March' }),
  });
  expect(event.log_index).not.toBeNull();
});
