import { createRemoteJWKSet, JWTHeaderParameters, jwtVerify, JWTPayload, SignJWT } from 'jose';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, SIGNING_ALG, SigningKeys } from './keys';
import { IdentityMappingLoader, mapClaims, UnmappedClaims } from './identity-mapping';
import { NATIONAL_ADMIN, Principal, Role, ROLES } from './principal';

export async function signToken(keys: SigningKeys, principal: Principal, expiresIn = '12h'): Promise<string> {
  const claims: JWTPayload & Record<string, unknown> = { roles: principal.roles };
  if (principal.authorityId) claims.authorityId = principal.authorityId;
  if (principal.forceId) claims.forceId = principal.forceId;
  if (principal.name) claims.name = principal.name;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: SIGNING_ALG, kid: keys.kid, typ: 'JWT' })
    .setSubject(principal.sub)
    .setIssuer(EMBEDDED_ISSUER)
    .setAudience(EMBEDDED_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(keys.privateKey);
}

export class InvalidToken extends Error {}

/**
 * The token names a signing key this server does not have: typically a demo token made with
 * another DATA_DIR's key, or one from before the key was replaced. Said as such in the 401, with
 * `hint` for the person holding it; nothing about the server's own key is disclosed.
 */
export class UnknownSigningKey extends InvalidToken {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export type TokenVerifier = (token: string) => Promise<Principal>;

/** The Nest injection token of the process's TokenVerifier (the API's AuthModule provides it; the web pages use it). */
export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');

/**
 * Turns verified claims into a principal, refusing tokens without a known role or a single tenant.
 * The national administrator is the one role with no tenant, and must come alone: a token with
 * national_admin and a tenant, or with it and other roles, is refused.
 */
export function principalFromClaims(payload: JWTPayload): Principal {
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is Role => ROLES.includes(r as Role)) : [];
  if (!payload.sub) throw new InvalidToken('token has no sub claim');
  // NUL cannot be stored or compared in PostgreSQL text; refusing the token beats a 500 later.
  if ([payload.sub, payload.authorityId, payload.forceId].some((v) => typeof v === 'string' && v.includes('\0')))
    throw new InvalidToken('token claims hold a NUL character');
  if (roles.length === 0) throw new InvalidToken('token has no known role');
  const authorityId = typeof payload.authorityId === 'string' ? payload.authorityId : undefined;
  const forceId = typeof payload.forceId === 'string' ? payload.forceId : undefined;
  const name = typeof payload.name === 'string' ? payload.name : undefined;
  if (roles.includes(NATIONAL_ADMIN)) {
    if (authorityId || forceId || roles.length > 1) throw new InvalidToken('a national_admin token names no tenant and no other role');
    return { sub: payload.sub, roles, name };
  }
  if (Boolean(authorityId) === Boolean(forceId)) throw new InvalidToken('token must name exactly one of authorityId or forceId');
  return { sub: payload.sub, roles, authorityId, forceId, name };
}

/**
 * An identity provider's token with no `roles` claim gets its roles and tenant from the mapping
 * table (libs/auth/identity-mapping.ts); one with a `roles` claim is read as it is.
 */
export async function principalFromProviderClaims(payload: JWTPayload, mappings?: IdentityMappingLoader): Promise<Principal> {
  if (payload.roles !== undefined || !mappings) return principalFromClaims(payload);
  try {
    const mapped = mapClaims(payload as Record<string, unknown>, await mappings());
    const { authorityId: _a, forceId: _f, ...rest } = payload;
    return principalFromClaims({ ...rest, roles: mapped.roles, ...(mapped.authorityId ? { authorityId: mapped.authorityId } : { forceId: mapped.forceId }) });
  } catch (error) {
    if (error instanceof UnmappedClaims) throw new InvalidToken(error.message);
    throw error;
  }
}

/** Refuses the tokens of users who have been deactivated (checked after the signature). */
export type DeactivationCheck = (principal: Principal) => Promise<boolean>;

export function refusingDeactivated(verify: TokenVerifier, isDeactivated: DeactivationCheck): TokenVerifier {
  return async (token) => {
    const principal = await verify(token);
    if (await isDeactivated(principal)) throw new InvalidToken('the user has been deactivated');
    return principal;
  };
}

/** How long a verified token's claims are reused without checking its signature again (see rememberVerified). */
export const VERIFIED_TOKEN_REUSE_MS = 60_000;

/**
 * Remembers the claims of the tokens `verifyJwt` accepted, by the token's exact text, so that a
 * client sending the same token on every request pays for the signature check once: the RSA
 * verification was the largest single item in the API's CPU profile of an intake. Claims are
 * reused until the token's `exp` or for `maxAgeMs` after the check, whichever comes first; then
 * the token is checked again. Only acceptances are kept, so a refused token is checked every
 * time. What is done with the claims (the identity mapping, the principal, the deactivation
 * check) still runs on every request. At most `maxEntries` tokens are kept, the oldest going first.
 */
export function rememberVerified(
  verifyJwt: (token: string) => Promise<JWTPayload>,
  { maxAgeMs = VERIFIED_TOKEN_REUSE_MS, maxEntries = 10_000, now = Date.now }: { maxAgeMs?: number; maxEntries?: number; now?: () => number } = {},
): (token: string) => Promise<JWTPayload> {
  const accepted = new Map<string, { payload: JWTPayload; until: number }>();
  return async (token) => {
    const hit = accepted.get(token);
    if (hit && now() < hit.until) return hit.payload;
    if (hit) accepted.delete(token);
    const checkedAt = now();
    const payload = await verifyJwt(token);
    const until = Math.min(checkedAt + maxAgeMs, typeof payload.exp === 'number' ? payload.exp * 1000 : checkedAt);
    if (until > checkedAt) {
      if (accepted.size >= maxEntries) accepted.delete(accepted.keys().next().value!);
      accepted.set(token, { payload, until });
    }
    return payload;
  };
}

const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

/** Every token must say when it stops being valid: one without `exp` would be good for ever. */
const REQUIRED_CLAIMS = ['exp', 'sub'];

/**
 * Verifies against the embedded key; only RS256, so `alg: none` and HS/RS swaps are refused. The
 * token must name the key (`kid`) it was signed with: after the key is replaced, tokens of the
 * old one are refused by name rather than by a failed signature alone.
 */
export function embeddedVerifier(keys: SigningKeys): TokenVerifier {
  const resolveKey = (header: JWTHeaderParameters) => {
    if (!header.kid) throw new InvalidToken('token names no key id (kid)');
    if (header.kid !== keys.kid) {
      throw new UnknownSigningKey(
        `was signed with a key this server does not have (key id ${JSON.stringify(header.kid.slice(0, 64))})`,
        'a token from `npm run -s token` must be made with the DATA_DIR the server was started with',
      );
    }
    return keys.publicKey;
  };
  const verifyJwt = rememberVerified(
    async (token) =>
      (
        await jwtVerify(token, resolveKey, {
          issuer: EMBEDDED_ISSUER,
          audience: EMBEDDED_AUDIENCE,
          algorithms: [SIGNING_ALG],
          requiredClaims: REQUIRED_CLAIMS,
        })
      ).payload,
  );
  return async (token) => {
    try {
      return principalFromClaims(await verifyJwt(token));
    } catch (error) {
      if (error instanceof InvalidToken) throw error;
      throw new InvalidToken((error as Error).message);
    }
  };
}

/**
 * How long a fetched JWKS is used (then it is fetched again on the next token), and how soon after
 * a fetch an unknown key id may trigger another: jose's 30 s, never longer than the cache itself.
 */
export function jwksCacheOptions(cacheSeconds: number) {
  return { cacheMaxAge: cacheSeconds * 1000, cooldownDuration: Math.min(30_000, cacheSeconds * 1000) };
}

/** Verifies against an identity provider's JWKS (production). */
export function jwksVerifier(jwksUrl: string, issuer: string, audience: string, cacheSeconds = 600, mappings?: IdentityMappingLoader): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(jwksUrl), jwksCacheOptions(cacheSeconds));
  // A token is not trusted for longer than the key set it was checked against is kept.
  const verifyJwt = rememberVerified(
    async (token) => (await jwtVerify(token, jwks, { issuer, audience, algorithms: ASYMMETRIC_ALGS, requiredClaims: REQUIRED_CLAIMS })).payload,
    { maxAgeMs: Math.min(VERIFIED_TOKEN_REUSE_MS, cacheSeconds * 1000) },
  );
  return async (token) => {
    try {
      return await principalFromProviderClaims(await verifyJwt(token), mappings);
    } catch (error) {
      if (error instanceof InvalidToken) throw error;
      if ((error as { code?: string }).code === 'ERR_JWKS_NO_MATCHING_KEY') {
        throw new UnknownSigningKey('was signed with a key the identity provider does not publish', 'sign in again to get a token from the identity provider');
      }
      throw new InvalidToken((error as Error).message);
    }
  };
}
