import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';
import type { ProcessRole } from './roles';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** the role every connection switches to (libs/persistence/roles.ts); unset: the login user, who owns the schema */
  role?: ProcessRole;
  /** a query not answered within this gives up and its connection is discarded; unset: no limit */
  queryTimeoutMs?: number;
}

/**
 * A pg client whose queries give up after `ms`. A server that stops answering without closing
 * the connection (a hung host, a network partition) otherwise holds every query on it open for
 * as long as it lasts: test:faults froze PostgreSQL and API requests waited the whole freeze.
 * pg's own query_timeout is not enough: it leaves the connection in the pool with the query still
 * in flight (a BEGIN whose ROLLBACK timed out would then wrap the next borrower's statements), so
 * here the connection is destroyed instead, which fails its queries with ETIMEDOUT (a 503 in the
 * API) and makes the pool replace it. Streams and callback-style queries are left alone.
 */
function clientWithQueryTimeout(ms: number): typeof Client {
  return class BoundedClient extends Client {
    override query(...args: unknown[]): never {
      const result = (Client.prototype.query as (...a: unknown[]) => unknown).apply(this, args);
      if (!(result instanceof Promise)) return result as never;
      const timer = setTimeout(() => {
        const error = Object.assign(new Error(`query timeout: PostgreSQL did not answer within ${ms} ms`), { code: 'ETIMEDOUT' });
        (this as unknown as { connection: { stream: { destroy(e: Error): void } } }).connection.stream.destroy(error);
      }, ms);
      return result.finally(() => clearTimeout(timer)) as never;
    }
  } as typeof Client;
}

/** The one way every process (API, worker, scripts, tests) opens the database. */
export function createDataSource({ url, poolSize = 10, applicationName = 'election-casework', role, queryTimeoutMs }: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    migrationsTransactionMode: 'each',
    logging: false,
    // `-c role=...` is SET ROLE at connection start: no connection of the pool is ever the owner.
    extra: {
      max: poolSize,
      application_name: applicationName,
      connectionTimeoutMillis: 5_000,
      ...(role ? { options: `-c role=${role}` } : {}),
      ...(queryTimeoutMs ? { Client: clientWithQueryTimeout(queryTimeoutMs) } : {}),
    },
  });
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}
