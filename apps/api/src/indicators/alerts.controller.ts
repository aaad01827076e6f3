import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiStandardErrors } from '../common/api-docs';
import type { Principal } from '@libs/auth/principal';
import { CreateAllegationDto } from '../allegations/dto/create-allegation.dto';
import { CurrentUser, Roles } from '../auth/decorators';
import { DismissAlertDto, LinkAlertDto, ListAlertsQuery } from './dto/indicator.dto';
import { IndicatorAlertsService } from './alerts.service';

@ApiTags('indicators')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('indicator-alerts')
export class IndicatorAlertsController {
  constructor(@Inject(IndicatorAlertsService) private readonly alerts: IndicatorAlertsService) {}

  /** Newest first; `?status=open` for those awaiting triage. */
  @Get()
  @ApiOperation({ summary: 'List indicator alerts, newest first' })
  @Roles('triage', 'plan_owner', 'returning_officer')
  list(@CurrentUser() principal: Principal, @Query() query: ListAlertsQuery) {
    return this.alerts.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read one indicator alert' })
  @Roles('triage', 'plan_owner', 'returning_officer')
  get(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.alerts.get(principal, id);
  }

  /** Logs a new allegation (the body of `POST /allegations`) from the alert, linked to it. */
  @Post(':id/allegation')
  @ApiOperation({ summary: 'Log an allegation from an alert, linked to it' })
  @ApiErrors([409, 'the alert is no longer open'])
  @Roles('triage')
  raise(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: CreateAllegationDto) {
    return this.alerts.raiseAllegation(principal, id, dto);
  }

  /** Links the alert to an allegation already logged. */
  @Post(':id/link')
  @ApiOperation({ summary: 'Link an alert to an allegation already logged' })
  @ApiErrors([409, 'the alert is no longer open'])
  @HttpCode(200)
  @Roles('triage')
  link(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: LinkAlertDto) {
    return this.alerts.link(principal, id, dto);
  }

  @Post(':id/dismiss')
  @ApiOperation({ summary: 'Dismiss an alert, with a reason' })
  @ApiErrors([409, 'the alert is no longer open'])
  @HttpCode(200)
  @Roles('triage')
  dismiss(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: DismissAlertDto) {
    return this.alerts.dismiss(principal, id, dto.reason);
  }
}
