// The production verifier (an identity provider's JWKS) refuses what the embedded one does:
// alg none, an HMAC keyed with the published public key, an unknown kid, no exp, another issuer
// or audience. The JWKS is served over HTTP from this process.
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, KeyLike, SignJWT } from 'jose';
import { InvalidToken, jwksVerifier, TokenVerifier } from './tokens';

const ISSUER = 'https://idp.example.gov.uk';
const AUDIENCE = 'election-casework';
let server: Server;
let verify: TokenVerifier;
let privateKey: KeyLike;
let publicKey: KeyLike;

beforeAll(async () => {
  ({ privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true }));
  const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
  server = createServer((_req, res) => res.setHeader('Content-Type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  verify = jwksVerifier(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`, ISSUER, AUDIENCE);
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const now = () => Math.floor(Date.now() / 1000);
const claims = (overrides: Record<string, unknown> = {}) => ({ sub: 'u-1', roles: ['triage'], authorityId: 'northshire', iss: ISSUER, aud: AUDIENCE, exp: now() + 600, ...overrides });
const sign = (payload: Record<string, unknown>, kid = 'idp-1') => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('jwksVerifier', () => {
  it('accepts a token signed by the published key', async () => {
    await expect(verify(await sign(claims()))).resolves.toMatchObject({ sub: 'u-1', roles: ['triage'], authorityId: 'northshire' });
  });

  it.each([
    ['alg none', async () => `${b64({ alg: 'none', kid: 'idp-1' })}.${b64(claims())}.`],
    ['HS256 keyed with the published public key', async () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'idp-1' }).sign(new TextEncoder().encode(await exportSPKI(publicKey)))],
    ['an unknown kid', () => sign(claims(), 'idp-2')],
    ['no exp', () => sign(claims({ exp: undefined }))],
    ['expired', () => sign(claims({ exp: now() - 5 }))],
    ['another issuer', () => sign(claims({ iss: 'https://evil.example.com' }))],
    ['another audience', () => sign(claims({ aud: 'another-api' }))],
    ['a NUL in the subject', () => sign(claims({ sub: 'u-1\u0000x' }))],
  ])('refuses %s', async (_name, make) => {
    await expect(verify(await make())).rejects.toThrow(InvalidToken);
  });
});
