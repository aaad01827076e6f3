// The identity-provider mapping end to end: the API verifies a provider's tokens against its JWKS
// (served here by a local HTTP server, the keys made with jose); a token with no `roles` claim
// gets its roles and tenant from the mappings northshire's admin keeps through the API.
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, KeyLike, SignJWT } from 'jose';
import { startTestStack, TestStack } from './support/stack';

const ISSUER = 'https://idp.northshire.example.gov.uk';
const AUDIENCE = 'urn:election-casework:api';
let server: Server;
let stack: TestStack;
let privateKey: KeyLike;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
  server = createServer((_req, res) => res.setHeader('Content-Type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stack = await startTestStack({
    worker: 'none',
    env: {
      AUTH_JWKS_URL: `${base}/jwks.json`,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      OIDC_ISSUER_URL: base,
      OIDC_CLIENT_ID: 'casework-web',
      OIDC_REDIRECT_URL: 'http://127.0.0.1:9/sign-in/callback',
    },
  });
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => server?.close(resolve));
});

const sign = (subject: string, claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(privateKey);
const bearer = async (subject: string, claims: Record<string, unknown>) => `Bearer ${await sign(subject, claims)}`;

describe('identity-provider claims mapped to roles and tenant', () => {
  let admin: string;
  let mappingId: string;

  beforeAll(async () => {
    // The provider puts the project's own claims in the admin's token: read as they are.
    admin = await bearer('ns-admin', { roles: ['admin'], authorityId: 'northshire', name: 'Northshire Admin' });
  });

  it('refuses a token with no roles claim while no mapping matches it', async () => {
    const res = await stack.http
      .get('/allegations')
      .set('Authorization', await bearer('jo', { groups: ['northshire-electoral-staff'] }))
      .expect(401);
    expect(res.body.details[0].problem).toMatch(/none of its claims is mapped to a role/);
  });

  it("gives a token whose groups hold a mapped value the mapping's roles at the admin's authority", async () => {
    const made = await stack.http
      .post('/admin/identity-mappings')
      .set('Authorization', admin)
      .send({ claim: 'groups', value: 'northshire-electoral-staff', roles: ['staff'] })
      .expect(201);
    mappingId = made.body.id;
    await stack.http
      .post('/admin/identity-mappings')
      .set('Authorization', admin)
      .send({ claim: 'department', value: 'legal-services', roles: ['legal'] })
      .expect(201);
    const jo = await bearer('jo', { groups: ['everyone', 'northshire-electoral-staff'], department: 'legal-services' });
    // staff may log allegations and list them; legal may list them too: both roles arrived.
    await stack.http.get('/allegations').set('Authorization', jo).expect(200);
    await stack.http.get('/data-sharing').set('Authorization', jo).expect(200);
    await stack.http.get('/admin/identity-mappings').set('Authorization', jo).expect(403);
  });

  it("never lets another tenant's mapping of the same value widen it: two tenants are refused", async () => {
    const southvaleAdmin = await bearer('sv-admin', { roles: ['admin'], authorityId: 'southvale' });
    await stack.http
      .post('/admin/identity-mappings')
      .set('Authorization', southvaleAdmin)
      .send({ claim: 'groups', value: 'northshire-electoral-staff', roles: ['staff'] })
      .expect(201);
    const res = await stack.http
      .get('/allegations')
      .set('Authorization', await bearer('jo', { groups: ['northshire-electoral-staff'] }))
      .expect(401);
    expect(res.body.details[0].problem).toMatch(/more than one tenant/);
  });

  it('stops giving the roles once the mapping is removed', async () => {
    await stack.http.delete(`/admin/identity-mappings/${mappingId}`).set('Authorization', admin).expect(200);
    // Southvale's mapping of the value remains: the token now maps to southvale's staff only.
    const res = await stack.http.get('/admin/users').set('Authorization', admin).expect(200);
    expect(res.body.every((u: Record<string, unknown>) => u.authorityId === 'northshire')).toBe(true);
    const jo = await bearer('jo', { groups: ['northshire-electoral-staff'] });
    const list = await stack.http.get('/allegations').set('Authorization', jo).expect(200);
    expect(list.body.items.every((a: Record<string, unknown>) => a.authorityId === 'southvale')).toBe(true);
  });

  it("refuses a provider's token whose subject is a deactivated user's username", async () => {
    const user = await stack.http
      .post('/admin/users')
      .set('Authorization', admin)
      .send({ username: 'leaver@northshire', displayName: 'A Leaver', email: 'leaver@northshire.example.gov.uk', roles: ['staff'] })
      .expect(201);
    const leaver = await bearer('leaver@northshire', { roles: ['staff'], authorityId: 'northshire' });
    await stack.http.get('/allegations').set('Authorization', leaver).expect(200);
    await stack.http.post(`/admin/users/${user.body.id}/deactivate`).set('Authorization', admin).send({}).expect(200);
    expect((await stack.http.get('/allegations').set('Authorization', leaver).expect(401)).body.details[0].problem).toBe('the user has been deactivated');
  });
});
