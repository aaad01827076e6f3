// Authentication under attack: tokens that are unsigned, signed with the wrong key or algorithm
// (the RS public key used as an HMAC secret), expired, not yet valid, for another issuer or
// audience, naming an unknown key, or altered after signing. Each gets 401 and nothing is
// written. Who may call what, route by route, is test/route-access.e2e-spec.ts.
import { exportSPKI, SignJWT } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_USERS, EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, findDemoUser, loadOrCreateSigningKeys, signToken, SigningKeys } from '@libs/auth';
import { DataSource } from 'typeorm';
import { runInTenantScope } from '@libs/persistence';
import { allegationBody, startTestStack, TestStack } from './support/stack';

let stack: TestStack;
let keys: SigningKeys;

beforeAll(async () => {
  stack = await startTestStack({ worker: 'none' });
  keys = await loadOrCreateSigningKeys(stack.dataDir);
});
afterAll(() => stack?.close());

const as = async (username: string) => `Bearer ${await stack.token(username)}`;
const staff = findDemoUser('staff@northshire')!;
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** The claims of a valid staff token, for the cases below to spoil one at a time. */
const claims = (overrides: Record<string, unknown> = {}) => ({
  sub: staff.id,
  roles: ['staff'],
  authorityId: 'northshire',
  iss: EMBEDDED_ISSUER,
  aud: EMBEDDED_AUDIENCE,
  iat: now(),
  exp: now() + 3600,
  ...overrides,
});
const signed = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT', ...header } as { alg: string }).sign(keys.privateKey);

const HOSTILE: [string, () => Promise<string>][] = [
  ['unsigned (alg: none)', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims({ roles: ['admin'] }))}.`],
  [
    'unsigned (alg: none) with a signature left on',
    async () => {
      const [, payload, signature] = (await signed(claims())).split('.');
      return `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.${signature}`;
    },
  ],
  [
    'HS256 with the RS public key as the secret (key confusion)',
    async () => {
      const secret = new TextEncoder().encode(await exportSPKI(keys.publicKey));
      return new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: keys.kid, typ: 'JWT' }).sign(secret);
    },
  ],
  [
    'signed by another RSA key',
    async () => new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: keys.kid }).sign(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
  ],
  ['expired', () => signed(claims({ iat: now() - 7200, exp: now() - 60 }))],
  ['not yet valid (nbf in the future)', () => signed(claims({ nbf: now() + 600 }))],
  ['without an expiry', () => signed(claims({ exp: undefined }))],
  ['for another issuer', () => signed(claims({ iss: 'https://idp.example.com' }))],
  ['for another audience', () => signed(claims({ aud: 'another-api' }))],
  ['naming an unknown key id', () => signed(claims(), { kid: 'embedded-rotated-away' })],
  ['naming no key id', () => signed(claims(), { kid: undefined })],
  [
    'with its payload altered after signing (roles: admin)',
    async () => {
      const [header, , signature] = (await signed(claims())).split('.');
      return `${header}.${b64(claims({ roles: ['admin', 'staff'] }))}.${signature}`;
    },
  ],
  ['with its signature cut off', async () => (await signed(claims())).split('.').slice(0, 2).join('.') + '.'],
  ['naming both an authority and a force', () => signed(claims({ forceId: 'northshire-police' }))],
  ['naming no tenant, without being the national administrator', () => signed(claims({ roles: ['admin'], authorityId: undefined }))],
  ['national_admin with a tenant', () => signed(claims({ roles: ['national_admin'] }))],
  ['national_admin with another role', () => signed(claims({ roles: ['national_admin', 'staff'], authorityId: undefined }))],
  ['with no known role', () => signed(claims({ roles: ['superuser'] }))],
];

describe('authentication', () => {
  it('401 without a token or with another scheme, and asks for a bearer token', async () => {
    const none = await stack.http.get('/allegations').expect(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.body).toMatchObject({ statusCode: 401, details: [{ field: 'Authorization', problem: 'is missing' }] });
    await stack.http.get('/allegations').set('Authorization', 'Basic c3RhZmY6c3RhZmY=').expect(401);
    await stack.http.get('/allegations').set('Authorization', 'Bearer').expect(401);
  });

  it('a valid token gets through (the cases below differ from it in one way each)', async () => {
    await stack.http
      .get('/allegations')
      .set('Authorization', `Bearer ${await signed(claims())}`)
      .expect(200);
  });

  it.each(HOSTILE)('401 for a token %s, and nothing is written', async (_name, make) => {
    const count = async () =>
      (await stack.db.query('SELECT (SELECT count(*) FROM allegations)::int AS cases, (SELECT count(*) FROM audit_events)::int AS events'))[0];
    const before = await count();
    const token = await make();
    const read = await stack.http.get('/allegations').set('Authorization', `Bearer ${token}`);
    expect(read.status).toBe(401);
    expect(read.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(read.body).toMatchObject({ statusCode: 401, details: [{ field: 'Authorization' }] });
    const write = await stack.http.post('/allegations').set('Authorization', `Bearer ${token}`).send(allegationBody());
    expect(write.status).toBe(401);
    expect(await count()).toEqual(before);
  });

  it('401 for a token signed by a key the server does not have says so, without naming the server’s key', async () => {
    // What `npm run -s token -- --create-key` does with a DATA_DIR other than the server's.
    const otherDir = mkdtempSync(join(tmpdir(), 'casework-other-key-'));
    try {
      const otherKeys = await loadOrCreateSigningKeys(otherDir);
      const token = await signToken(otherKeys, { sub: staff.id, roles: ['staff'], authorityId: 'northshire' });
      const res = await stack.http.get('/allegations').set('Authorization', `Bearer ${token}`).expect(401);
      expect(res.body.message).toMatch(/^the bearer token is not valid: it was signed with a key this server does not know \(.*DATA_DIR.*\)$/);
      expect(res.body.details).toEqual([
        { field: 'Authorization', problem: `was signed with a key this server does not have (key id ${JSON.stringify(otherKeys.kid)})` },
      ]);
      expect(JSON.stringify(res.body)).not.toContain(keys.kid);
      // A bad signature under the server's own key id is not called an unknown key.
      const forged = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
        .sign(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
      const bad = await stack.http.get('/allegations').set('Authorization', `Bearer ${forged}`).expect(401);
      expect(bad.body.message).toBe('the bearer token is not valid');
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('lets anyone read /health without a token', async () => {
    await stack.http.get('/health').expect(200);
  });
});

describe('the national administrator', () => {
  const nationalAdmin = findDemoUser('national_admin@national')!;

  it('has no tenant: refused every case route, and row-level security shows its scope no tenant rows', async () => {
    const staffAuth = await as('staff@northshire');
    const made = await stack.http
      .post('/allegations')
      .set('Authorization', staffAuth)
      .set('Idempotency-Key', 'national-admin-rls')
      .send(allegationBody())
      .expect(201);
    const auth = await as('national_admin@national');
    await stack.http.get('/allegations').set('Authorization', auth).expect(403);
    await stack.http.get(`/allegations/${made.body.id}`).set('Authorization', auth).expect(403);
    await stack.http.get('/allegations/search?q=postal').set('Authorization', auth).expect(403);
    await stack.http.get('/risks').set('Authorization', auth).expect(403);
    await stack.http.get('/admin/policies/northshire').set('Authorization', auth).expect(403);
    // What the API's database role sees in the scope the interceptor gives this principal.
    const api = stack.app.get(DataSource);
    await runInTenantScope({ userId: nationalAdmin.id }, async () => {
      for (const table of ['allegations', 'audit_events', 'policies', 'risks', 'identity_mappings', 'merkle_logs']) {
        expect({ table, rows: (await api.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n }).toEqual({ table, rows: 0 });
      }
    });
    expect((await stack.db.query('SELECT count(*)::int AS n FROM allegations'))[0].n).toBeGreaterThan(0);
  });
});

describe('record ids', () => {
  it('404 for a case id that does not exist or is not a UUID', async () => {
    const auth = await as('staff@northshire');
    await stack.http.get('/allegations/00000000-0000-4000-8000-000000000000').set('Authorization', auth).expect(404);
    await stack.http.get('/allegations/not-a-uuid').set('Authorization', auth).expect(404);
  });

  it('every demo user has a token that works', async () => {
    for (const user of DEMO_USERS)
      await stack.http
        .get('/me/notifications')
        .set('Authorization', await as(user.username))
        .expect(200);
  });
});
