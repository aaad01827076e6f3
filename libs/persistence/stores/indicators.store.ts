// Integrity indicators: `indicators`, their `indicator_observations` (one at a time or from CSV
// uploads, `indicator_uploads`) and the `indicator_alerts` raised when a subject crosses its
// indicator's threshold. Written by the API's indicators and alerts services.
//
// Observations reach the database through a staging table in the caller's transaction, so that
// one row and a 100,000-row file take the same path: rows are staged as they are checked, and
// only when every row is good are they recorded and the thresholds applied. A bad file rolls
// back with the staging table, leaving nothing written.
import type { Observation } from '@libs/domain';
import type { Queryable } from './queryable';

/** Rows staged per INSERT: enough to keep round trips few, few enough to keep memory flat. */
export const STAGE_BATCH = 2_000;

export interface Indicator {
  id: string;
  authorityId: string;
  key: string;
  name: string;
  description: string;
  subjectType: string;
  threshold: number;
  status: 'active' | 'retired';
  createdAt: Date;
  updatedAt: Date;
  /** open alerts; only where the read counts them */
  openAlerts?: number;
}

export interface NewIndicator {
  id: string;
  authorityId: string;
  key: string;
  name: string;
  description: string;
  subjectType: string;
  threshold: number;
  createdBy: string;
}

export type IndicatorChanges = Pick<Indicator, 'name' | 'description' | 'threshold' | 'status'>;

export interface RecordedObservation {
  id: number;
  subject: string;
  value: number;
  observedAt: Date;
  note: string | null;
  uploadId: string | null;
  line: number | null;
  recordedAt: Date;
}

export interface IndicatorUpload {
  id: string;
  filename: string | null;
  sha256: string;
  bytes: number;
  rows: number;
  alertsRaised: number;
  uploadedBy: string;
  uploadedAt: Date;
}

export interface RecordedObservations {
  rows: number;
  /** alerts opened by these observations */
  alertsRaised: { id: string; indicatorId: string; subject: string; peakValue: number }[];
  /** open alerts these observations added to */
  alertsUpdated: number;
}

export type AlertStatus = 'open' | 'linked' | 'dismissed';

export interface IndicatorAlert {
  id: string;
  authorityId: string;
  indicator: { id: string; key: string; name: string };
  subject: string;
  threshold: number;
  peakValue: number;
  observations: number;
  firstObservedAt: Date;
  lastObservedAt: Date;
  status: AlertStatus;
  allegation: { id: string; reference: string | null } | null;
  decisionNote: string | null;
  /** the username of who decided it */
  decidedBy: string | null;
  decidedAt: Date | null;
  raisedAt: Date;
}

export interface AlertFilter {
  status?: AlertStatus;
  indicatorId?: string;
  limit: number;
}

interface IndicatorRow {
  id: string;
  authority_id: string;
  key: string;
  name: string;
  description: string;
  subject_type: string;
  threshold: string;
  status: 'active' | 'retired';
  created_at: Date;
  updated_at: Date;
  open_alerts?: number | string;
}

interface ObservationRow {
  id: string;
  subject: string;
  value: string;
  observed_at: Date;
  note: string | null;
  upload_id: string | null;
  line: number | null;
  recorded_at: Date;
}

interface UploadRow {
  id: string;
  filename: string | null;
  sha256: string;
  bytes: string;
  rows: number;
  alerts_raised: number;
  username: string;
  uploaded_at: Date;
}

interface AlertRow {
  id: string;
  authority_id: string;
  indicator_id: string;
  indicator_key: string;
  indicator_name: string;
  subject: string;
  threshold: string;
  peak_value: string;
  observations: number;
  first_observed_at: Date;
  last_observed_at: Date;
  status: AlertStatus;
  allegation_id: string | null;
  allegation_reference: string | null;
  decision_note: string | null;
  decided_by: string | null;
  decided_by_username: string | null;
  decided_at: Date | null;
  raised_at: Date;
}

const toIndicator = (r: IndicatorRow): Indicator => ({
  id: r.id,
  authorityId: r.authority_id,
  key: r.key,
  name: r.name,
  description: r.description,
  subjectType: r.subject_type,
  threshold: Number(r.threshold),
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  ...(r.open_alerts === undefined ? {} : { openAlerts: Number(r.open_alerts) }),
});

const toObservation = (r: ObservationRow): RecordedObservation => ({
  id: Number(r.id),
  subject: r.subject,
  value: Number(r.value),
  observedAt: r.observed_at,
  note: r.note,
  uploadId: r.upload_id,
  line: r.line,
  recordedAt: r.recorded_at,
});

const toUpload = (r: UploadRow): IndicatorUpload => ({
  id: r.id,
  filename: r.filename,
  sha256: r.sha256,
  bytes: Number(r.bytes),
  rows: r.rows,
  alertsRaised: r.alerts_raised,
  uploadedBy: r.username,
  uploadedAt: r.uploaded_at,
});

const toAlert = (r: AlertRow): IndicatorAlert => ({
  id: r.id,
  authorityId: r.authority_id,
  indicator: { id: r.indicator_id, key: r.indicator_key, name: r.indicator_name },
  subject: r.subject,
  threshold: Number(r.threshold),
  peakValue: Number(r.peak_value),
  observations: r.observations,
  firstObservedAt: r.first_observed_at,
  lastObservedAt: r.last_observed_at,
  status: r.status,
  allegation: r.allegation_id ? { id: r.allegation_id, reference: r.allegation_reference } : null,
  decisionNote: r.decision_note,
  decidedBy: r.decided_by_username,
  decidedAt: r.decided_at,
  raisedAt: r.raised_at,
});

const SELECT_ALERT = `
  SELECT a.*, i.key AS indicator_key, i.name AS indicator_name, al.reference AS allegation_reference, u.username AS decided_by_username
  FROM indicator_alerts a
  JOIN indicators i ON i.id = a.indicator_id
  LEFT JOIN allegations al ON al.id = a.allegation_id
  LEFT JOIN users u ON u.id = a.decided_by`;

export class IndicatorsStore {
  constructor(private readonly db: Queryable) {}

  /** undefined when the authority already has an indicator with this key. */
  async insert(i: NewIndicator): Promise<Indicator | undefined> {
    const inserted: IndicatorRow[] = await this.db.query(
      `INSERT INTO indicators (id, authority_id, key, name, description, subject_type, threshold, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (authority_id, key) DO NOTHING RETURNING *`,
      [i.id, i.authorityId, i.key, i.name, i.description, i.subjectType, i.threshold, i.createdBy],
    );
    return inserted.length === 0 ? undefined : toIndicator(inserted[0]);
  }

  /** The authority's indicators with their open alerts counted, by status then name. */
  async list(authorityId: string): Promise<Indicator[]> {
    const rows: IndicatorRow[] = await this.db.query(
      `SELECT i.*, (SELECT count(*) FROM indicator_alerts a WHERE a.indicator_id = i.id AND a.status = 'open') AS open_alerts
       FROM indicators i WHERE i.authority_id = $1 ORDER BY i.status, i.name`,
      [authorityId],
    );
    return rows.map(toIndicator);
  }

  /** Every indicator of the authority, to check an upload's rows against. */
  async allOf(authorityId: string): Promise<Indicator[]> {
    const rows: IndicatorRow[] = await this.db.query('SELECT * FROM indicators WHERE authority_id = $1', [authorityId]);
    return rows.map(toIndicator);
  }

  /** The authority's indicator; `lock` holds it (FOR UPDATE) for the rest of the transaction. */
  async find(authorityId: string, id: string, lock = false): Promise<Indicator | undefined> {
    const [row] = await this.db.query(`SELECT * FROM indicators WHERE id = $1 AND authority_id = $2 ${lock ? 'FOR UPDATE' : ''}`, [id, authorityId]);
    return row ? toIndicator(row) : undefined;
  }

  async update(id: string, next: IndicatorChanges): Promise<Indicator> {
    const [[after]] = await this.db.query(
      `UPDATE indicators SET name = $2, description = $3, threshold = $4, status = $5, updated_at = now() WHERE id = $1 RETURNING *`,
      [id, next.name, next.description, next.threshold, next.status],
    );
    return toIndicator(after);
  }

  async countObservations(indicatorId: string): Promise<number> {
    const [{ observations }] = await this.db.query('SELECT count(*)::int AS observations FROM indicator_observations WHERE indicator_id = $1', [indicatorId]);
    return observations;
  }

  async countOpenAlerts(indicatorId: string): Promise<number> {
    const [{ open_alerts }] = await this.db.query("SELECT count(*)::int AS open_alerts FROM indicator_alerts WHERE indicator_id = $1 AND status = 'open'", [
      indicatorId,
    ]);
    return open_alerts;
  }

  /** Newest first; `subjectKey` (a normalised subject) narrows to one subject. */
  async observations(indicatorId: string, limit: number, subjectKey?: string): Promise<RecordedObservation[]> {
    const params: unknown[] = [indicatorId, limit];
    const bySubject = subjectKey !== undefined ? `AND subject_key = $${params.push(subjectKey)}` : '';
    const rows: ObservationRow[] = await this.db.query(
      `SELECT id, subject, value, observed_at, note, upload_id, line, recorded_at FROM indicator_observations
       WHERE indicator_id = $1 ${bySubject} ORDER BY observed_at DESC, id DESC LIMIT $2`,
      params,
    );
    return rows.map(toObservation);
  }

  async insertUpload(u: { id: string; authorityId: string; filename: string | null; sha256: string; bytes: number; uploadedBy: string }): Promise<void> {
    await this.db.query(
      'INSERT INTO indicator_uploads (id, authority_id, filename, sha256, bytes, rows, alerts_raised, uploaded_by) VALUES ($1, $2, $3, $4, $5, 0, 0, $6)',
      [u.id, u.authorityId, u.filename, u.sha256, u.bytes, u.uploadedBy],
    );
  }

  async completeUpload(id: string, rows: number, alertsRaised: number): Promise<void> {
    await this.db.query('UPDATE indicator_uploads SET rows = $2, alerts_raised = $3 WHERE id = $1', [id, rows, alertsRaised]);
  }

  /** The authority's latest 200 uploads, with the uploader's username. */
  async uploads(authorityId: string): Promise<IndicatorUpload[]> {
    const rows: UploadRow[] = await this.db.query(
      `SELECT u.*, us.username FROM indicator_uploads u JOIN users us ON us.id = u.uploaded_by WHERE u.authority_id = $1 ORDER BY u.uploaded_at DESC LIMIT 200`,
      [authorityId],
    );
    return rows.map(toUpload);
  }

  /** The transaction's staging table (dropped at commit). Run in a transaction. */
  async createStaging(): Promise<void> {
    await this.db.query(`CREATE TEMP TABLE staged_observations (
      line integer, indicator_id uuid NOT NULL, subject text NOT NULL, subject_key text NOT NULL,
      value numeric NOT NULL, observed_at timestamptz NOT NULL, note text
    ) ON COMMIT DROP`);
  }

  async stage(rows: { line: number; observation: Observation }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
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

  /**
   * Moves the staged rows into the record and applies the thresholds. A subject that reaches its
   * indicator's threshold opens an alert, or adds to the open one; an alert already decided
   * (linked or dismissed) at this value or higher is not raised again, so a dismissed care home is
   * not re-flagged by every upload, but a higher value is.
   */
  async recordStaged(authorityId: string, recordedBy: string, uploadId: string | null): Promise<RecordedObservations> {
    const [{ rows }] = await this.db.query('SELECT count(*)::int AS rows FROM staged_observations');
    await this.db.query(
      `INSERT INTO indicator_observations (indicator_id, subject, subject_key, value, observed_at, note, upload_id, line, recorded_by)
     SELECT indicator_id, subject, subject_key, value, observed_at, note, $1, NULLIF(line, 0), $2 FROM staged_observations ORDER BY line`,
      [uploadId, recordedBy],
    );
    // Alerts of one authority are raised one transaction at a time, so that two uploads naming the
    // same subject cannot both open an alert for it.
    await this.db.query("SELECT pg_advisory_xact_lock(hashtextextended('indicator-alerts:' || $1, 0))", [authorityId]);
    const [updated] = await this.db.query(
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
    const raised: { id: string; indicator_id: string; subject: string; peak_value: string }[] = await this.db.query(
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

  async listAlerts(authorityId: string, filter: AlertFilter): Promise<IndicatorAlert[]> {
    const where = ['a.authority_id = $1'];
    const params: unknown[] = [authorityId];
    if (filter.status) where.push(`a.status = $${params.push(filter.status)}`);
    if (filter.indicatorId) where.push(`a.indicator_id = $${params.push(filter.indicatorId)}`);
    const rows: AlertRow[] = await this.db.query(
      `${SELECT_ALERT} WHERE ${where.join(' AND ')} ORDER BY a.raised_at DESC, a.id LIMIT $${params.push(filter.limit)}`,
      params,
    );
    return rows.map(toAlert);
  }

  /** The authority's alert; `lock` holds it (FOR UPDATE) for the rest of the transaction. */
  async findAlert(authorityId: string, id: string, lock = false): Promise<IndicatorAlert | undefined> {
    const [row] = await this.db.query(`${SELECT_ALERT} WHERE a.id = $1 AND a.authority_id = $2 ${lock ? 'FOR UPDATE OF a' : ''}`, [id, authorityId]);
    return row ? toAlert(row) : undefined;
  }

  /** The latest 50 observations of the alert's indicator and subject. */
  async alertObservations(alertId: string, indicatorId: string): Promise<Pick<RecordedObservation, 'value' | 'observedAt' | 'note' | 'uploadId' | 'line'>[]> {
    const rows: ObservationRow[] = await this.db.query(
      `SELECT value, observed_at, note, upload_id, line FROM indicator_observations
       WHERE indicator_id = $1 AND subject_key = (SELECT subject_key FROM indicator_alerts WHERE id = $2) ORDER BY observed_at DESC, id DESC LIMIT 50`,
      [indicatorId, alertId],
    );
    return rows.map((o) => ({ value: Number(o.value), observedAt: o.observed_at, note: o.note, uploadId: o.upload_id, line: o.line }));
  }

  async dismissAlert(id: string, reason: string, decidedBy: string): Promise<void> {
    await this.db.query(
      "UPDATE indicator_alerts SET status = 'dismissed', decision_note = $2, decided_by = $3, decided_at = now(), updated_at = now() WHERE id = $1",
      [id, reason, decidedBy],
    );
  }

  /** Claims the alert for an allegation still to be logged: linked, with no allegation yet. */
  async claimAlert(id: string, decidedBy: string): Promise<void> {
    await this.db.query("UPDATE indicator_alerts SET status = 'linked', decided_by = $2, decided_at = now(), updated_at = now() WHERE id = $1", [
      id,
      decidedBy,
    ]);
  }

  /** Gives back a claim whose allegation was never logged. */
  async releaseClaim(id: string): Promise<void> {
    await this.db.query("UPDATE indicator_alerts SET status = 'open', decided_by = NULL, decided_at = NULL WHERE id = $1 AND allegation_id IS NULL", [id]);
  }

  async linkAlert(id: string, allegationId: string, note: string, decidedBy: string): Promise<void> {
    await this.db.query(
      "UPDATE indicator_alerts SET status = 'linked', allegation_id = $2, decision_note = $3, decided_by = $4, decided_at = now(), updated_at = now() WHERE id = $1",
      [id, allegationId, note, decidedBy],
    );
  }
}
