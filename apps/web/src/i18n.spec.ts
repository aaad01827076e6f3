// Welsh and English: the catalogues agree, every string the code shows is in them, no template
// has English outside t(), and every page rendered in Welsh has no text left as its English.
// A new page (or a string added to one) left in English fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LANGUAGES, loadCatalogue } from './i18n';
import { usedKeys } from './i18n-keys';
import { LOCALES_DIR, VIEWS_DIR } from './paths';
import { renderPage } from './render';

const SRC_DIR = __dirname;
const PLURAL = /_(zero|one|two|few|many|other)$/;
const base = (key: string) => key.replace(PLURAL, '');
const templates = (dir = VIEWS_DIR): string[] =>
  readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? templates(join(dir, name)) : name.endsWith('.njk') ? [join(dir, name)] : []));

/** Text a page shows that is the same in both languages: names of things, not words to translate. */
const SAME_IN_BOTH = new Set(['English', 'Cymraeg', 'SHA-256', 'PDF', 'JSON', 'FEOA', 'SPOC', 'Ward', 'Label', '#']);

describe('the catalogues', () => {
  const catalogues = Object.fromEntries(LANGUAGES.map((l) => [l, loadCatalogue(l)]));

  it('have the same files and the same keys in English and Welsh (plural forms aside)', () => {
    expect(readdirSync(join(LOCALES_DIR, 'cy')).sort()).toEqual(readdirSync(join(LOCALES_DIR, 'en')).sort());
    for (const file of readdirSync(join(LOCALES_DIR, 'en'))) {
      const keys = (l: string) => [...new Set(Object.keys(JSON.parse(readFileSync(join(LOCALES_DIR, l, file), 'utf8'))).map(base))].sort();
      expect({ file, keys: keys('cy') }).toEqual({ file, keys: keys('en') });
    }
  });

  it('have no empty words, and every {{value}} of a key in its Welsh too', () => {
    for (const [key, welsh] of Object.entries(catalogues.cy)) {
      expect({ key, welsh: welsh.trim().length > 0 }).toEqual({ key, welsh: true });
      const values = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      expect({ key, values: values(welsh) }).toEqual({ key, values: values(base(key)) });
    }
  });

  it('hold every key the pages use, in both languages', () => {
    const used = usedKeys(VIEWS_DIR, SRC_DIR);
    const has = (l: string, key: string) => key in catalogues[l] || Object.keys(catalogues[l]).some((k) => base(k) === key);
    const missing = [...used]
      .filter(([key]) => LANGUAGES.some((l) => !has(l, key)))
      .map(([key, files]) => `${key}  (${files.map((f) => relative(SRC_DIR, f)).join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('have whole sentences as keys, never fragments glued together with other text', () => {
    const fragments = [...usedKeys(VIEWS_DIR, SRC_DIR).keys()].filter((key) => key !== key.trim());
    expect(fragments).toEqual([]);
  });
});

/** Each {{ }} expression of a template (string literals may hold "{{value}}"), and the template without them. */
function splitTags(source: string): { expressions: string[]; rest: string } {
  const expressions: string[] = [];
  let rest = '';
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) break;
    rest += source.slice(i, open) + ' ';
    let depth = 0;
    let j = open;
    while (j < source.length) {
      const ch = source[j];
      if (ch === '"' || ch === "'") {
        j++;
        while (j < source.length && source[j] !== ch) j += source[j] === '\\' ? 2 : 1;
      } else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) break;
      j++;
    }
    expressions.push(source.slice(open, j + 1));
    i = j + 1;
  }
  return { expressions, rest: rest + source.slice(i) };
}

const IDENTIFIER = /^[a-z]+([A-Z][a-z0-9]*)+(-[a-z]*)?$/;

/** A template's literal text outside t(): markup text, prose attributes, and prose literals inside tags. */
function literalText(source: string): { text: string[]; proseInTags: string[] } {
  const { expressions, rest: withoutExpressions } = splitTags(source.replace(/\{#[\s\S]*?#\}/g, ' '));
  const proseInTags: string[] = [];
  const statements = [...withoutExpressions.matchAll(/\{%[\s\S]*?%\}/g)].map((m) => m[0]);
  for (const expr of [...expressions, ...statements]) {
    for (const m of expr.matchAll(/(t\(\s*)?"((?:[^"\\]|\\.)*)"/g)) {
      const literal = m[2];
      if (
        !m[1] &&
        /[A-Za-z]{2}/.test(literal) &&
        /[A-Z][a-z]|[a-z] [a-z]/.test(literal) &&
        !IDENTIFIER.test(literal) &&
        !/govuk-|app-|<|T12:00:00Z/.test(literal)
      )
        proseInTags.push(literal);
    }
  }
  const rest = withoutExpressions.replace(/\{%[\s\S]*?%\}/g, ' ');
  const attributes = [...rest.matchAll(/\b(?:aria-label|title|alt|placeholder)="([^"]*)"/g)].map((m) => m[1]).filter((v) => /[A-Za-z]{2}/.test(v));
  const text = rest
    .replace(/<[^>]*>/g, '\n')
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => /[A-Za-z]{2}/.test(s) && !SAME_IN_BOTH.has(s));
  return { text: [...text, ...attributes], proseInTags };
}

describe('every template', () => {
  it.each(templates().map((f) => [relative(VIEWS_DIR, f)]))('%s has no literal English outside t()', (file) => {
    expect(literalText(readFileSync(join(VIEWS_DIR, file), 'utf8'))).toEqual({ text: [], proseInTags: [] });
  });
});

// Values from the API are marked ⓕ: they are the same in both languages and are not checked.
const AT = '2027-05-06T08:05:00Z';
const F = (s: string) => `ⓕ${s}`;
const person = { id: 'u1', name: F('A. Person') };
const custody = {
  at: AT,
  action: 'sealed',
  from: F('From'),
  to: F('To'),
  location: F('Store'),
  note: F('Note'),
  sealNumber: F('S1'),
  sealNumberObserved: F('S2'),
  countObserved: 3,
  accessBy: [F('Team')],
};
const FIXTURE: Record<string, unknown> = {
  title: F('Title'),
  user: { name: F('User'), roles: ['triage', 'legal'] },
  navigation: [{ href: '/cases', text: F('Cases') }],
  csrfToken: 'x',
  tenant: F('Tenant'),
  c: {
    id: 'c1',
    reference: F('NS-1'),
    category: 'bribery',
    status: 'triage',
    urgency: 'urgent',
    safetyConcern: true,
    operationFord: true,
    description: F('What'),
    occurredAt: AT,
    pollDate: '2027-05-06',
    triageDueAt: AT,
    createdAt: AT,
    escalatedAt: AT,
    duplicateOf: 'c2',
    location: { ward: F('Ward'), pollingDistrict: F('PD'), pollingStation: F('PS') },
    reporter: { name: F('R'), type: 'elector', contact: F('C') },
    referral: { forceId: 'f', respondBy: AT, status: 'pending', crimeReference: null },
    informationRequest: { replyDueAt: AT },
    policeOutcome: { outcome: 'caution', at: AT },
    statutoryClock: { limitAt: AT, extensionAppliedAt: AT },
    investigationUpdates: 2,
    triageDueAtIso: AT,
  },
  statusTag: 'govuk-tag--blue',
  done: F('Done'),
  deadlines: [{ label: F('Triage'), dueAt: AT, overdue: true, open: true }],
  timeline: [{ at: AT, text: F('Logged') }],
  actions: {
    triage: true,
    spoc: true,
    information: true,
    investigation: true,
    close: true,
    extension: true,
    withdraw: true,
    evidence: true,
    history: true,
    bundle: true,
  },
  forces: [{ value: 'f', text: F('Force') }],
  resolutions: [{ value: 'advice', text: F('Advice') }],
  returnReasons: [{ value: 'x', text: F('X') }],
  policeOutcomes: [{ value: 'caution', text: F('Caution') }],
  values: {},
  errors: {},
  errorList: [],
  filters: {},
  statuses: [{ value: '', text: F('Any') }],
  categories: [{ value: 'bribery', text: F('Bribery') }],
  reporterTypes: [{ value: 'elector', text: F('Elector') }],
  urgencies: [{ value: 'routine', text: F('Routine') }],
  cases: [
    { id: 'c1', reference: F('NS-1'), category: 'bribery', status: 'triage', statusTag: 'x', overdue: true, createdAt: AT, location: { ward: F('Ward') } },
  ],
  next: '/cases?after=1',
  sections: [
    {
      id: 's',
      title: F('Section'),
      rows: [
        {
          id: 'c1',
          reference: F('NS-1'),
          category: 'bribery',
          status: 'triage',
          statusTag: 'x',
          dueAt: AT,
          dueLabel: F('Due'),
          overdue: true,
          safetyConcern: true,
        },
      ],
    },
  ],
  overdueCount: 2,
  notifications: [
    { id: 'n1', subject: F('Subject'), body: F('Body'), kind: 'safety_alert', createdAt: AT, readAt: null, link: { href: '/cases/c1', text: F('View') } },
  ],
  unreadCount: 2,
  marked: 'one',
  risks: [
    {
      id: 'r1',
      title: F('Risk'),
      category: 'other',
      ownerName: F('Owner'),
      mine: true,
      rating: 'high',
      likelihood: 3,
      impact: 4,
      score: 12,
      overdue: true,
      nextReviewDueAt: AT,
    },
  ],
  heatMap: [
    {
      impact: 5,
      cells: [
        { likelihood: 1, count: 2, rating: 'medium' },
        { likelihood: 2, count: 0, rating: 'high' },
      ],
    },
  ],
  risk: {
    id: 'r1',
    title: F('Risk'),
    category: 'other',
    status: 'open',
    rating: 'high',
    likelihood: 3,
    impact: 4,
    score: 12,
    reviewEvery: F('P1M'),
    lastReviewedAt: AT,
    nextReviewDueAt: AT,
    overdue: true,
    mitigations: [{ description: F('M'), status: 'open' }],
  },
  ownerName: F('Owner'),
  canReview: true,
  reviewed: true,
  scale: [{ value: '1', text: '1' }],
  reviews: [
    {
      reviewedAt: AT,
      reviewerName: F('R'),
      notes: F('N'),
      likelihood: 1,
      impact: 2,
      heldOn: '2027-05-01',
      forceId: F('force'),
      authorityId: F('auth'),
      attendees: [F('A')],
      findings: F('F'),
      actions: [{ description: F('D'), owner: F('O'), dueBy: '2027-05-02' }],
    },
  ],
  polls: [{ id: 'p1', title: F('Poll'), electionId: F('local.x'), pollingDay: '2027-05-06' }],
  canAdd: true,
  canPlan: true,
  canTriage: true,
  canDecide: true,
  canRecord: true,
  recordedNow: true,
  decidedNow: true,
  poll: {
    id: 'p1',
    title: F('Poll'),
    electionId: F('local.x'),
    pollingDay: '2027-05-06',
    allegations: null,
    openRisks: 2,
    events: [{ id: 'e1', title: F('Count'), kind: 'count', startsAt: AT, planComplete: false, planGaps: [{ problem: F('gap') }] }],
  },
  kinds: [{ value: 'count', text: F('Count') }],
  eventKinds: [{ value: 'count', text: F('Count') }],
  contacts: [{ value: '', text: F('None') }],
  linkable: [{ value: 'r1', text: F('Risk') }],
  event: {
    id: 'e1',
    title: F('Count'),
    kind: 'count',
    startsAt: AT,
    endsAt: AT,
    venue: F('Venue'),
    policeContact: person,
    policeForceId: F('force'),
    planComplete: false,
    planGaps: [{ problem: F('gap') }],
    plan: { summary: F('S'), measures: [F('M')], emergencyContact: F('E') },
    riskIds: ['r1', 'r2'],
  },
  items: [
    {
      id: 'i1',
      label: F('Batch'),
      kind: 'ballot_box',
      status: 'sealed',
      location: F('Store'),
      sealNumber: null,
      description: F('Photo'),
      filename: F('a.jpg'),
      size: 1234,
      sha256: null,
      holder: F('H'),
      legalHold: true,
    },
  ],
  item: {
    id: 'i1',
    label: F('Batch'),
    kind: 'digital',
    status: 'sealed',
    location: F('Store'),
    sealNumber: null,
    quantity: null,
    serialFrom: F('1'),
    serialTo: F('9'),
    description: F('Photo'),
    filename: F('a.jpg'),
    contentType: F('image/jpeg'),
    size: 1234,
    sha256: F('ab'),
    holder: F('H'),
    legalHold: true,
    legalHoldReason: F('Petition'),
    retentionUntil: AT,
    custody: [custody],
    discrepancies: [{ kind: 'seal_mismatch', expected: F('1'), observed: F('2'), status: 'open' }],
  },
  recorded: 'discrepancy',
  canRecordCustody: true,
  canHold: true,
  canDispose: true,
  canPackage: true,
  canUpload: true,
  uploaded: true,
  pkg: { manifestSha256: F('cd') },
  custodyActions: [{ value: 'sealed', text: F('Sealed') }],
  packages: [
    { id: 'k1', items: [1, 2], status: 'handed_over', manifestSha256: F('cd'), handedOverAt: AT, acknowledgeDueAt: AT, acknowledgedAt: AT, canHandOver: true },
  ],
  packaged: { manifestSha256: F('cd') },
  stepDone: F('Done'),
  packageChoices: [{ value: 'i1', text: F('Photo') }],
  open: [{ id: 'd1', kind: 'count_mismatch', itemId: 'i1', itemLabel: F('Box'), expected: 3, observed: 2, raisedAt: AT }],
  decided: [{ kind: 'seal_mismatch', itemLabel: F('Box'), status: 'dismissed', decisionNote: F('N'), allegationId: 'c1' }],
  events: [{ seq: 1, at: AT, action: F('allegation.logged'), role: 'staff', hash: F('0123456789abcdef0123') }],
  verification: { valid: false, events: 3, firstBrokenSeq: 2 },
  reason: F('Because'),
  what: 'bundle',
  answers: {},
  stepNumber: 1,
  stepCount: 5,
  rows: [{ key: { text: F('K') }, value: { text: F('V') } }],
  draftId: 'd',
  change: true,
  groups: [{ name: F('Authority'), users: [{ id: 'username', value: 'u', text: F('u'), hint: F('Hint') }] }],
  signInCsrf: 'x',
  error: F('E'),
  problem: F('P'),
  body: F('Body'),
  message: F('Message'),
  // Indicators, candidate contacts and the transparency log.
  indicators: [{ id: 'i1', name: F('Postal'), key: F('k'), subjectText: F('Address'), threshold: 6, openAlerts: 1, status: 'active' }],
  uploads: [{ id: 'u1', filename: F('f.csv'), uploadedAt: AT, uploadedBy: F('staff'), rows: 3, alertsRaised: 1, sha256: F('ab') }],
  problems: [{ line: 2, field: F('value'), problem: F('is empty') }],
  problemCount: 60,
  canDefine: true,
  canReadAlerts: true,
  indicator: {
    id: 'i1',
    name: F('Postal'),
    key: F('k'),
    subjectType: 'address',
    threshold: 6,
    status: 'active',
    description: F('D'),
    observations: 3,
    openAlerts: 1,
  },
  subjectText: F('Address'),
  subjectLabel: F('Address'),
  subjectFilter: F('12'),
  observations: [
    { observedAt: AT, subject: F('12'), value: 9, note: F('n'), uploadId: 'u1', line: 2, recordedAt: AT },
    { observedAt: AT, subject: F('12'), value: 1, note: null, uploadId: null, line: null, recordedAt: AT },
  ],
  subjectTypes: [{ value: 'address', text: F('Address'), hint: { text: F('h') } }],
  contact: {
    id: 'k1',
    name: F('Jo'),
    kind: 'candidate',
    electoralArea: F('Castle'),
    party: F('P'),
    email: F('e'),
    phone: F('p'),
    address: F('a'),
    actsFor: F('c'),
    pollDate: '2027-05-06',
    createdAt: AT,
  },
  kindText: F('Candidate'),
  hasAgreement: true,
  canShareContacts: true,
  canReadRecords: true,
  bases: [{ value: 'public_task', text: F('Public task'), hint: { text: F('h') } }],
  shareable: [{ value: 'email', text: F('Email'), hint: { text: F('e') }, checked: true }],
  sharing: [{ sharedAt: AT, sharedByText: F('RO'), forceText: F('Force'), fieldsText: F('name'), basisText: F('Public task'), purpose: F('P') }],
  sharedWith: F('Force'),
  shared: [
    {
      contactId: 'k1',
      name: F('Jo'),
      kindText: F('Candidate'),
      authorityText: F('Northshire'),
      electoralArea: F('a'),
      party: F('p'),
      actsFor: F('c'),
      email: F('e'),
      phone: F('p'),
      address: F('a'),
      sharedAt: AT,
      basisText: F('b'),
      purpose: F('p'),
    },
  ],
  records: [
    {
      sharedAt: AT,
      sharedByText: F('RO'),
      forceText: F('F'),
      contactId: 'k1',
      contactText: F('Jo'),
      fieldsText: F('f'),
      basisText: F('b'),
      purpose: F('p'),
      reads: [{ readAt: AT, readerText: F('FEOA') }],
    },
  ],
  filtered: true,
  checkpoints: [{ issuedAt: AT, treeSize: 12, rootHash: F('ab'), keyId: F('cd') }],
  more: true,
  shown: 20,
  signed: 12,
  broken: true,
  canSign: true,
  authorityId: 'northshire',
  languageLink: { href: '/?lang=en', lang: 'en', text: 'English' },
  currentPath: '/',
};

/** The visible text nodes and accessible names of a rendered page, values from the fixture left out. */
function shownText(html: string): string[] {
  const withoutScripts = html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<style[\s\S]*?<\/style>/g, '');
  const attributes = [...withoutScripts.matchAll(/\b(?:aria-label|title|alt|placeholder)="([^"]*)"/g)].map((m) => m[1]);
  const nodes = withoutScripts.replace(/<[^>]*>/g, '\n').split('\n');
  return [...nodes, ...attributes]
    .map((s) => s.replace(/&[a-z#0-9]+;/g, ' ').trim())
    .filter((s) => /[A-Za-z]{2}/.test(s) && !/ⓕ|Ⓕ/.test(s) && !SAME_IN_BOTH.has(s));
}

describe('every page rendered in Welsh', () => {
  it.each(
    templates()
      .filter((f) => !/layout\.njk$/.test(f))
      .map((f) => [relative(VIEWS_DIR, f)]),
  )('%s shows no text left in English', (file) => {
    const english = new Set(shownText(renderPage(file, { ...FIXTURE, lang: 'en' })));
    const welsh = renderPage(file, { ...FIXTURE, lang: 'cy', htmlLang: 'cy', languageLink: { href: '/?lang=en', lang: 'en', text: 'English' } });
    expect(welsh).toContain('<html lang="cy"');
    expect(shownText(welsh).filter((text) => english.has(text))).toEqual([]);
  });
});
