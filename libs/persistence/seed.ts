// Demo tenants, users and default policies (API.md "Auth and demo data"). Idempotent: running
// it again changes nothing that is already there.
import type { DataSource } from 'typeorm';
import { DEMO_AUTHORITIES, DEMO_FORCES, DEMO_USERS } from '@libs/auth/demo-data';
import { DEFAULT_POLICY } from '@libs/domain';
import { DirectoryStore } from './stores/directory.store';
import { PoliciesStore } from './stores/policies.store';

export interface SeedResult {
  forces: number;
  authorities: number;
  users: number;
  policies: number;
}

export async function seedDemo(dataSource: DataSource): Promise<SeedResult> {
  return dataSource.transaction(async (m) => {
    const result: SeedResult = { forces: 0, authorities: 0, users: 0, policies: 0 };
    // The same store the national administrator's and the admins' pages use: nothing here is seed-only.
    const directory = new DirectoryStore(m);
    const policies = new PoliciesStore(m);
    for (const force of DEMO_FORCES) {
      if (await directory.addForce(force)) result.forces += 1;
    }
    for (const a of DEMO_AUTHORITIES) {
      if (await directory.addAuthority(a)) result.authorities += 1;
      if (await policies.addIfAbsent(a.id, DEFAULT_POLICY)) result.policies += 1;
    }
    for (const u of DEMO_USERS) {
      if (await directory.addUser(u)) result.users += 1;
    }
    return result;
  });
}
