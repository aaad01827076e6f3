import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { appendAuditEvent } from '@libs/persistence';
import { AllegationsStore } from '@libs/persistence/stores/allegations.store';
import { IndicatorsStore, type IndicatorAlert } from '@libs/persistence/stores/indicators.store';
import { toAlertView } from '@libs/views/indicator';
import type { Queryable } from '@libs/persistence/stores/queryable';
import { AllegationsService } from '../allegations/allegations.service';
import type { CreateAllegationDto } from '../allegations/dto/create-allegation.dto';
import { conflict, notFound } from '../common/api-error';
import type { LinkAlertDto, ListAlertsQuery } from './dto/indicator.dto';
import { fieldProblem, problem } from '@libs/domain';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/**
 * Alerts raised by indicators crossing their thresholds. Triage turns each into a linked
 * allegation (a new one, or one already logged) or dismisses it with a reason; either is final.
 */
@Injectable()
export class IndicatorAlertsService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(AllegationsService) private readonly allegations: AllegationsService,
  ) {
    this.indicators = new IndicatorsStore(db);
  }

  private readonly indicators: IndicatorsStore;

  async list(principal: Principal, query: ListAlertsQuery) {
    const rows = await this.indicators.listAlerts(principal.authorityId ?? '', {
      status: query.status,
      indicatorId: query.indicatorId,
      limit: query.limit ?? 50,
    });
    return rows.map(toAlertView);
  }

  async get(principal: Principal, id: string) {
    const alert = await this.find(this.db, principal, id);
    const observations = await this.indicators.alertObservations(id, alert.indicator.id);
    return {
      ...toAlertView(alert),
      recentObservations: observations.map((o) => ({ ...o, observedAt: iso(o.observedAt) })),
    };
  }

  async dismiss(principal: Principal, id: string, reason: string) {
    return this.db.transaction(async (m) => {
      const alert = await this.find(m, principal, id, true);
      this.mustBeOpen(alert);
      await new IndicatorsStore(m).dismissAlert(id, reason, principal.sub);
      await this.audit(m, principal, id, alert.authorityId, 'indicator.alert_dismissed', { status: 'open' }, { status: 'dismissed', reason });
      return toAlertView(await this.find(m, principal, id));
    });
  }

  /** Links the alert to an allegation already logged by this authority. */
  async link(principal: Principal, id: string, dto: LinkAlertDto) {
    return this.db.transaction(async (m) => {
      const alert = await this.find(m, principal, id, true);
      this.mustBeOpen(alert);
      const allegation = await new AllegationsStore(m).referenceOf(alert.authorityId, dto.allegationId);
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
      if (alert.status === 'linked' && alert.allegation === null) return alert; // a retry of a claim that did not finish
      this.mustBeOpen(alert);
      await new IndicatorsStore(m).claimAlert(id, principal.sub);
      return alert;
    });
    let receipt;
    try {
      receipt = await this.allegations.create(principal, dto, `indicator-alert:${id}`);
    } catch (error) {
      await this.indicators.releaseClaim(id);
      throw error;
    }
    return this.db.transaction(async (m) => {
      const alert = await this.find(m, principal, id, true);
      if ((alert.allegation?.id ?? null) !== receipt.id)
        await this.linkInside(m, principal, claimed, receipt.id, `allegation ${receipt.reference} logged from this alert`);
      return { alert: toAlertView(await this.find(m, principal, id)), allegation: receipt };
    });
  }

  private async linkInside(m: EntityManager, principal: Principal, alert: IndicatorAlert, allegationId: string, note: string) {
    await new IndicatorsStore(m).linkAlert(alert.id, allegationId, note, principal.sub);
    const facts = { alertId: alert.id, indicator: alert.indicator.key, subject: alert.subject, peakValue: alert.peakValue, threshold: alert.threshold, note };
    await this.audit(m, principal, alert.id, alert.authorityId, 'indicator.alert_linked', { status: 'open' }, { status: 'linked', allegationId, note });
    // The case's own history shows where it came from.
    await appendAuditEvent(m, {
      caseId: allegationId,
      authorityId: alert.authorityId,
      actor: principal.sub,
      role: 'triage',
      action: 'allegation.indicator_alert_linked',
      after: facts,
    });
  }

  private mustBeOpen(alert: IndicatorAlert) {
    if (alert.status !== 'open') {
      throw conflict(
        problem(alert.status === 'linked' ? 'alert.already_linked' : 'alert.already_dismissed'),
        [fieldProblem('status', 'alert.not_open', { status: alert.status })],
        { alert: toAlertView(alert) },
      );
    }
  }

  private async find(m: Queryable, principal: Principal, id: string, lock = false): Promise<IndicatorAlert> {
    if (!UUID.test(id)) throw notFound('indicator alert');
    const row = await new IndicatorsStore(m).findAlert(principal.authorityId ?? '', id, lock);
    if (!row) throw notFound('indicator alert');
    return row;
  }

  private audit(m: EntityManager, principal: Principal, alertId: string, authorityId: string, action: string, before: unknown, after: unknown) {
    return appendAuditEvent(m, { caseId: alertId, authorityId, actor: principal.sub, role: 'triage', action, before, after });
  }
}
