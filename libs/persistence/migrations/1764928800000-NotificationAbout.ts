import { MigrationInterface, QueryRunner } from 'typeorm';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** The due key formats that name their subject, as they were when this migration was written. */
const BACKFILL: [type: string, pattern: string][] = [
  ['risk', `^risk:(${UUID}):`],
  ['liaison', `^liaison:(${UUID}):`],
  ['evidence', `^integrity:(${UUID}):`],
  ['evidence', `^disposal-review:(${UUID}):`],
  ['indicator_alert', `^indicator-alert:(${UUID})$`],
  ['indicator_upload', `^indicator-upload:(${UUID})$`],
  ['package', `^(${UUID}):acknowledge:`],
];

/**
 * What a notification is about, as data (libs/domain/notification-about.ts): the type and id of
 * its subject, beside the existing case_id. Both nullable, so writers that do not know them yet
 * keep working. Existing rows are filled in from their due keys, which name the subject; the
 * rest that belong to a case are about that case. Unread notifications are found by an index of
 * their own.
 */
export class NotificationAbout1764928800000 implements MigrationInterface {
  name = 'NotificationAbout1764928800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE notifications ADD COLUMN about_type text, ADD COLUMN about_id uuid');
    for (const [type, pattern] of BACKFILL) {
      await q.query('UPDATE notifications SET about_type = $1, about_id = substring(due_key from $2)::uuid WHERE about_type IS NULL AND due_key ~ $2', [
        type,
        pattern,
      ]);
    }
    await q.query("UPDATE notifications SET about_type = 'allegation', about_id = case_id WHERE about_type IS NULL AND case_id IS NOT NULL");
    await q.query('CREATE INDEX notifications_about_idx ON notifications (recipient_id, about_type, about_id)');
    await q.query('CREATE INDEX notifications_unread_idx ON notifications (recipient_id, created_at DESC) WHERE read_at IS NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX notifications_unread_idx');
    await q.query('DROP INDEX notifications_about_idx');
    await q.query('ALTER TABLE notifications DROP COLUMN about_id, DROP COLUMN about_type');
  }
}
