// A real OpenID provider for the tests: panva's oidc-provider (a certified OpenID Connect
// implementation), configured here and run by test/support/oidc-provider-process.mjs in a child
// process (it is an ES module only; Jest on Node 20 cannot load one). It plays the part of the
// organisation's identity provider, configured as docs/operators/identity-provider.md asks:
//
// - one public client for the web front end (casework-web): authorization code with PKCE (S256,
//   required), its callback and its post-logout page registered;
// - the API as a resource server (RFC 8707 resource indicator), so the access token is a JWT with
//   aud = the API's audience, signed RS256 by the provider's current key;
// - the project's claims: `roles`, and `authorityId` or `forceId`, from the account, put into the
//   access token (what the API reads) and released in the ID token and userinfo under the
//   `casework` scope; `name` under `profile`;
// - every demo user (libs/auth) as an account whose username is its login; the login prompt is a
//   one-field form (no password), consent is granted at once;
// - an in-memory adapter, one store for the provider's process, so sessions, codes and grants
//   survive a key rotation (which replaces the Provider: its keys are fixed when it is made).
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import { DEMO_USERS } from '@libs/auth';

export const WEB_CLIENT_ID = 'casework-web';
/** the API's resource indicator and audience (AUTH_AUDIENCE) */
export const API_AUDIENCE = 'urn:election-casework:api';
/** the scope that releases the casework claims, and the API's own scope */
export const CASEWORK_SCOPE = 'casework';

export interface IdentityProviderOptions {
  /** the web front end's origin, e.g. http://127.0.0.1:4321: its callback and post-logout page are registered */
  webBase: string;
}

export interface TestIdentityProvider {
  issuer: string;
  jwksUrl: string;
  /** key ids published, the signing key first */
  kids(): string[];
  /** adds a new signing key; the old one stays published (so its tokens still verify) until removed */
  rotateKeys(): Promise<string>;
  /** stops publishing a key: tokens it signed must be refused once the API refetches the JWKS */
  removeKey(kid: string): Promise<void>;
  /** a JWT signed with the provider's current key, with the claims given (for issuer/audience checks) */
  sign(claims: Record<string, unknown>, options: { issuer: string; audience: string; subject: string }): Promise<string>;
  close(): Promise<void>;
}

function newKey(): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: `test-idp-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };
}

export async function startIdentityProvider(options: IdentityProviderOptions): Promise<TestIdentityProvider> {
  const config = {
    clients: [
      {
        client_id: WEB_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [`${options.webBase}/sign-in/callback`],
        post_logout_redirect_uris: [`${options.webBase}/sign-in`],
      },
    ],
    accounts: Object.fromEntries(
      DEMO_USERS.map((u) => [
        u.username,
        {
          accountId: u.id,
          claims: { name: u.username, email: u.email, roles: u.roles, ...(u.authorityId ? { authorityId: u.authorityId } : { forceId: u.forceId }) },
        },
      ]),
    ),
    claimsByScope: { openid: ['sub'], profile: ['name'], email: ['email'], [CASEWORK_SCOPE]: ['roles', 'authorityId', 'forceId'] },
    resource: { indicator: API_AUDIENCE, audience: API_AUDIENCE, scope: CASEWORK_SCOPE, tokenClaims: ['roles', 'authorityId', 'forceId', 'name'] },
    cookieKeys: [randomBytes(32).toString('hex')],
  };
  let keys = [newKey()];
  const child: ChildProcess = fork(join(__dirname, 'oidc-provider-process.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the test identity provider exited (${code})`))));
  exited.catch(() => undefined);
  const ask = (message: object, answer: string) =>
    Promise.race([
      exited,
      new Promise<Record<string, string>>((resolve, reject) => {
        const listen = (m: Record<string, string>) => {
          if (m.op !== answer && m.op !== 'failed') return;
          child.off('message', listen);
          if (m.op === 'failed') reject(new Error(`test identity provider: ${m.error}`));
          else resolve(m);
        };
        child.on('message', listen);
        child.send(message);
      }),
    ]);
  const { issuer } = await ask({ op: 'start', config, jwks: { keys } }, 'started');
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    kids: () => keys.map((k) => k.kid!),
    rotateKeys: async () => {
      keys = [newKey(), ...keys];
      await ask({ op: 'keys', jwks: { keys } }, 'keys-set');
      return keys[0].kid!;
    },
    removeKey: async (kid) => {
      keys = keys.filter((k) => k.kid !== kid);
      await ask({ op: 'keys', jwks: { keys } }, 'keys-set');
    },
    sign: async (claims, { issuer: iss, audience, subject }) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: keys[0].kid, typ: 'at+jwt' })
        .setIssuer(iss)
        .setAudience(audience)
        .setSubject(subject)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(await importJWK(keys[0], 'RS256')),
    close: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
