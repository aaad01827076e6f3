// The directory: police forces, authorities, users and the identity-provider mappings. Every SQL
// statement on these tables is here (STORE-PATTERN.md); the API's directory service, the seed,
// the sign-in page and the token verifier call it.
import type { Role } from '@libs/auth/principal';
import type { Queryable } from './queryable';

/** A user's tenant: an authority or a force; neither for the national administrator. */
export interface Tenant {
  authorityId?: string;
  forceId?: string;
}

export interface PoliceForce {
  id: string;
  name: string;
  addedAt: string;
  addedBy: string | null;
}

export interface Authority {
  id: string;
  name: string;
  referencePrefix: string;
  forceId: string;
  forceName: string;
  addedAt: string;
  addedBy: string | null;
}

export interface DirectoryUser extends Tenant {
  id: string;
  username: string;
  displayName: string;
  email: string;
  roles: Role[];
  active: boolean;
  createdAt: string;
  deactivatedAt: string | null;
  deactivatedBy: string | null;
}

export interface NewUser extends Tenant {
  id: string;
  username: string;
  displayName: string;
  email: string;
  roles: Role[];
}

export interface IdentityMapping extends Tenant {
  id: string;
  claim: string;
  value: string;
  roles: Role[];
  createdAt: string;
  createdBy: string;
}

export interface NewIdentityMapping extends Tenant {
  id: string;
  claim: string;
  value: string;
  roles: Role[];
  createdBy: string;
}

interface ForceRow {
  id: string;
  name: string;
  added_at: Date;
  added_by: string | null;
}

interface AuthorityRow extends ForceRow {
  reference_prefix: string;
  force_id: string;
  force_name: string;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  email: string;
  roles: string[];
  authority_id: string | null;
  force_id: string | null;
  created_at: Date;
  deactivated_at: Date | null;
  deactivated_by: string | null;
}

interface MappingRow {
  id: string;
  authority_id: string | null;
  force_id: string | null;
  claim: string;
  value: string;
  roles: string[];
  created_at: Date;
  created_by: string;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const tenantOf = (row: { authority_id: string | null; force_id: string | null }): Tenant =>
  row.authority_id ? { authorityId: row.authority_id } : row.force_id ? { forceId: row.force_id } : {};

const toForce = (r: ForceRow): PoliceForce => ({ id: r.id, name: r.name, addedAt: iso(r.added_at)!, addedBy: r.added_by });
const toAuthority = (r: AuthorityRow): Authority => ({
  id: r.id,
  name: r.name,
  referencePrefix: r.reference_prefix,
  forceId: r.force_id,
  forceName: r.force_name,
  addedAt: iso(r.added_at)!,
  addedBy: r.added_by,
});
const toUser = (r: UserRow): DirectoryUser => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  email: r.email,
  roles: r.roles as Role[],
  ...tenantOf(r),
  active: r.deactivated_at === null,
  createdAt: iso(r.created_at)!,
  deactivatedAt: iso(r.deactivated_at),
  deactivatedBy: r.deactivated_by,
});
const toMapping = (r: MappingRow): IdentityMapping => ({
  id: r.id,
  ...tenantOf(r),
  claim: r.claim,
  value: r.value,
  roles: r.roles as Role[],
  createdAt: iso(r.created_at)!,
  createdBy: r.created_by,
});

const USER_COLUMNS = 'id, username, display_name, email, roles, authority_id, force_id, created_at, deactivated_at, deactivated_by';
const AUTHORITY_SELECT = `SELECT a.id, a.name, a.reference_prefix, a.force_id, f.name AS force_name, a.added_at, a.added_by FROM authorities a JOIN police_forces f ON f.id = a.force_id`;

/** `authority_id = $n AND force_id IS NULL` or the other way round, for a tenant's rows. */
function tenantFilter(tenant: Tenant, at: number): { sql: string; params: unknown[] } {
  return tenant.authorityId ? { sql: `authority_id = $${at}`, params: [tenant.authorityId] } : { sql: `force_id = $${at}`, params: [tenant.forceId ?? null] };
}

export class DirectoryStore {
  constructor(private readonly db: Queryable) {}

  // Forces and authorities

  /** Adds a force; null if one with its id exists. */
  async addForce(force: { id: string; name: string; addedBy?: string }): Promise<PoliceForce | null> {
    const [row] = await this.db.query(
      'INSERT INTO police_forces (id, name, added_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id, name, added_at, added_by',
      [force.id, force.name, force.addedBy ?? null],
    );
    return row ? toForce(row) : null;
  }

  /** "Display name (username)" of each user of the authority, by id: the names pages show for ids. */
  async userNamesOf(authorityId: string): Promise<Map<string, string>> {
    const rows: { id: string; username: string; display_name: string }[] = await this.db.query(
      'SELECT id, username, display_name FROM users WHERE authority_id = $1',
      [authorityId],
    );
    return new Map(rows.map((r) => [r.id, `${r.display_name} (${r.username})`]));
  }

  /** The language the user chose for pages and emails (users.language); null: never chose. */
  async languageOf(userId: string): Promise<string | null> {
    const [row]: { language: string | null }[] = await this.db.query('SELECT language FROM users WHERE id::text = $1', [userId]);
    return row?.language ?? null;
  }

  async setLanguage(userId: string, language: string): Promise<void> {
    await this.db.query('UPDATE users SET language = $2 WHERE id::text = $1 AND language IS DISTINCT FROM $2', [userId, language]);
  }

  async listForces(): Promise<PoliceForce[]> {
    return (await this.db.query('SELECT id, name, added_at, added_by FROM police_forces ORDER BY name, id')).map(toForce);
  }

  async findForce(id: string): Promise<PoliceForce | null> {
    const [row] = await this.db.query('SELECT id, name, added_at, added_by FROM police_forces WHERE id = $1', [id]);
    return row ? toForce(row) : null;
  }

  /** Adds an authority; null if its id or its reference prefix is taken. */
  async addAuthority(a: { id: string; name: string; referencePrefix: string; forceId: string; addedBy?: string }): Promise<Authority | null> {
    const [row] = await this.db.query(
      'INSERT INTO authorities (id, name, reference_prefix, force_id, added_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id',
      [a.id, a.name, a.referencePrefix, a.forceId, a.addedBy ?? null],
    );
    return row ? this.findAuthority(a.id) : null;
  }

  async listAuthorities(): Promise<Authority[]> {
    return (await this.db.query(`${AUTHORITY_SELECT} ORDER BY a.name, a.id`)).map(toAuthority);
  }

  /** Every authority's id, in id order (the checkpoint Schedule's pass goes through them). */
  async authorityIds(): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query('SELECT id FROM authorities ORDER BY id');
    return rows.map((r) => r.id);
  }

  async findAuthority(id: string): Promise<Authority | null> {
    const [row] = await this.db.query(`${AUTHORITY_SELECT} WHERE a.id = $1`, [id]);
    return row ? toAuthority(row) : null;
  }

  async authorityWithPrefix(referencePrefix: string): Promise<Authority | null> {
    const [row] = await this.db.query(`${AUTHORITY_SELECT} WHERE a.reference_prefix = $1`, [referencePrefix]);
    return row ? toAuthority(row) : null;
  }

  /** The authorities whose area a force covers. */
  async authoritiesOfForce(forceId: string): Promise<Authority[]> {
    return (await this.db.query(`${AUTHORITY_SELECT} WHERE a.force_id = $1 ORDER BY a.id`, [forceId])).map(toAuthority);
  }

  // Users

  /** Adds a user; null if the id or the username is taken. */
  async addUser(u: NewUser): Promise<DirectoryUser | null> {
    const [row] = await this.db.query(
      `INSERT INTO users (id, username, display_name, email, roles, authority_id, force_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING RETURNING ${USER_COLUMNS}`,
      [u.id, u.username, u.displayName, u.email, u.roles, u.authorityId ?? null, u.forceId ?? null],
    );
    return row ? toUser(row) : null;
  }

  /** A tenant's users, active ones first, by name. */
  async listUsers(tenant: Tenant): Promise<DirectoryUser[]> {
    const f = tenantFilter(tenant, 1);
    return (await this.db.query(`SELECT ${USER_COLUMNS} FROM users WHERE ${f.sql} ORDER BY deactivated_at IS NOT NULL, display_name, username`, f.params)).map(
      toUser,
    );
  }

  /** Every user who may sign in, for the embedded sign-in page. */
  async activeUsers(): Promise<DirectoryUser[]> {
    return (await this.db.query(`SELECT ${USER_COLUMNS} FROM users WHERE deactivated_at IS NULL ORDER BY username`)).map(toUser);
  }

  /** Whether the user is a SPOC of the force (a case is referred to them). */
  async isSpocOf(userId: string, forceId: string): Promise<boolean> {
    const [spoc] = await this.db.query("SELECT id FROM users WHERE id = $1 AND force_id = $2 AND 'spoc' = ANY(roles)", [userId, forceId]);
    return Boolean(spoc);
  }

  async findUser(id: string): Promise<DirectoryUser | null> {
    const [row] = await this.db.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return row ? toUser(row) : null;
  }

  async findUserByUsername(username: string): Promise<DirectoryUser | null> {
    const [row] = await this.db.query(`SELECT ${USER_COLUMNS} FROM users WHERE username = $1`, [username]);
    return row ? toUser(row) : null;
  }

  async setRoles(id: string, roles: Role[]): Promise<DirectoryUser | null> {
    const [rows] = await this.db.query(`UPDATE users SET roles = $2 WHERE id = $1 RETURNING ${USER_COLUMNS}`, [id, roles]);
    return rows?.[0] ? toUser(rows[0]) : null;
  }

  /** Deactivates an active user; null if there is none with that id or they already are. */
  async deactivate(id: string, by: string): Promise<DirectoryUser | null> {
    const [rows] = await this.db.query(
      `UPDATE users SET deactivated_at = now(), deactivated_by = $2 WHERE id = $1 AND deactivated_at IS NULL RETURNING ${USER_COLUMNS}`,
      [id, by],
    );
    return rows?.[0] ? toUser(rows[0]) : null;
  }

  /** The ids and usernames of every deactivated user: what the token check refuses. */
  async deactivatedUserKeys(): Promise<{ ids: string[]; usernames: string[] }> {
    const rows: { id: string; username: string }[] = await this.db.query('SELECT id::text, username FROM users WHERE deactivated_at IS NOT NULL');
    return { ids: rows.map((r) => r.id), usernames: rows.map((r) => r.username) };
  }

  /** A force's active users with any of `roles` (its SPOCs and FEOAs), by name. */
  async forceUsersWithRoles(forceId: string, roles: Role[]): Promise<DirectoryUser[]> {
    return (
      await this.db.query(`SELECT ${USER_COLUMNS} FROM users WHERE force_id = $1 AND roles && $2 AND deactivated_at IS NULL ORDER BY display_name, username`, [
        forceId,
        roles,
      ])
    ).map(toUser);
  }

  // Identity-provider mappings

  /** Adds a mapping; null if the tenant maps that claim and value already. */
  async addMapping(m: NewIdentityMapping): Promise<IdentityMapping | null> {
    const [row] = await this.db.query(
      `INSERT INTO identity_mappings (id, authority_id, force_id, claim, value, roles, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING RETURNING id, authority_id, force_id, claim, value, roles, created_at, created_by`,
      [m.id, m.authorityId ?? null, m.forceId ?? null, m.claim, m.value, m.roles, m.createdBy],
    );
    return row ? toMapping(row) : null;
  }

  async listMappings(tenant: Tenant): Promise<IdentityMapping[]> {
    const f = tenantFilter(tenant, 1);
    return (
      await this.db.query(
        `SELECT id, authority_id, force_id, claim, value, roles, created_at, created_by FROM identity_mappings WHERE ${f.sql} ORDER BY claim, value`,
        f.params,
      )
    ).map(toMapping);
  }

  /** Every tenant's mappings (the verifier's view: run it in the API's system scope). */
  async allMappings(): Promise<IdentityMapping[]> {
    return (
      await this.db.query('SELECT id, authority_id, force_id, claim, value, roles, created_at, created_by FROM identity_mappings ORDER BY claim, value')
    ).map(toMapping);
  }

  async findMapping(id: string): Promise<IdentityMapping | null> {
    const [row] = await this.db.query('SELECT id, authority_id, force_id, claim, value, roles, created_at, created_by FROM identity_mappings WHERE id = $1', [
      id,
    ]);
    return row ? toMapping(row) : null;
  }

  async removeMapping(id: string): Promise<boolean> {
    const [, removed] = await this.db.query('DELETE FROM identity_mappings WHERE id = $1', [id]);
    return Number(removed) > 0;
  }
}
