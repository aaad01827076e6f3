import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The intake outbox sweep claims the rows it is about to start for a short while instead of
 * holding them locked in a transaction across its calls to Temporal. A locked row made a client's
 * retry of that intake (which records the start on the same row) wait for the whole sweep, and
 * during an outage answer 503 again when its query timed out.
 */
export class OutboxClaims1764838800000 implements MigrationInterface {
  name = 'OutboxClaims1764838800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE workflow_starts ADD COLUMN claimed_until timestamptz');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE workflow_starts DROP COLUMN claimed_until');
  }
}
