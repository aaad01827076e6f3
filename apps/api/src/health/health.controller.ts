import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
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

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(DataSource) private readonly db: DataSource, @Inject(Connection) private readonly temporal: Connection) {}

  /** 200 when PostgreSQL and Temporal both answer within two seconds; 503 naming what is down otherwise. */
  @Public()
  @Get()
  @ApiOkResponse({ description: 'every dependency answered' })
  async health(@Res({ passthrough: true }) res: Response) {
    const check = async (work: () => Promise<unknown>) => {
      try {
        await within(2_000, work());
        return 'up';
      } catch {
        return 'down';
      }
    };
    const [database, temporal] = await Promise.all([check(() => this.db.query('SELECT 1')), check(() => this.temporal.workflowService.getSystemInfo({}))]);
    const ok = database === 'up' && temporal === 'up';
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks: { database, temporal } };
  }
}
