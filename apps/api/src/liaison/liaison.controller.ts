import { Body, Controller, Get, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiStandardErrors } from '../common/api-docs';
import type { Response } from 'express';
import type { Principal } from '@libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';
import { AgreementQuery, LiaisonAgreementDto, RecordContactDto } from './dto/liaison.dto';
import { LiaisonService } from './liaison.service';

/** Everyone at the authority reads its liaison agreements; a force's SPOC and FEOA read those with their force. */
const READERS = ['staff', 'triage', 'returning_officer', 'plan_owner', 'legal', 'admin', 'spoc', 'feoa'] as const;

@ApiTags('liaison')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('liaison')
export class LiaisonController {
  constructor(@Inject(LiaisonService) private readonly liaison: LiaisonService) {}

  /** The caller's agreements, the soonest contact due first. */
  @Get()
  @ApiOperation({ summary: "List the caller's liaison agreements, the soonest contact due first" })
  @Roles(...READERS)
  list(@CurrentUser() principal: Principal) {
    return this.liaison.list(principal);
  }

  /** One agreement with its contacts, newest first. A force's SPOC or FEOA names the authority (`?authorityId=`). */
  @Get(':forceId')
  @ApiOperation({ summary: 'Read one liaison agreement with its contacts' })
  @Roles(...READERS)
  get(@CurrentUser() principal: Principal, @Param('forceId') forceId: string, @Query() query: AgreementQuery) {
    return this.liaison.get(principal, forceId, query);
  }

  /**
   * Makes (201) or replaces (200) the authority's agreement with the force: its SPOC and FEOA, the
   * agreed contact cadence, the authority's lead and notes. A new cadence applies at once.
   */
  @Put(':forceId')
  @ApiOperation({ summary: "Make or replace the authority's agreement with a force" })
  @ApiCreatedResponse({ description: 'the agreement, made' })
  @ApiOkResponse({ description: 'the agreement, replaced' })
  @Roles('returning_officer', 'admin')
  async put(
    @CurrentUser() principal: Principal,
    @Param('forceId') forceId: string,
    @Body() dto: LiaisonAgreementDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { created, agreement } = await this.liaison.put(principal, forceId, dto);
    res.status(created ? 201 : 200);
    return agreement;
  }

  /** Records a contact between the two sides; the contact cycle restarts from it. */
  @Post(':forceId/contacts')
  @ApiOperation({ summary: 'Record a contact between the authority and the force' })
  @Roles('staff', 'returning_officer', 'spoc', 'feoa')
  recordContact(@CurrentUser() principal: Principal, @Param('forceId') forceId: string, @Body() dto: RecordContactDto) {
    return this.liaison.recordContact(principal, forceId, dto);
  }
}
