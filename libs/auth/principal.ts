export const ROLES = ['staff', 'triage', 'returning_officer', 'spoc', 'feoa', 'plan_owner', 'legal', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The caller, as the verified token describes them. Exactly one tenant: an authority or a force. */
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
