// Observations reach the database through a staging table in the caller's transaction, so that
// one row and a 100,000-row file take the same path: rows are staged as they are checked, and
// only when every row is good are they recorded and the thresholds applied. A bad file rolls
// back with the staging table, leaving nothing written.
import type { EntityManager } from 'typeorm';
import { aboutFromDueKey, type Observation } from '../../../../libs/domain';

/** Rows staged per INSERT: enough to keep round trips few, few enough to keep memory flat. */
export const STAGE_BATCH = 2_000;

export async function createStaging(m: EntityManager): Promise<void> {
  await m.query(`CREATE TEMP TABLE staged_observations (
      line integer, indicator_id uuid NOT NULL, subject text NOT NULL, subject_key text NOT NULL,
      value numeric NOT NULL, observed_at timestamptz NOT NULL, note text
    ) ON COMMIT DROP`);
}

export async function stage(m: EntityManager, rows: { line: number; observation: Observation }[]): Promise<void> {
  if (rows.length === 0) return;
  await m.query(
    `INSERT INTO staged_observations
     SELECT * FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[], $5::numeric[], $6::timestamptz[], $7::text[])`,
    [
      rows.map((r) => r.line),
      rows.map((r) => r.observation.indicatorId),
      rows.map((r) => r.observation.subject),
      rows.map((r) => r.observation.subjectKey),
      rows.map((r) => r.observation.value),
      rows.map((r) => r.observation.observedAt.toISOString()),
      rows.map((r) => r.observation.note),
    ],
  );
}

export interface RecordedObservations {
  rows: number;
  /** alerts opened by these observations */
  alertsRaised: { id: string; indicatorId: string; subject: string; peakValue: number }[];
  /** open alerts these observations added to */
  alertsUpdated: number;
}

/**
 * Moves the staged rows into the record and applies the thresholds. A subject that reaches its
 * indicator's threshold opens an alert, or adds to the open one; an alert already decided
 * (linked or dismissed) at this value or higher is not raised again, so a dismissed care home is
 * not re-flagged by every upload, but a higher value is.
 */
export async function recordStaged(m: EntityManager, authorityId: string, recordedBy: string, uploadId: string | null): Promise<RecordedObservations> {
  const [{ rows }] = await m.query('SELECT count(*)::int AS rows FROM staged_observations');
  await m.query(
    `INSERT INTO indicator_observations (indicator_id, subject, subject_key, value, observed_at, note, upload_id, line, recorded_by)
     SELECT indicator_id, subject, subject_key, value, observed_at, note, $1, NULLIF(line, 0), $2 FROM staged_observations ORDER BY line`,
    [uploadId, recordedBy],
  );
  // Alerts of one authority are raised one transaction at a time, so that two uploads naming the
  // same subject cannot both open an alert for it.
  await m.query("SELECT pg_advisory_xact_lock(hashtextextended('indicator-alerts:' || $1, 0))", [authorityId]);
  const [updated] = await m.query(
    `WITH crossing AS (
       SELECT s.indicator_id, s.subject_key, max(s.value) AS peak, max(s.observed_at) AS last_at, count(*)::int AS n
       FROM staged_observations s JOIN indicators i ON i.id = s.indicator_id
       WHERE s.value >= i.threshold GROUP BY s.indicator_id, s.subject_key
     )
     UPDATE indicator_alerts a
     SET peak_value = GREATEST(a.peak_value, c.peak), last_observed_at = GREATEST(a.last_observed_at, c.last_at),
         observations = a.observations + c.n, updated_at = now()
     FROM crossing c WHERE a.indicator_id = c.indicator_id AND a.subject_key = c.subject_key AND a.status = 'open'
     RETURNING a.id`,
  );
  const raised: { id: string; indicator_id: string; subject: string; peak_value: string }[] = await m.query(
    `WITH crossing AS (
       SELECT s.indicator_id, s.subject_key, (array_agg(s.subject ORDER BY s.line))[1] AS subject, i.threshold,
              max(s.value) AS peak, min(s.observed_at) AS first_at, max(s.observed_at) AS last_at, count(*)::int AS n
       FROM staged_observations s JOIN indicators i ON i.id = s.indicator_id
       WHERE s.value >= i.threshold GROUP BY s.indicator_id, s.subject_key, i.threshold
     )
     INSERT INTO indicator_alerts (id, authority_id, indicator_id, subject, subject_key, threshold, peak_value, observations, first_observed_at, last_observed_at)
     SELECT gen_random_uuid(), $1, c.indicator_id, c.subject, c.subject_key, c.threshold, c.peak, c.n, c.first_at, c.last_at
     FROM crossing c
     WHERE NOT EXISTS (SELECT 1 FROM indicator_alerts a WHERE a.indicator_id = c.indicator_id AND a.subject_key = c.subject_key
                       AND (a.status = 'open' OR a.peak_value >= c.peak))
     ORDER BY c.indicator_id, c.subject_key
     RETURNING id, indicator_id, subject, peak_value`,
    [authorityId],
  );
  return {
    rows: Number(rows),
    alertsRaised: raised.map((r) => ({ id: r.id, indicatorId: r.indicator_id, subject: r.subject, peakValue: Number(r.peak_value) })),
    alertsUpdated: updated.length,
  };
}

/**
 * Tells the authority's triage officers, in the same transaction: one notification per alert for
 * a single observation, one per upload for a file (a file may raise hundreds). The email retry
 * Schedule emails them like any other notification.
 */
export async function notifyTriage(m: EntityManager, authorityId: string, dueKey: string, subject: string, body: string): Promise<void> {
  const about = aboutFromDueKey(dueKey);
  await m.query(
    `INSERT INTO notifications (id, recipient_id, case_id, kind, subject, body, due_key, about_type, about_id)
     SELECT gen_random_uuid(), u.id, NULL, 'indicator_alert', $2, $3, $4, $5, $6 FROM users u
     WHERE u.authority_id = $1 AND u.roles && ARRAY['triage']::text[]
     ON CONFLICT (recipient_id, due_key) DO NOTHING`,
    [authorityId, subject, body, dueKey, about?.type ?? null, about?.id ?? null],
  );
}
