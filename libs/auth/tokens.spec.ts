// The production verifier (an identity provider's JWKS) refuses what the embedded one does:
// alg none, an HMAC keyed with the published public key, an unknown kid, no exp, another issuer
// or audience. The JWKS is served over HTTP from this process.
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, KeyLike, SignJWT } from 'jose';
import { cachedMappings, IdentityMappingRule, mapClaims, UnmappedClaims } from './identity-mapping';
import { InvalidToken, jwksVerifier, principalFromClaims, rememberVerified, TokenVerifier } from './tokens';

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
const claims = (overrides: Record<string, unknown> = {}) => ({
  sub: 'u-1',
  roles: ['triage'],
  authorityId: 'northshire',
  iss: ISSUER,
  aud: AUDIENCE,
  exp: now() + 600,
  ...overrides,
});
const sign = (payload: Record<string, unknown>, kid = 'idp-1') => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('jwksVerifier', () => {
  it('accepts a token signed by the published key', async () => {
    await expect(verify(await sign(claims()))).resolves.toMatchObject({ sub: 'u-1', roles: ['triage'], authorityId: 'northshire' });
  });

  it.each([
    ['alg none', async () => `${b64({ alg: 'none', kid: 'idp-1' })}.${b64(claims())}.`],
    [
      'HS256 keyed with the published public key',
      async () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'idp-1' }).sign(new TextEncoder().encode(await exportSPKI(publicKey))),
    ],
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

describe('jwksVerifier with identity-provider mappings', () => {
  const rules: IdentityMappingRule[] = [
    { claim: 'groups', value: 'ns-triage', roles: ['triage'], authorityId: 'northshire' },
    { claim: 'groups', value: 'ns-legal', roles: ['legal'], authorityId: 'northshire' },
    { claim: 'department', value: 'np-spoc', roles: ['spoc'], forceId: 'northshire-police' },
    { claim: 'groups', value: 'sv-staff', roles: ['staff'], authorityId: 'southvale' },
  ];
  let loads = 0;
  let mapped: TokenVerifier;
  beforeAll(() => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    mapped = jwksVerifier(
      url,
      ISSUER,
      AUDIENCE,
      600,
      cachedMappings(async () => (loads++, rules), 30_000),
    );
  });
  const unmapped = (overrides: Record<string, unknown>) => claims({ roles: undefined, authorityId: undefined, ...overrides });

  it("maps a token with no roles claim through its claims, the union of every matching rule's roles", async () => {
    await expect(mapped(await sign(unmapped({ groups: ['ns-triage', 'ns-legal', 'unrelated'] })))).resolves.toEqual({
      sub: 'u-1',
      roles: ['legal', 'triage'],
      authorityId: 'northshire',
      forceId: undefined,
      name: undefined,
    });
    await expect(mapped(await sign(unmapped({ department: 'np-spoc' })))).resolves.toMatchObject({
      roles: ['spoc'],
      forceId: 'northshire-police',
      authorityId: undefined,
    });
  });

  it('ignores tenant claims the token carries: the mapping decides the tenant', async () => {
    await expect(mapped(await sign(unmapped({ groups: 'ns-triage', authorityId: 'southvale' })))).resolves.toMatchObject({
      roles: ['triage'],
      authorityId: 'northshire',
    });
  });

  it('refuses a token whose claims match nothing, or two tenants', async () => {
    await expect(mapped(await sign(unmapped({ groups: ['nobody'] })))).rejects.toThrow(/none of its claims is mapped/);
    await expect(mapped(await sign(unmapped({ groups: ['ns-triage', 'sv-staff'] })))).rejects.toThrow(/more than one tenant/);
    await expect(mapped(await sign(unmapped({ groups: { 'ns-triage': true } })))).rejects.toThrow(InvalidToken);
  });

  it('reads a token that carries roles as it is, without the mappings', async () => {
    await expect(mapped(await sign(claims({ groups: ['sv-staff'] })))).resolves.toMatchObject({ roles: ['triage'], authorityId: 'northshire' });
  });

  it('reads the mappings once per cache period', async () => {
    const before = loads;
    for (let i = 0; i < 5; i++) await mapped(await sign(unmapped({ groups: 'ns-triage' })));
    expect(loads - before).toBeLessThanOrEqual(1);
  });
});

describe('mapClaims and cachedMappings', () => {
  const rule: IdentityMappingRule = { claim: 'groups', value: 'x', roles: ['staff'], authorityId: 'northshire' };

  it('matches a string claim exactly and an array claim by membership, never by prototype', () => {
    expect(mapClaims({ groups: 'x' }, [rule]).roles).toEqual(['staff']);
    expect(mapClaims({ groups: ['y', 'x'] }, [rule]).roles).toEqual(['staff']);
    expect(() => mapClaims({ groups: 'xx' }, [rule])).toThrow(UnmappedClaims);
    expect(() => mapClaims({}, [{ ...rule, claim: 'constructor', value: 'function Object() { [native code] }' }])).toThrow(UnmappedClaims);
  });

  it('loads again after the period, and after invalidate(); a failed load is not kept', async () => {
    let clock = 0;
    let calls = 0;
    let fail = false;
    const cache = cachedMappings(
      async () => {
        calls++;
        if (fail) throw new Error('database unavailable');
        return [rule];
      },
      30_000,
      () => clock,
    );
    await cache();
    await cache();
    expect(calls).toBe(1);
    clock = 30_000;
    await cache();
    expect(calls).toBe(2);
    cache.invalidate();
    fail = true;
    await expect(cache()).rejects.toThrow('database unavailable');
    fail = false;
    await expect(cache()).resolves.toEqual([rule]);
    expect(calls).toBe(4);
  });
});

describe('principalFromClaims and the national administrator', () => {
  it('accepts national_admin with no tenant, and only so', () => {
    expect(principalFromClaims({ sub: 'n', roles: ['national_admin'] })).toEqual({ sub: 'n', roles: ['national_admin'], name: undefined });
    expect(() => principalFromClaims({ sub: 'n', roles: ['national_admin'], authorityId: 'northshire' })).toThrow(InvalidToken);
    expect(() => principalFromClaims({ sub: 'n', roles: ['national_admin', 'admin'] })).toThrow(InvalidToken);
    expect(() => principalFromClaims({ sub: 'n', roles: ['admin'] })).toThrow(/exactly one of authorityId or forceId/);
  });
});

describe('rememberVerified', () => {
  const setup = (options: { maxAgeMs?: number; maxEntries?: number } = {}) => {
    let clock = 1_000_000_000_000;
    const checked: string[] = [];
    const verifyJwt = rememberVerified(
      async (token) => {
        checked.push(token);
        if (token.startsWith('bad')) throw new InvalidToken('bad signature');
        return { sub: token, exp: Number(token.split(':')[1]) };
      },
      { ...options, now: () => clock },
    );
    return { verifyJwt, checked, advance: (ms: number) => (clock += ms), at: (s: number) => `t:${clock / 1000 + s}` };
  };

  it('checks a token once, then reuses its claims until maxAgeMs has passed', async () => {
    const { verifyJwt, checked, advance, at } = setup({ maxAgeMs: 60_000 });
    const token = at(3600);
    await verifyJwt(token);
    advance(59_000);
    await expect(verifyJwt(token)).resolves.toMatchObject({ sub: token });
    expect(checked).toEqual([token]);
    advance(1_000);
    await verifyJwt(token);
    expect(checked).toEqual([token, token]);
  });

  it('never reuses claims past the token’s exp', async () => {
    const { verifyJwt, checked, advance, at } = setup({ maxAgeMs: 60_000 });
    const token = at(10);
    await verifyJwt(token);
    advance(9_999);
    await verifyJwt(token);
    expect(checked).toHaveLength(1);
    advance(1);
    await verifyJwt(token);
    expect(checked).toHaveLength(2);
  });

  it('checks a refused token every time', async () => {
    const { verifyJwt, checked } = setup();
    await expect(verifyJwt('bad:1')).rejects.toThrow(InvalidToken);
    await expect(verifyJwt('bad:1')).rejects.toThrow(InvalidToken);
    expect(checked).toEqual(['bad:1', 'bad:1']);
  });

  it('keeps at most maxEntries tokens, forgetting the oldest', async () => {
    const { verifyJwt, checked, at } = setup({ maxEntries: 2 });
    const [a, b, c] = [at(100), at(200), at(300)];
    for (const t of [a, b, c, c, b, a]) await verifyJwt(t);
    expect(checked).toEqual([a, b, c, a]);
  });
});
