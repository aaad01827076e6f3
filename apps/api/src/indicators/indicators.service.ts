import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { ApiConfig } from '@libs/config';
import { checkObservation, notice, type IndicatorsByKey, fieldProblem, problem } from '@libs/domain';
import { appendAuditEvent } from '@libs/persistence';
import { ApiError, conflict, notFound, unprocessable } from '../common/api-error';
import { LOGGER } from '../common/logger.provider';
import { CsvTooLarge, readObservationsCsv } from './csv-reader';
import type { CreateIndicatorDto, ListObservationsQuery, ObservationDto, UpdateIndicatorDto } from './dto/indicator.dto';
import { IndicatorsStore, STAGE_BATCH, type Indicator, type RecordedObservations } from '@libs/persistence/stores/indicators.store';
import type { Queryable } from '@libs/persistence/stores/queryable';
import { notifyTriage } from './observation-ingest';
import { toIndicatorView } from '@libs/views/indicator';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

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
  ) {
    this.indicators = new IndicatorsStore(db);
  }

  private readonly indicators: IndicatorsStore;

  async create(principal: Principal, dto: CreateIndicatorDto) {
    const authorityId = principal.authorityId!;
    const id = randomUUID();
    return this.db.transaction(async (m) => {
      const inserted = await new IndicatorsStore(m).insert({
        id,
        authorityId,
        key: dto.key,
        name: dto.name,
        description: dto.description ?? '',
        subjectType: dto.subjectType,
        threshold: dto.threshold,
        createdBy: principal.sub,
      });
      if (!inserted) throw conflict(problem('indicator.key_taken', { key: dto.key }), [fieldProblem('key', 'field.already_used')]);
      const view = toIndicatorView(inserted);
      await this.audit(m, principal, id, authorityId, 'indicator.created', null, view);
      return view;
    });
  }

  async list(principal: Principal) {
    return (await this.indicators.list(principal.authorityId ?? '')).map(toIndicatorView);
  }

  async get(principal: Principal, id: string) {
    const row = await this.find(this.db, principal, id);
    const observations = await this.indicators.countObservations(id);
    const openAlerts = await this.indicators.countOpenAlerts(id);
    return { ...toIndicatorView({ ...row, openAlerts }), observations };
  }

  async update(principal: Principal, id: string, dto: UpdateIndicatorDto) {
    return this.db.transaction(async (m) => {
      const before = await this.find(m, principal, id, true);
      const after = await new IndicatorsStore(m).update(id, {
        name: dto.name ?? before.name,
        description: dto.description ?? before.description,
        threshold: dto.threshold ?? before.threshold,
        status: dto.status ?? before.status,
      });
      const view = toIndicatorView(after);
      await this.audit(m, principal, id, before.authorityId, 'indicator.updated', toIndicatorView(before), view);
      return view;
    });
  }

  async observations(principal: Principal, id: string, query: ListObservationsQuery) {
    await this.find(this.db, principal, id);
    const rows = await this.indicators.observations(
      id,
      query.limit ?? 100,
      query.subject ? query.subject.replace(/\s+/g, ' ').trim().toLowerCase() : undefined,
    );
    return rows.map((r) => ({ ...r, observedAt: iso(r.observedAt), recordedAt: iso(r.recordedAt) }));
  }

  /** One observation through the API: the same checks and thresholds as a CSV row. */
  async record(principal: Principal, id: string, dto: ObservationDto) {
    const indicator = await this.find(this.db, principal, id);
    const { observation, problems } = checkObservation({ ...dto, indicator: indicator.key }, 0, new Map([[indicator.key, indicator]]), Date.now());
    if (!observation)
      throw unprocessable(
        problem('indicator.observation_invalid'),
        problems.map(({ line: _line, ...rest }) => rest),
      );
    const recorded = await this.db.transaction(async (m) => {
      const store = new IndicatorsStore(m);
      await store.createStaging();
      await store.stage([{ line: 0, observation }]);
      const result = await store.recordStaged(indicator.authorityId, principal.sub, null);
      for (const alert of result.alertsRaised) {
        await notifyTriage(
          m,
          indicator.authorityId,
          `indicator-alert:${alert.id}`,
          notice('indicator_alert', { indicator: indicator.name, subject: alert.subject, peakValue: alert.peakValue, threshold: indicator.threshold }),
        );
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
    const rows = await this.indicators.allOf(authorityId);
    const indicators: IndicatorsByKey = new Map(rows.map((r) => [r.key, r]));
    const uploadId = randomUUID();
    const started = Date.now();
    return this.db.transaction(async (m) => {
      const store = new IndicatorsStore(m);
      await store.createStaging();
      let read;
      try {
        read = await readObservationsCsv(body, {
          maxBytes: this.config.INDICATOR_CSV_MAX_BYTES,
          indicators,
          now: Date.now(),
          batchSize: STAGE_BATCH,
          onBatch: (batch) => store.stage(batch),
          onProgress: (count, bytes) => this.log.info({ uploadId, rows: count, bytes }, 'indicator upload in progress'),
        });
      } catch (error) {
        if (error instanceof CsvTooLarge) {
          throw new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, `an observations file may be at most ${this.config.INDICATOR_CSV_MAX_BYTES} bytes`, [
            { field: 'body', problem: 'too large' },
          ]);
        }
        throw error;
      }
      if (read.problemCount > 0) {
        this.log.info({ uploadId, rows: read.rows, problems: read.problemCount }, 'indicator upload refused');
        const more = read.problemCount - read.problems.length;
        throw unprocessable(
          more > 0
            ? problem('indicator.file_problems_listed', { count: read.problemCount, listed: read.problems.length })
            : problem(read.problemCount === 1 ? 'indicator.file_problem' : 'indicator.file_problems', { count: read.problemCount }),
          read.problems,
          { problemCount: read.problemCount },
        );
      }
      await store.insertUpload({ id: uploadId, authorityId, filename, sha256: read.sha256, bytes: read.bytes, uploadedBy: principal.sub });
      const recorded: RecordedObservations = await store.recordStaged(authorityId, principal.sub, uploadId);
      await store.completeUpload(uploadId, recorded.rows, recorded.alertsRaised.length);
      if (recorded.alertsRaised.length > 0) {
        const n = recorded.alertsRaised.length;
        await notifyTriage(m, authorityId, `indicator-upload:${uploadId}`, notice('indicator_upload_alerts', { filename, rows: recorded.rows, alerts: n }));
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
      await this.audit(m, principal, uploadId, authorityId, 'indicator.observations_uploaded', null, {
        filename,
        rows: receipt.rows,
        bytes: receipt.bytes,
        sha256: receipt.sha256,
        alertsRaised: receipt.alertsRaised,
        alertsUpdated: receipt.alertsUpdated,
      });
      this.log.info(
        { uploadId, rows: receipt.rows, bytes: receipt.bytes, alertsRaised: receipt.alertsRaised, ms: Date.now() - started },
        'indicator upload recorded',
      );
      return receipt;
    });
  }

  async uploads(principal: Principal) {
    const rows = await this.indicators.uploads(principal.authorityId ?? '');
    return rows.map((r) => ({ ...r, uploadedAt: iso(r.uploadedAt) }));
  }

  private async find(m: Queryable, principal: Principal, id: string, lock = false): Promise<Indicator> {
    if (!UUID.test(id)) throw notFound('indicator');
    const row = await new IndicatorsStore(m).find(principal.authorityId ?? '', id, lock);
    if (!row) throw notFound('indicator');
    return row;
  }

  private audit(m: EntityManager, principal: Principal, subjectId: string, authorityId: string, action: string, before: unknown, after: unknown) {
    const role = (['plan_owner', 'returning_officer', 'staff', 'triage'] as const).find((r) => principal.roles.includes(r)) ?? principal.roles[0];
    return appendAuditEvent(m, { caseId: subjectId, authorityId, actor: principal.sub, role, action, before, after });
  }
}
