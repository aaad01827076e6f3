import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email delivery of notifications: when each one was accepted by the SMTP server and under which
 * Message-ID, and the attempts and last error of its sends (activities/email.ts).
 */
export class EmailDelivery1764147600000 implements MigrationInterface {
  name = 'EmailDelivery1764147600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE notifications
        ADD COLUMN emailed_at timestamptz,
        ADD COLUMN email_message_id text,
        ADD COLUMN email_attempts int NOT NULL DEFAULT 0,
        ADD COLUMN email_last_error text;
      -- Finds a due event's notifications still to email; only unsent rows are indexed.
      CREATE INDEX notifications_unemailed_idx ON notifications (due_key) WHERE emailed_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX notifications_unemailed_idx;
      ALTER TABLE notifications
        DROP COLUMN email_last_error, DROP COLUMN email_attempts, DROP COLUMN email_message_id, DROP COLUMN emailed_at;
    `);
  }
}
