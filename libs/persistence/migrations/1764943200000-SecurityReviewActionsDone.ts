import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE, WORKER_ROLE } from '../roles';

/**
 * An action agreed at a security review with the police, marked done: who and when. A review is
 * a record never changed, so each completion is a row of its own beside it, appended once.
 */
export class SecurityReviewActionsDone1764943200000 implements MigrationInterface {
  name = 'SecurityReviewActionsDone1764943200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ballot_security_action_completions (
        review_id uuid NOT NULL REFERENCES ballot_security_reviews(id),
        action_id uuid NOT NULL,
        authority_id text NOT NULL REFERENCES authorities(id),
        force_id text NOT NULL REFERENCES police_forces(id),
        done_by uuid NOT NULL,
        -- the name in the token at the time, so the force reading the review sees who, not an id
        done_by_name text NOT NULL,
        done_at timestamptz NOT NULL DEFAULT now(),
        note text NOT NULL DEFAULT '',
        PRIMARY KEY (review_id, action_id)
      )
    `);
    await q.query(`GRANT SELECT, INSERT ON ballot_security_action_completions TO ${API_ROLE}, ${WORKER_ROLE}`);
    await q.query('ALTER TABLE ballot_security_action_completions ENABLE ROW LEVEL SECURITY');
    // As its review: the authority's, and readable by the force the review was held with.
    await q.query(
      `CREATE POLICY tenant ON ballot_security_action_completions TO ${API_ROLE} USING (authority_id = app_authority() OR force_id = app_force() OR app_system())`,
    );
    await q.query(`CREATE POLICY worker ON ballot_security_action_completions TO ${WORKER_ROLE} USING (true)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ballot_security_action_completions');
  }
}
