import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE } from '../roles';

/**
 * The API's rate-limit windows, shared by every API process (apps/api/src/common/rate-limit.ts):
 * one row per key (a user or a client address): its current window's start and count, raised
 * (or restarted, once the window has ended) by an atomic upsert.
 * Counted in each process's memory before, two processes allowed twice the limit. Not tenant data.
 */
export class SharedRateLimits1764936000000 implements MigrationInterface {
  name = 'SharedRateLimits1764936000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rate_limit_windows (
        key text PRIMARY KEY,
        window_start timestamptz NOT NULL,
        count integer NOT NULL
      );
      GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit_windows TO ${API_ROLE};`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rate_limit_windows');
  }
}
