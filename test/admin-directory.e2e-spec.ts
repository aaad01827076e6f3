// The directory's administration through the API: the national administrator adds a police force,
// an authority and their first admins; an authority's admin manages its users (roles, deactivation)
// and identity-provider mappings, and reads its force's SPOCs and FEOAs; a force's admin manages
// the force's users. Each change is an audit event in the Merkle log of the authority concerned.
import { findDemoUser, loadOrCreateSigningKeys, signToken, SigningKeys } from '@libs/auth';
import { startTestStack, TestStack } from './support/stack';

let stack: TestStack;
let keys: SigningKeys;
type Json = Record<string, any>;

beforeAll(async () => {
  stack = await startTestStack({ worker: 'none' });
  keys = await loadOrCreateSigningKeys(stack.dataDir);
});
afterAll(() => stack?.close());

/** A token for a directory user, as the embedded sign-in page signs one. */
const tokenFor = (u: Json) => signToken(keys, { sub: u.id, roles: u.roles, authorityId: u.authorityId, forceId: u.forceId, name: u.username });
const demo = async (username: string) => `Bearer ${await stack.token(username)}`;
const bearer = async (u: Json) => `Bearer ${await tokenFor(u)}`;
const national = () => demo('national_admin@national');
const auditOf = (authorityId: string, action: string) =>
  stack.db.query(
    'SELECT case_id, seq, actor, role, action, before, after, log_index FROM audit_events WHERE authority_id = $1 AND action = $2 ORDER BY log_index',
    [authorityId, action],
  );

const force = { id: 'westmoor-police', name: 'Westmoor Police' };
const authority = { id: 'westmoor', name: 'Westmoor Borough Council', referencePrefix: 'WM', forceId: 'westmoor-police' };
let westmoorAdmin: Json;
let forceAdmin: Json;

describe('the national administrator', () => {
  it('adds a police force and an authority in its area; duplicates are 409s with the field named', async () => {
    const added = await stack.http
      .post('/admin/forces')
      .set('Authorization', await national())
      .send(force)
      .expect(201);
    expect(added.body).toMatchObject({ ...force, addedBy: findDemoUser('national_admin@national')!.id });
    const again = await stack.http
      .post('/admin/forces')
      .set('Authorization', await national())
      .send(force)
      .expect(409);
    expect(again.body.details).toEqual([{ field: 'id', problem: 'is taken', code: 'field.taken', values: {} }]);

    const unknownForce = await stack.http
      .post('/admin/authorities')
      .set('Authorization', await national())
      .send({ ...authority, forceId: 'nowhere-police' })
      .expect(422);
    expect(unknownForce.body.details).toEqual([{ field: 'forceId', problem: 'is not a police force', code: 'directory.not_force', values: {} }]);
    const made = await stack.http
      .post('/admin/authorities')
      .set('Authorization', await national())
      .send(authority)
      .expect(201);
    expect(made.body).toMatchObject({ ...authority, forceName: 'Westmoor Police' });
    expect(
      (
        await stack.http
          .post('/admin/authorities')
          .set('Authorization', await national())
          .send({ ...authority, referencePrefix: 'WX' })
          .expect(409)
      ).body.details,
    ).toEqual([{ field: 'id', problem: 'is taken', code: 'field.taken', values: {} }]);
    expect(
      (
        await stack.http
          .post('/admin/authorities')
          .set('Authorization', await national())
          .send({ ...authority, id: 'westmoor-two' })
          .expect(409)
      ).body.details,
    ).toEqual([{ field: 'referencePrefix', problem: 'is taken', code: 'field.taken', values: {} }]);

    const list = await stack.http
      .get('/admin/authorities')
      .set('Authorization', await national())
      .expect(200);
    expect(list.body.map((a: Json) => a.id)).toEqual(expect.arrayContaining(['northshire', 'southvale', 'westmoor']));
    expect(
      (
        await stack.http
          .get('/admin/forces')
          .set('Authorization', await national())
          .expect(200)
      ).body.map((f: Json) => f.id),
    ).toContain('westmoor-police');
  });

  it('validates what it is sent, naming each field', async () => {
    const res = await stack.http
      .post('/admin/authorities')
      .set('Authorization', await national())
      .send({ id: 'Bad Id', name: '', referencePrefix: 'wm1', forceId: 'westmoor-police' })
      .expect(422);
    expect(res.body.details.map((d: Json) => d.field).sort()).toEqual(['id', 'name', 'referencePrefix']);
  });

  it("records the authority's creation, with its force, as the first event of the authority's Merkle log", async () => {
    const [event] = await auditOf('westmoor', 'directory.authority_added');
    expect(event).toMatchObject({ seq: 1, role: 'national_admin', log_index: '0', actor: findDemoUser('national_admin@national')!.id });
    expect(event.after).toMatchObject({ authority: { id: 'westmoor', referencePrefix: 'WM' }, force: { id: 'westmoor-police', name: 'Westmoor Police' } });
    // The force's creation, while it covered no authority, went into every authority's log.
    for (const a of ['northshire', 'southvale']) expect(await auditOf(a, 'directory.force_added')).toHaveLength(1);
    const proof = await stack.http.get(`/transparency/westmoor/proofs/inclusion?caseId=${event.case_id}&seq=1`).expect(200);
    expect(proof.body).toMatchObject({ leafIndex: 0 });
  });

  it("adds each new tenant's first admin, naming the tenant; never a national administrator", async () => {
    const add = async (body: Json) =>
      stack.http
        .post('/admin/users')
        .set('Authorization', await national())
        .send(body);
    westmoorAdmin = (
      await add({
        username: 'admin@westmoor',
        displayName: 'Westmoor Admin',
        email: 'admin@westmoor.example.gov.uk',
        roles: ['admin'],
        authorityId: 'westmoor',
      })
    ).body;
    expect(westmoorAdmin).toMatchObject({ username: 'admin@westmoor', authorityId: 'westmoor', roles: ['admin'], active: true });
    forceAdmin = (
      await add({
        username: 'admin@westmoor-police',
        displayName: 'Westmoor Police Admin',
        email: 'admin@westmoor-police.example.gov.uk',
        roles: ['admin'],
        forceId: 'westmoor-police',
      })
    ).body;
    expect(forceAdmin).toMatchObject({ forceId: 'westmoor-police', roles: ['admin'] });
    expect((await add({ username: 'x@westmoor', displayName: 'X', email: 'x@example.gov.uk', roles: ['staff'] })).status).toBe(422);
    expect((await add({ username: 'x@westmoor', displayName: 'X', email: 'x@example.gov.uk', roles: ['staff'], authorityId: 'atlantis' })).status).toBe(422);
    expect(
      (await add({ username: 'x@westmoor', displayName: 'X', email: 'x@example.gov.uk', roles: ['national_admin'], authorityId: 'westmoor' })).status,
    ).toBe(403);
    const listed = await stack.http
      .get('/admin/users?authorityId=westmoor')
      .set('Authorization', await national())
      .expect(200);
    expect(listed.body.map((u: Json) => u.username)).toEqual(['admin@westmoor']);
  });

  it('reads no tenant casework and cannot change a tenant user by id', async () => {
    const auth = await national();
    await stack.http.get('/allegations').set('Authorization', auth).expect(403);
    await stack.http.get(`/admin/users/${westmoorAdmin.id}`).set('Authorization', auth).expect(403);
    await stack.http.post(`/admin/users/${westmoorAdmin.id}/deactivate`).set('Authorization', auth).send({}).expect(403);
  });
});

describe("an authority's admin", () => {
  let clerk: Json;

  it('adds users to their own authority only, with the roles an authority has', async () => {
    const auth = await bearer(westmoorAdmin);
    const body = { username: 'clerk@westmoor', displayName: 'Pat Clerk', email: 'pat.clerk@westmoor.example.gov.uk', roles: ['staff'] };
    clerk = (await stack.http.post('/admin/users').set('Authorization', auth).send(body).expect(201)).body;
    expect(clerk).toMatchObject({ ...body, authorityId: 'westmoor', active: true });
    expect((await stack.http.post('/admin/users').set('Authorization', auth).send(body).expect(409)).body.details).toEqual([
      { field: 'username', problem: 'is taken', code: 'field.taken', values: {} },
    ]);
    expect(
      (
        await stack.http
          .post('/admin/users')
          .set('Authorization', auth)
          .send({ ...body, username: 'spoc@westmoor', roles: ['spoc'] })
          .expect(422)
      ).body.message,
    ).toMatch(/spoc is not a role at an authority/);
    expect(
      (
        await stack.http
          .post('/admin/users')
          .set('Authorization', auth)
          .send({ ...body, username: 'n@westmoor', roles: ['national_admin'] })
          .expect(403)
      ).body.details,
    ).toEqual([{ field: 'roles', problem: 'must not include national_admin' }]);
    await stack.http
      .post('/admin/users')
      .set('Authorization', auth)
      .send({ ...body, username: 'other@northshire', authorityId: 'northshire' })
      .expect(403);
    const [event] = await auditOf('westmoor', 'directory.user_added').then((rows: Json[]) => rows.filter((r) => r.case_id === clerk.id));
    expect(event).toMatchObject({
      role: 'admin',
      actor: westmoorAdmin.id,
      after: { username: 'clerk@westmoor', roles: ['staff'], tenant: 'authority westmoor' },
    });
  });

  it("changes a user's roles, and never their own admin role away", async () => {
    const auth = await bearer(westmoorAdmin);
    const changed = await stack.http
      .put(`/admin/users/${clerk.id}/roles`)
      .set('Authorization', auth)
      .send({ roles: ['staff', 'triage'] })
      .expect(200);
    expect(changed.body.roles).toEqual(['staff', 'triage']);
    const [event] = await auditOf('westmoor', 'directory.user_roles_changed');
    expect(event).toMatchObject({ case_id: clerk.id, before: { roles: ['staff'] }, after: { roles: ['staff', 'triage'] } });
    await stack.http
      .put(`/admin/users/${westmoorAdmin.id}/roles`)
      .set('Authorization', auth)
      .send({ roles: ['staff'] })
      .expect(409);
    await stack.http.put(`/admin/users/${clerk.id}/roles`).set('Authorization', auth).send({ roles: [] }).expect(422);
  });

  it("answers 404 for another tenant's users", async () => {
    const auth = await bearer(westmoorAdmin);
    const northshireStaff = findDemoUser('staff@northshire')!.id;
    await stack.http.get(`/admin/users/${northshireStaff}`).set('Authorization', auth).expect(404);
    await stack.http
      .put(`/admin/users/${northshireStaff}/roles`)
      .set('Authorization', auth)
      .send({ roles: ['staff'] })
      .expect(404);
    await stack.http.post(`/admin/users/${northshireStaff}/deactivate`).set('Authorization', auth).send({}).expect(404);
    await stack.http.get('/admin/users/not-a-uuid').set('Authorization', auth).expect(404);
    const mine = await stack.http.get('/admin/users').set('Authorization', auth).expect(200);
    expect(mine.body.every((u: Json) => u.authorityId === 'westmoor')).toBe(true);
  });

  it('deactivates a user: their token is refused at once, and they can no longer be deactivated or deactivate', async () => {
    const auth = await bearer(westmoorAdmin);
    const clerkToken = await bearer(clerk);
    await stack.http.get('/me/notifications').set('Authorization', clerkToken).expect(200);
    const done = await stack.http.post(`/admin/users/${clerk.id}/deactivate`).set('Authorization', auth).send({}).expect(200);
    expect(done.body).toMatchObject({ active: false, deactivatedBy: westmoorAdmin.id });
    const refused = await stack.http.get('/me/notifications').set('Authorization', clerkToken).expect(401);
    expect(refused.body.details).toEqual([{ field: 'Authorization', problem: 'the user has been deactivated' }]);
    expect((await stack.http.post(`/admin/users/${clerk.id}/deactivate`).set('Authorization', auth).send({}).expect(409)).body.message).toMatch(
      /deactivated already/,
    );
    await stack.http.post(`/admin/users/${westmoorAdmin.id}/deactivate`).set('Authorization', auth).send({}).expect(409);
    expect(await auditOf('westmoor', 'directory.user_deactivated')).toEqual([
      expect.objectContaining({ case_id: clerk.id, after: expect.objectContaining({ active: false }) }),
    ]);
    const listed = await stack.http.get('/admin/users').set('Authorization', auth).expect(200);
    expect(listed.body.map((u: Json) => [u.username, u.active])).toEqual(
      [
        ['admin@westmoor', true],
        ['clerk@westmoor', false],
      ].sort((a, b) => Number(b[1]) - Number(a[1])),
    );
  });

  it('keeps identity-provider mappings for its own authority', async () => {
    const auth = await bearer(westmoorAdmin);
    const body = { claim: 'groups', value: 'westmoor-electoral-triage', roles: ['triage'] };
    const mapping = (await stack.http.post('/admin/identity-mappings').set('Authorization', auth).send(body).expect(201)).body;
    expect(mapping).toMatchObject({ ...body, authorityId: 'westmoor' });
    expect((await stack.http.post('/admin/identity-mappings').set('Authorization', auth).send(body).expect(409)).body.details).toEqual([
      { field: 'value', problem: 'is mapped already', code: 'directory.is_mapped', values: {} },
    ]);
    await stack.http
      .post('/admin/identity-mappings')
      .set('Authorization', auth)
      .send({ ...body, value: 'x', roles: ['national_admin'] })
      .expect(403);
    await stack.http
      .post('/admin/identity-mappings')
      .set('Authorization', auth)
      .send({ ...body, claim: 'bad claim' })
      .expect(422);
    expect((await stack.http.get('/admin/identity-mappings').set('Authorization', auth).expect(200)).body).toEqual([mapping]);
    expect(
      (
        await stack.http
          .get('/admin/identity-mappings')
          .set('Authorization', await demo('admin@northshire'))
          .expect(200)
      ).body,
    ).toEqual([]);
    await stack.http
      .delete(`/admin/identity-mappings/${mapping.id}`)
      .set('Authorization', await demo('admin@northshire'))
      .expect(404);
    await stack.http.delete(`/admin/identity-mappings/${mapping.id}`).set('Authorization', auth).expect(200);
    await stack.http.delete(`/admin/identity-mappings/${mapping.id}`).set('Authorization', auth).expect(404);
    expect((await auditOf('westmoor', 'directory.identity_mapping_added')).length).toBe(1);
    expect((await auditOf('westmoor', 'directory.identity_mapping_removed')).length).toBe(1);
  });
});

describe("a force's admin and the authority's police page", () => {
  it("adds the force's SPOC and FEOA, recorded in the log of the authority the force covers", async () => {
    const auth = await bearer(forceAdmin);
    const spoc = (
      await stack.http
        .post('/admin/users')
        .set('Authorization', auth)
        .send({ username: 'spoc@westmoor-police', displayName: 'DS Sam Spoc', email: 'sam.spoc@westmoor.police.uk', roles: ['spoc'] })
        .expect(201)
    ).body;
    await stack.http
      .post('/admin/users')
      .set('Authorization', auth)
      .send({ username: 'feoa@westmoor-police', displayName: 'Insp Fay Feoa', email: 'fay.feoa@westmoor.police.uk', roles: ['feoa'] })
      .expect(201);
    await stack.http
      .post('/admin/users')
      .set('Authorization', auth)
      .send({ username: 'staff@westmoor-police', displayName: 'S', email: 's@westmoor.police.uk', roles: ['staff'] })
      .expect(422);
    const events = (await auditOf('westmoor', 'directory.user_added')).filter((e: Json) => e.after.subjectId === spoc.id);
    expect(events).toEqual([expect.objectContaining({ role: 'admin', after: expect.objectContaining({ tenant: 'force westmoor-police' }) })]);
    expect(await auditOf('northshire', 'directory.user_added').then((rows: Json[]) => rows.filter((r) => r.after.subjectId === spoc.id))).toEqual([]);
  });

  it("shows the authority's admin their force and its SPOCs and FEOAs, and nobody else's", async () => {
    const police = await stack.http
      .get('/admin/authorities/westmoor/police')
      .set('Authorization', await bearer(westmoorAdmin))
      .expect(200);
    expect(police.body).toMatchObject({ authorityId: 'westmoor', force: { id: 'westmoor-police', name: 'Westmoor Police' } });
    expect(police.body.spocs).toEqual([expect.objectContaining({ displayName: 'DS Sam Spoc', email: 'sam.spoc@westmoor.police.uk' })]);
    expect(police.body.feoas).toEqual([expect.objectContaining({ displayName: 'Insp Fay Feoa' })]);
    await stack.http
      .get('/admin/authorities/westmoor/police')
      .set('Authorization', await demo('admin@northshire'))
      .expect(404);
  });
});
