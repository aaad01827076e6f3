export const ROLES = ['staff', 'triage', 'returning_officer', 'spoc', 'feoa', 'plan_owner', 'legal', 'admin', 'national_admin'] as const;
export type Role = (typeof ROLES)[number];

/** The roles a user of each kind of tenant may hold. */
export const AUTHORITY_USER_ROLES: Role[] = ['staff', 'triage', 'returning_officer', 'plan_owner', 'legal', 'admin'];
export const FORCE_USER_ROLES: Role[] = ['spoc', 'feoa', 'admin'];

/**
 * The one role without a tenant: it keeps the directory (adds authorities and police forces, and
 * their first users) and reads no tenant's casework. Every other role belongs to one tenant.
 */
export const NATIONAL_ADMIN: Role = 'national_admin';

/**
 * The caller, as the verified token describes them. Exactly one tenant (an authority or a force),
 * except for the national administrator, who has none.
 */
export interface Principal {
  sub: string;
  roles: Role[];
  authorityId?: string;
  forceId?: string;
  name?: string;
}

export function hasRole(principal: Principal, roles: readonly Role[]): boolean {
  return principal.roles.some((role) => roles.includes(role));
}
