// A police force's own queue, GET /referrals: the cases referred to it that it holds now, those
// waiting for its answer first (soonest response deadline first), then those it accepted. A case
// it returned or that was re-routed elsewhere leaves its queue; no other force ever sees it.
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    // Response deadlines that differ by urgency, so that the order is by deadline, not by age.
    policy: { spocResponseDue: { routine: 'PT3600S', urgent: 'PT1800S', immediate: 'PT600S' }, workingDays: false },
  });
});
afterAll(() => stack?.close());

type Json = Record<string, any>;
const as = async (username: string) => `Bearer ${await stack.token(username)}`;

async function referredCase(urgency: string, forceId = 'northshire-police'): Promise<string> {
  const created = await stack.http
    .post('/allegations')
    .set('Authorization', await as('staff@northshire'))
    .send(allegationBody({ urgency }))
    .expect(201);
  await stack.http
    .post(`/allegations/${created.body.id}/triage`)
    .set('Authorization', await as('triage@northshire'))
    .send({ decision: 'refer', forceId, note: 'for the police' })
    .expect(200);
  return created.body.id;
}

async function queue(username: string, query = ''): Promise<Json[]> {
  const res = await stack.http
    .get(`/referrals${query}`)
    .set('Authorization', await as(username))
    .expect(200);
  return res.body.items;
}

it("lists the force's referrals: waiting for an answer by deadline, then accepted; returned and re-routed cases leave", async () => {
  const routine = await referredCase('routine');
  const immediate = await referredCase('immediate');
  const urgent = await referredCase('urgent');
  const accepted = await referredCase('routine');
  const returned = await referredCase('urgent');
  const elsewhere = await referredCase('immediate', 'southvale-police');
  const spoc = await as('spoc@northshire-police');
  await stack.http.post(`/allegations/${accepted}/referral/accept`).set('Authorization', spoc).send({ crimeReference: 'NP/2026/12' }).expect(200);
  await stack.http
    .post(`/allegations/${returned}/referral/return`)
    .set('Authorization', spoc)
    .send({ reasonCode: 'wrong_force', note: 'not ours', suggestedForceId: 'southvale-police' })
    .expect(200);

  const mine = [routine, immediate, urgent, accepted, returned];
  const listed = await eventually('the queue to show every decision', async () => {
    const items = (await queue('spoc@northshire-police')).filter((c) => mine.includes(c.id));
    return items.length === 4 && items.find((c) => c.id === accepted)?.status === 'accepted' ? items : undefined;
  });
  expect(listed.map((c) => c.id)).toEqual([immediate, urgent, routine, accepted]);
  expect(listed.slice(0, 3).every((c) => c.status === 'referred' && c.referral.status === 'pending' && c.deadlines.spocResponseDueAt)).toBe(true);
  const dues = listed.slice(0, 3).map((c) => Date.parse(c.deadlines.spocResponseDueAt));
  expect(dues).toEqual([...dues].sort((a, b) => a - b));
  expect(listed[3]).toMatchObject({ status: 'accepted', referral: { forceId: 'northshire-police', crimeReference: 'NP/2026/12' } });

  // The FEOA of the force sees the same queue; the filter narrows it.
  expect((await queue('feoa@northshire-police')).filter((c) => mine.includes(c.id)).map((c) => c.id)).toEqual([immediate, urgent, routine, accepted]);
  expect((await queue('spoc@northshire-police', '?status=accepted')).filter((c) => mine.includes(c.id)).map((c) => c.id)).toEqual([accepted]);
  expect((await queue('spoc@northshire-police', '?status=referred&limit=2')).map((c) => c.id)).toHaveLength(2);

  // The other force sees only what was referred to it.
  const theirs = (await queue('spoc@southvale-police')).map((c) => c.id);
  expect(theirs).toContain(elsewhere);
  expect(theirs.filter((id) => mine.includes(id))).toEqual([]);
});

it('refuses a bad filter and the roles that have no force queue', async () => {
  const spoc = await as('spoc@northshire-police');
  const bad = await stack.http.get('/referrals?status=closed').set('Authorization', spoc).expect(422);
  expect(bad.body.details).toEqual([expect.objectContaining({ field: 'status' })]);
  await stack.http.get('/referrals?limit=0').set('Authorization', spoc).expect(422);
  await stack.http.get('/referrals?limit=501').set('Authorization', spoc).expect(422);
  for (const user of ['triage@northshire', 'staff@northshire', 'legal@northshire']) {
    await stack.http
      .get('/referrals')
      .set('Authorization', await as(user))
      .expect(403);
  }
  await stack.http.get('/referrals').expect(401);
});
