// The web front end's OpenID Connect sign-in (authorization code with PKCE) against a tiny
// identity provider run by the test: discovery, an authorize endpoint that signs a user straight
// in, a token endpoint that checks the PKCE verifier, and its JWKS. The API is configured with
// that provider's JWKS, so the session token is one the API itself accepts.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { loadApiConfigs } from '../apps/api/src/app.factory';
import { nameUuid } from '../libs/auth';
import { ConfigError } from '../libs/config';
import { startTestStack, TestStack } from './support/stack';

let stack: TestStack;
let provider: Server;
let issuer: string;
let base: string;
let privateKey: KeyLike;
const codes = new Map<string, { challenge: string; nonce: string }>();
const tokenRequests: URLSearchParams[] = [];

async function sign(claims: Record<string, unknown>, audience: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-idp' }).setIssuer(issuer).setAudience(audience).setSubject(nameUuid('staff@northshire')).setIssuedAt().setExpirationTime('1h').sign(privateKey);
}

beforeAll(async () => {
  const keys = await generateKeyPair('RS256', { extractable: true });
  privateKey = keys.privateKey;
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'test-idp', alg: 'RS256', use: 'sig' };
  provider = createServer(async (req, res) => {
    const url = new URL(req.url!, issuer);
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks` });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      // The user is already signed in at the provider: a code comes straight back.
      const code = randomBytes(16).toString('hex');
      codes.set(code, { challenge: url.searchParams.get('code_challenge')!, nonce: url.searchParams.get('nonce')! });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.search = new URLSearchParams({ code, state: url.searchParams.get('state')! }).toString();
      return res.writeHead(302, { location: back.toString() }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      tokenRequests.push(form);
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (!grant || createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== grant.challenge) return json(400, { error: 'invalid_grant' });
      const access = await sign({ roles: ['staff'], authorityId: 'northshire', name: 'staff@northshire' }, 'casework-api');
      const id = await sign({ nonce: grant.nonce, name: 'A. Member of staff' }, 'casework-web');
      return json(200, { token_type: 'Bearer', access_token: access, id_token: id, expires_in: 3600 });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  // The web app's port is needed for its redirect URL before it starts: take a free one.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  base = `http://127.0.0.1:${port}`;
  stack = await startTestStack({
    worker: 'none',
    env: { AUTH_JWKS_URL: `${issuer}/jwks`, AUTH_ISSUER: issuer, AUTH_AUDIENCE: 'casework-api', OIDC_ISSUER_URL: issuer, OIDC_CLIENT_ID: 'casework-web', OIDC_REDIRECT_URL: `${base}/sign-in/callback` },
  });
  await stack.app.listen(port, '127.0.0.1');
});

afterAll(async () => {
  await stack?.close();
  await new Promise((r) => provider?.close(r));
});

/** One browser's cookie jar, following no redirects, so each step can be checked. */
function browserLike() {
  const jar = new Map<string, string>();
  return async (url: string) => {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (attributes.some((a) => a.trim() === 'Max-Age=0')) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
}

test('with an identity provider, sign-in is OpenID Connect with PKCE and the session works against the API', async () => {
  const get = browserLike();
  const page = await get(`${base}/sign-in`);
  const html = await page.text();
  expect(html).toContain('Continue to sign in');
  expect(html).not.toContain('staff@northshire');

  const start = await get(`${base}/sign-in/oidc?next=/my-notifications`);
  expect(start.status).toBe(303);
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.origin + authorize.pathname).toBe(`${issuer}/authorize`);
  expect(Object.fromEntries(authorize.searchParams)).toEqual(expect.objectContaining({ response_type: 'code', client_id: 'casework-web', redirect_uri: `${base}/sign-in/callback`, code_challenge_method: 'S256' }));

  const atProvider = await get(authorize.toString());
  const callback = await get(atProvider.headers.get('location')!);
  expect(callback.status).toBe(303);
  expect(callback.headers.get('location')).toBe('/my-notifications');
  expect(tokenRequests.at(-1)!.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);

  const signedIn = await get(`${base}/my-notifications`);
  expect(signedIn.status).toBe(200);
  expect(await signedIn.text()).toContain('You have no notifications');
  // The demo sign-in is not available with an identity provider.
  const demo = await fetch(`${base}/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=staff%40northshire' });
  expect(demo.status).toBe(303);
  expect(demo.headers.get('set-cookie') ?? '').not.toContain('casework_session=ey');
});

test('a callback whose state does not match the sign-in it started is refused', async () => {
  const get = browserLike();
  const start = await get(`${base}/sign-in/oidc`);
  const atProvider = await get(start.headers.get('location')!);
  const back = new URL(atProvider.headers.get('location')!);
  back.searchParams.set('state', 'forged');
  const callback = await get(back.toString());
  expect(callback.status).toBe(400);
  expect(await callback.text()).toContain('did not start here');
  expect((await get(`${base}/my-notifications`)).status).toBe(303);
});

test('start-up refuses an identity provider without the OpenID Connect settings', () => {
  const env = { ...stack.env, AUTH_JWKS_URL: `${issuer}/jwks`, AUTH_ISSUER: issuer, AUTH_AUDIENCE: 'casework-api', OIDC_ISSUER_URL: issuer, OIDC_CLIENT_ID: '', OIDC_REDIRECT_URL: `${base}/sign-in/callback` };
  expect(() => loadApiConfigs(env)).toThrow(ConfigError);
  expect(() => loadApiConfigs(env)).toThrow(/OIDC_CLIENT_ID/);
  expect(() => loadApiConfigs({ ...env, OIDC_CLIENT_ID: 'casework-web', OIDC_REDIRECT_URL: `${base}/elsewhere` })).toThrow(/OIDC_REDIRECT_URL must end in \/sign-in\/callback/);
});
