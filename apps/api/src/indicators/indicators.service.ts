import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../../../libs/auth/principal';
import { ApiConfig } from '../../../../libs/config';
import { checkObservation, type IndicatorsByKey } from '../../../../libs/domain';
import { appendAuditEvent } from '../../../../libs/persistence';
import { ApiError, conflict, notFound, unprocessable } from '../common/api-error';
import { LOGGER } from '../common/logger.provider';
import { CsvTooLarge, readObservationsCsv } from './csv-reader';
import type { CreateIndicatorDto, ListObservationsQuery, ObservationDto, UpdateIndicatorDto } from './dto/indicator.dto';
import { createStaging, notifyTriage, recordStaged, stage, STAGE_BATCH, type RecordedObservations } from './observation-ingest';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

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
  open_alerts?: number;
}

export function toIndicatorView(r: IndicatorRow) {
  return {
    id: r.id,
    authorityId: r.authority_id,
    key: r.key,
    name: r.name,
    description: r.description,
    subjectType: r.subject_type,
    threshold: Number(r.threshold),
    status: r.status,
    ...(r.open_alerts === undefined ? {} : { openAlerts: Number(r.open_alerts) }),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export interface UploadReceipt {
  id: string;
  rows: number;
  bytes: number;
  sha256: string;
  alertsRaised: number;
  alertsUpdated: number;
  alertIds: string[];
}

/** Indicators, their thresholds, and the observations recorded against them. */
@Injectable()
export class IndicatorsService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(ApiConfig) private readonly config: ApiConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async create(principal: Principal, dto: CreateIndicatorDto) {
    const authorityId = principal.authorityId!;
    const id = randomUUID();
    return this.db.transaction(async (m) => {
      const inserted = await m.query(
        `INSERT INTO indicators (id, authority_id, key, name, description, subject_type, threshold, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (authority_id, key) DO NOTHING RETURNING *`,
        [id, authorityId, dto.key, dto.name, dto.description ?? '', dto.subjectType, dto.threshold, principal.sub],
      );
      if (inserted.length === 0) throw conflict(`this authority already has an indicator with key ${dto.key}`, [{ field: 'key', problem: 'is already used' }]);
      const view = toIndicatorView(inserted[0]);
      await this.audit(m, principal, id, authorityId, 'indicator.created', null, view);
      return view;
    });
  }

  async list(principal: Principal) {
    const rows: IndicatorRow[] = await this.db.query(
      `SELECT i.*, (SELECT count(*) FROM indicator_alerts a WHERE a.indicator_id = i.id AND a.status = 'open') AS open_alerts
       FROM indicators i WHERE i.authority_id = $1 ORDER BY i.status, i.name`,
      [principal.authorityId ?? ''],
    );
    return rows.map(toIndicatorView);
  }

  async get(principal: Principal, id: string) {
    const row = await this.find(this.db.manager, principal, id);
    const [{ observations }] = await this.db.query('SELECT count(*)::int AS observations FROM indicator_observations WHERE indicator_id = $1', [id]);
    const [{ open_alerts }] = await this.db.query("SELECT count(*)::int AS open_alerts FROM indicator_alerts WHERE indicator_id = $1 AND status = 'open'", [id]);
    return { ...toIndicatorView({ ...row, open_alerts }), observations };
  }

  async update(principal: Principal, id: string, dto: UpdateIndicatorDto) {
    return this.db.transaction(async (m) => {
      const before = await this.find(m, principal, id, true);
      const [[after]] = await m.query(
        `UPDATE indicators SET name = $2, description = $3, threshold = $4, status = $5, updated_at = now() WHERE id = $1 RETURNING *`,
        [id, dto.name ?? before.name, dto.description ?? before.description, dto.threshold ?? before.threshold, dto.status ?? before.status],
      );
      const view = toIndicatorView(after);
      await this.audit(m, principal, id, before.authority_id, 'indicator.updated', toIndicatorView(before), view);
      return view;
    });
  }

  async observations(principal: Principal, id: string, query: ListObservationsQuery) {
    await this.find(this.db.manager, principal, id);
    const params: unknown[] = [id, query.limit ?? 100];
    const bySubject = query.subject ? `AND subject_key = $${params.push(query.subject.replace(/\s+/g, ' ').trim().toLowerCase())}` : '';
    const rows = await this.db.query(
      `SELECT id, subject, value, observed_at, note, upload_id, line, recorded_at FROM indicator_observations
       WHERE indicator_id = $1 ${bySubject} ORDER BY observed_at DESC, id DESC LIMIT $2`,
      params,
    );
    return rows.map((r: Record<string, any>) => ({
      id: Number(r.id),
      subject: r.subject,
      value: Number(r.value),
      observedAt: iso(r.observed_at),
      note: r.note,
      uploadId: r.upload_id,
      line: r.line,
      recordedAt: iso(r.recorded_at),
    }));
  }

  /** One observation through the API: the same checks and thresholds as a CSV row. */
  async record(principal: Principal, id: string, dto: ObservationDto) {
    const indicator = await this.find(this.db.manager, principal, id);
    const { observation, problems } = checkObservation({ ...dto, indicator: indicator.key }, 0, new Map([[indicator.key, indicator]]), Date.now());
    if (!observation) throw unprocessable('the observation is not valid', problems.map(({ field, problem }) => ({ field, problem })));
    const recorded = await this.db.transaction(async (m) => {
      await createStaging(m);
      await stage(m, [{ line: 0, observation }]);
      const result = await recordStaged(m, indicator.authority_id, principal.sub, null);
      for (const alert of result.alertsRaised) {
        await notifyTriage(m, indicator.authority_id, `indicator-alert:${alert.id}`, `Indicator alert: ${indicator.name}`,
          `${alert.subject} reached ${alert.peakValue} (threshold ${Number(indicator.threshold)}). Link it to an allegation or dismiss it with a reason.`);
      }
      return result;
    });
    return { recorded: recorded.rows, alertsRaised: recorded.alertsRaised.map((a) => a.id), alertsUpdated: recorded.alertsUpdated };
  }

  /**
   * An observations CSV, streamed: rows are checked and staged as they arrive, and recorded only
   * if every one is good. A refused file names each bad row by line and field; nothing is written.
   */
  async upload(principal: Principal, body: Readable, filename: string | null): Promise<UploadReceipt> {
    const authorityId = principal.authorityId!;
    const rows: (IndicatorRow & { id: string })[] = await this.db.query('SELECT * FROM indicators WHERE authority_id = $1', [authorityId]);
    const indicators: IndicatorsByKey = new Map(rows.map((r) => [r.key, r]));
    const uploadId = randomUUID();
    const started = Date.now();
    return this.db.transaction(async (m) => {
      await createStaging(m);
      let read;
      try {
        read = await readObservationsCsv(body, {
          maxBytes: this.config.INDICATOR_CSV_MAX_BYTES,
          indicators,
          now: Date.now(),
          batchSize: STAGE_BATCH,
          onBatch: (batch) => stage(m, batch),
          onProgress: (count, bytes) => this.log.info({ uploadId, rows: count, bytes }, 'indicator upload in progress'),
        });
      } catch (error) {
        if (error instanceof CsvTooLarge) {
          throw new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, `an observations file may be at most ${this.config.INDICATOR_CSV_MAX_BYTES} bytes`, [{ field: 'body', problem: 'too large' }]);
        }
        throw error;
      }
      if (read.problemCount > 0) {
        this.log.info({ uploadId, rows: read.rows, problems: read.problemCount }, 'indicator upload refused');
        const more = read.problemCount - read.problems.length;
        throw new ApiError(
          HttpStatus.UNPROCESSABLE_ENTITY,
          `the file has ${read.problemCount} problem${read.problemCount === 1 ? '' : 's'}${more > 0 ? ` (the first ${read.problems.length} are listed)` : ''}; nothing was recorded`,
          read.problems,
          { problemCount: read.problemCount },
        );
      }
      await m.query('INSERT INTO indicator_uploads (id, authority_id, filename, sha256, bytes, rows, alerts_raised, uploaded_by) VALUES ($1, $2, $3, $4, $5, 0, 0, $6)', [
        uploadId, authorityId, filename, read.sha256, read.bytes, principal.sub,
      ]);
      const recorded: RecordedObservations = await recordStaged(m, authorityId, principal.sub, uploadId);
      await m.query('UPDATE indicator_uploads SET rows = $2, alerts_raised = $3 WHERE id = $1', [uploadId, recorded.rows, recorded.alertsRaised.length]);
      if (recorded.alertsRaised.length > 0) {
        const n = recorded.alertsRaised.length;
        await notifyTriage(m, authorityId, `indicator-upload:${uploadId}`, `${n} indicator alert${n === 1 ? '' : 's'} raised`,
          `An observations upload${filename ? ` (${filename})` : ''} of ${recorded.rows} rows reached thresholds for ${n} subject${n === 1 ? '' : 's'}. Link each alert to an allegation or dismiss it with a reason.`);
      }
      const receipt: UploadReceipt = {
        id: uploadId,
        rows: recorded.rows,
        bytes: read.bytes,
        sha256: read.sha256,
        alertsRaised: recorded.alertsRaised.length,
        alertsUpdated: recorded.alertsUpdated,
        alertIds: recorded.alertsRaised.map((a) => a.id).slice(0, 1000),
      };
      await this.audit(m, principal, uploadId, authorityId, 'indicator.observations_uploaded', null, { filename, rows: receipt.rows, bytes: receipt.bytes, sha256: receipt.sha256, alertsRaised: receipt.alertsRaised, alertsUpdated: receipt.alertsUpdated });
      this.log.info({ uploadId, rows: receipt.rows, bytes: receipt.bytes, alertsRaised: receipt.alertsRaised, ms: Date.now() - started }, 'indicator upload recorded');
      return receipt;
    });
  }

  async uploads(principal: Principal) {
    const rows = await this.db.query(
      `SELECT u.*, us.username FROM indicator_uploads u JOIN users us ON us.id = u.uploaded_by WHERE u.authority_id = $1 ORDER BY u.uploaded_at DESC LIMIT 200`,
      [principal.authorityId ?? ''],
    );
    return rows.map((r: Record<string, any>) => ({
      id: r.id, filename: r.filename, sha256: r.sha256, bytes: Number(r.bytes), rows: r.rows, alertsRaised: r.alerts_raised, uploadedBy: r.username, uploadedAt: iso(r.uploaded_at),
    }));
  }

  private async find(m: EntityManager, principal: Principal, id: string, lock = false): Promise<IndicatorRow> {
    if (!UUID.test(id)) throw notFound('indicator');
    const [row] = await m.query(`SELECT * FROM indicators WHERE id = $1 AND authority_id = $2 ${lock ? 'FOR UPDATE' : ''}`, [id, principal.authorityId ?? '']);
    if (!row) throw notFound('indicator');
    return row;
  }

  private audit(m: EntityManager, principal: Principal, subjectId: string, authorityId: string, action: string, before: unknown, after: unknown) {
    const role = (['plan_owner', 'returning_officer', 'staff', 'triage'] as const).find((r) => principal.roles.includes(r)) ?? principal.roles[0];
    return appendAuditEvent(m, { caseId: subjectId, authorityId, actor: principal.sub, role, action, before, after });
  }
}
