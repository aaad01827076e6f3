import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiStandardErrors } from '../common/api-docs';
import type { Principal } from '@libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';
import { NoteDto } from '../allegations/dto/decisions.dto';
import { CreateRiskDto, ListRisksQuery, RecordReviewDto, UpdateRiskDto } from './dto/risk.dto';
import { RisksService } from './risks.service';

const REGISTER_ROLES = ['staff', 'plan_owner', 'returning_officer'] as const;

@ApiTags('risks')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('risks')
export class RisksController {
  constructor(@Inject(RisksService) private readonly risks: RisksService) {}

  @Post()
  @ApiOperation({ summary: "Add a risk to the authority's register" })
  @Roles(...REGISTER_ROLES)
  create(@CurrentUser() principal: Principal, @Body() dto: CreateRiskDto) {
    return this.risks.create(principal, dto);
  }

  /** The authority's register, overdue reviews first; `?overdue=true` for those alone. */
  @Get()
  @ApiOperation({ summary: 'List the risk register, overdue reviews first' })
  @Roles(...REGISTER_ROLES)
  list(@CurrentUser() principal: Principal, @Query() query: ListRisksQuery) {
    return this.risks.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read one risk with its reviews' })
  @Roles(...REGISTER_ROLES)
  get(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.risks.get(principal, id);
  }

  /** A new owner, cadence or poll date applies to the review cycle at once. */
  @Patch(':id')
  @ApiOperation({ summary: "Change a risk's owner, review cadence or poll date" })
  @ApiErrors([409, 'the risk is closed'])
  @Roles('plan_owner', 'returning_officer')
  update(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: UpdateRiskDto) {
    return this.risks.update(principal, id, dto);
  }

  /** The risk's owner records a review; the cycle restarts. */
  @Post(':id/reviews')
  @ApiOperation({ summary: 'Record a review of a risk; its cycle restarts' })
  @ApiErrors([409, 'the risk is closed'])
  @Roles(...REGISTER_ROLES)
  review(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: RecordReviewDto) {
    return this.risks.review(principal, id, dto);
  }

  @Post(':id/close')
  @ApiOperation({ summary: 'Close a risk' })
  @ApiErrors([409, 'the risk is already closed'])
  @HttpCode(200)
  @Roles('plan_owner', 'returning_officer')
  close(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.risks.close(principal, id, dto.note);
  }
}
