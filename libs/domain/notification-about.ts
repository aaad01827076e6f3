// What a notification is about, as data: the kind of record and its id, and the case when there
// is one. GET /me/notifications returns it as `about`, filters by it, and the web page links each
// notification to its subject's page.
//
// Every notification is written for a due key, and each kind of due event builds its key from its
// subject's id (the rules below). The notify activity and the indicator alerts derive `about` from
// the key when their caller does not give it; migration NotificationAbout backfills older rows
// with the same rules in SQL (keep the two in step).

export const NOTIFICATION_ABOUT_TYPES = [
  'allegation',
  'evidence',
  'package',
  'risk',
  'liaison',
  'indicator_alert',
  'indicator_upload',
  'ballot_discrepancy',
] as const;
export type NotificationAboutType = (typeof NOTIFICATION_ABOUT_TYPES)[number];

export interface NotificationAbout {
  type: NotificationAboutType;
  id: string;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** Due key prefixes naming their subject, in the order tried. */
export const DUE_KEY_SUBJECTS: { pattern: RegExp; type: NotificationAboutType; writtenBy: string }[] = [
  { pattern: new RegExp(`^risk:(${UUID}):`), type: 'risk', writtenBy: 'workflows/risk-review.workflow.ts' },
  { pattern: new RegExp(`^liaison:(${UUID}):`), type: 'liaison', writtenBy: 'workflows/liaison.workflow.ts' },
  { pattern: new RegExp(`^integrity:(${UUID}):`), type: 'evidence', writtenBy: 'activities/evidence-checks.ts' },
  { pattern: new RegExp(`^disposal-review:(${UUID}):`), type: 'evidence', writtenBy: 'activities/evidence-checks.ts' },
  { pattern: new RegExp(`^indicator-alert:(${UUID})$`), type: 'indicator_alert', writtenBy: 'apps/api/src/indicators' },
  { pattern: new RegExp(`^indicator-upload:(${UUID})$`), type: 'indicator_upload', writtenBy: 'apps/api/src/indicators' },
  { pattern: new RegExp(`^(${UUID}):acknowledge:`), type: 'package', writtenBy: 'workflows/evidence-package.workflow.ts' },
  { pattern: new RegExp(`^ballot-discrepancy:(${UUID})$`), type: 'ballot_discrepancy', writtenBy: 'apps/api/src/ballot-security' },
];

/**
 * The subject named by a due key; a key that starts with the case's own id (the allegation
 * workflow's reminders, escalations and alerts), or names nothing else, is about the case.
 */
export function aboutFromDueKey(dueKey: string, caseId?: string | null): NotificationAbout | null {
  for (const { pattern, type } of DUE_KEY_SUBJECTS) {
    const match = pattern.exec(dueKey);
    if (match) return { type, id: match[1] };
  }
  return caseId ? { type: 'allegation', id: caseId } : null;
}
