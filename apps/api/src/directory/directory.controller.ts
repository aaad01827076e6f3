import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';
import { ApiErrors, ApiStandardErrors } from '../common/api-docs';
import { CreateAuthorityDto, CreateForceDto, CreateIdentityMappingDto, CreateUserDto, RolesDto } from './directory.dto';
import { DirectoryService } from './directory.service';

/** Authorities and police forces: the national administrator's. */
@ApiTags('administration')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('admin')
export class TenantsController {
  constructor(@Inject(DirectoryService) private readonly directory: DirectoryService) {}

  @Get('forces')
  @Roles('national_admin')
  @ApiOperation({ summary: 'Every police force' })
  @ApiOkResponse({ description: '[{ id, name, addedAt, addedBy }]' })
  listForces() {
    return this.directory.listForces();
  }

  @Post('forces')
  @Roles('national_admin')
  @ApiErrors([409, 'a force with this id exists already'])
  @ApiOperation({ summary: 'Add a police force' })
  @ApiCreatedResponse({ description: '{ id, name, addedAt, addedBy }' })
  addForce(@CurrentUser() principal: Principal, @Body() dto: CreateForceDto) {
    return this.directory.addForce(principal, dto);
  }

  @Get('authorities')
  @Roles('national_admin')
  @ApiOperation({ summary: 'Every authority, with its police force' })
  @ApiOkResponse({ description: '[{ id, name, referencePrefix, forceId, forceName, addedAt, addedBy }]' })
  listAuthorities() {
    return this.directory.listAuthorities();
  }

  @Post('authorities')
  @Roles('national_admin')
  @ApiErrors([409, 'an authority with this id, or this reference prefix, exists already'])
  @ApiOperation({ summary: 'Add an authority in the area of an existing police force' })
  @ApiCreatedResponse({ description: '{ id, name, referencePrefix, forceId, forceName, addedAt, addedBy }' })
  addAuthority(@CurrentUser() principal: Principal, @Body() dto: CreateAuthorityDto) {
    return this.directory.addAuthority(principal, dto);
  }

  @Get('authorities/:authorityId/police')
  @Roles('admin')
  @ApiOperation({ summary: "The authority's police force and that force's SPOCs and FEOAs (the authority's admin; read-only)" })
  @ApiOkResponse({ description: '{ authorityId, force: { id, name }, spocs: [{ id, displayName, email, roles }], feoas: [...] }' })
  police(@CurrentUser() principal: Principal, @Param('authorityId') authorityId: string) {
    return this.directory.policeOf(principal, authorityId);
  }
}

/** A tenant's users: its admin's; the national administrator lists and adds them for any tenant. */
@ApiTags('administration')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('admin/users')
export class UsersController {
  constructor(@Inject(DirectoryService) private readonly directory: DirectoryService) {}

  @Get()
  @Roles('admin', 'national_admin')
  @ApiQuery({ name: 'authorityId', required: false, description: 'national administrator: the authority whose users to list' })
  @ApiQuery({ name: 'forceId', required: false, description: 'national administrator: the force whose users to list' })
  @ApiOperation({ summary: "The users of the caller's tenant (or, for the national administrator, of the tenant named), active first" })
  @ApiOkResponse({ description: '[{ id, username, displayName, email, roles, authorityId|forceId, active, createdAt, deactivatedAt, deactivatedBy }]' })
  list(@CurrentUser() principal: Principal, @Query('authorityId') authorityId?: string, @Query('forceId') forceId?: string) {
    return this.directory.listUsers(principal, {
      authorityId: typeof authorityId === 'string' ? authorityId : undefined,
      forceId: typeof forceId === 'string' ? forceId : undefined,
    });
  }

  @Post()
  @Roles('admin', 'national_admin')
  @ApiErrors([409, 'the username is taken'])
  @ApiOperation({ summary: "Add a user to the caller's tenant (the national administrator names the tenant, to add its first admin)" })
  @ApiCreatedResponse({ description: 'the user' })
  add(@CurrentUser() principal: Principal, @Body() dto: CreateUserDto) {
    return this.directory.addUser(principal, dto);
  }

  @Get(':id')
  @Roles('admin')
  @ApiOperation({ summary: "One of the tenant's users" })
  get(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.directory.getUser(principal, id);
  }

  @Put(':id/roles')
  @Roles('admin')
  @ApiErrors([409, 'an admin cannot take the admin role from themselves'])
  @ApiOperation({ summary: "Replace a user's roles (never national_admin)" })
  setRoles(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: RolesDto) {
    return this.directory.setRoles(principal, id, dto.roles);
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @Roles('admin')
  @ApiErrors([409, 'the user is deactivated already, or is the caller'])
  @ApiOperation({ summary: 'Deactivate a user: they can no longer sign in, and their tokens are refused (within 5 s on every API process)' })
  deactivate(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.directory.deactivate(principal, id);
  }
}

/** The mapping from an identity provider's claims to roles at the tenant: its admin's. */
@ApiTags('administration')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('admin/identity-mappings')
export class IdentityMappingsController {
  constructor(@Inject(DirectoryService) private readonly directory: DirectoryService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: "The tenant's identity-provider mappings" })
  @ApiOkResponse({ description: '[{ id, claim, value, roles, authorityId|forceId, createdAt, createdBy }]' })
  list(@CurrentUser() principal: Principal) {
    return this.directory.listMappings(principal);
  }

  @Post()
  @Roles('admin')
  @ApiErrors([409, 'the tenant maps this claim and value already'])
  @ApiOperation({
    summary: 'Map a claim value to roles at the tenant: a token with no roles claim whose claim has (or holds) the value gets the roles (within 30 s)',
  })
  @ApiCreatedResponse({ description: 'the mapping' })
  add(@CurrentUser() principal: Principal, @Body() dto: CreateIdentityMappingDto) {
    return this.directory.addMapping(principal, dto);
  }

  @Delete(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Remove a mapping' })
  remove(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.directory.removeMapping(principal, id);
  }
}
