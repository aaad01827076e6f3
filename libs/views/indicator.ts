import type { Indicator, IndicatorAlert } from '@libs/persistence/stores/indicators.store';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/** An indicator as the API shows it; `openAlerts` when the caller counted them. */
export function toIndicatorView(r: Indicator) {
  return {
    id: r.id,
    authorityId: r.authorityId,
    key: r.key,
    name: r.name,
    description: r.description,
    subjectType: r.subjectType,
    threshold: r.threshold,
    status: r.status,
    ...(r.openAlerts === undefined ? {} : { openAlerts: r.openAlerts }),
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

export type IndicatorView = ReturnType<typeof toIndicatorView>;

/** GET /indicators/:id: the indicator with its open alerts and the number of observations it holds. */
export type IndicatorDetailView = IndicatorView & { observations: number };

/** An alert an indicator raised, as the API shows it (GET /indicator-alerts). */
export function toAlertView(r: IndicatorAlert) {
  return {
    id: r.id,
    indicator: r.indicator,
    subject: r.subject,
    threshold: r.threshold,
    peakValue: r.peakValue,
    observations: r.observations,
    firstObservedAt: iso(r.firstObservedAt),
    lastObservedAt: iso(r.lastObservedAt),
    status: r.status,
    allegation: r.allegation,
    decisionNote: r.decisionNote,
    decidedBy: r.decidedBy,
    decidedAt: iso(r.decidedAt),
    raisedAt: iso(r.raisedAt),
  };
}

export type AlertView = ReturnType<typeof toAlertView>;
