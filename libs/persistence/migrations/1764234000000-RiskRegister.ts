import { MigrationInterface, QueryRunner } from 'typeorm';

/** The integrity plan's risk register, each risk's reviews, and the due date its workflow projects. */
export class RiskRegister1764234000000 implements MigrationInterface {
  name = 'RiskRegister1764234000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE risks (
        id uuid PRIMARY KEY,
        authority_id text NOT NULL REFERENCES authorities(id),
        election_id text,
        poll_date date,
        title text NOT NULL,
        category text NOT NULL,
        likelihood int NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
        impact int NOT NULL CHECK (impact BETWEEN 1 AND 5),
        owner_id uuid NOT NULL REFERENCES users(id),
        mitigations jsonb NOT NULL DEFAULT '[]',
        review_every text NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'closed')),
        last_reviewed_at timestamptz,
        -- projected by the risk's review workflow; what ?overdue=true reads
        next_review_due_at timestamptz,
        escalated_at timestamptz,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz
      );
      CREATE INDEX risks_authority_due_idx ON risks (authority_id, next_review_due_at) WHERE status = 'open';
      CREATE TABLE risk_reviews (
        id uuid PRIMARY KEY,
        risk_id uuid NOT NULL REFERENCES risks(id),
        reviewed_by uuid NOT NULL,
        notes text NOT NULL,
        likelihood int NOT NULL,
        impact int NOT NULL,
        mitigations jsonb NOT NULL,
        reviewed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX risk_reviews_risk_idx ON risk_reviews (risk_id, reviewed_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE risk_reviews; DROP TABLE risks;');
  }
}
