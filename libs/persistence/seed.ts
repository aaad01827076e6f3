// Demo tenants, users and default policies (API.md "Auth and demo data"). Idempotent: running
// it again changes nothing that is already there.
import type { DataSource } from 'typeorm';
import { DEMO_AUTHORITIES, DEMO_FORCES, DEMO_USERS } from '../auth/demo-data';
import { DEFAULT_POLICY } from '../domain';

export interface SeedResult {
  forces: number;
  authorities: number;
  users: number;
  policies: number;
}

export async function seedDemo(dataSource: DataSource): Promise<SeedResult> {
  return dataSource.transaction(async (m) => {
    const result: SeedResult = { forces: 0, authorities: 0, users: 0, policies: 0 };
    for (const force of DEMO_FORCES) {
      const rows = await m.query('INSERT INTO police_forces (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id', [force.id, force.name]);
      result.forces += rows.length;
    }
    for (const a of DEMO_AUTHORITIES) {
      const rows = await m.query(
        'INSERT INTO authorities (id, name, reference_prefix, force_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id',
        [a.id, a.name, a.referencePrefix, a.forceId],
      );
      result.authorities += rows.length;
      const policy = await m.query('INSERT INTO policies (authority_id, document) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING authority_id', [
        a.id,
        JSON.stringify(DEFAULT_POLICY),
      ]);
      result.policies += policy.length;
    }
    for (const u of DEMO_USERS) {
      const rows = await m.query(
        `INSERT INTO users (id, username, display_name, email, roles, authority_id, force_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
        [u.id, u.username, u.displayName, u.email, u.roles, u.authorityId ?? null, u.forceId ?? null],
      );
      result.users += rows.length;
    }
    return result;
  });
}
