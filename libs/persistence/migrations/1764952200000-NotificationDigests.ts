import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE, WORKER_ROLE } from '../roles';

/**
 * Digests (activities/notification-digests.ts): a plan owner with many risk reviews due at once
 * is told in one notification that lists them, not one each. Each due event a digest-able
 * notification carries, alone or in a digest, gets a row here: its recipient, its due key and
 * the notification that told them. The primary key is what makes each due event reach each
 * recipient exactly once, whichever digest carries it and however often its activity is retried;
 * the notification's own (recipient, due key) index cannot, since a digest has a key of its own.
 * The foreign key is checked at commit, because the rows are claimed before their notification is
 * written. Visible to the API as notifications are: the recipient's own, within their tenant.
 */
export class NotificationDigests1764952200000 implements MigrationInterface {
  name = 'NotificationDigests1764952200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_due_events (
        recipient_id uuid NOT NULL REFERENCES users (id),
        due_key text NOT NULL,
        notification_id uuid NOT NULL REFERENCES notifications (id) DEFERRABLE INITIALLY DEFERRED,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (recipient_id, due_key)
      );
      CREATE INDEX notification_due_events_notification_idx ON notification_due_events (notification_id);
      ALTER TABLE notification_due_events ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON notification_due_events TO ${API_ROLE} USING (recipient_id::text = app_user() OR recipient_id IN (SELECT id FROM users WHERE authority_id = app_authority()) OR app_system());
      CREATE POLICY worker ON notification_due_events TO ${WORKER_ROLE} USING (true);`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE notification_due_events');
  }
}
