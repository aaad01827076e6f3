// The indicator pages' forms: an indicator (POST /indicators, PATCH /indicators/:id) and one
// observation (POST /indicators/:id/observations), posted fields to the API's bodies, and the
// words for what an indicator's observations are about.
import { INDICATOR_SUBJECT_TYPES } from '@libs/domain';
import { addError, FormErrors, noErrors } from './forms';
import { londonInstant } from './elections';
import { msg, type T } from './i18n';
import type { IndicatorView } from '@libs/views/indicator';

export const INDICATOR_KEY = /^[a-z][a-z0-9_]{1,62}$/;
const NUMBER = /^\d+(\.\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{1,2}:\d{2}$/;

/** What each observation is about, as a person names it, with a hint of an example. */
export const SUBJECT_TYPES: Record<string, { text: string; hint: string; subject: string }> = {
  address: { text: msg('An address'), hint: msg('For example postal vote applications sent to one address'), subject: msg('Address') },
  property: { text: msg('A property'), hint: msg('For example electors registered at one property'), subject: msg('Property') },
  proxy_holder: { text: msg('A proxy holder'), hint: msg('For example the proxies one person holds'), subject: msg('Proxy holder') },
  polling_district: { text: msg('A polling district'), hint: msg('For example late registrations in one polling district'), subject: msg('Polling district') },
  ward: { text: msg('A ward'), hint: msg('For example complaints from one ward'), subject: msg('Ward') },
  other: { text: msg('Something else'), hint: msg('Say what in the description'), subject: msg('Subject') },
};

export const INDICATOR_FIELDS = {
  key: { id: 'key', label: msg('Key') },
  name: { id: 'name', label: msg('Name') },
  description: { id: 'description', label: msg('Description') },
  subjectType: { id: 'subjectType', label: msg('What each observation is about') },
  threshold: { id: 'threshold', label: msg('Threshold') },
  status: { id: 'status', label: msg('Status') },
};

export const OBSERVATION_FIELDS = {
  subject: { id: 'subject', label: msg('Subject') },
  value: { id: 'value', label: msg('Value') },
  observedAt: { id: 'observedDate', label: msg('Date observed') },
  note: { id: 'note', label: msg('Note') },
  indicator: { id: 'subject', label: msg('Indicator') },
};

/** A key made from the name when none is typed: "Postal votes per address" as postal_votes_per_address. */
export function keyFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 63)
    .replace(/_+$/, '');
}

/** The stored indicator as the change form's values. */
export function valuesOfIndicator(i: IndicatorView): Record<string, string> {
  return { name: i.name, description: i.description ?? '', threshold: String(i.threshold), status: i.status };
}

function threshold(f: Record<string, string>, errors: FormErrors, t: T): number | undefined {
  const raw = f.threshold?.trim() ?? '';
  if (!NUMBER.test(raw) || Number(raw) > 1e12) {
    addError(errors, 'threshold', t('Enter the threshold as a number of zero or more, for example 6'));
    return undefined;
  }
  return Number(raw);
}

/** A new indicator: the page's own checks, then the body for POST /indicators. */
export function newIndicatorBody(f: Record<string, string>, t: T): { body: Record<string, unknown>; errors: FormErrors } {
  const errors = noErrors();
  const body: Record<string, unknown> = {};
  const name = f.name?.trim() ?? '';
  if (!name) addError(errors, 'name', t('Enter a name for the indicator'));
  else body.name = name;
  const key = f.key?.trim() || keyFromName(name);
  if (name || f.key?.trim()) {
    if (!INDICATOR_KEY.test(key))
      addError(
        errors,
        'key',
        t('Enter a key of 2 to 63 lower-case letters, digits or underscores, starting with a letter, for example postal_votes_per_address'),
      );
    else body.key = key;
  }
  if (!(INDICATOR_SUBJECT_TYPES as readonly string[]).includes(f.subjectType ?? ''))
    addError(errors, 'subjectType', t('Select what each observation is about'));
  else body.subjectType = f.subjectType;
  const limit = threshold(f, errors, t);
  if (limit !== undefined) body.threshold = limit;
  if (f.description?.trim()) body.description = f.description.trim();
  return { body, errors };
}

/** A change: the body for PATCH /indicators/:id with every field of the form. */
export function changeIndicatorBody(f: Record<string, string>, t: T): { body: Record<string, unknown>; errors: FormErrors } {
  const errors = noErrors();
  const body: Record<string, unknown> = {};
  if (!f.name?.trim()) addError(errors, 'name', t('Enter a name for the indicator'));
  else body.name = f.name.trim();
  const limit = threshold(f, errors, t);
  if (limit !== undefined) body.threshold = limit;
  body.description = f.description?.trim() ?? '';
  if (!['active', 'retired'].includes(f.status ?? '')) addError(errors, 'status', t('Select whether the indicator takes observations'));
  else body.status = f.status;
  return { body, errors };
}

/** One observation: the body for POST /indicators/:id/observations. A blank date is now. */
export function observationBody(f: Record<string, string>, t: T, now = new Date()): { body: Record<string, unknown>; errors: FormErrors } {
  const errors = noErrors();
  const body: Record<string, unknown> = {};
  if (!f.subject?.trim()) addError(errors, 'subject', t('Enter what the observation is about'));
  else body.subject = f.subject.trim();
  const value = f.value?.trim() ?? '';
  if (!NUMBER.test(value) || Number(value) > 1e12) addError(errors, 'value', t('Enter the value as a number of zero or more, for example 9'));
  else body.value = Number(value);
  const date = f.observedDate?.trim() ?? '';
  const time = f.observedTime?.trim() ?? '';
  if (!date && !time) body.observedAt = now.toISOString();
  else if (DATE.test(date) && !time && londonInstant(date, '12:00')) body.observedAt = date;
  else if (DATE.test(date) && TIME.test(time) && londonInstant(date, time)) body.observedAt = londonInstant(date, time);
  else addError(errors, 'observedDate', t('Enter the date as YYYY-MM-DD and, if you know it, the time as HH:MM, or leave both blank for now'));
  if (f.note?.trim()) body.note = f.note.trim();
  return { body, errors };
}
