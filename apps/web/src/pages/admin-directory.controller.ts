// Administration of the directory: the national administrator's authorities and police forces;
// an admin's users and roles, identity-provider mappings and (at an authority) its police force's
// SPOCs and FEOAs. Pages read and write through the JSON API (/admin/authorities, /admin/forces,
// /admin/users, /admin/identity-mappings), whose rules decide who may do what.
import { Controller, Get, Inject, NotFoundException, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Role } from '@libs/auth/principal';
import { Public } from '@libs/auth/decorators';
import { AUTHORITY_USER_ROLES, FORCE_USER_ROLES } from '@libs/auth/principal';
import { ApiFailure } from '../api-client';
import { addError, errorsFromApi, formBody, FormErrors, noErrors, UUID } from '../forms';
import { type Language, msg, tFor } from '../i18n';
import { labelOf } from '../labels';
import { WebErrorsFilter } from '../web-errors.filter';
import { sendPage, WebUser, WebUsers } from '../web-user';
import type { DirectoryEntryView, DirectoryUserView } from '../api-views';

type Form = FormErrors & { values: Record<string, unknown> };
const refused = [403, 409, 422];
const FORCE_FIELDS = { id: { id: 'forceId', label: msg('Force identifier') }, name: { id: 'forceName', label: msg('Force name') } };
const AUTHORITY_FIELDS = {
  id: { id: 'authorityId', label: msg('Authority identifier') },
  name: { id: 'authorityName', label: msg('Authority name') },
  referencePrefix: { id: 'referencePrefix', label: msg('Reference prefix') },
  forceId: { id: 'authorityForce', label: msg('Police force') },
};
const USER_FIELDS = {
  username: { id: 'username', label: msg('Username') },
  displayName: { id: 'displayName', label: msg('Full name') },
  email: { id: 'email', label: msg('Email address') },
  roles: { id: 'roles', label: msg('Roles') },
};
const MAPPING_FIELDS = {
  claim: { id: 'claim', label: msg('Claim name') },
  value: { id: 'value', label: msg('Claim value') },
  roles: { id: 'roles', label: msg('Roles') },
};

/** A form's checkboxes arrive as one string or, for several, as repeated fields. */
function rolesFrom(req: Request): Role[] {
  const raw = (req.body as Record<string, unknown> | undefined)?.roles;
  return (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []).filter((r): r is Role => typeof r === 'string');
}

const tenantQuery = (t: { authorityId?: string; forceId?: string }) =>
  t.authorityId ? `?authorityId=${encodeURIComponent(t.authorityId)}` : t.forceId ? `?forceId=${encodeURIComponent(t.forceId)}` : '';
const TENANT_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('admin/directory')
export class AdminDirectoryController {
  constructor(@Inject(WebUsers) private readonly users: WebUsers) {}

  @Get()
  async index(@Req() req: Request, @Res() res: Response) {
    const user = await this.users.require(req);
    if (!user.has('admin', 'national_admin')) throw new ApiFailure(403, { message: 'administration is for admins' });
    sendPage(req, res, user, 'admin/index.njk', {
      title: tFor(req)('Administration'),
      national: user.has('national_admin'),
      admin: user.has('admin'),
      atAuthority: Boolean(user.principal.authorityId),
    });
  }

  // Authorities and forces (national administrator)

  @Get('authorities')
  async authorities(@Req() req: Request, @Res() res: Response) {
    await this.showAuthorities(req, res, await this.users.require(req));
  }

  @Post('forces')
  async addForce(@Req() req: Request, @Res() res: Response) {
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    try {
      const force = await user.api.post<DirectoryEntryView>('/admin/forces', { id: f.forceId?.trim(), name: f.forceName?.trim() });
      res.redirect(303, `/admin/directory/authorities?done=force&name=${encodeURIComponent(force.name)}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      await this.showAuthorities(req, res, user, { ...errorsFromApi(error, FORCE_FIELDS, 'forceId', tFor(req)), values: f }, error.status);
    }
  }

  @Post('authorities')
  async addAuthority(@Req() req: Request, @Res() res: Response) {
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    if (!f.authorityForce)
      return this.showAuthorities(
        req,
        res,
        user,
        { ...addError(noErrors(), 'authorityForce', tFor(req)('Select the police force whose area the authority is in')), values: f },
        422,
      );
    try {
      const authority = await user.api.post<DirectoryEntryView>('/admin/authorities', {
        id: f.authorityId?.trim(),
        name: f.authorityName?.trim(),
        referencePrefix: f.referencePrefix?.trim(),
        forceId: f.authorityForce,
      });
      res.redirect(303, `/admin/directory/authorities?done=authority&name=${encodeURIComponent(authority.name)}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      await this.showAuthorities(req, res, user, { ...errorsFromApi(error, AUTHORITY_FIELDS, 'authorityId', tFor(req)), values: f }, error.status);
    }
  }

  // Users and roles

  @Get('users')
  async userList(@Req() req: Request, @Res() res: Response, @Query('authorityId') authorityId?: string, @Query('forceId') forceId?: string) {
    const user = await this.users.require(req);
    await this.showUsers(req, res, user, this.tenantOf(user, authorityId, forceId));
  }

  @Post('users')
  async addUser(@Req() req: Request, @Res() res: Response) {
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const tenant = this.tenantOf(user, f.authorityId, f.forceId);
    const roles = rolesFrom(req);
    const values = { ...f, roles };
    if (roles.length === 0)
      return this.showUsers(req, res, user, tenant, { ...addError(noErrors(), 'roles', tFor(req)('Select at least one role')), values }, 422);
    try {
      const added = await user.api.post<DirectoryUserView>('/admin/users', {
        username: f.username?.trim(),
        displayName: f.displayName?.trim(),
        email: f.email?.trim(),
        roles,
        ...(user.has('national_admin') ? tenant : {}),
      });
      res.redirect(
        303,
        `/admin/directory/users${tenantQuery(user.has('national_admin') ? tenant : {})}${user.has('national_admin') ? '&' : '?'}done=added&name=${encodeURIComponent(added.username)}`,
      );
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      await this.showUsers(req, res, user, tenant, { ...errorsFromApi(error, USER_FIELDS, 'username', tFor(req)), values }, error.status);
    }
  }

  @Get('users/:id')
  async userPage(@Req() req: Request, @Res() res: Response, @Param('id') userId: string) {
    await this.showUser(req, res, await this.users.require(req), id(userId));
  }

  @Post('users/:id/roles')
  async changeRoles(@Req() req: Request, @Res() res: Response, @Param('id') userId: string) {
    const user = await this.users.requirePost(req);
    const roles = rolesFrom(req);
    if (roles.length === 0)
      return this.showUser(req, res, user, id(userId), { ...addError(noErrors(), 'roles', tFor(req)('Select at least one role')), values: { roles } }, 422);
    try {
      await user.api.put(`/admin/users/${id(userId)}/roles`, { roles });
      res.redirect(303, `/admin/directory/users/${id(userId)}?done=roles`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      await this.showUser(
        req,
        res,
        user,
        id(userId),
        { ...errorsFromApi(error, { roles: USER_FIELDS.roles }, 'roles', tFor(req)), values: { roles } },
        error.status,
      );
    }
  }

  @Post('users/:id/deactivate')
  async deactivate(@Req() req: Request, @Res() res: Response, @Param('id') userId: string) {
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    if (f.confirm !== 'yes')
      return this.showUser(
        req,
        res,
        user,
        id(userId),
        { ...addError(noErrors(), 'confirm', tFor(req)('Confirm that this person should no longer be able to sign in')), values: {} },
        422,
      );
    try {
      await user.api.post(`/admin/users/${id(userId)}/deactivate`, {});
      res.redirect(303, `/admin/directory/users/${id(userId)}?done=deactivated`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      await this.showUser(req, res, user, id(userId), { ...errorsFromApi(error, {}, 'confirm', tFor(req)), values: {} }, error.status);
    }
  }

  // Identity-provider mappings

  @Get('identity-mappings')
  async mappings(@Req() req: Request, @Res() res: Response) {
    await this.showMappings(req, res, await this.users.require(req));
  }

  @Post('identity-mappings')
  async addMapping(@Req() req: Request, @Res() res: Response) {
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const roles = rolesFrom(req);
    const values = { ...f, roles };
    if (roles.length === 0) return this.showMappings(req, res, user, { ...addError(noErrors(), 'roles', tFor(req)('Select at least one role')), values }, 422);
    try {
      await user.api.post('/admin/identity-mappings', { claim: f.claim?.trim(), value: f.value?.trim(), roles });
      res.redirect(303, '/admin/directory/identity-mappings?done=added');
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      await this.showMappings(req, res, user, { ...errorsFromApi(error, MAPPING_FIELDS, 'claim', tFor(req)), values }, error.status);
    }
  }

  @Post('identity-mappings/:id/remove')
  async removeMapping(@Req() req: Request, @Res() res: Response, @Param('id') mappingId: string) {
    const user = await this.users.requirePost(req);
    await user.api.delete(`/admin/identity-mappings/${id(mappingId)}`);
    res.redirect(303, '/admin/directory/identity-mappings?done=removed');
  }

  // The authority's police force, SPOCs and FEOAs (read-only)

  @Get('police')
  async police(@Req() req: Request, @Res() res: Response) {
    const user = await this.users.require(req);
    if (!user.principal.authorityId) throw new ApiFailure(404, { message: 'this page is for an authority' });
    const police = await user.api.get(`/admin/authorities/${encodeURIComponent(user.principal.authorityId)}/police`);
    sendPage(req, res, user, 'admin/police.njk', { title: tFor(req)('Police force, SPOCs and FEOAs'), police, backLink: '/admin/directory' });
  }

  private tenantOf(user: WebUser, authorityId?: string, forceId?: string): { authorityId?: string; forceId?: string } {
    if (!user.has('national_admin')) return user.principal.authorityId ? { authorityId: user.principal.authorityId } : { forceId: user.principal.forceId };
    if (typeof authorityId === 'string' && TENANT_ID.test(authorityId)) return { authorityId };
    if (typeof forceId === 'string' && TENANT_ID.test(forceId)) return { forceId };
    throw new NotFoundException();
  }

  private async showAuthorities(req: Request, res: Response, user: WebUser, form?: Form, status = 200) {
    const [authorities, forces] = await Promise.all([
      user.api.get<DirectoryEntryView[]>('/admin/authorities'),
      user.api.get<DirectoryEntryView[]>('/admin/forces'),
    ]);
    sendPage(
      req,
      res,
      user,
      'admin/authorities.njk',
      {
        title: tFor(req)('Authorities and police forces'),
        authorities,
        forces,
        forceItems: [
          { value: '', text: tFor(req)('Choose a police force') },
          ...forces.map((f) => ({ value: f.id, text: f.name, selected: form?.values.authorityForce === f.id })),
        ],
        ...this.banner(req, form),
        ...formContext(form),
        backLink: '/admin/directory',
      },
      status,
    );
  }

  private async showUsers(req: Request, res: Response, user: WebUser, tenant: { authorityId?: string; forceId?: string }, form?: Form, status = 200) {
    const national = user.has('national_admin');
    const people = await user.api.get<DirectoryUserView[]>(`/admin/users${national ? tenantQuery(tenant) : ''}`);
    const roleChoices = tenant.authorityId ? AUTHORITY_USER_ROLES : FORCE_USER_ROLES;
    sendPage(
      req,
      res,
      user,
      'admin/users.njk',
      {
        title: tFor(req)('Users and roles'),
        people: people.map((p) => ({ ...p, roleLabels: p.roles.map((r) => labelOf(r, tFor(req).lang)).join(', ') })),
        national,
        tenant,
        tenantLabel: tenant.authorityId ?? tenant.forceId,
        roleItems: roleItems(tFor(req).lang, roleChoices, (form?.values.roles as string[] | undefined) ?? []),
        ...this.banner(req, form),
        ...formContext(form),
        backLink: national ? '/admin/directory/authorities' : '/admin/directory',
      },
      status,
    );
  }

  private async showUser(req: Request, res: Response, user: WebUser, userId: string, form?: Form, status = 200) {
    const person = await user.api.get<DirectoryUserView>(`/admin/users/${userId}`);
    const chosen = (form?.values.roles as string[] | undefined) ?? person.roles;
    sendPage(
      req,
      res,
      user,
      'admin/user.njk',
      {
        title: person.displayName,
        person: { ...person, roleLabels: person.roles.map((r) => labelOf(r, tFor(req).lang)).join(', ') },
        roleItems: roleItems(tFor(req).lang, person.authorityId ? AUTHORITY_USER_ROLES : FORCE_USER_ROLES, chosen),
        isSelf: person.id === user.principal.sub,
        ...this.banner(req, form),
        ...formContext(form),
        backLink: '/admin/directory/users',
      },
      status,
    );
  }

  private async showMappings(req: Request, res: Response, user: WebUser, form?: Form, status = 200) {
    const mappings = await user.api.get<{ roles: string[] }[]>('/admin/identity-mappings');
    sendPage(
      req,
      res,
      user,
      'admin/identity-mappings.njk',
      {
        title: tFor(req)('Identity provider mappings'),
        mappings: mappings.map((m) => ({ ...m, roleLabels: m.roles.map((r) => labelOf(r, tFor(req).lang)).join(', ') })),
        roleItems: roleItems(
          tFor(req).lang,
          user.principal.authorityId ? AUTHORITY_USER_ROLES : FORCE_USER_ROLES,
          (form?.values.roles as string[] | undefined) ?? [],
        ),
        ...this.banner(req, form),
        ...formContext(form),
        backLink: '/admin/directory',
      },
      status,
    );
  }

  private banner(req: Request, form?: Form) {
    return {
      done: !form && typeof req.query.done === 'string' ? req.query.done : undefined,
      doneName: typeof req.query.name === 'string' ? req.query.name.slice(0, 200) : undefined,
    };
  }
}

function roleItems(lang: Language, roles: Role[], chosen: string[]) {
  return roles.map((r) => ({ value: r, text: labelOf(r, lang), checked: chosen.includes(r) }));
}

function id(value: string): string {
  if (!UUID.test(value)) throw new NotFoundException();
  return value;
}

function formContext(form?: Form) {
  return { errors: form?.errors ?? {}, errorList: form?.errorList ?? [], values: form?.values ?? {} };
}
