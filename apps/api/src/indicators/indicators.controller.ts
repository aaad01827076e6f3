import { Body, Controller, Get, HttpStatus, Inject, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiStandardErrors } from '../common/api-docs';
import type { Request, Response } from 'express';
import type { Principal } from '@libs/auth/principal';
import { withoutUnsafe } from '../common/unsafe-text';
import { CurrentUser, Roles } from '../auth/decorators';
import { ApiError, badRequest } from '../common/api-error';
import { CreateIndicatorDto, ListObservationsQuery, ObservationDto, UpdateIndicatorDto } from './dto/indicator.dto';
import { IndicatorsService } from './indicators.service';

const READERS = ['staff', 'triage', 'plan_owner', 'returning_officer'] as const;
const RECORDERS = ['staff', 'plan_owner', 'returning_officer'] as const;

@ApiTags('indicators')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller()
export class IndicatorsController {
  constructor(@Inject(IndicatorsService) private readonly indicators: IndicatorsService) {}

  @Post('indicators')
  @ApiOperation({ summary: 'Define an indicator and its alert threshold' })
  @ApiErrors([409, 'the authority already has an indicator with this key'])
  @Roles('plan_owner', 'returning_officer')
  create(@CurrentUser() principal: Principal, @Body() dto: CreateIndicatorDto) {
    return this.indicators.create(principal, dto);
  }

  @Get('indicators')
  @ApiOperation({ summary: "List the authority's indicators" })
  @Roles(...READERS)
  list(@CurrentUser() principal: Principal) {
    return this.indicators.list(principal);
  }

  @Get('indicators/:id')
  @ApiOperation({ summary: 'Read one indicator' })
  @Roles(...READERS)
  get(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.indicators.get(principal, id);
  }

  /** A new threshold applies to observations recorded from then on. */
  @Patch('indicators/:id')
  @ApiOperation({ summary: "Change an indicator's threshold or name" })
  @Roles('plan_owner', 'returning_officer')
  update(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: UpdateIndicatorDto) {
    return this.indicators.update(principal, id, dto);
  }

  /** One observation; 201 with the alerts it raised. */
  @Post('indicators/:id/observations')
  @ApiOperation({ summary: 'Record one observation; answers with the alerts it raised' })
  @Roles(...RECORDERS)
  record(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: ObservationDto) {
    return this.indicators.record(principal, id, dto);
  }

  @Get('indicators/:id/observations')
  @ApiOperation({ summary: "List an indicator's observations" })
  @Roles(...READERS)
  observations(@CurrentUser() principal: Principal, @Param('id') id: string, @Query() query: ListObservationsQuery) {
    return this.indicators.observations(principal, id, query);
  }

  /**
   * A CSV of observations (`indicator,subject,value,observedAt[,note]`, header first), streamed.
   * 201 with the rows recorded and alerts raised; 422 naming each bad row by line and field, with
   * nothing recorded; 413 past `INDICATOR_CSV_MAX_BYTES`.
   */
  @Post('indicator-uploads')
  @ApiOperation({ summary: 'Upload a CSV of observations (streamed)' })
  @ApiErrors(
    [413, 'the file is larger than INDICATOR_CSV_MAX_BYTES'],
    [415, 'the body is not text/csv'],
    [422, 'rows failed validation: `details` names each by line; nothing was recorded'],
  )
  @Roles(...RECORDERS)
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: 'indicator,subject,value,observedAt\npostal_votes_per_address,12 High Street,9,2026-11-20\n' } })
  @ApiHeader({ name: 'X-Filename', required: false, description: "the file's name, kept as metadata" })
  async upload(@CurrentUser() principal: Principal, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    try {
      if (!req.is('text/csv')) {
        throw new ApiError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'observations are uploaded as text/csv', [
          { field: 'Content-Type', problem: `is ${req.header('content-type') ?? '(none)'}, not text/csv` },
        ]);
      }
      const filename =
        withoutUnsafe(req.header('x-filename') ?? '')
          .trim()
          .slice(0, 255) || null;
      if (filename?.includes('/')) throw badRequest('X-Filename must be a file name, not a path', [{ field: 'X-Filename', problem: 'contains a /' }]);
      res.status(201);
      return await this.indicators.upload(principal, req, filename);
    } catch (error) {
      // A refusal before the whole body was read closes the connection rather than draining it.
      if (!req.readableEnded) res.setHeader('Connection', 'close');
      throw error;
    }
  }

  @Get('indicator-uploads')
  @ApiOperation({ summary: "List the authority's observation uploads" })
  @Roles(...READERS)
  uploads(@CurrentUser() principal: Principal) {
    return this.indicators.uploads(principal);
  }
}
