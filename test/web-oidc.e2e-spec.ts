// Sign-in with an identity provider, against a real OpenID provider (panva's oidc-provider,
// configured in test/support/oidc-provider.ts) and a real browser (Chromium): the web front end's
// authorization code flow with PKCE, the API verifying the provider's access tokens against its
// JWKS (AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE), the provider's keys rotated mid-run, sign-out
// ending the provider's session (RP-initiated logout), and tokens for another issuer or audience
// refused. The tests run in order and share the provider, the stack and the browser.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadApiConfigs } from '@apps/api/src/app.factory';
import { findDemoUser } from '@libs/auth';
import { ConfigError } from '@libs/config';
import { launchBrowser } from './support/browser';
import { API_AUDIENCE, CASEWORK_SCOPE, startIdentityProvider, TestIdentityProvider, WEB_CLIENT_ID } from './support/oidc-provider';
import { eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;
let idp: TestIdentityProvider;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  // The web app's port is needed for its redirect URL (registered with the provider) before it starts.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  base = `http://127.0.0.1:${port}`;
  idp = await startIdentityProvider({ webBase: base });
  stack = await startTestStack({
    worker: 'none',
    env: {
      AUTH_JWKS_URL: idp.jwksUrl,
      AUTH_ISSUER: idp.issuer,
      AUTH_AUDIENCE: API_AUDIENCE,
      // The JWKS is fetched again after a second, so a key the provider drops is refused at once.
      AUTH_JWKS_CACHE_SECONDS: '1',
      OIDC_ISSUER_URL: idp.issuer,
      OIDC_CLIENT_ID: WEB_CLIENT_ID,
      OIDC_REDIRECT_URL: `${base}/sign-in/callback`,
      OIDC_SCOPES: `openid profile ${CASEWORK_SCOPE}`,
    },
  });
  await stack.app.listen(port, '127.0.0.1');
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.close();
  await idp?.close();
});

async function freshPage(): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  return context.newPage();
}

/** The provider's login page: the user types their username and signs in. */
async function loginAtProvider(page: Page, username: string): Promise<void> {
  await page.waitForURL((url) => url.origin === idp.issuer && url.pathname.startsWith('/interaction/'));
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function sessionToken(page: Page): Promise<string> {
  const cookie = (await page.context().cookies(base)).find((c) => c.name === 'casework_session');
  if (!cookie) throw new Error('no session cookie');
  return decodeURIComponent(cookie.value);
}

const api = (token: string) => stack.http.get('/me/notifications').set('Authorization', `Bearer ${token}`);

let staffPage: Page;
let staffToken: string;
let spocPage: Page;
let spocToken: string;

test('sign-in is the authorization code flow with PKCE through the provider, and the session works against the API', async () => {
  staffPage = await freshPage();
  const authorizeRequests: URL[] = [];
  staffPage.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin === idp.issuer && url.pathname === '/auth') authorizeRequests.push(url);
  });
  await staffPage.goto(`${base}/my-notifications`);
  await staffPage.waitForURL(`${base}/sign-in?next=%2Fmy-notifications`);
  // No demo users are offered with an identity provider.
  expect(await staffPage.locator('main').innerText()).not.toContain('staff@northshire');
  await staffPage.getByRole('button', { name: 'Continue to sign in' }).click();
  await loginAtProvider(staffPage, 'staff@northshire');
  await staffPage.waitForURL(`${base}/my-notifications`);
  expect(await staffPage.locator('main').innerText()).toContain('You have no notifications');

  const authorize = Object.fromEntries(authorizeRequests[0].searchParams);
  expect(authorize).toEqual(
    expect.objectContaining({ response_type: 'code', client_id: WEB_CLIENT_ID, redirect_uri: `${base}/sign-in/callback`, code_challenge_method: 'S256' }),
  );
  expect(authorize.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);

  // The session is the provider's access token for the API, carrying the project's claims.
  staffToken = await sessionToken(staffPage);
  expect(decodeProtectedHeader(staffToken).kid).toBe(idp.kids()[0]);
  expect(decodeJwt(staffToken)).toEqual(
    expect.objectContaining({ iss: idp.issuer, aud: API_AUDIENCE, sub: findDemoUser('staff@northshire')!.id, roles: ['staff'], authorityId: 'northshire' }),
  );
  expect((await api(staffToken)).status).toBe(200);

  // The demo sign-in is not available with an identity provider.
  const demo = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=staff%40northshire',
  });
  expect(demo.status).toBe(303);
  expect(demo.headers.get('set-cookie') ?? '').not.toContain('casework_session=ey');
});

test('a callback whose state does not match the sign-in it started is refused', async () => {
  const page = await freshPage();
  await page.goto(`${base}/sign-in/oidc`);
  await page.waitForURL((url) => url.origin === idp.issuer && url.pathname.startsWith('/interaction/'));
  // Meanwhile another sign-in starts in the same browser (another tab, or a page that set one off):
  // its state is the one the browser now holds, so the first one's callback does not match it.
  const other = await page.context().request.get(`${base}/sign-in/oidc`, { maxRedirects: 0 });
  expect(other.status()).toBe(303);
  await loginAtProvider(page, 'triage@northshire');
  await page.waitForURL((url) => url.origin === base && url.pathname === '/sign-in/callback');
  expect(await page.locator('#sign-in-problem').innerText()).toContain('did not start here');
  expect((await page.context().cookies(base)).map((c) => c.name)).not.toContain('casework_session');
});

test('the provider rotates its signing key: the new key is accepted once the API refetches the JWKS, a removed key is refused', async () => {
  const [oldKid] = idp.kids();
  const newKid = await idp.rotateKeys();

  // A police user signs in: the provider signs with the new key, which the API has not seen yet.
  spocPage = await freshPage();
  await spocPage.goto(`${base}/sign-in/oidc?next=/my-notifications`);
  await loginAtProvider(spocPage, 'spoc@northshire-police');
  await spocPage.waitForURL(`${base}/my-notifications`);
  spocToken = await sessionToken(spocPage);
  expect(decodeProtectedHeader(spocToken).kid).toBe(newKid);
  expect(decodeJwt(spocToken)).toEqual(expect.objectContaining({ roles: ['spoc'], forceId: 'northshire-police' }));
  expect(decodeJwt(spocToken).authorityId).toBeUndefined();
  expect((await api(spocToken)).status).toBe(200);
  // The old key is still published, so the sessions it signed go on working.
  expect((await api(staffToken)).status).toBe(200);

  // The provider stops publishing the old key: its tokens are refused, the new key's are not.
  await idp.removeKey(oldKid);
  const refused = await eventually('the removed key refused', async () => {
    const res = await api(staffToken);
    return res.status === 401 && res;
  });
  expect(refused.body).toEqual(expect.objectContaining({ statusCode: 401 }));
  expect((await api(spocToken)).status).toBe(200);
  // In the browser, the session signed by the removed key is over.
  await staffPage.goto(`${base}/my-notifications`);
  await staffPage.waitForURL((url) => url.pathname === '/sign-in');
  await spocPage.goto(`${base}/my-notifications`);
  expect(new URL(spocPage.url()).pathname).toBe('/my-notifications');
});

test('tokens signed by the provider but for another issuer or another audience are refused', async () => {
  const user = findDemoUser('staff@northshire')!;
  const claims = { roles: user.roles, authorityId: user.authorityId };
  const right = await idp.sign(claims, { issuer: idp.issuer, audience: API_AUDIENCE, subject: user.id });
  expect((await api(right)).status).toBe(200);
  for (const token of [
    await idp.sign(claims, { issuer: 'https://another-idp.example', audience: API_AUDIENCE, subject: user.id }),
    await idp.sign(claims, { issuer: idp.issuer, audience: 'urn:another:api', subject: user.id }),
    await idp.sign(claims, { issuer: idp.issuer, audience: WEB_CLIENT_ID, subject: user.id }),
  ]) {
    const res = await api(token);
    expect({ status: res.status, body: res.body.statusCode }).toEqual({ status: 401, body: 401 });
  }
});

test('signing out ends the provider session too (RP-initiated logout), so the next sign-in asks who you are', async () => {
  await spocPage.goto(`${base}/my-notifications`);
  await spocPage.getByRole('button', { name: 'Sign out' }).click();
  // The provider asks for confirmation at its end-session endpoint, then sends the browser back.
  await spocPage.waitForURL((url) => url.origin === idp.issuer);
  await spocPage.getByRole('button', { name: 'Yes, sign me out' }).click();
  await spocPage.waitForURL(`${base}/sign-in`);
  expect((await spocPage.context().cookies(base)).map((c) => c.name)).not.toContain('casework_session');
  await spocPage.goto(`${base}/my-notifications`);
  await spocPage.waitForURL((url) => url.pathname === '/sign-in');
  // Without the provider's session the provider asks for the username again.
  await spocPage.getByRole('button', { name: 'Continue to sign in' }).click();
  await spocPage.waitForURL((url) => url.origin === idp.issuer && url.pathname.startsWith('/interaction/'));
  expect(await spocPage.getByLabel('Username').count()).toBe(1);
});

test('start-up refuses an identity provider without the OpenID Connect settings', () => {
  const env = {
    ...stack.env,
    AUTH_JWKS_URL: idp.jwksUrl,
    AUTH_ISSUER: idp.issuer,
    AUTH_AUDIENCE: API_AUDIENCE,
    OIDC_ISSUER_URL: idp.issuer,
    OIDC_CLIENT_ID: '',
    OIDC_REDIRECT_URL: `${base}/sign-in/callback`,
  };
  expect(() => loadApiConfigs(env)).toThrow(ConfigError);
  expect(() => loadApiConfigs(env)).toThrow(/OIDC_CLIENT_ID/);
  expect(() => loadApiConfigs({ ...env, OIDC_CLIENT_ID: WEB_CLIENT_ID, OIDC_REDIRECT_URL: `${base}/elsewhere` })).toThrow(
    /OIDC_REDIRECT_URL must end in \/sign-in\/callback/,
  );
  expect(() => loadApiConfigs({ ...env, OIDC_CLIENT_ID: WEB_CLIENT_ID, AUTH_JWKS_CACHE_SECONDS: 'soon' })).toThrow(/AUTH_JWKS_CACHE_SECONDS/);
});
