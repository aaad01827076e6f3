// The allegation lifecycle through the API: every path of DESIGN.md's diagram, the referral
// handshake with its deadline, and the 409s for decisions the state does not allow, each with
// nothing changed and the refusal in the case history.
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    policy: {
      triageDue: { routine: 'PT60S', urgent: 'PT60S', immediate: 'PT60S' },
      spocResponseDue: { routine: 'PT60S', urgent: 'PT60S', immediate: 'PT60S' },
      remindBefore: ['PT2S'],
      workingDays: false,
      informationReplyDue: 'PT60S',
    },
  });
});
afterAll(() => stack?.close());

type Json = Record<string, any>;

async function as(username: string) {
  return `Bearer ${await stack.token(username)}`;
}

async function logCase(username = 'staff@northshire', overrides: Json = {}): Promise<Json> {
  const res = await stack.http
    .post('/allegations')
    .set('Authorization', await as(username))
    .send(allegationBody(overrides))
    .expect(201);
  return res.body;
}

async function decide(username: string, id: string, path: string, body: Json, status = 200): Promise<Json> {
  const res = await stack.http
    .post(`/allegations/${id}/${path}`)
    .set('Authorization', await as(username))
    .send(body);
  if (res.status !== status) throw new Error(`POST ${path} as ${username}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function view(id: string, username = 'triage@northshire'): Promise<Json> {
  return (
    await stack.http
      .get(`/allegations/${id}`)
      .set('Authorization', await as(username))
      .expect(200)
  ).body;
}

async function actions(id: string): Promise<string[]> {
  const rows = await stack.db.query('SELECT action FROM audit_events WHERE case_id = $1 ORDER BY seq', [id]);
  return rows.map((r: { action: string }) => r.action);
}

/** The audit trail without notifications, which the workflow sends concurrently with decisions. */
async function decisions(id: string): Promise<string[]> {
  return (await actions(id)).filter((a) => !a.startsWith('notification.'));
}

async function inbox(username: string, caseId: string): Promise<Json[]> {
  const res = await stack.http
    .get('/me/notifications')
    .set('Authorization', await as(username))
    .expect(200);
  return res.body.filter((n: Json) => n.caseId === caseId);
}

/** A refused decision: 409 with the reason and the current state, and nothing changed but the audit entry. */
async function refused(username: string, id: string, path: string, body: Json, rule: string, message: RegExp) {
  const before = await stack.db.query('SELECT status, state_version, state FROM allegations WHERE id = $1', [id]);
  const auditBefore = await decisions(id);
  const res = await decide(username, id, path, body, 409);
  expect(res).toMatchObject({ statusCode: 409, details: [expect.objectContaining({ field: rule })] });
  expect(res.message).toMatch(message);
  expect(res.state).toMatchObject({ id, status: before[0].status });
  expect(await stack.db.query('SELECT status, state_version, state FROM allegations WHERE id = $1', [id])).toEqual(before);
  expect(await decisions(id)).toEqual([...auditBefore, 'decision.refused']);
  const [refusal] = await stack.db.query("SELECT after FROM audit_events WHERE case_id = $1 AND action = 'decision.refused' ORDER BY seq DESC LIMIT 1", [id]);
  expect(refusal.after).toMatchObject({ rule, reason: res.message });
  return res;
}

describe('refer, accept, close', () => {
  it('moves through each status, tells the SPOC, and the chain records every step', async () => {
    const c = await logCase();
    const referred = await decide('triage@northshire', c.id, 'triage', {
      decision: 'refer',
      forceId: 'northshire-police',
      note: 'names a canvasser and a care home',
    });
    expect(referred).toMatchObject({ status: 'referred', referral: { forceId: 'northshire-police', status: 'pending' } });
    expect(Date.parse(referred.deadlines.spocResponseDueAt) - Date.now()).toBeGreaterThan(50_000);
    expect(referred.deadlines.triageDueAt).toBeNull();

    const received = await eventually('the referral notice', async () =>
      (await inbox('spoc@northshire-police', c.id)).find((n) => n.kind === 'referral_received'),
    );
    expect(received.subject).toContain(c.reference);

    // The SPOC sees the case now that it is referred to their force; the other force does not.
    await view(c.id, 'spoc@northshire-police');
    await stack.http
      .get(`/allegations/${c.id}`)
      .set('Authorization', await as('spoc@southvale-police'))
      .expect(404);

    const accepted = await decide('spoc@northshire-police', c.id, 'referral/accept', { crimeReference: 'NP/2026/004512', note: 'allocated to CID' });
    expect(accepted).toMatchObject({
      status: 'accepted',
      referral: { status: 'accepted', crimeReference: 'NP/2026/004512' },
      deadlines: { spocResponseDueAt: null, nextDueAt: null },
    });
    await decide('spoc@northshire-police', c.id, 'referral/updates', { note: 'witnesses interviewed' });
    await decide('spoc@northshire-police', c.id, 'referral/outcome', { outcome: 'caution', note: 'suspect cautioned' });

    const closed = await decide('triage@northshire', c.id, 'close', { outcome: 'caution', note: 'police cautioned the canvasser' });
    expect(closed).toMatchObject({ status: 'closed', outcome: 'caution', policeOutcome: { outcome: 'caution' }, investigationUpdates: 1 });
    expect(closed.closedAt).not.toBeNull();

    const list = await stack.http
      .get('/allegations?status=closed')
      .set('Authorization', await as('staff@northshire'))
      .expect(200);
    expect(list.body.items.map((a: Json) => a.id)).toContain(c.id);
    expect(await decisions(c.id)).toEqual([
      'allegation.created',
      'triage.referred',
      'referral.accepted',
      'investigation.updated',
      'investigation.outcome_recorded',
      'case.closed',
    ]);
    const verify = await stack.http
      .get(`/allegations/${c.id}/history/verify`)
      .set('Authorization', await as('legal@northshire'))
      .expect(200);
    expect(verify.body.valid).toBe(true);
    // the workflow finished, and a decision now is refused as late
    await refused('triage@northshire', c.id, 'withdraw', { note: 'too late' }, 'state', /closed/);
  });
});

describe('refer, return, re-route, accept', () => {
  it('sends a returned case back to triage and lets it be re-routed to the right force', async () => {
    const c = await logCase();
    await decide('triage@northshire', c.id, 'triage', { decision: 'refer', forceId: 'northshire-police', note: 'first referral' });
    const returned = await decide('spoc@northshire-police', c.id, 'referral/return', {
      reasonCode: 'wrong_force',
      note: 'the address is in Southvale',
      suggestedForceId: 'southvale-police',
    });
    expect(returned).toMatchObject({ status: 'triage', referral: { status: 'returned', reasonCode: 'wrong_force', suggestedForceId: 'southvale-police' } });
    expect(Date.parse(returned.deadlines.triageDueAt)).toBeGreaterThan(Date.now() + 50_000);
    await eventually('the triage team is told', async () => (await inbox('triage@northshire', c.id)).find((n) => n.kind === 'referral_returned'));

    const rerouted = await decide('triage@northshire', c.id, 'triage', {
      decision: 'refer',
      forceId: 'southvale-police',
      note: 're-routed as the SPOC suggested',
    });
    expect(rerouted.referrals.map((r: Json) => [r.forceId, r.status])).toEqual([
      ['northshire-police', 'returned'],
      ['southvale-police', 'pending'],
    ]);

    // The first force keeps sight of the case, but can no longer decide on it.
    await refused('spoc@northshire-police', c.id, 'referral/accept', { crimeReference: 'NP/1' }, 'force', /addressed to southvale-police/);
    const accepted = await decide('spoc@southvale-police', c.id, 'referral/accept', { crimeReference: 'SV/2026/77' });
    expect(accepted).toMatchObject({ status: 'accepted', referral: { forceId: 'southvale-police', crimeReference: 'SV/2026/77' } });
    expect((await decisions(c.id)).filter((a) => a !== 'decision.refused')).toEqual([
      'allegation.created',
      'triage.referred',
      'referral.returned',
      'triage.referred',
      'referral.accepted',
    ]);
  });
});

describe('resolution without referral', () => {
  it('resolves a case locally with advice', async () => {
    const c = await logCase();
    const resolved = await decide('triage@northshire', c.id, 'triage', { decision: 'resolve', resolution: 'advice', note: 'imprint missing; agent advised' });
    expect(resolved).toMatchObject({
      status: 'closed',
      outcome: 'resolved_without_referral',
      resolution: 'advice',
      deadlines: { triageDueAt: null, nextDueAt: null },
    });
  });

  it('closes a duplicate linked to the original, and refuses an unknown original', async () => {
    const original = await logCase();
    const c = await logCase();
    const bad = await decide(
      'triage@northshire',
      c.id,
      'triage',
      { decision: 'duplicate', duplicateOf: '00000000-0000-4000-8000-000000000000', note: 'same report' },
      422,
    );
    expect(bad.details).toEqual([{ field: 'duplicateOf', problem: 'no such case in this authority', code: 'field.no_such_case', values: {} }]);
    const southvaleCase = await logCase('staff@southvale');
    await decide('triage@northshire', c.id, 'triage', { decision: 'duplicate', duplicateOf: southvaleCase.id, note: 'other tenant' }, 422);
    expect(await view(c.id)).toMatchObject({ status: 'triage' });
    const dup = await decide('triage@northshire', c.id, 'triage', { decision: 'duplicate', duplicateOf: original.id, note: 'same report by phone' });
    expect(dup).toMatchObject({ status: 'closed', resolution: 'duplicate', duplicateOf: original.id, outcome: 'resolved_without_referral' });
  });

  it('refuses fields that belong to another decision, and unknown forces', async () => {
    const c = await logCase();
    const res = await decide('triage@northshire', c.id, 'triage', { decision: 'resolve', resolution: 'advice', forceId: 'northshire-police', note: 'x' }, 422);
    expect(res.details).toEqual([
      { field: 'forceId', problem: 'is not used by decision resolve', code: 'triage.field_misplaced', values: { decision: 'resolve' } },
    ]);
    const unknown = await decide('triage@northshire', c.id, 'triage', { decision: 'refer', forceId: 'atlantis-police', note: 'x' }, 422);
    expect(unknown.details).toEqual([{ field: 'forceId', problem: 'no such police force', code: 'field.no_such_force', values: {} }]);
    const missing = await decide('triage@northshire', c.id, 'triage', { decision: 'refer', note: 'x' }, 422);
    expect(new Set(missing.details.map((d: Json) => d.field))).toEqual(new Set(['forceId']));
    expect(await actions(c.id)).toEqual(['allegation.created']);
  });
});

describe('request for information', () => {
  it('returns to triage when the reporter replies', async () => {
    const c = await logCase();
    const waiting = await decide('triage@northshire', c.id, 'triage', {
      decision: 'request_information',
      question: 'Which flat number?',
      note: 'address incomplete',
    });
    expect(waiting).toMatchObject({ status: 'awaiting_information', informationRequest: { replyDueAt: expect.any(String) } });
    expect(waiting.deadlines.nextDueAt).toBe(waiting.informationRequest.replyDueAt);
    const back = await decide('staff@northshire', c.id, 'information', { note: 'Flat 4, Elm Court' });
    expect(back).toMatchObject({ status: 'triage', informationRequest: { receivedAt: expect.any(String) } });
    expect(back.deadlines.triageDueAt).not.toBeNull();
  });
});

describe('withdrawal', () => {
  it('lets staff withdraw before referral', async () => {
    const c = await logCase();
    expect(await decide('staff@northshire', c.id, 'withdraw', { note: 'reporter withdrew the complaint' })).toMatchObject({
      status: 'withdrawn',
      outcome: 'withdrawn',
    });
  });

  it('needs triage once the police have the case, and tells the force', async () => {
    const c = await logCase();
    await decide('triage@northshire', c.id, 'triage', { decision: 'refer', forceId: 'northshire-police', note: 'refer' });
    await refused('staff@northshire', c.id, 'withdraw', { note: 'staff try' }, 'role', /only triage can withdraw/);
    expect(await decide('triage@northshire', c.id, 'withdraw', { note: 'reporter withdrew' })).toMatchObject({
      status: 'withdrawn',
      referral: { status: 'withdrawn' },
    });
    await eventually('the SPOC is told', async () => (await inbox('spoc@northshire-police', c.id)).find((n) => n.kind === 'referral_withdrawn'));
    // a late decision from the SPOC
    await refused('spoc@northshire-police', c.id, 'referral/accept', { crimeReference: 'NP/9' }, 'state', /withdrawn/);
  });
});

describe('decisions the state does not allow', () => {
  it('refuses out-of-turn, repeated, wrong-force and wrong-role decisions with 409, changing nothing', async () => {
    const c = await logCase();
    // out of turn: closure and a reply before anyone asked
    await refused('triage@northshire', c.id, 'close', { outcome: 'no_further_action', note: 'x' }, 'state', /triage decision/);
    await refused('staff@northshire', c.id, 'information', { note: 'nobody asked' }, 'state', /awaiting_information/);

    await decide('triage@northshire', c.id, 'triage', { decision: 'refer', forceId: 'northshire-police', note: 'refer' });
    await decide('spoc@northshire-police', c.id, 'referral/return', { reasonCode: 'insufficient_information', note: 'need the flat number' });
    // out of turn: the force decides again on a case it returned
    await refused('spoc@northshire-police', c.id, 'referral/accept', { crimeReference: 'NP/1' }, 'state', /the case is triage/);
    await decide('triage@northshire', c.id, 'triage', { decision: 'refer', forceId: 'northshire-police', note: 'flat number added' });
    // repeated triage, out-of-turn closure while the SPOC has not answered
    await refused('triage@northshire', c.id, 'triage', { decision: 'refer', forceId: 'northshire-police', note: 'again' }, 'state', /referred/);
    await refused('returning_officer@northshire', c.id, 'close', { outcome: 'no_further_action', note: 'x' }, 'state', /referred/);
    await refused('spoc@northshire-police', c.id, 'referral/outcome', { outcome: 'caution', note: 'x' }, 'state', /referred/);

    await decide('spoc@northshire-police', c.id, 'referral/accept', { crimeReference: 'NP/2' });
    // repeated acceptance, and a return after acceptance
    await refused('spoc@northshire-police', c.id, 'referral/accept', { crimeReference: 'NP/3' }, 'repeated', /already accepted/);
    await refused('spoc@northshire-police', c.id, 'referral/return', { reasonCode: 'other', note: 'x' }, 'state', /accepted/);
    // wrong role: triage cannot close before the police outcome; the Returning Officer can
    await refused('triage@northshire', c.id, 'close', { outcome: 'no_further_action', note: 'x' }, 'role', /only the Returning Officer/);
    await decide('spoc@northshire-police', c.id, 'referral/outcome', { outcome: 'no_further_action', note: 'insufficient evidence' });
    await refused('spoc@northshire-police', c.id, 'referral/outcome', { outcome: 'no_further_action', note: 'again' }, 'repeated', /already no_further_action/);
    expect(await decide('triage@northshire', c.id, 'close', { outcome: 'no_further_action', note: 'closed' })).toMatchObject({ status: 'closed' });
  });

  it('answers 403 for a role that never makes a decision, and 404 for a force never involved', async () => {
    const c = await logCase();
    await decide('staff@northshire', c.id, 'triage', { decision: 'resolve', resolution: 'advice', note: 'x' }, 403);
    await decide('legal@northshire', c.id, 'close', { outcome: 'caution', note: 'x' }, 403);
    await decide('feoa@northshire-police', c.id, 'referral/accept', { crimeReference: 'NP/1' }, 403);
    await decide('triage@southvale', c.id, 'triage', { decision: 'resolve', resolution: 'advice', note: 'x' }, 404);
    await decide('triage@northshire', c.id, 'triage', { decision: 'refer', forceId: 'northshire-police', note: 'refer' });
    await decide('spoc@southvale-police', c.id, 'referral/accept', { crimeReference: 'SV/1' }, 404);
    expect(await actions(c.id)).not.toContain('decision.refused');
  });

  it('lets exactly one of two concurrent acceptances through', async () => {
    const c = await logCase();
    await decide('triage@northshire', c.id, 'triage', { decision: 'refer', forceId: 'northshire-police', note: 'refer' });
    const token = await as('spoc@northshire-police');
    const results = await Promise.all(
      ['NP/A', 'NP/B'].map((crimeReference) => stack.http.post(`/allegations/${c.id}/referral/accept`).set('Authorization', token).send({ crimeReference })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await actions(c.id)).filter((a) => a === 'referral.accepted')).toHaveLength(1);
  });
});

describe('the statutory clock', () => {
  it('raises the extension task at once for an offence ten months old, and takes one application', async () => {
    const occurredAt = new Date(Date.now() - 320 * 86_400_000).toISOString();
    const c = await logCase('staff@northshire', { occurredAt });
    const got = await view(c.id);
    expect(Date.parse(got.statutoryClock.limitAt)).toBeGreaterThan(Date.now());
    for (const user of ['triage@northshire', 'returning_officer@northshire']) {
      const task = await eventually(`the extension task for ${user}`, async () => (await inbox(user, c.id)).find((n) => n.kind === 'extension_task'));
      expect(task.body).toContain('s.176');
    }
    await decide('triage@northshire', c.id, 'statutory-extension', { note: 'application lodged with the magistrates' });
    await refused('returning_officer@northshire', c.id, 'statutory-extension', { note: 'again' }, 'repeated', /already applied/);
  });

  it('refuses an extension application more than a year after the offence, and raises no task', async () => {
    const occurredAt = new Date(Date.now() - 370 * 86_400_000).toISOString();
    const c = await logCase('staff@northshire', { occurredAt });
    await refused('triage@northshire', c.id, 'statutory-extension', { note: 'too late' }, 'late', /one year from the offence passed/);
    expect(await inbox('triage@northshire', c.id)).toEqual([]);
  });
});
