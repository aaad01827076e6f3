// Police liaison with seconds-long cadences: both sides reminded when contact falls due, exactly
// one escalation to the Returning Officer after the grace, a recorded contact restarting the
// cycle, a cadence change applying at once. Candidate contacts shared with a force's FEOA only
// with a lawful basis and purpose, a data-sharing record, and the FEOA's reads logged. And who
// may do what: another authority's or force's records are 404, a role not allowed is 403.
import { findDemoUser } from '@libs/auth';
import { getLiaisonStateQuery, liaisonWorkflowId } from '@workflows/liaison.messages';
import { eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ policy: { liaisonContactGrace: 'PT2S' } });
});
afterAll(() => stack?.close());

type Json = Record<string, any>;
const as = async (username: string) => `Bearer ${await stack.token(username)}`;
const id = (username: string) => findDemoUser(username)!.id;

async function call(method: 'get' | 'put' | 'post', username: string, path: string, status: number, body?: Json): Promise<Json> {
  const req = stack.http[method](path).set('Authorization', await as(username));
  const res = body === undefined ? await req : await req.send(body);
  if (res.status !== status)
    throw new Error(`${method.toUpperCase()} ${path} as ${username}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const agreementBody = (force: string, overrides: Json = {}): Json => ({
  spocId: id(`spoc@${force}`),
  feoaId: id(`feoa@${force}`),
  contactEvery: 'PT3S',
  notes: 'SPOC joins the weekly planning meeting; FEOA briefs candidates after nominations close.',
  ...overrides,
});

async function sent(agreementId: string): Promise<string[]> {
  const rows = await stack.db.query(
    'SELECT u.username, n.kind FROM notifications n JOIN users u ON u.id = n.recipient_id WHERE n.due_key LIKE $1 ORDER BY n.created_at, u.username',
    [`liaison:${agreementId}:%`],
  );
  return rows.map((r: Json) => `${r.username} ${r.kind}`);
}
const fieldsOf = (body: Json) => [...new Set(body.details.map((d: Json) => d.field))];
const count = async (agreementId: string, kind: string) => (await sent(agreementId)).filter((s) => s.endsWith(kind)).length;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('police liaison', () => {
  it('reminds both sides when contact falls due, escalates once, and a recorded contact restarts the cycle', async () => {
    const agreement = await call(
      'put',
      'returning_officer@northshire',
      '/liaison/northshire-police',
      201,
      agreementBody('northshire-police', { leadId: id('staff@northshire') }),
    );
    expect(agreement).toMatchObject({
      authorityId: 'northshire',
      forceId: 'northshire-police',
      contactEvery: 'PT3S',
      overdue: false,
      escalatedAt: null,
      spoc: { id: id('spoc@northshire-police') },
      lead: { id: id('staff@northshire') },
    });
    expect(Date.parse(agreement.nextContactDueAt) - Date.parse(agreement.lastContactAt)).toBe(3_000);

    const reminders = [
      'feoa@northshire-police liaison_contact_reminder',
      'spoc@northshire-police liaison_contact_reminder',
      'staff@northshire liaison_contact_reminder',
    ];
    await eventually('the reminders to both sides', async () => (await count(agreement.id, 'liaison_contact_reminder')) === 3, 15_000);
    await eventually('the escalation', async () => (await count(agreement.id, 'liaison_contact_escalation')) === 1, 15_000);
    await pause(2_500);
    expect(await sent(agreement.id)).toEqual([...reminders, 'returning_officer@northshire liaison_contact_escalation']);
    const handle = stack.temporal.workflow.getHandle(liaisonWorkflowId(agreement.id));
    expect(await handle.query(getLiaisonStateQuery)).toMatchObject({ remindersSent: 1, escalations: 1 });
    const [listed] = (await call('get', 'staff@northshire', '/liaison', 200)).filter((a: Json) => a.id === agreement.id);
    expect(listed).toMatchObject({ overdue: true, escalatedAt: expect.any(String) });
    // The reminder reached the force's side too.
    const inbox = await call('get', 'feoa@northshire-police', '/me/notifications', 200);
    expect(inbox.map((n: Json) => n.kind)).toContain('liaison_contact_reminder');

    // The force's SPOC records the contact; the cycle restarts from it.
    const recorded = await call('post', 'spoc@northshire-police', '/liaison/northshire-police/contacts', 201, {
      authorityId: 'northshire',
      by: 'DS Example (SPOC)',
      with: 'Electoral services manager',
      channel: 'phone',
      summary: 'Went through postal vote opening security and the count plan.',
    });
    expect(recorded.agreement).toMatchObject({ overdue: false, escalatedAt: null });
    expect(Date.parse(recorded.agreement.nextContactDueAt) - Date.parse(recorded.contact.at)).toBe(3_000);
    expect(recorded.contact).toMatchObject({ by: 'DS Example (SPOC)', channel: 'phone', recordedBy: id('spoc@northshire-police') });
    await eventually("the next cycle's reminders", async () => (await count(agreement.id, 'liaison_contact_reminder')) === 6, 15_000);
    const detail = await call('get', 'returning_officer@northshire', '/liaison/northshire-police', 200);
    expect(detail.contacts).toEqual([
      expect.objectContaining({ id: recorded.contact.id, summary: 'Went through postal vote opening security and the count plan.' }),
    ]);
    const history = await stack.db.query('SELECT action FROM audit_events WHERE case_id = $1 ORDER BY seq', [agreement.id]);
    expect(history.map((h: Json) => h.action)).toEqual(['liaison.agreed', 'liaison.contact_recorded']);
  });

  it('applies a cadence change at once, reminding the Returning Officer when no lead is named', async () => {
    const weekly = await call('put', 'admin@southvale', '/liaison/southvale-police', 201, agreementBody('southvale-police', { contactEvery: 'P1W' }));
    expect(Date.parse(weekly.nextContactDueAt) - Date.parse(weekly.lastContactAt)).toBe(7 * 86_400_000);
    await pause(1_000);
    expect(await sent(weekly.id)).toEqual([]);
    const changed = await call(
      'put',
      'returning_officer@southvale',
      '/liaison/southvale-police',
      200,
      agreementBody('southvale-police', { contactEvery: 'PT2S' }),
    );
    expect(changed).toMatchObject({ id: weekly.id, contactEvery: 'PT2S', lastContactAt: weekly.lastContactAt, lead: null });
    expect(Date.parse(changed.nextContactDueAt) - Date.parse(weekly.lastContactAt)).toBe(2_000);
    await eventually('the reminder on the new cadence', async () => (await count(weekly.id, 'liaison_contact_reminder')) === 3, 10_000);
    expect((await sent(weekly.id)).slice(0, 3).sort()).toEqual([
      'feoa@southvale-police liaison_contact_reminder',
      'returning_officer@southvale liaison_contact_reminder',
      'spoc@southvale-police liaison_contact_reminder',
    ]);
    const history = await stack.db.query('SELECT action, before, after FROM audit_events WHERE case_id = $1 ORDER BY seq', [weekly.id]);
    expect(history.map((h: Json) => h.action)).toEqual(['liaison.agreed', 'liaison.changed']);
    expect(history[1]).toMatchObject({ before: { contactEvery: 'P1W' }, after: { contactEvery: 'PT2S' } });
  });

  it("keeps each authority's and force's agreements to themselves, and each action to its roles", async () => {
    // Northshire also liaises with the neighbouring force; a weekly cadence keeps this test quiet.
    const cross = await call(
      'put',
      'returning_officer@northshire',
      '/liaison/southvale-police',
      201,
      agreementBody('southvale-police', { contactEvery: 'P1W' }),
    );
    const ids = async (user: string) => (await call('get', user, '/liaison', 200)).map((a: Json) => `${a.authorityId}/${a.forceId}`).sort();
    expect(await ids('legal@northshire')).toEqual(['northshire/northshire-police', 'northshire/southvale-police']);
    expect(await ids('plan_owner@southvale')).toEqual(['southvale/southvale-police']);
    expect(await ids('spoc@southvale-police')).toEqual(['northshire/southvale-police', 'southvale/southvale-police']);
    expect(await ids('feoa@northshire-police')).toEqual(['northshire/northshire-police']);

    // Another authority's or force's agreement is not found.
    await call('get', 'staff@southvale', '/liaison/northshire-police', 404);
    await call('get', 'spoc@northshire-police', '/liaison/southvale-police?authorityId=northshire', 404);
    await call('get', 'spoc@southvale-police', '/liaison/southvale-police?authorityId=northshire', 200);
    await call('get', 'staff@northshire', '/liaison/southvale-police?authorityId=southvale', 404);
    const contact = { by: 'x', with: 'y', channel: 'meeting', summary: 'z' };
    await call('post', 'feoa@northshire-police', '/liaison/southvale-police/contacts', 404, { ...contact, authorityId: 'northshire' });
    await call('post', 'staff@southvale', '/liaison/northshire-police/contacts', 404, contact);
    await call('put', 'returning_officer@northshire', '/liaison/no-such-police', 404, agreementBody('northshire-police'));
    // Roles that the route does not admit.
    for (const user of [
      'staff@northshire',
      'triage@northshire',
      'legal@northshire',
      'plan_owner@northshire',
      'spoc@northshire-police',
      'feoa@northshire-police',
    ]) {
      await call('put', user, '/liaison/northshire-police', 403, agreementBody('northshire-police'));
    }
    for (const user of ['triage@northshire', 'legal@northshire', 'plan_owner@northshire', 'admin@northshire']) {
      await call('post', user, '/liaison/northshire-police/contacts', 403, contact);
    }
    // Bad input names the field and changes nothing.
    const wrongPeople = await call('put', 'returning_officer@northshire', '/liaison/southvale-police', 422, {
      spocId: id('spoc@northshire-police'),
      feoaId: id('spoc@southvale-police'),
      leadId: id('staff@southvale'),
      contactEvery: 'PT1S',
    });
    expect(wrongPeople.details).toEqual([
      { field: 'spocId', problem: 'is not a SPOC of southvale-police', code: 'liaison.not_spoc_of', values: { forceId: 'southvale-police' } },
      { field: 'feoaId', problem: 'is not an FEOA of southvale-police', code: 'liaison.not_feoa_of', values: { forceId: 'southvale-police' } },
      { field: 'leadId', problem: 'is not a user of this authority', code: 'field.not_user_of_authority', values: {} },
    ]);
    const badCadence = await call(
      'put',
      'returning_officer@northshire',
      '/liaison/southvale-police',
      422,
      agreementBody('southvale-police', { contactEvery: 'P1M' }),
    );
    expect(badCadence.details.map((d: Json) => d.field)).toEqual(['contactEvery']);
    const noTenant = await call('post', 'spoc@southvale-police', '/liaison/southvale-police/contacts', 422, contact);
    expect(noTenant.details).toEqual([{ field: 'authorityId', problem: 'is required from a police force', code: 'liaison.authority_required', values: {} }]);
    const future = await call('post', 'staff@northshire', '/liaison/southvale-police/contacts', 422, {
      ...contact,
      at: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(future.details).toEqual([{ field: 'at', problem: 'is in the future', code: 'field.in_future', values: {} }]);
    const badChannel = await call('post', 'staff@northshire', '/liaison/southvale-police/contacts', 422, { ...contact, channel: 'pigeon' });
    expect(badChannel.details.map((d: Json) => d.field)).toEqual(['channel']);
    const after = await call('get', 'returning_officer@northshire', '/liaison/southvale-police', 200);
    expect(after).toMatchObject({ contactEvery: 'P1W', spoc: { id: id('spoc@southvale-police') }, contacts: [] });
    expect(await stack.db.query('SELECT action FROM audit_events WHERE case_id = $1', [cross.id])).toEqual([{ action: 'liaison.agreed' }]);
  });
});

describe('candidate contacts shared with the FEOA', () => {
  const candidate = {
    kind: 'candidate',
    name: 'Jo Candidate',
    electoralArea: 'Castle Ward',
    party: 'Independent',
    email: 'jo@example.org',
    phone: '+44 7700 900123',
    address: '1 High Street, Northshire',
  };
  const share = {
    forceId: 'northshire-police',
    lawfulBasis: 'public_task',
    purpose: 'So the FEOA can send the candidate updated security guidance after reports of intimidation.',
  };

  it("shares only with a lawful basis and purpose, records who, what, when and why, and logs the FEOA's reads", async () => {
    // The first test made northshire's agreement with northshire-police; make sure of it here too.
    const [agreed] = await stack.db.query("SELECT id FROM liaison_agreements WHERE authority_id = 'northshire' AND force_id = 'northshire-police'");
    if (!agreed)
      await call('put', 'returning_officer@northshire', '/liaison/northshire-police', 201, agreementBody('northshire-police', { contactEvery: 'P1W' }));
    const contact = await call('post', 'staff@northshire', '/candidate-contacts', 201, candidate);
    expect(contact).toMatchObject({ ...candidate, id: expect.any(String), authorityId: 'northshire' });
    const agent = await call('post', 'returning_officer@northshire', '/candidate-contacts', 201, {
      kind: 'agent',
      name: 'A. Agent',
      actsFor: 'Jo Candidate',
      phone: '01632 960000',
    });

    // No lawful basis, no purpose, a basis that does not fit: 422 naming the field, nothing shared.
    const { lawfulBasis: _b, ...noBasis } = share;
    expect(fieldsOf(await call('post', 'staff@northshire', `/candidate-contacts/${contact.id}/share`, 422, noBasis))).toEqual(['lawfulBasis']);
    const { purpose: _p, ...noPurpose } = share;
    expect(fieldsOf(await call('post', 'staff@northshire', `/candidate-contacts/${contact.id}/share`, 422, noPurpose))).toEqual(['purpose']);
    expect(
      fieldsOf(await call('post', 'staff@northshire', `/candidate-contacts/${contact.id}/share`, 422, { ...share, lawfulBasis: 'legitimate_interests' })),
    ).toEqual(['lawfulBasis']);
    expect(fieldsOf(await call('post', 'staff@northshire', `/candidate-contacts/${contact.id}/share`, 422, { ...share, purpose: 'because' }))).toEqual([
      'purpose',
    ]);
    expect(
      fieldsOf(await call('post', 'staff@northshire', `/candidate-contacts/${contact.id}/share`, 422, { ...share, fields: ['email', 'dateOfBirth'] })),
    ).toEqual(['fields']);
    expect(await stack.db.query('SELECT id FROM data_sharing_records WHERE contact_id = $1', [contact.id])).toEqual([]);
    expect(await call('get', 'feoa@northshire-police', '/candidate-contacts/shared', 200)).toEqual([]);

    const record = await call('post', 'returning_officer@northshire', `/candidate-contacts/${contact.id}/share`, 201, share);
    expect(record).toMatchObject({
      contactId: contact.id,
      sharedWith: { forceId: 'northshire-police', role: 'feoa' },
      fields: ['kind', 'name', 'electoralArea', 'email', 'phone'],
      lawfulBasis: 'public_task',
      lawfulBasisText: expect.stringContaining('Art. 6(1)(e)'),
      purpose: share.purpose,
      sharedBy: id('returning_officer@northshire'),
      sharedAt: expect.any(String),
    });
    await call('post', 'staff@northshire', `/candidate-contacts/${agent.id}/share`, 201, {
      ...share,
      lawfulBasis: 'consent',
      purpose: 'The agent asked for the FEOA to contact them about security at the count.',
      fields: ['phone'],
    });

    // The FEOA reads what was shared, and only that; nobody else in the force can.
    const seen = await call('get', 'feoa@northshire-police', '/candidate-contacts/shared', 200);
    expect(seen).toHaveLength(2);
    const jo = seen.find((c: Json) => c.contactId === contact.id);
    expect(jo).toEqual({
      contactId: contact.id,
      authorityId: 'northshire',
      kind: 'candidate',
      name: 'Jo Candidate',
      electoralArea: 'Castle Ward',
      email: 'jo@example.org',
      phone: '+44 7700 900123',
      recordId: record.id,
      lawfulBasis: 'public_task',
      purpose: share.purpose,
      sharedAt: record.sharedAt,
    });
    expect(seen.find((c: Json) => c.contactId === agent.id)).toMatchObject({ kind: 'agent', name: 'A. Agent', phone: '01632 960000' });
    expect(seen.find((c: Json) => c.contactId === agent.id)).not.toHaveProperty('actsFor');
    await call('get', 'spoc@northshire-police', '/candidate-contacts/shared', 403);
    expect(await call('get', 'feoa@southvale-police', '/candidate-contacts/shared', 200)).toEqual([]);

    // The data-sharing records, each with the FEOA's reads.
    const records = await call('get', 'legal@northshire', '/data-sharing', 200);
    expect(records.map((r: Json) => r.contactId).sort()).toEqual([contact.id, agent.id].sort());
    const joRecord = records.find((r: Json) => r.id === record.id);
    expect(joRecord.reads).toEqual([{ readerId: id('feoa@northshire-police'), readAt: expect.any(String) }]);
    expect((await call('get', 'returning_officer@northshire', `/data-sharing?contactId=${agent.id}`, 200)).map((r: Json) => r.lawfulBasis)).toEqual([
      'consent',
    ]);
    expect(await call('get', 'returning_officer@southvale', '/data-sharing', 200)).toEqual([]);
    const detail = await call('get', 'staff@northshire', `/candidate-contacts/${contact.id}`, 200);
    expect(detail.sharing).toEqual([expect.objectContaining({ id: record.id })]);
    const history = await stack.db.query('SELECT action, actor FROM audit_events WHERE case_id = $1 ORDER BY seq', [contact.id]);
    expect(history).toEqual([
      { action: 'candidate_contact.created', actor: id('staff@northshire') },
      { action: 'candidate_contact.shared', actor: id('returning_officer@northshire') },
      { action: 'candidate_contact.read_by_recipient', actor: id('feoa@northshire-police') },
    ]);
  });

  it("keeps an authority's candidate contacts and records from other tenants and roles", async () => {
    const contact = await call('post', 'returning_officer@northshire', '/candidate-contacts', 201, { ...candidate, name: 'Sam Other' });
    // Another authority: not found, whatever the route.
    await call('get', 'staff@southvale', `/candidate-contacts/${contact.id}`, 404);
    await call('post', 'returning_officer@southvale', `/candidate-contacts/${contact.id}/share`, 404, { ...share, forceId: 'southvale-police' });
    expect((await call('get', 'staff@southvale', '/candidate-contacts', 200)).map((c: Json) => c.id)).not.toContain(contact.id);
    await call('get', 'staff@northshire', '/candidate-contacts/not-a-uuid', 404);
    // Only to a force the authority has a liaison agreement with.
    const southvaleContact = await call('post', 'staff@southvale', '/candidate-contacts', 201, {
      kind: 'candidate',
      name: 'Lee South',
      email: 'lee@example.org',
    });
    const noAgreement = await call('post', 'staff@southvale', `/candidate-contacts/${southvaleContact.id}/share`, 422, share);
    expect(noAgreement.details).toEqual([
      { field: 'forceId', problem: 'has no liaison agreement with this authority', code: 'contact.force_no_agreement', values: {} },
    ]);
    // A contact needs a way to reach them.
    expect((await call('post', 'staff@northshire', '/candidate-contacts', 422, { kind: 'candidate', name: 'No Way' })).details).toEqual([
      { field: 'email', problem: 'give an email address or a telephone number', code: 'contact.give_email_or_phone', values: {} },
    ]);
    // Roles that the routes do not admit.
    for (const user of [
      'triage@northshire',
      'legal@northshire',
      'plan_owner@northshire',
      'admin@northshire',
      'spoc@northshire-police',
      'feoa@northshire-police',
    ]) {
      await call('post', user, '/candidate-contacts', 403, candidate);
      await call('get', user, '/candidate-contacts', 403);
      await call('get', user, `/candidate-contacts/${contact.id}`, 403);
      await call('post', user, `/candidate-contacts/${contact.id}/share`, 403, share);
    }
    for (const user of [
      'staff@northshire',
      'triage@northshire',
      'plan_owner@northshire',
      'admin@northshire',
      'spoc@northshire-police',
      'feoa@northshire-police',
    ]) {
      await call('get', user, '/data-sharing', 403);
    }
    for (const user of ['staff@northshire', 'returning_officer@northshire', 'legal@northshire', 'admin@northshire', 'spoc@northshire-police']) {
      await call('get', user, '/candidate-contacts/shared', 403);
    }
    expect(await stack.db.query('SELECT id FROM data_sharing_records WHERE contact_id = ANY($1::uuid[])', [[contact.id, southvaleContact.id]])).toEqual([]);
  });
});
