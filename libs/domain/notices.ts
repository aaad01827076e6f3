// The words of every notification, in English, in one place. The workflows, the activities and
// the API write a notification's subject and body from here (`notice(name, values)`), and keep
// them as written: they are part of the record. A Welsh reader gets them in Welsh from the
// templates in libs/mail/locales/cy/notifications.json (libs/mail/notification-text.ts), and
// libs/mail/notification-text.spec.ts renders every notice below and fails for one whose Welsh is
// missing. Pure code (no Node, no SDK): the workflow bundle imports it.
//
// A notice's `kind` is what the notification is stored under (GET /me/notifications `kind`); two
// notices may share one (an indicator alert raised by one observation, or by an upload).

export interface NoticeText {
  kind: string;
  subject: string;
  body: string;
}

/** One line of a digest: a due event's own subject and body. */
export interface DigestLine {
  subject: string;
  body: string;
}

/** The values each notice is written from. Times are ISO-8601 instants, as the workflows hold them. */
export interface NoticeValues {
  safety_alert: { reference: string; category: string; safetyConcern: boolean };
  referral_received: { reference: string; category: string; forceId: string; respondBy: string };
  referral_returned: { reference: string; forceId: string; reasonCode: string; decideBy: string | undefined };
  referral_withdrawn: { reference: string; forceId: string };
  information_reply_lapsed: { reference: string; dueAt: string; decideBy: string | undefined };
  triage_reminder: { reference: string; dueAt: string };
  triage_escalation: { reference: string; dueAt: string };
  spoc_response_reminder: { reference: string; forceId: string; dueAt: string };
  spoc_response_escalation: { reference: string; forceId: string; dueAt: string };
  extension_task: { reference: string; limitAt: string };
  risk_review_reminder: { title: string; dueAt: string };
  risk_review_escalation: { title: string; dueAt: string };
  risk_review_digest: { items: readonly DigestLine[] };
  liaison_contact_reminder: { authorityId: string; forceId: string; every: string; dueAt: string };
  liaison_contact_escalation: { forceId: string; dueAt: string };
  package_acknowledge_reminder: { reference: string; packageId: string; forceId: string; dueAt: string };
  package_acknowledge_escalation: { reference: string; packageId: string; forceId: string; dueAt: string };
  integrity_alert: { reference: string; evidenceId: string; description: string; expected: string; actual: string | null };
  disposal_review: { reference: string; evidenceId: string; description: string; keepUntil: string };
  indicator_alert: { indicator: string; subject: string; peakValue: number; threshold: number };
  indicator_upload_alerts: { filename: string | null; rows: number; alerts: number };
  ballot_discrepancy: { discrepancy: 'seal_mismatch' | 'count_mismatch'; label: string; expected: string; observed: string };
}

export type NoticeName = keyof NoticeValues;

const DISCREPANCY_WORDS = { seal_mismatch: 'seal number does not match', count_mismatch: 'count does not match' } as const;

type Wording = { [N in NoticeName]: { kind: string; text: (v: NoticeValues[N]) => { subject: string; body: string } } };

const WORDING: Wording = {
  safety_alert: {
    kind: 'safety_alert',
    text: (v) => ({
      subject: `Safety concern: ${v.reference}`,
      body: `Allegation ${v.reference} (${v.category}) was logged with ${v.safetyConcern ? 'a safety concern' : 'immediate urgency'}. Operation Ford: assess the risk to candidates and officials now.`,
    }),
  },
  referral_received: {
    kind: 'referral_received',
    text: (v) => ({
      subject: `New referral: ${v.reference}`,
      body: `Allegation ${v.reference} (${v.category}) is referred to ${v.forceId}. Accept or return it by ${v.respondBy}.`,
    }),
  },
  referral_returned: {
    kind: 'referral_returned',
    text: (v) => ({
      subject: `Returned by police: ${v.reference}`,
      body: `${v.forceId} returned allegation ${v.reference} (${v.reasonCode}). It is back in triage and must be decided by ${v.decideBy}.`,
    }),
  },
  referral_withdrawn: {
    kind: 'referral_withdrawn',
    text: (v) => ({
      subject: `Withdrawn: ${v.reference}`,
      body: `The authority withdrew allegation ${v.reference}, which was referred to ${v.forceId}.`,
    }),
  },
  information_reply_lapsed: {
    kind: 'information_reply_lapsed',
    text: (v) => ({
      subject: `No reply in time: ${v.reference}`,
      body: `The reporter of allegation ${v.reference} did not reply by ${v.dueAt}. The case is back in triage and must be decided by ${v.decideBy}.`,
    }),
  },
  triage_reminder: {
    kind: 'triage_reminder',
    text: (v) => ({
      subject: `Reminder: ${v.reference} triage is due at ${v.dueAt}`,
      body: `Allegation ${v.reference} must be triaged by ${v.dueAt}.`,
    }),
  },
  triage_escalation: {
    kind: 'triage_escalation',
    text: (v) => ({
      subject: `Escalation: ${v.reference} triage deadline passed`,
      body: `Allegation ${v.reference} was not triaged by ${v.dueAt}. It is escalated to the Returning Officer.`,
    }),
  },
  spoc_response_reminder: {
    kind: 'spoc_response_reminder',
    text: (v) => ({
      subject: `Reminder: ${v.reference} spoc_response is due at ${v.dueAt}`,
      body: `Allegation ${v.reference}, referred to ${v.forceId}, must be accepted or returned by ${v.dueAt}.`,
    }),
  },
  spoc_response_escalation: {
    kind: 'spoc_response_escalation',
    text: (v) => ({
      subject: `Escalation: ${v.reference} spoc_response deadline passed`,
      body: `${v.forceId} did not respond to the referral of allegation ${v.reference} by ${v.dueAt}. It is escalated to the Returning Officer and the force's other SPOCs.`,
    }),
  },
  extension_task: {
    kind: 'extension_task',
    text: (v) => ({
      subject: `Apply for an extension: ${v.reference}`,
      body: `Proceedings for the offence in allegation ${v.reference} must begin by ${v.limitAt} (Representation of the People Act 1983 s.176). If they will not, apply to the court for an extension before that date; no application can be made after it.`,
    }),
  },
  risk_review_reminder: {
    kind: 'risk_review_reminder',
    text: (v) => ({
      subject: `Risk review due: ${v.title}`,
      body: `The review of the risk "${v.title}" fell due at ${v.dueAt}. Review its mitigations and record the review.`,
    }),
  },
  risk_review_escalation: {
    kind: 'risk_review_escalation',
    text: (v) => ({
      subject: `Risk review overdue: ${v.title}`,
      body: `The review of the risk "${v.title}" was due at ${v.dueAt} and has not been recorded. It is escalated to the Returning Officer.`,
    }),
  },
  risk_review_digest: {
    kind: 'risk_review_digest',
    text: (v) => ({
      subject: `${v.items.length} risk reviews due`,
      body: digestBody("The reviews of these risks fell due. Review each risk's mitigations and record its review.", v.items),
    }),
  },
  liaison_contact_reminder: {
    kind: 'liaison_contact_reminder',
    text: (v) => ({
      subject: `Police liaison contact due: ${v.authorityId} and ${v.forceId}`,
      body: `The agreed contact between ${v.authorityId} and ${v.forceId} (every ${v.every}) fell due at ${v.dueAt}. Get in touch and record the contact.`,
    }),
  },
  liaison_contact_escalation: {
    kind: 'liaison_contact_escalation',
    text: (v) => ({
      subject: `Police liaison contact overdue: ${v.forceId}`,
      body: `The agreed contact with ${v.forceId} was due at ${v.dueAt} and none has been recorded. It is escalated to the Returning Officer.`,
    }),
  },
  package_acknowledge_reminder: {
    kind: 'package_acknowledge_reminder',
    text: (v) => ({
      subject: `Acknowledge evidence package for ${v.reference}`,
      body: `The evidence package ${v.packageId} for allegation ${v.reference} was handed to ${v.forceId}; acknowledge receipt by ${v.dueAt}.`,
    }),
  },
  package_acknowledge_escalation: {
    kind: 'package_acknowledge_escalation',
    text: (v) => ({
      subject: `Evidence package not acknowledged: ${v.reference}`,
      body: `${v.forceId} did not acknowledge evidence package ${v.packageId} for allegation ${v.reference} by ${v.dueAt}.`,
    }),
  },
  integrity_alert: {
    kind: 'integrity_alert',
    text: (v) => ({
      subject: `Evidence integrity alert: ${v.reference}`,
      body: `The stored bytes of evidence item ${v.evidenceId} (${v.description}) in allegation ${v.reference} ${v.actual ? `now hash to ${v.actual}, not ${v.expected}` : 'are missing'}. Treat the stored copy as compromised and investigate.`,
    }),
  },
  disposal_review: {
    kind: 'disposal_review',
    text: (v) => ({
      subject: `Disposal review due: ${v.reference}`,
      body: `Evidence item ${v.evidenceId} (${v.description}) of allegation ${v.reference} was to be kept until ${v.keepUntil}. Review it: dispose of it, or place a legal hold.`,
    }),
  },
  indicator_alert: {
    kind: 'indicator_alert',
    text: (v) => ({
      subject: `Indicator alert: ${v.indicator}`,
      body: `${v.subject} reached ${v.peakValue} (threshold ${v.threshold}). Link it to an allegation or dismiss it with a reason.`,
    }),
  },
  indicator_upload_alerts: {
    kind: 'indicator_alert',
    text: (v) => ({
      subject: `${v.alerts} indicator alert${v.alerts === 1 ? '' : 's'} raised`,
      body: `An observations upload${v.filename ? ` (${v.filename})` : ''} of ${v.rows} rows reached thresholds for ${v.alerts} subject${v.alerts === 1 ? '' : 's'}. Link each alert to an allegation or dismiss it with a reason.`,
    }),
  },
  ballot_discrepancy: {
    kind: 'ballot_discrepancy',
    text: (v) => ({
      subject: `Ballot security: ${DISCREPANCY_WORDS[v.discrepancy]} on ${v.label}`,
      body: `Expected ${v.expected}, found ${v.observed}. Log an allegation from it or dismiss it with a reason.`,
    }),
  },
};

/** A notification's kind, subject and body, in English. */
export function notice<N extends NoticeName>(name: N, values: NoticeValues[N]): NoticeText {
  const wording = WORDING[name];
  return { kind: wording.kind, ...wording.text(values) };
}

/** Every notice by name, for the tests that check each has its Welsh. */
export const NOTICE_NAMES = Object.keys(WORDING) as NoticeName[];

/** Every kind a notification is stored under. */
export const NOTIFICATION_KINDS: readonly string[] = [...new Set(Object.values(WORDING).map((w) => w.kind))];

/** The body of a digest: its introduction, a blank line, then each due event's subject and body, one a line. */
function digestBody(intro: string, items: readonly DigestLine[]): string {
  return [intro, '', ...items.map((i) => `- ${i.subject}. ${i.body}`)].join('\n');
}
