import { Inject, Injectable } from '@nestjs/common';
import { Connection } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { HealthStore } from '@libs/persistence/stores/health.store';

export type DependencyState = 'up' | 'down';

export interface HealthChecks {
  database: DependencyState;
  temporal: DependencyState;
}

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

/** Whether PostgreSQL and Temporal each answer within two seconds. */
@Injectable()
export class HealthService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(Connection) private readonly temporal: Connection,
  ) {}

  /** The check in flight, which requests arriving meanwhile share: a poll storm costs one check at a time. */
  private inFlight?: Promise<HealthChecks>;

  check(): Promise<HealthChecks> {
    const probe = async (work: () => Promise<unknown>): Promise<DependencyState> => {
      try {
        await within(2_000, work());
        return 'up';
      } catch {
        return 'down';
      }
    };
    this.inFlight ??= Promise.all([probe(() => new HealthStore(this.db).ping()), probe(() => this.temporal.workflowService.getSystemInfo({}))])
      .then(([database, temporal]) => ({ database, temporal }))
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }
}
