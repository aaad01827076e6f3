// Who may do what: 401 without a valid token, 403 for a role the route does not allow, 404 (never
// 403) for another tenant's records, across both tenants and every role.
import { SignJWT } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { DEMO_USERS } from '../libs/auth';
import { allegationBody, startTestStack, TestStack } from './support/stack';

let stack: TestStack;
let caseId: string;

beforeAll(async () => {
  stack = await startTestStack({ worker: 'none' });
  // A northshire case; the worker is not needed to read it.
  const res = await stack.http.post('/allegations').set('Authorization', `Bearer ${await stack.token('staff@northshire')}`).send(allegationBody());
  caseId = res.body.id;
});
afterAll(() => stack?.close());

const as = async (username: string) => `Bearer ${await stack.token(username)}`;

describe('authentication', () => {
  it('401 without a token, with a malformed one, or one signed by another key', async () => {
    await stack.http.get('/allegations').expect(401);
    await stack.http.get('/allegations').set('Authorization', 'Basic abc').expect(401);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new SignJWT({ roles: ['staff'], authorityId: 'northshire' })
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject(DEMO_USERS[0].id)
      .setIssuer('election-casework-embedded')
      .setAudience('election-casework-api')
      .setExpirationTime('1h')
      .sign(privateKey);
    const res = await stack.http.get('/allegations').set('Authorization', `Bearer ${forged}`).expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, details: [{ field: 'Authorization' }] });
  });

  it('401 for an unsigned token (alg: none)', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: DEMO_USERS[0].id, roles: ['admin'], authorityId: 'northshire', iss: 'election-casework-embedded', aud: 'election-casework-api' })}.`;
    await stack.http.get('/allegations').set('Authorization', `Bearer ${unsigned}`).expect(401);
  });

  it('lets anyone read /health without a token', async () => {
    await stack.http.get('/health').expect(200);
  });
});

let fixture: { itemId: string; packageId: string } | undefined;
/** An evidence item and a sealed package of the northshire case, written straight to the database. */
async function evidenceFixture() {
  if (fixture) return fixture;
  const itemId = '5b1c8f3e-0000-4000-8000-000000000001';
  const packageId = '5b1c8f3e-0000-4000-8000-000000000002';
  await stack.db.query(
    `INSERT INTO evidence_items (id, case_id, authority_id, kind, description, content_type, size, sha256, holder, status, created_by)
     VALUES ($1, $2, 'northshire', 'digital', 'fixture', 'text/plain', 1, $3, 'staff@northshire', 'held', $4)`,
    [itemId, caseId, 'a'.repeat(64), DEMO_USERS[0].id],
  );
  await stack.db.query(
    `INSERT INTO evidence_packages (id, case_id, authority_id, force_id, status, manifest, manifest_sha256, created_by) VALUES ($1, $2, 'northshire', 'northshire-police', 'sealed', '{"items":[]}', $3, $4)`,
    [packageId, caseId, 'b'.repeat(64), DEMO_USERS[0].id],
  );
  fixture = { itemId, packageId };
  return fixture;
}

/** Every decision route, the roles it admits, and a body it accepts. */
const DECISIONS = [
  { path: 'triage', roles: ['triage'], body: { decision: 'resolve', resolution: 'advice', note: 'x' } },
  { path: 'referral/accept', roles: ['spoc'], body: { crimeReference: 'X1' } },
  { path: 'referral/return', roles: ['spoc'], body: { reasonCode: 'other', note: 'x' } },
  { path: 'referral/updates', roles: ['spoc'], body: { note: 'x' } },
  { path: 'referral/outcome', roles: ['spoc'], body: { outcome: 'caution', note: 'x' } },
  { path: 'information', roles: ['staff', 'triage'], body: { note: 'x' } },
  { path: 'close', roles: ['triage', 'returning_officer'], body: { outcome: 'caution', note: 'x' } },
  { path: 'withdraw', roles: ['staff', 'triage'], body: { note: 'x' } },
  { path: 'statutory-extension', roles: ['triage', 'returning_officer'], body: { note: 'x' } },
];

describe('roles and tenants, for every demo user', () => {
  const readers = ['staff', 'triage', 'returning_officer', 'legal'];
  const historyReaders = ['triage', 'returning_officer', 'legal'];

  it.each(DEMO_USERS.map((u) => [u.username]))('%s gets exactly what its role and tenant allow', async (username) => {
    const user = DEMO_USERS.find((u) => u.username === username)!;
    const role = user.roles[0];
    const auth = await as(username);
    const own = user.authorityId === 'northshire';

    const create = await stack.http.post('/allegations').set('Authorization', auth).send(allegationBody());
    expect(create.status).toBe(role === 'staff' ? 201 : 403);

    const list = await stack.http.get('/allegations').set('Authorization', auth);
    expect(list.status).toBe(readers.includes(role) ? 200 : 403);
    if (list.status === 200) {
      const ids = list.body.items.map((a: { id: string }) => a.id);
      expect(ids.includes(caseId)).toBe(own);
    }

    // Not referred to any force yet: only northshire's own readers see it; everyone else gets 404 or 403.
    const get = await stack.http.get(`/allegations/${caseId}`).set('Authorization', auth);
    const canReadCases = [...readers, 'spoc', 'feoa'].includes(role);
    expect(get.status).toBe(!canReadCases ? 403 : own && readers.includes(role) ? 200 : 404);

    const history = await stack.http.get(`/allegations/${caseId}/history`).set('Authorization', auth).set('X-Access-Reason', 'access matrix test');
    expect(history.status).toBe(!historyReaders.includes(role) ? 403 : own ? 200 : 404);
    const verify = await stack.http.get(`/allegations/${caseId}/history/verify`).set('Authorization', auth);
    expect(verify.status).toBe(!historyReaders.includes(role) ? 403 : own ? 200 : 404);

    const policy = await stack.http.get('/admin/policies/northshire').set('Authorization', auth);
    expect(policy.status).toBe(user.forceId ? 403 : own ? 200 : 404);
    const patch = await stack.http.patch('/admin/policies/northshire').set('Authorization', auth).send({ remindBefore: ['PT2H'] });
    expect(patch.status).toBe(role !== 'admin' ? 403 : own ? 200 : 404);

    const notifications = await stack.http.get('/me/notifications').set('Authorization', auth);
    expect(notifications.status).toBe(200);

    for (const route of DECISIONS) {
      const url = `/allegations/${caseId}/${route.path}`;
      const allowed = route.roles.includes(role);
      // An empty body: 403 for a role the route does not allow, else 422 (the body is checked before the case).
      const empty = await stack.http.post(url).set('Authorization', auth).send({});
      expect([route.path, empty.status]).toEqual([route.path, allowed ? 422 : 403]);
      // A valid body from an allowed role of another tenant, or a force the case was never referred to: 404.
      // (The own tenant's decisions need the worker; test/lifecycle.e2e-spec.ts makes them.)
      if (allowed && !own) {
        const other = await stack.http.post(url).set('Authorization', auth).send(route.body);
        expect([route.path, other.status]).toEqual([route.path, 404]);
      }
    }
  });

  it.each(DEMO_USERS.map((u) => [u.username]))('%s reaches evidence and packages only of its own tenant', async (username) => {
    const user = DEMO_USERS.find((u) => u.username === username)!;
    const role = user.roles[0];
    const auth = await as(username);
    const own = user.authorityId === 'northshire';
    const { itemId, packageId } = await evidenceFixture();
    const caseReaders = ['staff', 'triage', 'returning_officer', 'legal', 'spoc', 'feoa'];
    const expectRead = (status: number, allowed: string[]) => expect(status).toBe(!allowed.includes(role) ? 403 : own && readers.includes(role) ? 200 : 404);
    expectRead((await stack.http.get(`/evidence/${itemId}`).set('Authorization', auth)).status, caseReaders);
    expectRead((await stack.http.get(`/packages/${packageId}`).set('Authorization', auth)).status, caseReaders);
    expectRead((await stack.http.get(`/packages/${packageId}/download`).set('Authorization', auth)).status, ['triage', 'returning_officer', 'legal', 'spoc']);
    const content = await stack.http.get(`/evidence/${itemId}/content`).set('Authorization', auth);
    // the fixture has no stored bytes: 410 for those who may see it
    expect(content.status).toBe(!caseReaders.includes(role) ? 403 : own && readers.includes(role) ? 410 : 404);
    // Writes: 403 for a role the route does not admit; 404 for other tenants (own-tenant writes are in their own specs).
    const writes: [string, string[], object][] = [
      [`/evidence/${itemId}/custody`, ['staff', 'triage', 'spoc'], { action: 'examined', from: 'nobody', note: 'x' }],
      [`/evidence/${itemId}/legal-hold`, ['legal', 'returning_officer'], { hold: true, reason: 'x' }],
      [`/evidence/${itemId}/dispose`, ['returning_officer'], { note: 'x' }],
      [`/packages/${packageId}/handover`, ['triage'], {}],
      [`/packages/${packageId}/acknowledge`, ['spoc'], {}],
      [`/allegations/${caseId}/packages`, ['triage'], { evidenceIds: [itemId] }],
      [`/allegations/${caseId}/evidence`, ['staff', 'triage', 'spoc'], { kind: 'physical', description: 'x', sealNumber: 'S', location: 'L' }],
    ];
    for (const [url, allowed, body] of writes) {
      if (allowed.includes(role) && own) continue;
      const res = await stack.http.post(url).set('Authorization', auth).send(body);
      if (!allowed.includes(role)) expect([url, res.status]).toEqual([url, 403]);
      else if (!own) expect([url, res.status]).toEqual([url, 404]);
    }
  });

  it('404 for a case id that does not exist or is not a UUID', async () => {
    const auth = await as('staff@northshire');
    await stack.http.get('/allegations/00000000-0000-4000-8000-000000000000').set('Authorization', auth).expect(404);
    await stack.http.get('/allegations/not-a-uuid').set('Authorization', auth).expect(404);
  });

  it('the SPOC of the force a case is referred to sees it; the other force does not', async () => {
    await stack.db.query("UPDATE allegations SET referred_force_id = 'northshire-police' WHERE id = $1", [caseId]);
    await stack.http.get(`/allegations/${caseId}`).set('Authorization', await as('spoc@northshire-police')).expect(200);
    await stack.http.get(`/allegations/${caseId}`).set('Authorization', await as('feoa@northshire-police')).expect(200);
    await stack.http.get(`/allegations/${caseId}`).set('Authorization', await as('spoc@southvale-police')).expect(404);
    await stack.db.query('UPDATE allegations SET referred_force_id = NULL WHERE id = $1', [caseId]);
  });
});
