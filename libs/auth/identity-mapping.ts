// Roles and tenant from an identity provider's own claims (a `groups` claim, a department), for
// providers that cannot put the project's `roles` and `authorityId`/`forceId` into their tokens.
// A tenant's admin keeps the mappings (apps/api/src/directory); the verifier reads them through
// a loader, cached briefly, so a token costs no database round trip. No Nest here: the token code
// is plain TypeScript.
import type { Role } from './principal';

/** One row of the table: tokens whose `claim` is (or holds) `value` get `roles` at the tenant. */
export interface IdentityMappingRule {
  claim: string;
  value: string;
  roles: Role[];
  authorityId?: string;
  forceId?: string;
}

export type IdentityMappingLoader = () => Promise<IdentityMappingRule[]>;

/** Thrown when a token's claims map to no role, or to more than one tenant. */
export class UnmappedClaims extends Error {}

/** Whether a claim's value (a string, or an array such as `groups`) matches the rule's value. */
function claimMatches(claimValue: unknown, value: string): boolean {
  if (typeof claimValue === 'string') return claimValue === value;
  if (Array.isArray(claimValue)) return claimValue.some((v) => v === value);
  return false;
}

/**
 * The roles and the one tenant a token's claims map to: the union of the roles of every rule that
 * matches. Rules of two tenants matching one token is refused rather than guessed at.
 */
export function mapClaims(payload: Record<string, unknown>, rules: readonly IdentityMappingRule[]): { roles: Role[]; authorityId?: string; forceId?: string } {
  const matched = rules.filter((r) => Object.prototype.hasOwnProperty.call(payload, r.claim) && claimMatches(payload[r.claim], r.value));
  if (matched.length === 0) throw new UnmappedClaims('token has no roles claim and none of its claims is mapped to a role');
  const tenants = new Set(matched.map((r) => (r.authorityId ? `authority:${r.authorityId}` : `force:${r.forceId}`)));
  if (tenants.size > 1) throw new UnmappedClaims(`token's claims map to more than one tenant (${[...tenants].sort().join(', ')})`);
  const roles = [...new Set(matched.flatMap((r) => r.roles))].sort();
  return { roles, authorityId: matched[0].authorityId, forceId: matched[0].forceId };
}

/**
 * The loader, remembered for `ttlMs` (30 s by default): a mapping an admin adds or removes takes
 * effect within that long in every API process. Concurrent calls while a load is under way share
 * it; a failed load is not remembered.
 */
export function cachedMappings(load: IdentityMappingLoader, ttlMs = 30_000, now: () => number = Date.now): IdentityMappingLoader & { invalidate(): void } {
  let cached: { at: number; rules: Promise<IdentityMappingRule[]> } | undefined;
  const get = async () => {
    if (!cached || now() - cached.at >= ttlMs) {
      const entry = { at: now(), rules: load() };
      cached = entry;
      entry.rules.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.rules;
  };
  return Object.assign(get, { invalidate: () => void (cached = undefined) });
}
