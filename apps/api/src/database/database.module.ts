import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ApiConfig, DatabaseConfig } from '@libs/config';
import { API_ROLE, createDataSource, scopeToTenant } from '@libs/persistence';
import { TenantScopeInterceptor } from './tenant-scope.interceptor';

/**
 * The TypeORM data source, opened through the same factory the worker and scripts use, as the
 * API's own database role, with every transaction scoped to the request's tenant (README
 * "Tenancy in the database"). Migrations are applied by the launcher (scripts/start.ts) before
 * any API process starts.
 */
@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [DatabaseConfig, ApiConfig],
      useFactory: (config: DatabaseConfig, api: ApiConfig) =>
        scopeToTenant(
          createDataSource({
            url: config.DATABASE_URL,
            poolSize: config.DATABASE_POOL_SIZE,
            applicationName: 'casework-api',
            role: API_ROLE,
            queryTimeoutMs: api.DATABASE_QUERY_TIMEOUT_MS,
          }),
        ).initialize(),
    },
    { provide: APP_INTERCEPTOR, useClass: TenantScopeInterceptor },
  ],
  exports: [DataSource],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
