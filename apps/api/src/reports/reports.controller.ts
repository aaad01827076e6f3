import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiStandardErrors } from '../common/api-docs';
import type { Response } from 'express';
import type { Principal } from '@libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';
import { ReturnsQuery } from './dto/returns.query';
import { RETURNS_HEADER, ReturnsService } from './returns.service';

@ApiTags('reports')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('reports')
export class ReportsController {
  constructor(@Inject(ReturnsService) private readonly returns: ReturnsService) {}

  @Get('returns.csv')
  @Roles('returning_officer', 'legal', 'admin')
  @ApiOperation({ summary: "The national returns for the caller's authority: case counts by force, offence category, status and outcome" })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: `CSV (RFC 4180, CRLF) with the header ${RETURNS_HEADER.join(',')}; one row per combination that has cases`,
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  async returnsCsv(@CurrentUser() principal: Principal, @Query() query: ReturnsQuery, @Res({ passthrough: true }) res: Response): Promise<string> {
    const csv = await this.returns.csv(principal, query);
    const day = new Date().toISOString().slice(0, 10);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    // Tenant ids are slugs, but the filename goes into a header, so keep it to safe characters.
    res.setHeader('Content-Disposition', `attachment; filename="returns-${principal.authorityId!.replace(/[^A-Za-z0-9_-]/g, '_')}-${day}.csv"`);
    // One authority's figures: no shared cache may keep them.
    res.setHeader('Cache-Control', 'no-store');
    return csv;
  }
}
