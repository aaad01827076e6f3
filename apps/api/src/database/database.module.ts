import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DatabaseConfig } from '../../../../libs/config';
import { createDataSource } from '../../../../libs/persistence';

/**
 * The TypeORM data source, opened through the same factory the worker and scripts use.
 * Migrations are applied by the launcher (scripts/start.ts) before any API process starts.
 */
@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [DatabaseConfig],
      useFactory: (config: DatabaseConfig) =>
        createDataSource({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, applicationName: 'casework-api' }).initialize(),
    },
  ],
  exports: [DataSource],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
