import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../../../libs/auth/principal';
import { appendAuditEvent } from '../../../../libs/persistence';
import { AllegationsService } from '../allegations/allegations.service';
import type { CreateAllegationDto } from '../allegations/dto/create-allegation.dto';
import { conflict, notFound } from '../common/api-error';
import type { LinkAlertDto, ListAlertsQuery } from './dto/indicator.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

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
  status: 'open' | 'linked' | 'dismissed';
  allegation_id: string | null;
  allegation_reference: string | null;
  decision_note: string | null;
  decided_by: string | null;
  decided_by_username: string | null;
  decided_at: Date | null;
  raised_at: Date;
}

const SELECT_ALERT = `
  SELECT a.*, i.key AS indicator_key, i.name AS indicator_name, al.reference AS allegation_reference, u.username AS decided_by_username
  FROM indicator_alerts a
  JOIN indicators i ON i.id = a.indicator_id
  LEFT JOIN allegations al ON al.id = a.allegation_id
  LEFT JOIN users u ON u.id = a.decided_by`;

function toAlertView(r: AlertRow) {
  return {
    id: r.id,
    indicator: { id: r.indicator_id, key: r.indicator_key, name: r.indicator_name },
    subject: r.subject,
    threshold: Number(r.threshold),
    peakValue: Number(r.peak_value),
    observations: r.observations,
    firstObservedAt: iso(r.first_observed_at),
    lastObservedAt: iso(r.last_observed_at),
    status: r.status,
    allegation: r.allegation_id ? { id: r.allegation_id, reference: r.allegation_reference } : null,
    decisionNote: r.decision_note,
    decidedBy: r.decided_by_username,
    decidedAt: iso(r.decided_at),
    raisedAt: iso(r.raised_at),
  };
}

/**
 * Alerts raised by indicators crossing their thresholds. Triage turns each into a linked
 * allegation (a new one, or one already logged) or dismisses it with a reason; either is final.
 */
@Injectable()
export class IndicatorAlertsService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(AllegationsService) private readonly allegations: AllegationsService,
  ) {}

  async list(principal: Principal, query: ListAlertsQuery) {
    const where = ['a.authority_id = $1'];
    const params: unknown[] = [principal.authorityId ?? ''];
    if (query.status) where.push(`a.status = $${params.push(query.status)}`);
    if (query.indicatorId) where.push(`a.indicator_id = $${params.push(query.indicatorId)}`);
    const rows: AlertRow[] = await this.db.query(`${SELECT_ALERT} WHERE ${where.join(' AND ')} ORDER BY a.raised_at DESC, a.id LIMIT $${params.push(query.limit ?? 50)}`, params);
    return rows.map(toAlertView);
  }

  async get(principal: Principal, id: string) {
    const alert = await this.find(this.db.manager, principal, id);
    const observations = await this.db.query(
      `SELECT value, observed_at, note, upload_id, line FROM indicator_observations
       WHERE indicator_id = $1 AND subject_key = (SELECT subject_key FROM indicator_alerts WHERE id = $2) ORDER BY observed_at DESC, id DESC LIMIT 50`,
      [alert.indicator_id, id],
    );
    return {
      ...toAlertView(alert),
      recentObservations: observations.map((o: Record<string, any>) => ({ value: Number(o.value), observedAt: iso(o.observed_at), note: o.note, uploadId: o.upload_id, line: o.line })),
    };
  }

  async dismiss(principal: Principal, id: string, reason: string) {
    return this.db.transaction(async (m) => {
      const alert = await this.find(m, principal, id, true);
      this.mustBeOpen(alert);
      await m.query("UPDATE indicator_alerts SET status = 'dismissed', decision_note = $2, decided_by = $3, decided_at = now(), updated_at = now() WHERE id = $1", [id, reason, principal.sub]);
      await this.audit(m, principal, id, alert.authority_id, 'indicator.alert_dismissed', { status: 'open' }, { status: 'dismissed', reason });
      return toAlertView(await this.find(m, principal, id));
    });
  }

  /** Links the alert to an allegation already logged by this authority. */
  async link(principal: Principal, id: string, dto: LinkAlertDto) {
    return this.db.transaction(async (m) => {
      const alert = await this.find(m, principal, id, true);
      this.mustBeOpen(alert);
      const [allegation] = await m.query('SELECT id, reference FROM allegations WHERE id = $1 AND authority_id = $2', [dto.allegationId, alert.authority_id]);
      if (!allegation) throw notFound('allegation');
      await this.linkInside(m, principal, alert, allegation.id, dto.note);
      return toAlertView(await this.find(m, principal, id));
    });
  }

  /**
   * Logs a new allegation from the alert and links the two. The alert is claimed first, so that
   * a concurrent dismissal cannot leave an allegation behind; the intake uses the alert as its
   * idempotency key, so a retried request (or one after a crash between the steps) gives the
   * same case rather than a second one.
   */
  async raiseAllegation(principal: Principal, id: string, dto: CreateAllegationDto) {
    const claimed = await this.db.transaction(async (m) => {
      const alert = await this.find(m, principal, id, true);
      if (alert.status === 'linked' && alert.allegation_id === null) return alert; // a retry of a claim that did not finish
      this.mustBeOpen(alert);
      await m.query("UPDATE indicator_alerts SET status = 'linked', decided_by = $2, decided_at = now(), updated_at = now() WHERE id = $1", [id, principal.sub]);
      return alert;
    });
    let receipt;
    try {
      receipt = await this.allegations.create(principal, dto, `indicator-alert:${id}`);
    } catch (error) {
      await this.db.query("UPDATE indicator_alerts SET status = 'open', decided_by = NULL, decided_at = NULL WHERE id = $1 AND allegation_id IS NULL", [id]);
      throw error;
    }
    return this.db.transaction(async (m) => {
      const alert = await this.find(m, principal, id, true);
      if (alert.allegation_id !== receipt.id) await this.linkInside(m, principal, claimed, receipt.id, `allegation ${receipt.reference} logged from this alert`);
      return { alert: toAlertView(await this.find(m, principal, id)), allegation: receipt };
    });
  }

  private async linkInside(m: EntityManager, principal: Principal, alert: AlertRow, allegationId: string, note: string) {
    await m.query("UPDATE indicator_alerts SET status = 'linked', allegation_id = $2, decision_note = $3, decided_by = $4, decided_at = now(), updated_at = now() WHERE id = $1", [
      alert.id, allegationId, note, principal.sub,
    ]);
    const facts = { alertId: alert.id, indicator: alert.indicator_key, subject: alert.subject, peakValue: Number(alert.peak_value), threshold: Number(alert.threshold), note };
    await this.audit(m, principal, alert.id, alert.authority_id, 'indicator.alert_linked', { status: 'open' }, { status: 'linked', allegationId, note });
    // The case's own history shows where it came from.
    await appendAuditEvent(m, { caseId: allegationId, authorityId: alert.authority_id, actor: principal.sub, role: 'triage', action: 'allegation.indicator_alert_linked', after: facts });
  }

  private mustBeOpen(alert: AlertRow) {
    if (alert.status !== 'open') {
      throw conflict(`the alert is already ${alert.status}`, [{ field: 'status', problem: `is ${alert.status}; only an open alert can be linked or dismissed` }], { alert: toAlertView(alert) });
    }
  }

  private async find(m: EntityManager, principal: Principal, id: string, lock = false): Promise<AlertRow> {
    if (!UUID.test(id)) throw notFound('indicator alert');
    const [row] = await m.query(`${SELECT_ALERT} WHERE a.id = $1 AND a.authority_id = $2 ${lock ? 'FOR UPDATE OF a' : ''}`, [id, principal.authorityId ?? '']);
    if (!row) throw notFound('indicator alert');
    return row;
  }

  private audit(m: EntityManager, principal: Principal, alertId: string, authorityId: string, action: string, before: unknown, after: unknown) {
    return appendAuditEvent(m, { caseId: alertId, authorityId, actor: principal.sub, role: 'triage', action, before, after });
  }
}
