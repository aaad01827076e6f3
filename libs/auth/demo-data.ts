// The demo tenants and users of API.md ("Auth and demo data"). Ids are derived from names, so
// `npm run -s token` can mint a token for a demo user without opening the database.
import { createHash } from 'node:crypto';
import type { Role } from './principal';

export interface DemoAuthority {
  id: string;
  name: string;
  referencePrefix: string;
  forceId: string;
}

export const DEMO_FORCES = [
  { id: 'northshire-police', name: 'Northshire Police' },
  { id: 'southvale-police', name: 'Southvale Police' },
];

export const DEMO_AUTHORITIES: DemoAuthority[] = [
  { id: 'northshire', name: 'Northshire Council', referencePrefix: 'NS', forceId: 'northshire-police' },
  { id: 'southvale', name: 'Southvale District Council', referencePrefix: 'SV', forceId: 'southvale-police' },
];

const AUTHORITY_ROLES: Role[] = ['staff', 'triage', 'returning_officer', 'plan_owner', 'legal', 'admin'];
const FORCE_ROLES: Role[] = ['spoc', 'feoa'];

export interface DemoUser {
  id: string;
  username: string;
  displayName: string;
  email: string;
  roles: Role[];
  authorityId?: string;
  forceId?: string;
}

/** A stable UUID (version 5 layout) derived from a name. */
export function nameUuid(name: string): string {
  const h = createHash('sha1').update(`election-casework:${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function demoUser(role: Role, tenant: { authorityId?: string; forceId?: string }): DemoUser {
  const slug = tenant.authorityId ?? tenant.forceId!;
  const username = `${role}@${slug}`;
  return {
    id: nameUuid(username),
    username,
    displayName: `${role.replace('_', ' ')} (${slug})`,
    email: `${role.replace('_', '-')}@${slug}.example.gov.uk`,
    roles: [role],
    ...tenant,
  };
}

/** The national administrator: keeps the directory of authorities and forces, has no tenant. */
export const DEMO_NATIONAL_ADMIN: DemoUser = {
  id: nameUuid('national_admin@national'),
  username: 'national_admin@national',
  displayName: 'national administrator',
  email: 'national-admin@directory.example.gov.uk',
  roles: ['national_admin'],
};

export const DEMO_USERS: DemoUser[] = [
  ...DEMO_AUTHORITIES.flatMap((a) => AUTHORITY_ROLES.map((role) => demoUser(role, { authorityId: a.id }))),
  ...DEMO_FORCES.flatMap((f) => FORCE_ROLES.map((role) => demoUser(role, { forceId: f.id }))),
  DEMO_NATIONAL_ADMIN,
];

export function findDemoUser(username: string): DemoUser | undefined {
  return DEMO_USERS.find((u) => u.username === username);
}
