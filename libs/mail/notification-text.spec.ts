// Notifications in Welsh: the workflows' English wording is matched by the catalogue's templates,
// so a Welsh-speaking recipient gets Welsh, dates in Welsh, and the English only where no
// template exists yet (a short, explicit list).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emailText, notificationIn, translateText } from './notification-text';

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

/** Every subject and body the workflows and activities write, with each ${…} as "X". */
function writtenTexts(): string[] {
  const files = [
    ...readdirSync(join(ROOT, 'workflows/allegation'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .map((f) => `workflows/allegation/${f}`),
    'workflows/risk-review.workflow.ts',
    'workflows/liaison.workflow.ts',
    'workflows/evidence-package.workflow.ts',
    'activities/evidence-checks.ts',
    'activities/notification-digests.ts',
  ];
  const out: string[] = [];
  for (const file of files) {
    const source = readFileSync(join(ROOT, file), 'utf8');
    for (const m of source.matchAll(/(?:subject|body|reminder|escalation): `((?:[^`\\]|\\.|\$\{(?:[^{}`]|`[^`]*`)*\})*)`/g))
      out.push(m[1].replace(/\$\{(?:[^{}`]|`[^`]*`)*\}/g, 'X'));
    for (const m of source.matchAll(/await notice\(\s*[^,]+,\s*`([^`]*)`,\s*`([^`]*)`/g))
      out.push(m[1].replace(/\$\{[^}]*\}/g, 'X'), m[2].replace(/\$\{[^}]*\}/g, 'X'));
  }
  return out;
}

/** Texts that reach a Welsh reader in English, for now. Shorten this list; never lengthen it quietly. */
const ENGLISH_ONLY = [
  'The agreed contact between X and X (every X) fell due at X. Get in touch and record the contact.',
  'The agreed contact with X was due at X and none has been recorded. It is escalated to the Returning Officer.',
  // (the integrity alert's body nests a template literal, so this reading of it stops there)
  'The stored bytes of evidence item X (X) in allegation X ${actual ? ',
  'Evidence item X (X) of allegation X was to be kept until X. Review it: dispose of it, or place a legal hold.',
  'The evidence package X for allegation X was handed to X; acknowledge receipt by X.',
  'X did not acknowledge evidence package X for allegation X by X.',
];

it('has a Welsh template for every notification the workflows write, but the listed few', () => {
  const texts = writtenTexts();
  expect(texts.length).toBeGreaterThan(20);
  expect(texts.filter((text) => translateText(text, 'cy') === undefined).sort()).toEqual([...ENGLISH_ONLY].sort());
});
