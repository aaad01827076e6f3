// The database's side of GET /health: a statement that touches no table, answered only when
// PostgreSQL is up and a pool connection can be had.
import type { Queryable } from './queryable';

export class HealthStore {
  constructor(private readonly db: Queryable) {}

  /** Resolves when PostgreSQL answers a trivial statement; rejects otherwise. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
