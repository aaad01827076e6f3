import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ApiStandardErrors } from '../common/api-docs';
import { Connection } from '@temporalio/client';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/decorators';

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

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
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(Connection) private readonly temporal: Connection,
  ) {}

  /** 200 when PostgreSQL and Temporal both answer within two seconds; 503 naming what is down otherwise. */
  @Public()
  @Get()
  @ApiOperation({ summary: 'Check that PostgreSQL and Temporal answer' })
  @ApiOkResponse({ description: 'every dependency answered', schema: HEALTH_SCHEMA })
  @ApiServiceUnavailableResponse({ description: 'a dependency is down: `checks` says which (this body, not the error body)', schema: HEALTH_SCHEMA })
  async health(@Res({ passthrough: true }) res: Response) {
    const checks = await this.check();
    const ok = checks.database === 'up' && checks.temporal === 'up';
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks };
  }

  /** The check in flight, which requests arriving meanwhile share: a poll storm costs one check at a time. */
  private inFlight?: Promise<{ database: 'up' | 'down'; temporal: 'up' | 'down' }>;

  private check(): Promise<{ database: 'up' | 'down'; temporal: 'up' | 'down' }> {
    const probe = async (work: () => Promise<unknown>): Promise<'up' | 'down'> => {
      try {
        await within(2_000, work());
        return 'up';
      } catch {
        return 'down';
      }
    };
    this.inFlight ??= Promise.all([probe(() => this.db.query('SELECT 1')), probe(() => this.temporal.workflowService.getSystemInfo({}))])
      .then(([database, temporal]) => ({ database, temporal }))
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }
}
