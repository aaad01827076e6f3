import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE, WORKER_ROLE } from '../roles';

/**
 * Answers given so far on the web front end's "log an allegation" question pages. Kept in the
 * database, not in the process, so any API process can serve the next page; the draft's id is the
 * Idempotency-Key of the final POST /allegations, so submitting twice logs one case.
 *
 * A draft holds a reporter's personal details, so row-level security shows it to the member of
 * staff who started it alone (README "Tenancy in the database"); the API's system scope may clear
 * abandoned drafts. Only the API's role touches the table, and it may delete from it.
 */
export class WebIntakeDrafts1764752400000 implements MigrationInterface {
  name = 'WebIntakeDrafts1764752400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE web_intake_drafts (
        id uuid PRIMARY KEY,
        owner_id text NOT NULL,
        authority_id text NOT NULL,
        answers jsonb NOT NULL DEFAULT '{}'::jsonb,
        case_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX web_intake_drafts_updated_idx ON web_intake_drafts (updated_at);
      REVOKE ALL ON web_intake_drafts FROM ${WORKER_ROLE};
      GRANT SELECT, INSERT, UPDATE, DELETE ON web_intake_drafts TO ${API_ROLE};
      ALTER TABLE web_intake_drafts ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON web_intake_drafts TO ${API_ROLE}
        USING ((authority_id = app_authority() AND owner_id = app_user()) OR app_system());
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE web_intake_drafts');
  }
}
