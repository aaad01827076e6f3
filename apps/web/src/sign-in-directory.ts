// Who may sign in on the embedded (demonstration) sign-in page: the directory's active users,
// grouped by tenant, read through the directory store. The page comes before any token exists,
// so it cannot ask the API as the other pages do; it reads nothing but names and roles.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { DirectoryStore, DirectoryUser } from '@libs/persistence';

export interface SignInGroup {
  name: string;
  users: { id: string; value: string; text: string; hint: string }[];
}

@Injectable()
export class SignInDirectory {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  private get store() {
    return new DirectoryStore(this.db);
  }

  /** The active users by tenant (authorities, then forces, then the national administrators). */
  async groups(): Promise<SignInGroup[]> {
    const [authorities, forces, users] = await Promise.all([this.store.listAuthorities(), this.store.listForces(), this.store.activeUsers()]);
    const tenants = [
      ...authorities.map((a) => ({ name: a.name, has: (u: DirectoryUser) => u.authorityId === a.id })),
      ...forces.map((f) => ({ name: f.name, has: (u: DirectoryUser) => u.forceId === f.id })),
      { name: 'National administration', has: (u: DirectoryUser) => !u.authorityId && !u.forceId },
    ];
    let first = true;
    return tenants
      .map((t) => ({
        name: t.name,
        users: users.filter(t.has).map((u) => {
          // The first radio has the id the error summary links to.
          const id = first ? 'username' : `username-${u.username.replace(/[^A-Za-z0-9-]/g, '-')}`;
          first = false;
          return { id, value: u.username, text: u.username, hint: u.displayName };
        }),
      }))
      .filter((g) => g.users.length > 0);
  }

  /** The user of that username, if they exist and are active. */
  async activeUser(username: string): Promise<DirectoryUser | undefined> {
    const user = username ? await this.store.findUserByUsername(username) : null;
    return user?.active ? user : undefined;
  }

  /** The name of the principal's authority or force, for the home page. */
  async tenantName(principal: Principal): Promise<string | undefined> {
    if (principal.authorityId) return (await this.store.findAuthority(principal.authorityId))?.name;
    if (principal.forceId) return (await this.store.findForce(principal.forceId))?.name;
    return 'National administration';
  }
}
