import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indicators of possible fraud with their thresholds, the observations recorded against them
 * (through the API or a CSV upload), and the alerts raised when an observation reaches a
 * threshold, until triage links them to an allegation or dismisses them with a reason.
 */
export class Indicators1764450000000 implements MigrationInterface {
  name = 'Indicators1764450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE indicators (
        id uuid PRIMARY KEY,
        authority_id text NOT NULL REFERENCES authorities(id),
        key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{1,62}$'),
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        subject_type text NOT NULL,
        threshold numeric NOT NULL CHECK (threshold >= 0),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (authority_id, key)
      );
      CREATE TABLE indicator_uploads (
        id uuid PRIMARY KEY,
        authority_id text NOT NULL REFERENCES authorities(id),
        filename text,
        sha256 text NOT NULL,
        bytes bigint NOT NULL,
        rows integer NOT NULL,
        alerts_raised integer NOT NULL,
        uploaded_by uuid NOT NULL,
        uploaded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX indicator_uploads_authority_idx ON indicator_uploads (authority_id, uploaded_at DESC);
      CREATE TABLE indicator_observations (
        id bigserial PRIMARY KEY,
        indicator_id uuid NOT NULL REFERENCES indicators(id),
        subject text NOT NULL,
        subject_key text NOT NULL,
        value numeric NOT NULL,
        observed_at timestamptz NOT NULL,
        note text,
        upload_id uuid REFERENCES indicator_uploads(id),
        line integer,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX indicator_observations_subject_idx ON indicator_observations (indicator_id, subject_key, observed_at DESC);
      CREATE TABLE indicator_alerts (
        id uuid PRIMARY KEY,
        authority_id text NOT NULL REFERENCES authorities(id),
        indicator_id uuid NOT NULL REFERENCES indicators(id),
        subject text NOT NULL,
        subject_key text NOT NULL,
        threshold numeric NOT NULL,
        peak_value numeric NOT NULL,
        observations integer NOT NULL,
        first_observed_at timestamptz NOT NULL,
        last_observed_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'linked', 'dismissed')),
        allegation_id uuid REFERENCES allegations(id),
        decision_note text,
        decided_by uuid,
        decided_at timestamptz,
        raised_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      -- One open alert per indicator and subject: later crossings add to it.
      CREATE UNIQUE INDEX indicator_alerts_open_idx ON indicator_alerts (indicator_id, subject_key) WHERE status = 'open';
      CREATE INDEX indicator_alerts_authority_idx ON indicator_alerts (authority_id, status, raised_at DESC);
      CREATE INDEX indicator_alerts_decided_idx ON indicator_alerts (indicator_id, subject_key) WHERE status <> 'open';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE indicator_alerts; DROP TABLE indicator_observations; DROP TABLE indicator_uploads; DROP TABLE indicators;');
  }
}
