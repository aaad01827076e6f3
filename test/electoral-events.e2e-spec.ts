// Polls and their electoral events: a safety and security plan per event, its police liaison
// contact and the register's risks linked to it; what the plan still lacks; who may read and
// change it; and every change in the authority's audit log.
import { findDemoUser } from '@libs/auth';
import { allegationBody, startTestStack, TestStack } from './support/stack';

let stack: TestStack;
type Json = Record<string, any>;

beforeAll(async () => {
  stack = await startTestStack({ worker: 'in-process' });
});
afterAll(() => stack?.close());

const as = async (username: string) => `Bearer ${await stack.token(username)}`;
const spoc = findDemoUser('spoc@northshire-police')!;
const owner = findDemoUser('plan_owner@northshire')!;
const countEvent = { kind: 'count', title: 'Count, Northshire Leisure Centre', startsAt: '2027-05-06T22:00:00Z', endsAt: '2027-05-07T06:00:00Z' };

async function newPoll(electionId: string): Promise<Json> {
  const res = await stack.http
    .post('/polls')
    .set('Authorization', await as('returning_officer@northshire'))
    .send({ electionId, title: 'Northshire County Council elections', pollingDay: '2027-05-06' });
  expect(res.status).toBe(201);
  return res.body;
}

async function newRisk(): Promise<Json> {
  const res = await stack.http
    .post('/risks')
    .set('Authorization', await as('plan_owner@northshire'))
    .send({
      title: 'Ballot boxes interfered with on the way to the count',
      category: 'count_security',
      likelihood: 2,
      impact: 5,
      ownerId: owner.id,
      mitigations: [],
      reviewEvery: 'P7D',
      electionId: 'local.northshire.events',
    });
  expect(res.status).toBe(201);
  return res.body;
}

const auditActions = async (caseId: string) =>
  (await stack.db.query('SELECT action FROM audit_events WHERE case_id = $1 ORDER BY seq', [caseId])).map((r: Json) => r.action);

it('a poll is added once per electionId; a bad body is refused naming each field and changes nothing', async () => {
  const poll = await newPoll('local.northshire.once');
  expect(poll).toMatchObject({ electionId: 'local.northshire.once', pollingDay: '2027-05-06', authorityId: 'northshire' });
  const again = await stack.http
    .post('/polls')
    .set('Authorization', await as('admin@northshire'))
    .send({ electionId: 'local.northshire.once', title: 'Again', pollingDay: '2027-05-07' });
  expect(again.status).toBe(409);
  expect(again.body.details).toEqual([expect.objectContaining({ field: 'electionId' })]);

  const before = (await stack.db.query('SELECT count(*)::int AS n FROM polls'))[0].n;
  const bad = await stack.http
    .post('/polls')
    .set('Authorization', await as('returning_officer@northshire'))
    .send({ electionId: 'Not An Id!', pollingDay: '6 May' });
  expect(bad.status).toBe(422);
  expect([...new Set(bad.body.details.map((d: Json) => d.field))].sort()).toEqual(['electionId', 'pollingDay', 'title']);
  expect((await stack.db.query('SELECT count(*)::int AS n FROM polls'))[0].n).toBe(before);
  // Staff read the polls; they do not add them.
  await stack.http
    .post('/polls')
    .set('Authorization', await as('staff@northshire'))
    .send({ electionId: 'local.x', title: 'x', pollingDay: '2027-05-06' })
    .expect(403);
  expect(
    (
      await stack.http
        .get('/polls')
        .set('Authorization', await as('staff@northshire'))
        .expect(200)
    ).body.map((p: Json) => p.id),
  ).toContain(poll.id);
  expect(
    (
      await stack.http
        .get('/polls')
        .set('Authorization', await as('staff@southvale'))
        .expect(200)
    ).body.map((p: Json) => p.id),
  ).not.toContain(poll.id);
});

it('an event says what its safety and security plan lacks until the plan, the police contact and a linked risk are in', async () => {
  const poll = await newPoll('local.northshire.events');
  const created = await stack.http
    .post(`/polls/${poll.id}/events`)
    .set('Authorization', await as('plan_owner@northshire'))
    .send(countEvent);
  expect(created.status).toBe(201);
  const event = created.body;
  expect(event).toMatchObject({ pollId: poll.id, kind: 'count', planComplete: false, policeContact: null, riskIds: [] });
  expect(event.planGaps.map((g: Json) => g.field)).toEqual(['venue', 'plan.summary', 'plan.measures', 'policeContactId', 'riskIds']);

  const patched = await stack.http
    .patch(`/electoral-events/${event.id}`)
    .set('Authorization', await as('returning_officer@northshire'))
    .send({
      venue: 'Northshire Leisure Centre, Castle Road',
      plan: {
        summary: 'Accredited entry only; boxes escorted from every station.',
        measures: ['Accreditation checked at the single public entrance', 'Ballot boxes logged on arrival against the seal register'],
      },
      policeContactId: spoc.id,
    });
  expect(patched.status).toBe(200);
  expect(patched.body).toMatchObject({ policeForceId: 'northshire-police', policeContact: { id: spoc.id }, planComplete: false });
  expect(patched.body.planGaps.map((g: Json) => g.field)).toEqual(['riskIds']);

  const risk = await newRisk();
  const linked = await stack.http
    .post(`/electoral-events/${event.id}/risks`)
    .set('Authorization', await as('plan_owner@northshire'))
    .send({ riskId: risk.id })
    .expect(200);
  expect(linked.body).toMatchObject({ planComplete: true, planGaps: [], riskIds: [risk.id] });
  // Linking twice is one link and one audit event.
  await stack.http
    .post(`/electoral-events/${event.id}/risks`)
    .set('Authorization', await as('plan_owner@northshire'))
    .send({ riskId: risk.id })
    .expect(200);
  const risks = (
    await stack.http
      .get(`/electoral-events/${event.id}/risks`)
      .set('Authorization', await as('staff@northshire'))
      .expect(200)
  ).body;
  expect(risks).toEqual([expect.objectContaining({ id: risk.id, score: 10, status: 'open' })]);

  // The poll page shows the event and what names the poll.
  await stack.http
    .post('/allegations')
    .set('Authorization', await as('staff@northshire'))
    .set('Idempotency-Key', `events-${poll.id}`)
    .send(allegationBody({ electionId: 'local.northshire.events', pollDate: undefined }))
    .expect(201);
  const page = (
    await stack.http
      .get(`/polls/${poll.id}`)
      .set('Authorization', await as('triage@northshire'))
      .expect(200)
  ).body;
  expect(page).toMatchObject({ allegations: 1, openRisks: 1, events: [expect.objectContaining({ id: event.id, planComplete: true })] });

  const unlinked = await stack.http
    .delete(`/electoral-events/${event.id}/risks/${risk.id}`)
    .set('Authorization', await as('plan_owner@northshire'))
    .expect(200);
  expect(unlinked.body.planGaps.map((g: Json) => g.field)).toEqual(['riskIds']);
  expect(await auditActions(event.id)).toEqual(['event.created', 'event.updated', 'event.risk_linked', 'event.risk_unlinked']);
  expect(await auditActions(poll.id)).toEqual(['poll.created']);
});

it('refuses times that do not fit the poll, a police contact who is not a SPOC or FEOA of a partner force, and a closed risk', async () => {
  const poll = await newPoll('local.northshire.refusals');
  const post = async (body: Json) =>
    stack.http
      .post(`/polls/${poll.id}/events`)
      .set('Authorization', await as('plan_owner@northshire'))
      .send(body);
  const backwards = await post({ ...countEvent, endsAt: '2027-05-06T21:00:00Z' });
  expect(backwards.status).toBe(422);
  expect(backwards.body.details).toEqual([{ field: 'endsAt', problem: 'must be after startsAt', code: 'event.ends_before_start', values: {} }]);
  const farAway = await post({ ...countEvent, startsAt: '2028-01-01T10:00:00Z', endsAt: null });
  expect(farAway.body.details.map((d: Json) => d.field)).toEqual(['startsAt']);
  const notPolice = await post({ ...countEvent, policeContactId: owner.id });
  expect(notPolice.status).toBe(422);
  expect(notPolice.body.details[0].field).toBe('policeContactId');
  const otherForce = await post({ ...countEvent, policeContactId: findDemoUser('spoc@southvale-police')!.id });
  expect(otherForce.status).toBe(422);
  const badKind = await post({ ...countEvent, kind: 'party' });
  expect(badKind.status).toBe(422);
  expect((await stack.db.query('SELECT count(*)::int AS n FROM electoral_events WHERE poll_id = $1', [poll.id]))[0].n).toBe(0);

  const event = (await post(countEvent).then((r) => r.body)) as Json;
  const risk = await newRisk();
  await stack.http
    .post(`/risks/${risk.id}/close`)
    .set('Authorization', await as('plan_owner@northshire'))
    .send({ note: 'gone' })
    .expect(200);
  const closed = await stack.http
    .post(`/electoral-events/${event.id}/risks`)
    .set('Authorization', await as('plan_owner@northshire'))
    .send({ riskId: risk.id });
  expect(closed.status).toBe(409);
  const southvaleRisk = await stack.http
    .post(`/electoral-events/${event.id}/risks`)
    .set('Authorization', await as('plan_owner@northshire'))
    .send({ riskId: '00000000-0000-4000-8000-000000000009' });
  expect(southvaleRisk.status).toBe(422);
});

it('the named police contact’s force reads the event and its poll; another force and another authority get 404', async () => {
  const poll = await newPoll('local.northshire.police');
  const event = (
    await stack.http
      .post(`/polls/${poll.id}/events`)
      .set('Authorization', await as('plan_owner@northshire'))
      .send({ ...countEvent, policeContactId: spoc.id })
  ).body;
  const seen = await stack.http
    .get(`/electoral-events/${event.id}`)
    .set('Authorization', await as('feoa@northshire-police'))
    .expect(200);
  expect(seen.body.policeContact.name).toBeTruthy();
  const pollSeen = (
    await stack.http
      .get(`/polls/${poll.id}`)
      .set('Authorization', await as('spoc@northshire-police'))
      .expect(200)
  ).body;
  expect(pollSeen.events.map((e: Json) => e.id)).toEqual([event.id]);
  expect(pollSeen.allegations).toBeNull();
  await stack.http
    .get(`/electoral-events/${event.id}`)
    .set('Authorization', await as('spoc@southvale-police'))
    .expect(404);
  await stack.http
    .get(`/polls/${poll.id}`)
    .set('Authorization', await as('returning_officer@southvale'))
    .expect(404);
  // The police read the plan; the authority alone changes it.
  await stack.http
    .patch(`/electoral-events/${event.id}`)
    .set('Authorization', await as('spoc@northshire-police'))
    .send({ venue: 'x' })
    .expect(403);
  await stack.http
    .patch(`/electoral-events/${event.id}`)
    .set('Authorization', await as('plan_owner@southvale'))
    .send({ venue: 'x' })
    .expect(404);
});
