// The "log an allegation" question pages: which answers each page asks for, the checks a page
// makes before moving on (the answer is there, a date is a real date), and the API body built
// from the answers. The API validates the whole body again when it is submitted.
import { fromLondonLocal, OFFENCE_CATEGORIES, REPORTER_TYPES, URGENCIES } from '@libs/domain';
import { addError, FormErrors, noErrors } from './forms';
import { msg, translator, type T } from './i18n';
import { labelOf } from './labels';
import { ukDate, ukDateTime } from './render';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Text with its line breaks kept, for a summary list value. */
const lines = (text: string) => ({ html: escapeHtml(text).replace(/\n/g, '<br>') });

export type Answers = Record<string, string>;

export interface IntakeStep {
  slug: string;
  title: string;
  fields: string[];
  check(a: Answers, errors: FormErrors): void;
}

/** Day, month and year boxes as a calendar date, or why not. */
export function dateFrom(a: Answers, prefix: string): { iso?: string; problem?: string } {
  const [d, m, y] = ['Day', 'Month', 'Year'].map((p) => (a[`${prefix}${p}`] ?? '').trim());
  if (!d && !m && !y) return { problem: 'missing' };
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return { problem: 'invalid' };
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso) return { problem: 'invalid' };
  return { iso };
}

/** The instant a London date and optional 24-hour time name. */
export function occurredAtFrom(a: Answers): { iso?: string; problem?: string } {
  const date = dateFrom(a, 'occurred');
  if (!date.iso) return date;
  const time = (a.occurredTime ?? '').trim();
  const match = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/.exec(time);
  if (time && !match) return { problem: 'time' };
  const localMs = Date.parse(`${date.iso}T00:00:00Z`) + (match ? (Number(match[1]) * 60 + Number(match[2])) * 60_000 : 0);
  const at = fromLondonLocal(localMs);
  if (at > Date.now()) return { problem: 'future' };
  return { iso: new Date(at).toISOString() };
}

const required = (a: Answers, errors: FormErrors, field: string, message: string) => {
  if (!(a[field] ?? '').trim()) addError(errors, field, message);
};

export const STEPS: IntakeStep[] = [
  {
    slug: 'category',
    title: msg('What kind of offence is alleged?'),
    fields: ['category'],
    check: (a, e) => {
      if (!OFFENCE_CATEGORIES.includes(a.category as never)) addError(e, 'category', msg('Select the kind of offence that is alleged'));
    },
  },
  {
    slug: 'what-happened',
    title: msg('What happened?'),
    fields: ['description', 'occurredDay', 'occurredMonth', 'occurredYear', 'occurredTime'],
    check: (a, e) => {
      required(a, e, 'description', msg('Enter what happened'));
      const at = occurredAtFrom(a);
      const message = {
        missing: msg('Enter the date it happened'),
        invalid: msg('The date it happened must be a real date'),
        future: msg('The date it happened must be today or in the past'),
        time: msg('Enter the time as hours and minutes on the 24-hour clock, for example 14:30'),
      }[at.problem ?? ''];
      if (message) addError(e, at.problem === 'time' ? 'occurredTime' : 'occurredDay', message);
    },
  },
  {
    slug: 'where',
    title: msg('Where did it happen, and in which election?'),
    fields: ['pollDay', 'pollMonth', 'pollYear', 'ward', 'pollingDistrict', 'pollingStation'],
    check: (a, e) => {
      const poll = dateFrom(a, 'poll');
      if (poll.problem === 'missing') addError(e, 'pollDay', msg('Enter the polling day of the election'));
      else if (poll.problem) addError(e, 'pollDay', msg('The polling day must be a real date'));
      if (!['ward', 'pollingDistrict', 'pollingStation'].some((f) => (a[f] ?? '').trim()))
        addError(e, 'ward', msg('Enter a ward, polling district or polling station'));
    },
  },
  {
    slug: 'reporter',
    title: msg('Who reported it?'),
    fields: ['reporterName', 'reporterContact', 'reporterType', 'people'],
    check: (a, e) => {
      required(a, e, 'reporterName', msg('Enter the name of the person who reported it'));
      required(a, e, 'reporterContact', msg('Enter how to contact the person who reported it'));
      if (!REPORTER_TYPES.includes(a.reporterType as never)) addError(e, 'reporterType', msg('Select who the person who reported it is'));
    },
  },
  {
    slug: 'urgency',
    title: msg('How urgent is it?'),
    fields: ['urgency', 'safetyConcern'],
    check: (a, e) => {
      if (!URGENCIES.includes(a.urgency as never)) addError(e, 'urgency', msg('Select how urgent it is'));
      if (a.safetyConcern !== 'yes' && a.safetyConcern !== 'no') addError(e, 'safetyConcern', msg('Select yes if anyone’s safety is at risk'));
    },
  },
];

export function stepBySlug(slug: string): IntakeStep | undefined {
  return STEPS.find((s) => s.slug === slug);
}

/** The first page whose answers are missing or wrong: where "continue" leads. */
export function firstIncomplete(a: Answers): IntakeStep | undefined {
  return STEPS.find((s) => {
    const e = noErrors();
    s.check(a, e);
    return e.errorList.length > 0;
  });
}

/** "J. Canvasser, canvasser" lines: a name and, after a comma, their role. */
export function peopleFrom(text: string | undefined) {
  return (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const comma = line.indexOf(',');
      const name = (comma < 0 ? line : line.slice(0, comma)).trim();
      const role = comma < 0 ? '' : line.slice(comma + 1).trim();
      return role ? { name, role } : { name };
    });
}

export function allegationBody(a: Answers) {
  const location = Object.fromEntries(['ward', 'pollingDistrict', 'pollingStation'].map((f) => [f, (a[f] ?? '').trim()]).filter(([, v]) => v));
  const people = peopleFrom(a.people);
  return {
    category: a.category,
    pollDate: dateFrom(a, 'poll').iso,
    location,
    occurredAt: occurredAtFrom(a).iso,
    reporter: { name: (a.reporterName ?? '').trim(), contact: (a.reporterContact ?? '').trim(), type: a.reporterType },
    description: (a.description ?? '').trim(),
    urgency: a.urgency,
    safetyConcern: a.safetyConcern === 'yes',
    ...(people.length ? { peopleInvolved: people } : {}),
  };
}

/** Where each API field is asked, for errors found when the whole allegation is submitted. */
export const API_FIELDS: Record<string, { step: string; id: string; label: string }> = {
  category: { step: 'category', id: 'category', label: msg('Offence') },
  description: { step: 'what-happened', id: 'description', label: msg('What happened') },
  occurredAt: { step: 'what-happened', id: 'occurredDay', label: msg('When it happened') },
  pollDate: { step: 'where', id: 'pollDay', label: msg('Polling day') },
  electionId: { step: 'where', id: 'pollDay', label: msg('Polling day') },
  location: { step: 'where', id: 'ward', label: msg('Place') },
  reporter: { step: 'reporter', id: 'reporterName', label: msg('Reporter') },
  'reporter.name': { step: 'reporter', id: 'reporterName', label: msg('Reporter’s name') },
  'reporter.contact': { step: 'reporter', id: 'reporterContact', label: msg('Reporter’s contact details') },
  'reporter.type': { step: 'reporter', id: 'reporterType', label: msg('Who the reporter is') },
  peopleInvolved: { step: 'reporter', id: 'people', label: msg('People involved') },
  urgency: { step: 'urgency', id: 'urgency', label: msg('Urgency') },
  safetyConcern: { step: 'urgency', id: 'safetyConcern', label: msg('Safety concern') },
};

/** Rows for the check-your-answers page. */
export function summaryRows(a: Answers, draftId: string, t: T = translator('en')) {
  const body = allegationBody(a);
  const change = (step: string, what: string) => ({ items: [{ href: `/cases/new/${draftId}/${step}?change=1`, text: t('Change'), visuallyHiddenText: what }] });
  const place = [
    body.location.ward && t('Ward: {{ward}}', { ward: body.location.ward }),
    body.location.pollingDistrict && t('Polling district: {{district}}', { district: body.location.pollingDistrict }),
    body.location.pollingStation && t('Polling station: {{station}}', { station: body.location.pollingStation }),
  ]
    .filter(Boolean)
    .join('\n');
  return [
    { key: { text: t('Offence') }, value: { text: labelOf(a.category, t.lang) }, actions: change('category', t('offence')) },
    { key: { text: t('What happened') }, value: lines(body.description), actions: change('what-happened', t('what happened')) },
    { key: { text: t('When it happened') }, value: { text: ukDateTime(body.occurredAt, t.lang) }, actions: change('what-happened', t('when it happened')) },
    {
      key: { text: t('Polling day') },
      value: { text: ukDate(body.pollDate ? `${body.pollDate}T12:00:00Z` : undefined, t.lang) },
      actions: change('where', t('polling day')),
    },
    { key: { text: t('Place') }, value: lines(place), actions: change('where', t('place')) },
    {
      key: { text: t('Reported by') },
      value: lines(`${body.reporter.name} (${labelOf(body.reporter.type, t.lang)})\n${body.reporter.contact}`),
      actions: change('reporter', t('who reported it')),
    },
    {
      key: { text: t('People involved') },
      value: lines((body.peopleInvolved ?? []).map((p) => ('role' in p ? `${p.name}, ${p.role}` : p.name)).join('\n') || t('None given')),
      actions: change('reporter', t('people involved')),
    },
    { key: { text: t('Urgency') }, value: { text: labelOf(a.urgency, t.lang) }, actions: change('urgency', t('urgency')) },
    { key: { text: t('Safety concern') }, value: { text: a.safetyConcern === 'yes' ? t('Yes') : t('No') }, actions: change('urgency', t('safety concern')) },
  ];
}
