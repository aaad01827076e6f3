import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The language each user chose for the service (apps/web/src/i18n.ts): the pages they sign in to
 * and the emails they are sent follow it. NULL means they never chose, and is English.
 */
export class UserLanguage1764946800000 implements MigrationInterface {
  name = 'UserLanguage1764946800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN language text CHECK (language IN ('en', 'cy'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users DROP COLUMN language');
  }
}
