// The directory's administration: the national administrator adds authorities and police forces;
// a tenant's admin manages its users and its identity-provider mappings. Every change is an
// audit event in the Merkle log of the authorities it concerns (docs/users/administration.md):
// an authority's own changes in its log; a force's (its users, its mappings, its creation) in the
// logs of the authorities it covers, or, while it covers none, in every authority's log, so that
// no change goes unrecorded.
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { nameUuid } from '@libs/auth/demo-data';
import { hasRole, type Principal, type Role } from '@libs/auth/principal';
import { appendAuditEvent, DirectoryStore, DirectoryUser, runInTenantScope, type Tenant } from '@libs/persistence';
import { ApiError, conflict, notFound, unprocessable } from '../common/api-error';
import { CachedMappings, IDENTITY_MAPPINGS } from '../auth/auth.module';
import { DeactivatedUsers } from './deactivated-users';
import type { CreateAuthorityDto, CreateForceDto, CreateIdentityMappingDto, CreateUserDto } from './directory.dto';

import { AUTHORITY_USER_ROLES, FORCE_USER_ROLES } from '@libs/auth/principal';
import { fieldProblem, problem } from '@libs/domain';
export { AUTHORITY_USER_ROLES, FORCE_USER_ROLES };

const forbidden = (message: string, field: string, problem: string) => new ApiError(HttpStatus.FORBIDDEN, message, [{ field, problem }]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isNational = (p: Principal) => hasRole(p, ['national_admin']);
const tenantLabel = (t: Tenant) => (t.authorityId ? `authority ${t.authorityId}` : `force ${t.forceId}`);

@Injectable()
export class DirectoryService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(DeactivatedUsers) private readonly deactivated: DeactivatedUsers,
    @Inject(IDENTITY_MAPPINGS) private readonly mappings: CachedMappings,
  ) {}

  private get store() {
    return new DirectoryStore(this.db);
  }

  // Forces and authorities (national administrator)

  listForces() {
    return this.store.listForces();
  }

  listAuthorities() {
    return this.store.listAuthorities();
  }

  async addForce(principal: Principal, dto: CreateForceDto) {
    return this.write(async (m, store) => {
      const force = await store.addForce({ id: dto.id, name: dto.name.trim(), addedBy: principal.sub });
      if (!force) throw conflict(problem('directory.force_exists', { id: dto.id }), [fieldProblem('id', 'field.taken')]);
      await this.audit(m, principal, { forceId: force.id }, nameUuid(`force:${force.id}`), 'directory.force_added', null, { force });
      return force;
    });
  }

  async addAuthority(principal: Principal, dto: CreateAuthorityDto) {
    return this.write(async (m, store) => {
      const force = await store.findForce(dto.forceId);
      if (!force) throw unprocessable(problem('directory.force_missing', { forceId: dto.forceId }), [fieldProblem('forceId', 'directory.not_force')]);
      if (await store.findAuthority(dto.id)) throw conflict(problem('directory.authority_exists', { id: dto.id }), [fieldProblem('id', 'field.taken')]);
      if (await store.authorityWithPrefix(dto.referencePrefix))
        throw conflict(problem('directory.prefix_taken', { prefix: dto.referencePrefix }), [fieldProblem('referencePrefix', 'field.taken')]);
      const authority = await store.addAuthority({
        id: dto.id,
        name: dto.name.trim(),
        referencePrefix: dto.referencePrefix,
        forceId: dto.forceId,
        addedBy: principal.sub,
      });
      if (!authority)
        throw conflict(problem('directory.authority_or_prefix_exists', { id: dto.id, prefix: dto.referencePrefix }), [
          fieldProblem('id', 'directory.id_or_prefix_taken'),
        ]);
      // The first event of the new authority's log says who added it, with its force as it stands.
      await this.audit(m, principal, { authorityId: authority.id }, nameUuid(`authority:${authority.id}`), 'directory.authority_added', null, {
        authority,
        force,
      });
      return authority;
    });
  }

  /** An authority's police force and that force's SPOCs and FEOAs, for the authority's admin. */
  async policeOf(principal: Principal, authorityId: string) {
    if (principal.authorityId !== authorityId) throw notFound('authority');
    const authority = await this.store.findAuthority(authorityId);
    if (!authority) throw notFound('authority');
    const force = await this.store.findForce(authority.forceId);
    const people = await this.store.forceUsersWithRoles(authority.forceId, ['spoc', 'feoa']);
    const contact = (u: DirectoryUser) => ({
      id: u.id,
      displayName: u.displayName,
      email: u.email,
      roles: u.roles.filter((r) => r === 'spoc' || r === 'feoa'),
    });
    return {
      authorityId,
      force,
      spocs: people.filter((u) => u.roles.includes('spoc')).map(contact),
      feoas: people.filter((u) => u.roles.includes('feoa')).map(contact),
    };
  }

  // Users

  /** The caller's tenant's users; the national administrator names the tenant. */
  async listUsers(principal: Principal, query: { authorityId?: string; forceId?: string }) {
    const tenant = await this.tenantFor(principal, query, 'query');
    return this.store.listUsers(tenant);
  }

  async getUser(principal: Principal, id: string) {
    return this.ownUser(principal, id);
  }

  async addUser(principal: Principal, dto: CreateUserDto) {
    const tenant = await this.tenantFor(principal, dto, 'body');
    this.checkRoles(tenant, dto.roles);
    return this.write(async (m, store) => {
      const user = await store.addUser({
        id: randomUUID(),
        username: dto.username,
        displayName: dto.displayName.trim(),
        email: dto.email,
        roles: dto.roles,
        ...tenant,
      });
      if (!user) throw conflict(problem('directory.username_taken', { username: dto.username }), [fieldProblem('username', 'field.taken')]);
      await this.audit(m, principal, tenant, user.id, 'directory.user_added', null, this.auditView(user));
      return user;
    });
  }

  async setRoles(principal: Principal, id: string, roles: Role[]) {
    const before = await this.ownUser(principal, id);
    const tenant = { authorityId: before.authorityId, forceId: before.forceId };
    this.checkRoles(tenant, roles);
    if (before.id === principal.sub && before.roles.includes('admin') && !roles.includes('admin')) {
      throw conflict(problem('directory.keep_own_admin'), [fieldProblem('roles', 'directory.keep_admin')]);
    }
    return this.write(async (m, store) => {
      const after = await store.setRoles(id, roles);
      if (!after) throw notFound('user');
      await this.audit(m, principal, tenant, id, 'directory.user_roles_changed', { roles: before.roles }, { roles: after.roles });
      return after;
    });
  }

  async deactivate(principal: Principal, id: string) {
    const before = await this.ownUser(principal, id);
    if (before.id === principal.sub) throw conflict(problem('directory.deactivate_self'), [fieldProblem('id', 'directory.is_you')]);
    const user = await this.write(async (m, store) => {
      const after = await store.deactivate(id, principal.sub);
      if (!after)
        throw conflict(problem('directory.already_deactivated', { username: before.username }), [fieldProblem('id', 'directory.is_deactivated')], {
          deactivatedAt: before.deactivatedAt,
        });
      await this.audit(
        m,
        principal,
        { authorityId: before.authorityId, forceId: before.forceId },
        id,
        'directory.user_deactivated',
        { active: true },
        { active: false, deactivatedAt: after.deactivatedAt },
      );
      return after;
    });
    this.deactivated.invalidate();
    return user;
  }

  // Identity-provider mappings (a tenant's admin)

  listMappings(principal: Principal) {
    return this.store.listMappings(this.ownTenant(principal));
  }

  async addMapping(principal: Principal, dto: CreateIdentityMappingDto) {
    const tenant = this.ownTenant(principal);
    this.checkRoles(tenant, dto.roles);
    const mapping = await this.write(async (m, store) => {
      const added = await store.addMapping({ id: randomUUID(), ...tenant, claim: dto.claim, value: dto.value, roles: dto.roles, createdBy: principal.sub });
      if (!added)
        throw conflict(
          tenant.authorityId
            ? problem('directory.authority_mapping_exists', { authorityId: tenant.authorityId, claim: dto.claim, value: dto.value })
            : problem('directory.force_mapping_exists', { forceId: String(tenant.forceId), claim: dto.claim, value: dto.value }),
          [fieldProblem('value', 'directory.is_mapped')],
        );
      await this.audit(m, principal, tenant, added.id, 'directory.identity_mapping_added', null, {
        claim: added.claim,
        value: added.value,
        roles: added.roles,
        ...tenant,
      });
      return added;
    });
    this.mappings.invalidate();
    return mapping;
  }

  async removeMapping(principal: Principal, id: string) {
    const tenant = this.ownTenant(principal);
    const mapping = UUID.test(id) ? await this.store.findMapping(id) : null;
    if (!mapping || mapping.authorityId !== tenant.authorityId || mapping.forceId !== tenant.forceId) throw notFound('identity mapping');
    await this.write(async (m, store) => {
      if (!(await store.removeMapping(id))) throw notFound('identity mapping');
      await this.audit(
        m,
        principal,
        tenant,
        id,
        'directory.identity_mapping_removed',
        { claim: mapping.claim, value: mapping.value, roles: mapping.roles, ...tenant },
        null,
      );
    });
    this.mappings.invalidate();
    return { id, removed: true };
  }

  // Rules

  private ownTenant(principal: Principal): Tenant {
    return principal.authorityId ? { authorityId: principal.authorityId } : { forceId: principal.forceId };
  }

  /**
   * The tenant an action is for: an admin's own (naming another is refused with 403); the
   * national administrator's must be named, and must exist.
   */
  private async tenantFor(principal: Principal, named: { authorityId?: string; forceId?: string }, where: 'query' | 'body'): Promise<Tenant> {
    if (!isNational(principal)) {
      const own = this.ownTenant(principal);
      if ((named.authorityId && named.authorityId !== own.authorityId) || (named.forceId && named.forceId !== own.forceId)) {
        throw forbidden("an admin manages only their own tenant's users", named.authorityId ? 'authorityId' : 'forceId', 'is not your tenant');
      }
      return own;
    }
    if (Boolean(named.authorityId) === Boolean(named.forceId)) {
      throw unprocessable(problem(where === 'query' ? 'directory.tenant_in_query' : 'directory.tenant_in_body'), [
        fieldProblem('authorityId', 'directory.tenant_needed'),
      ]);
    }
    if (named.authorityId && !(await this.store.findAuthority(named.authorityId)))
      throw unprocessable(problem('directory.no_authority', { authorityId: named.authorityId }), [fieldProblem('authorityId', 'directory.not_authority')]);
    if (named.forceId && !(await this.store.findForce(named.forceId)))
      throw unprocessable(problem('directory.no_force', { forceId: named.forceId }), [fieldProblem('forceId', 'directory.not_force')]);
    return named.authorityId ? { authorityId: named.authorityId } : { forceId: named.forceId };
  }

  /** A user of the caller's own tenant; 404 for anyone else's, so their existence is not disclosed. */
  private async ownUser(principal: Principal, id: string): Promise<DirectoryUser> {
    const user = UUID.test(id) ? await this.store.findUser(id) : null;
    const own = this.ownTenant(principal);
    if (!user || (user.authorityId ?? null) !== (own.authorityId ?? null) || (user.forceId ?? null) !== (own.forceId ?? null)) throw notFound('user');
    return user;
  }

  private checkRoles(tenant: Tenant, roles: Role[]): void {
    if (roles.includes('national_admin'))
      throw forbidden(
        'no one grants the national_admin role here: national administrators come from the identity provider',
        'roles',
        'must not include national_admin',
      );
    const allowed = tenant.authorityId ? AUTHORITY_USER_ROLES : FORCE_USER_ROLES;
    const wrong = roles.filter((r) => !allowed.includes(r));
    if (wrong.length) {
      const code = tenant.authorityId
        ? wrong.length === 1
          ? 'directory.role_not_at_authority'
          : 'directory.roles_not_at_authority'
        : wrong.length === 1
          ? 'directory.role_not_at_force'
          : 'directory.roles_not_at_force';
      throw unprocessable(problem(code, { roles: wrong, allowed }), [fieldProblem('roles', 'directory.roles_allowed', { allowed })]);
    }
  }

  private auditView(u: DirectoryUser) {
    return {
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      email: u.email,
      roles: u.roles,
      authorityId: u.authorityId ?? null,
      forceId: u.forceId ?? null,
    };
  }

  /**
   * Runs a change and its audit events in one transaction. It runs in the API's system scope: a
   * directory change may append to the logs of authorities the caller's own scope does not show
   * (a new authority's, a force's authorities'); who may make it was decided above.
   */
  private write<T>(work: (m: EntityManager, store: DirectoryStore) => Promise<T>): Promise<T> {
    return runInTenantScope({ system: true }, () => this.db.transaction((m) => work(m, new DirectoryStore(m))));
  }

  /** One event per authority log the change concerns, in id order (appends lock per authority). */
  private async audit(
    m: EntityManager,
    principal: Principal,
    tenant: Tenant,
    subjectId: string,
    action: string,
    before: unknown,
    after: unknown,
  ): Promise<void> {
    const store = new DirectoryStore(m);
    let logs: string[];
    if (tenant.authorityId) logs = [tenant.authorityId];
    else {
      const covered = await store.authoritiesOfForce(tenant.forceId!);
      logs = (covered.length ? covered : await store.listAuthorities()).map((a) => a.id);
    }
    const role = isNational(principal) ? 'national_admin' : 'admin';
    for (const authorityId of [...logs].sort()) {
      // Fanned out, each log gets its own chain for the subject, so each authority's chains verify on their own.
      const caseId = logs.length === 1 ? subjectId : nameUuid(`directory:${subjectId}:${authorityId}`);
      await appendAuditEvent(m, {
        caseId,
        authorityId,
        actor: principal.sub,
        role,
        action,
        before,
        after: { ...(after as object), subjectId, tenant: tenantLabel(tenant) },
      });
    }
  }
}
