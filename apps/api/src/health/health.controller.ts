import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ApiStandardErrors } from '../common/api-docs';
import type { Response } from 'express';
import { Public } from '../auth/decorators';
import { HealthService } from './health.service';

const HEALTH_SCHEMA = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    checks: {
      type: 'object',
      required: ['database', 'temporal'],
      properties: { database: { type: 'string', enum: ['up', 'down'] }, temporal: { type: 'string', enum: ['up', 'down'] } },
    },
  },
};

@ApiTags('health')
@ApiStandardErrors()
@Controller('health')
export class HealthController {
  constructor(@Inject(HealthService) private readonly dependencies: HealthService) {}

  /** 200 when PostgreSQL and Temporal both answer within two seconds; 503 naming what is down otherwise. */
  @Public()
  @Get()
  @ApiOperation({ summary: 'Check that PostgreSQL and Temporal answer' })
  @ApiOkResponse({ description: 'every dependency answered', schema: HEALTH_SCHEMA })
  @ApiServiceUnavailableResponse({ description: 'a dependency is down: `checks` says which (this body, not the error body)', schema: HEALTH_SCHEMA })
  async health(@Res({ passthrough: true }) res: Response) {
    const checks = await this.dependencies.check();
    const ok = checks.database === 'up' && checks.temporal === 'up';
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks };
  }
}
