// The lifecycle's own deadlines with seconds-long policy: the SPOC's response deadline (reminder,
// then one escalation to the Returning Officer and the force's other SPOCs), the reporter's reply
// deadline (back to triage), and a policy change reaching a case that is already running.
import { randomUUID } from 'node:crypto';
import { findDemoUser } from '@libs/auth';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;
const secondSpoc = { id: randomUUID(), username: 'deputy-spoc@southvale-police' };

beforeAll(async () => {
  stack = await startTestStack({
    policy: {
      triageDue: { routine: 'PT60S', urgent: 'PT60S', immediate: 'PT60S' },
      spocResponseDue: { routine: 'PT4S', urgent: 'PT4S', immediate: 'PT4S' },
      remindBefore: ['PT2S'],
      workingDays: false,
      informationReplyDue: 'PT3S',
    },
  });
  await stack.db.query(
    `INSERT INTO users (id, username, display_name, email, roles, force_id) VALUES ($1, $2, 'Deputy SPOC', 'deputy-spoc@southvale-police.example', '{spoc}', 'southvale-police')`,
    [secondSpoc.id, secondSpoc.username],
  );
});
afterAll(() => stack?.close());

type Json = Record<string, any>;
const as = async (username: string) => `Bearer ${await stack.token(username)}`;

async function logCase(username: string): Promise<Json> {
  return (
    await stack.http
      .post('/allegations')
      .set('Authorization', await as(username))
      .send(allegationBody())
      .expect(201)
  ).body;
}

async function decide(username: string, id: string, path: string, body: Json): Promise<Json> {
  return (
    await stack.http
      .post(`/allegations/${id}/${path}`)
      .set('Authorization', await as(username))
      .send(body)
      .expect(200)
  ).body;
}

/** Notifications of one case, per recipient username, read straight from the table. */
async function sent(caseId: string): Promise<Record<string, string[]>> {
  const rows = await stack.db.query(
    'SELECT u.username, n.kind FROM notifications n JOIN users u ON u.id = n.recipient_id WHERE n.case_id = $1 ORDER BY n.created_at',
    [caseId],
  );
  const byUser: Record<string, string[]> = {};
  for (const row of rows) (byUser[row.username] ??= []).push(row.kind);
  return byUser;
}

describe('the SPOC response deadline', () => {
  it("reminds the named SPOC, then escalates once to the Returning Officer and the force's other SPOCs", async () => {
    const c = await logCase('staff@southvale');
    const spoc = findDemoUser('spoc@southvale-police')!;
    const referred = await decide('triage@southvale', c.id, 'triage', {
      decision: 'refer',
      forceId: 'southvale-police',
      spocId: spoc.id,
      note: 'for the named SPOC',
    });
    const due = Date.parse(referred.deadlines.spocResponseDueAt);
    expect(due - Date.now()).toBeLessThanOrEqual(4_000);

    await eventually('the escalation', async () => (await sent(c.id))['returning_officer@southvale']?.includes('spoc_response_escalation'));
    expect(Date.now()).toBeGreaterThanOrEqual(due);
    // Nothing repeats once the deadline has passed.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await sent(c.id)).toEqual({
      'spoc@southvale-police': ['referral_received', 'spoc_response_reminder'],
      'returning_officer@southvale': ['spoc_response_escalation'],
      [secondSpoc.username]: ['spoc_response_escalation'],
    });
    const got = (
      await stack.http
        .get(`/allegations/${c.id}`)
        .set('Authorization', await as('triage@southvale'))
        .expect(200)
    ).body;
    expect(got.deadlines.history).toEqual([
      expect.objectContaining({ kind: 'triage', metAt: expect.any(String) }),
      { kind: 'spoc_response', dueAt: new Date(due).toISOString(), setAt: expect.any(String), metAt: null },
    ]);
    expect(Date.parse(got.escalatedAt)).toBeGreaterThanOrEqual(due);
    // A late answer is still an answer: the escalated referral can be accepted.
    expect(await decide('spoc@southvale-police', c.id, 'referral/accept', { crimeReference: 'SV/LATE/1' })).toMatchObject({ status: 'accepted' });
  });
});

describe('the reply deadline of a request for information', () => {
  it('returns the case to triage with a new deadline and tells the triage team when it passes', async () => {
    const c = await logCase('staff@southvale');
    const waiting = await decide('triage@southvale', c.id, 'triage', { decision: 'request_information', question: 'When exactly?', note: 'time missing' });
    const replyDue = Date.parse(waiting.informationRequest.replyDueAt);
    const back = await eventually('the return to triage', async () => {
      const res = await stack.http
        .get(`/allegations/${c.id}`)
        .set('Authorization', await as('triage@southvale'))
        .expect(200);
      return res.body.status === 'triage' && res.body;
    });
    expect(Date.now()).toBeGreaterThanOrEqual(replyDue);
    expect(back.informationRequest.lapsedAt).toEqual(expect.any(String));
    expect(Date.parse(back.deadlines.triageDueAt)).toBeGreaterThan(replyDue + 50_000);
    await eventually('the lapse notice', async () => (await sent(c.id))['triage@southvale']?.includes('information_reply_lapsed'));
    const actions = (await stack.db.query('SELECT action FROM audit_events WHERE case_id = $1 ORDER BY seq', [c.id])).map((r: Json) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['triage.information_requested', 'information.lapsed', 'notification.information_reply_lapsed']));
  });
});

describe('a policy change', () => {
  it('sets the next deadlines of a case that was already running', async () => {
    const c = await logCase('staff@northshire');
    const admin = await as('admin@northshire');
    await stack.http
      .patch('/admin/policies/northshire')
      .set('Authorization', admin)
      .send({ spocResponseDue: { routine: 'PT45S' } })
      .expect(200);
    // PATCH answers once every open case has the signal, so the decision after it sees the new policy.
    const referred = await decide('triage@northshire', c.id, 'triage', { decision: 'refer', forceId: 'northshire-police', note: 'refer' });
    const respondIn = Date.parse(referred.deadlines.spocResponseDueAt) - Date.parse(referred.referral.referredAt);
    expect(respondIn).toBe(45_000);
  });
});
