import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiStandardErrors } from '../common/api-docs';
import type { Principal } from '@libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';
import { ListReferralsQuery } from './dto/list-referrals.query';
import { ReferralsService } from './referrals.service';

@ApiTags('referrals')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('referrals')
export class ReferralsController {
  constructor(@Inject(ReferralsService) private readonly referrals: ReferralsService) {}

  @Get()
  @Roles('spoc', 'feoa')
  @ApiOperation({ summary: "The cases referred to the caller's force: those waiting for its answer, soonest response deadline first, then those it accepted" })
  @ApiOkResponse({ description: '{ items: [the case, as GET /allegations/:id shows it] }' })
  list(@CurrentUser() principal: Principal, @Query() query: ListReferralsQuery) {
    return this.referrals.list(principal, query);
  }
}
