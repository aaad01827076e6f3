// What a case page shows, worked out from the API's view of the case: deadlines with what is
// overdue, a timeline of what happened, and which decisions this user may take now.
import type { Principal } from '@libs/auth/principal';
import { hasRole } from '@libs/auth/principal';
import type { AllegationView } from '@libs/views/allegation';
import { translator, type T } from './i18n';
import { labelOf } from './labels';

export interface TimelineEntry {
  at: string;
  text: string;
}

export function isOverdue(dueAt: string | null | undefined, now = Date.now()): boolean {
  return Boolean(dueAt) && Date.parse(dueAt!) < now;
}

/** What timelineOf reads of a case: an AllegationView, or as much of one as a test needs. */
export interface CaseHistory {
  status: string;
  createdAt?: string | null;
  safetyConcern?: boolean;
  urgency?: string;
  deadlines?: { history?: { kind: string; setAt?: string | null; metAt?: string | null }[] };
  referrals?: { forceId: string; referredAt?: string; acceptedAt?: string; crimeReference?: string; returnedAt?: string; reasonCode?: string }[];
  informationRequest?: { requestedAt?: string; receivedAt?: string; lapsedAt?: string } | null;
  policeOutcome?: { outcome: string; at: string } | null;
  escalatedAt?: string | null;
  closedAt?: string | null;
  duplicateOf?: string | null;
  outcome?: string | null;
}

export function deadlinesOf(c: Pick<AllegationView, 'deadlines'>, t: T = translator('en')) {
  return (c.deadlines?.history ?? []).map((d) => ({
    ...d,
    label: labelOf(d.kind, t.lang),
    open: !d.metAt,
    overdue: !d.metAt && isOverdue(d.dueAt),
  }));
}

export function timelineOf(c: CaseHistory, forceName: (id: string) => string, t: T = translator('en')): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const add = (at: string | null | undefined, text: string) => at && out.push({ at, text });
  const label = (code: unknown) => labelOf(code, t.lang);
  add(
    c.createdAt,
    c.safetyConcern
      ? t('Allegation logged ({{urgency}}, safety concern)', { urgency: label(c.urgency) })
      : t('Allegation logged ({{urgency}})', { urgency: label(c.urgency) }),
  );
  for (const d of c.deadlines?.history ?? []) {
    add(d.setAt, t('{{step}} deadline set', { step: label(d.kind) }));
    add(d.metAt, t('{{step}} step done', { step: label(d.kind) }));
  }
  for (const r of c.referrals ?? []) {
    add(r.referredAt, t('Referred to {{force}}', { force: forceName(r.forceId) }));
    add(
      r.acceptedAt,
      r.crimeReference
        ? t('Accepted by {{force}}, crime reference {{reference}}', { force: forceName(r.forceId), reference: r.crimeReference })
        : t('Accepted by {{force}}', { force: forceName(r.forceId) }),
    );
    add(r.returnedAt, t('Returned by {{force}}: {{reason}}', { force: forceName(r.forceId), reason: label(r.reasonCode) }));
  }
  if (c.informationRequest) {
    add(c.informationRequest.requestedAt, t('Information requested from the reporter'));
    add(c.informationRequest.receivedAt, t('The reporter replied'));
    add(c.informationRequest.lapsedAt, t('The reporter did not reply in time; back to triage'));
  }
  if (c.policeOutcome) add(c.policeOutcome.at, t('Police outcome: {{outcome}}', { outcome: label(c.policeOutcome.outcome) }));
  add(c.escalatedAt, t('Escalated to the Returning Officer: a deadline passed'));
  add(
    c.closedAt,
    c.status === 'withdrawn'
      ? t('Allegation withdrawn')
      : c.duplicateOf
        ? t('Closed as a duplicate of another case')
        : t('Closed: {{outcome}}', { outcome: label(c.outcome) }),
  );
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || 0);
}

/** Whether an application to extend the statutory time limit can still be recorded. */
export function extensionOpen(
  clock: { limitAt?: string; extensionAppliedAt?: string | null; proceedingsStartedAt?: string | null } | null | undefined,
  now = Date.now(),
): boolean {
  return Boolean(clock?.limitAt) && !clock!.extensionAppliedAt && !clock!.proceedingsStartedAt && now < Date.parse(clock!.limitAt!);
}

/** What actionsFor reads of a case: an AllegationView, or as much of one as a test needs. */
export interface CaseStanding {
  status: string;
  referral?: { forceId: string; status?: string } | null;
  policeOutcome?: unknown;
  statutoryClock?: Parameters<typeof extensionOpen>[0];
}

/**
 * The decisions open to this user on this case as it stands: the workflow's own rules, so that a
 * page offers no form that would only be refused (it refuses anyway if the case moved on).
 */
export function actionsFor(principal: Principal, c: CaseStanding) {
  const ofThisForce = hasRole(principal, ['spoc']) && c.referral?.forceId === principal.forceId;
  const spocOfReferral = ofThisForce && c.status === 'referred' && c.referral?.status === 'pending';
  const open = !['closed', 'withdrawn'].includes(c.status);
  const withPolice = c.status === 'referred' || c.status === 'accepted';
  return {
    triage: hasRole(principal, ['triage']) && c.status === 'triage',
    spoc: spocOfReferral,
    information: hasRole(principal, ['staff', 'triage']) && c.status === 'awaiting_information',
    investigation: ofThisForce && c.status === 'accepted',
    // Closing is for a case the police accepted; without their outcome, the Returning Officer's alone.
    close: c.status === 'accepted' && (hasRole(principal, ['returning_officer']) || (hasRole(principal, ['triage']) && Boolean(c.policeOutcome))),
    // Once the police have it, only triage withdraws it, so that the force is told.
    withdraw: open && (hasRole(principal, ['triage']) || (hasRole(principal, ['staff']) && !withPolice)),
    // s.176: a court may extend the one-year limit, on an application made within that year.
    extension: hasRole(principal, ['triage', 'returning_officer']) && open && extensionOpen(c.statutoryClock),
    evidence: hasRole(principal, ['staff', 'triage', 'spoc']) && !['closed', 'withdrawn'].includes(c.status),
    history: hasRole(principal, ['legal', 'triage', 'returning_officer']),
    bundle: hasRole(principal, ['legal']),
  };
}
