// Notifications in Welsh: the English wording (libs/domain/notices.ts) is matched by the
// catalogue's templates, so a Welsh-speaking recipient gets Welsh, dates in Welsh. Every notice
// is rendered here in both languages; one without its Welsh fails.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { notice, NOTICE_NAMES, NOTIFICATION_KINDS, type NoticeName, type NoticeValues } from '@libs/domain';
import { emailText, notificationIn } from './notification-text';

const ROOT = join(__dirname, '../..');

it('puts a triage reminder into Welsh, its date in Welsh and UK time', () => {
  const shown = notificationIn(
    'cy',
    'Reminder: NS-2027-00012 triage is due at 2027-05-06T08:05:00.000Z',
    'Allegation NS-2027-00012 must be triaged by 2027-05-06T08:05:00.000Z.',
  );
  expect(shown).toEqual({
    subject: 'Nodyn atgoffa: NS-2027-00012, brysbennu erbyn 6 Mai 2027 am 9:05yb',
    body: 'Rhaid brysbennu honiad NS-2027-00012 erbyn 6 Mai 2027 am 9:05yb.',
    translated: true,
  });
});

it('writes the whole email in Welsh, and leaves English emails exactly as they were', () => {
  expect(
    emailText(
      'cy',
      'Safety concern: NS-1',
      'Allegation NS-1 (bribery) was logged with a safety concern. Operation Ford: assess the risk to candidates and officials now.',
      'NS-1',
    ),
  ).toEqual({
    subject: 'Pryder diogelwch: NS-1',
    text: 'Cofnodwyd honiad NS-1 (bribery) gyda pryder diogelwch. Ymgyrch Ford: aseswch y risg i ymgeiswyr a swyddogion nawr.\n\nCyfeirnod yr achos: NS-1\n\nMae hwn hefyd yn eich hysbysiadau yn y system gwaith achos.\n',
  });
  expect(emailText('en', 'Withdrawn: NS-1', 'The authority withdrew allegation NS-1, which was referred to northshire-police.', 'NS-1').text).toBe(
    'The authority withdrew allegation NS-1, which was referred to northshire-police.\n\nCase reference: NS-1\n\nThis is also in your notifications in the casework system.\n',
  );
});

it('says so in Welsh when a notification has no Welsh template yet', () => {
  const { text } = emailText('cy', 'Something new', 'A sentence no template knows.', null);
  expect(text).toBe(
    'Mae’r hysbysiad hwn ar gael yn Saesneg yn unig:\n\nA sentence no template knows.\n\nMae hwn hefyd yn eich hysbysiadau yn y system gwaith achos.\n',
  );
});

/** Values for every notice: the type makes a new notice fail to compile here until it has one. */
const EXAMPLES: { [N in NoticeName]: NoticeValues[N][] } = {
  safety_alert: [
    { reference: 'NS-1', category: 'bribery', safetyConcern: true },
    { reference: 'NS-1', category: 'bribery', safetyConcern: false },
  ],
  referral_received: [{ reference: 'NS-1', category: 'postal_vote', forceId: 'northshire-police', respondBy: '2027-05-06T08:05:00.000Z' }],
  referral_returned: [{ reference: 'NS-1', forceId: 'northshire-police', reasonCode: 'wrong_force', decideBy: '2027-05-06T08:05:00.000Z' }],
  referral_withdrawn: [{ reference: 'NS-1', forceId: 'northshire-police' }],
  information_reply_lapsed: [{ reference: 'NS-1', dueAt: '2027-05-06T08:05:00.000Z', decideBy: '2027-05-07T08:05:00.000Z' }],
  triage_reminder: [{ reference: 'NS-1', dueAt: '2027-05-06T08:05:00.000Z' }],
  triage_escalation: [{ reference: 'NS-1', dueAt: '2027-05-06T08:05:00.000Z' }],
  spoc_response_reminder: [{ reference: 'NS-1', forceId: 'northshire-police', dueAt: '2027-05-06T08:05:00.000Z' }],
  spoc_response_escalation: [{ reference: 'NS-1', forceId: 'northshire-police', dueAt: '2027-05-06T08:05:00.000Z' }],
  extension_task: [{ reference: 'NS-1', limitAt: '2028-04-20T09:30:00.000Z' }],
  risk_review_reminder: [{ title: 'Postal votes in care homes', dueAt: '2027-05-06T08:05:00.000Z' }],
  risk_review_escalation: [{ title: 'Postal votes in care homes', dueAt: '2027-05-06T08:05:00.000Z' }],
  risk_review_digest: [
    {
      items: [
        notice('risk_review_reminder', { title: 'Postal votes in care homes', dueAt: '2027-05-06T08:05:00.000Z' }),
        notice('risk_review_reminder', { title: 'Count security. Hall B', dueAt: '2027-05-06T08:05:00.000Z' }),
      ],
    },
  ],
  liaison_contact_reminder: [{ authorityId: 'northshire', forceId: 'northshire-police', every: 'P14D', dueAt: '2027-05-06T08:05:00.000Z' }],
  liaison_contact_escalation: [{ forceId: 'northshire-police', dueAt: '2027-05-06T08:05:00.000Z' }],
  package_acknowledge_reminder: [
    { reference: 'NS-1', packageId: '7d1f5c2e-0000-4000-8000-000000000001', forceId: 'northshire-police', dueAt: '2027-05-06T08:05:00.000Z' },
  ],
  package_acknowledge_escalation: [
    { reference: 'NS-1', packageId: '7d1f5c2e-0000-4000-8000-000000000001', forceId: 'northshire-police', dueAt: '2027-05-06T08:05:00.000Z' },
  ],
  integrity_alert: [
    { reference: 'NS-1', evidenceId: 'e1', description: 'Photo (front door)', expected: 'a'.repeat(64), actual: 'b'.repeat(64) },
    { reference: 'NS-1', evidenceId: 'e1', description: 'Photo (front door)', expected: 'a'.repeat(64), actual: null },
  ],
  disposal_review: [{ reference: 'NS-1', evidenceId: 'e1', description: 'Postal vote statement', keepUntil: '2033-05-06T08:05:00.000Z' }],
  indicator_alert: [{ indicator: 'Postal vote applications per address', subject: '12 High Street', peakValue: 9, threshold: 6 }],
  indicator_upload_alerts: [
    { filename: 'march.csv', rows: 1200, alerts: 3 },
    { filename: 'march.csv', rows: 1200, alerts: 1 },
    { filename: null, rows: 40, alerts: 2 },
    { filename: null, rows: 40, alerts: 1 },
  ],
  ballot_discrepancy: [
    { discrepancy: 'seal_mismatch', label: 'Box 14', expected: 'S-100', observed: 'S-101' },
    { discrepancy: 'count_mismatch', label: 'Batch 3', expected: '500', observed: '498' },
  ],
};

describe('every notification, in both languages', () => {
  const all = NOTICE_NAMES.flatMap((name) => (EXAMPLES[name] as NoticeValues[typeof name][]).map((values) => ({ name, text: notice(name, values as never) })));

  it('has a notice for every kind a notification is stored under', () => {
    expect([...new Set(all.map((n) => n.text.kind))].sort()).toEqual([...NOTIFICATION_KINDS].sort());
  });

  it.each(all.map((n) => [n.name, n.text] as const))('%s: English as written, and Welsh made from it', (_name, { subject, body }) => {
    expect(notificationIn('en', subject, body)).toEqual({ subject, body, translated: true });
    const welsh = notificationIn('cy', subject, body);
    expect(welsh.translated).toBe(true);
    expect(welsh.subject).not.toBe(subject);
    expect(welsh.body).not.toBe(body);
    // Nothing the Welsh was filled from is lost: references, ids and what people typed.
    for (const kept of [...`${subject} ${body}`.matchAll(/NS-1|northshire-police|e1\b|12 High Street|Box 14|march\.csv|Photo \(front door\)/g)].map(
      (m) => m[0],
    ))
      expect(`${welsh.subject} ${welsh.body}`).toContain(kept);
    expect(emailText('cy', subject, body, null).text).not.toContain('Saesneg yn unig');
  });
});

it('writes a police liaison reminder in Welsh, its cadence in Welsh words', () => {
  const { subject, body } = notice('liaison_contact_reminder', {
    authorityId: 'northshire',
    forceId: 'northshire-police',
    every: 'P14D',
    dueAt: '2027-05-06T08:05:00.000Z',
  });
  expect(notificationIn('cy', subject, body).body).toBe(
    'Roedd y cyswllt y cytunwyd arno rhwng northshire a northshire-police (bob 14 diwrnod) yn ddyledus am 6 Mai 2027 am 9:05yb. Cysylltwch â nhw a chofnodwch y cyswllt.',
  );
});

it('writes a digest in Welsh line by line, even when a risk title holds a full stop', () => {
  const { subject, body } = notice('risk_review_digest', EXAMPLES.risk_review_digest[0]);
  expect(notificationIn('cy', subject, body)).toEqual({
    subject: '2 adolygiad risg yn ddyledus',
    body: [
      'Daeth adolygiadau’r risgiau hyn yn ddyledus. Adolygwch fesurau lliniaru pob risg a chofnodwch ei adolygiad.',
      '',
      '- Adolygiad risg yn ddyledus: Postal votes in care homes. Roedd adolygiad y risg “Postal votes in care homes” yn ddyledus am 6 Mai 2027 am 9:05yb. Adolygwch ei mesurau lliniaru a chofnodwch yr adolygiad.',
      '- Adolygiad risg yn ddyledus: Count security. Hall B. Roedd adolygiad y risg “Count security. Hall B” yn ddyledus am 6 Mai 2027 am 9:05yb. Adolygwch ei mesurau lliniaru a chofnodwch yr adolygiad.',
    ].join('\n'),
    translated: true,
  });
});

it('is the only place notification wording is written', () => {
  const ROOTS = ['workflows', 'activities', 'apps/api/src', 'libs/persistence'];
  const files = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [join(dir, e.name)] : [],
    );
  // The notify activity and the notifications store write what they are given.
  const GIVEN = ['activities/notifications.ts', 'libs/persistence/stores/notifications.store.ts'];
  const writers = ROOTS.flatMap(files).filter((file) => {
    const source = readFileSync(join(ROOT, file), 'utf8');
    return /\b(?:subject|body): `/.test(source) || (/INSERT INTO notifications\b/.test(source) && !GIVEN.includes(file) && !/\bnotice\(/.test(source));
  });
  expect(writers).toEqual([]);
});
