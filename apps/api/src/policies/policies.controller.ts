import { Body, Controller, Get, Inject, Param, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiStandardErrors } from '../common/api-docs';
import type { Principal } from '@libs/auth/principal';
import { badRequest } from '../common/api-error';
import { CurrentUser, Roles } from '../auth/decorators';
import { PoliciesService } from './policies.service';

@ApiTags('policy')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('admin/policies')
export class PoliciesController {
  constructor(@Inject(PoliciesService) private readonly policies: PoliciesService) {}

  @Get(':authorityId')
  @ApiOperation({ summary: "Read an authority's policy document" })
  @Roles('admin', 'returning_officer', 'triage', 'staff', 'plan_owner', 'legal')
  get(@CurrentUser() principal: Principal, @Param('authorityId') authorityId: string) {
    return this.policies.get(principal, authorityId);
  }

  /** Merges a partial policy document (admin of that authority); returns the whole. */
  @Patch(':authorityId')
  @ApiOperation({ summary: "Change part of an authority's policy document" })
  @Roles('admin')
  patch(@CurrentUser() principal: Principal, @Param('authorityId') authorityId: string, @Body() body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('send a JSON object with the policy fields to change', [{ field: 'body', problem: 'must be a JSON object' }]);
    return this.policies.patch(principal, authorityId, body as Record<string, unknown>);
  }
}
