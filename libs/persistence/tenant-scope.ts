// The tenant a piece of work runs for, carried through async calls, and the data source wrapper
// that hands it to PostgreSQL's row-level security at the start of every transaction it opens.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, QueryRunner } from 'typeorm';

/** Whose rows the API may touch: a caller's authority or force, or the API's own background work. */
export interface TenantScope {
  authorityId?: string;
  forceId?: string;
  userId?: string;
  /** the API's background work that is cross-tenant by design (the intake outbox sweep) */
  system?: boolean;
}

const scopes = new AsyncLocalStorage<TenantScope>();

/** Runs `work` (and everything it awaits) for `scope`. */
export function runInTenantScope<T>(scope: TenantScope, work: () => T): T {
  return scopes.run(scope, work);
}

export function currentTenantScope(): TenantScope | undefined {
  return scopes.getStore();
}

// Ids come from verified tokens, path parameters or code, and are written into the statement (one
// round trip, below), so they are quoted as an escape string literal, correct whatever
// standard_conforming_strings says. A token's subject is the identity provider's to choose and may
// hold quotes or control characters (the log-injection test signs such a one); only NUL, which no
// PostgreSQL text can hold, is refused.
function literal(value: string | undefined): string {
  const text = value ?? '';
  if (text.includes('\0')) throw new Error('tenant scope: an id holds a NUL character');
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `set_config(..., true)` is `SET LOCAL`: it ends with the transaction, so nothing leaks to the pool. */
export function tenantSettingsSql(scope: TenantScope): string {
  return (
    `SELECT set_config('app.authority_id', ${literal(scope.authorityId)}, true), set_config('app.force_id', ${literal(scope.forceId)}, true), ` +
    `set_config('app.user_id', ${literal(scope.userId)}, true), set_config('app.scope', ${scope.system ? "'system'" : "''"}, true)`
  );
}

type RunnerState = QueryRunner & { transactionDepth: number };

/**
 * Makes every query runner of `dataSource` carry the current tenant scope into PostgreSQL:
 *
 * - a transaction (dataSource.transaction, a repository's save) gets the settings in the same
 *   round trip as its START TRANSACTION, before any statement of the caller: no extra round trip;
 * - a statement outside a transaction (dataSource.query, a repository's find) runs in a short
 *   transaction of its own: BEGIN and the settings in one round trip, the statement, COMMIT.
 *
 * With no scope, statements run as they are, and row-level security shows them no tenant rows.
 * Wrapping the driver's factory catches every path, since TypeORM opens every query runner there.
 */
export function scopeToTenant(dataSource: DataSource): DataSource {
  const driver = dataSource.driver as unknown as { createQueryRunner(mode: 'master' | 'slave'): QueryRunner };
  const create = driver.createQueryRunner.bind(driver);
  driver.createQueryRunner = (mode) => {
    const runner = create(mode) as RunnerState;
    const query = runner.query.bind(runner) as (sql: string, parameters?: unknown[], structured?: boolean) => Promise<unknown>;
    const startTransaction = runner.startTransaction.bind(runner);
    // The scope whose settings ride with the START TRANSACTION being sent, in the same round trip.
    let withStart: TenantScope | undefined;
    runner.startTransaction = async (isolationLevel) => {
      const scope = runner.transactionDepth === 0 ? scopes.getStore() : undefined;
      // SET TRANSACTION ISOLATION LEVEL must precede any query: then the settings follow it.
      withStart = isolationLevel ? undefined : scope;
      try {
        await startTransaction(isolationLevel);
      } finally {
        withStart = undefined;
      }
      if (scope && isolationLevel) await query(tenantSettingsSql(scope));
    };
    runner.query = (async (sql: string, parameters?: unknown[], structured?: boolean) => {
      if (withStart && sql === 'START TRANSACTION') {
        const settings = tenantSettingsSql(withStart);
        withStart = undefined;
        return query(`START TRANSACTION; ${settings}`);
      }
      const scope = scopes.getStore();
      // TypeORM's own statements inside startTransaction arrive with the flag already set.
      if (!scope || runner.isTransactionActive) return query(sql, parameters, structured);
      await query(`BEGIN; ${tenantSettingsSql(scope)}`);
      try {
        const result = await query(sql, parameters, structured);
        await query('COMMIT');
        return result;
      } catch (error) {
        await query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }) as QueryRunner['query'];
    return runner;
  };
  return dataSource;
}
