// The police liaison agreement's form and the record of a contact: posted fields to the API's
// bodies (PUT /liaison/:forceId, POST /liaison/:forceId/contacts), and the cadence in words.
import { addError, FormErrors, noErrors } from './forms';
import { londonInstant } from './elections';
import { msg, type T } from './i18n';
import { CADENCE_UNITS } from './risk-form';
import type { AgreementView } from './api-views';

export const CHANNELS = ['meeting', 'phone', 'video_call', 'email', 'other'] as const;
export const CHANNEL_TEXT: Record<string, string> = {
  meeting: msg('Meeting'),
  phone: msg('Phone call'),
  video_call: msg('Video call'),
  email: msg('Email'),
  other: msg('Other'),
};
export const FORCE_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;
const UUID_LIKE = /^[0-9a-f-]{36}$/i;

export const AGREEMENT_FIELDS = {
  spocId: { id: 'spocId', label: msg('Election SPOC') },
  feoaId: { id: 'feoaId', label: msg('FEOA') },
  contactEvery: { id: 'contactEveryAmount', label: msg('Be in contact every') },
  leadId: { id: 'leadId', label: msg('Lead at the authority') },
  notes: { id: 'notes', label: msg('Notes') },
};
export const CONTACT_FIELDS = {
  at: { id: 'contactDate', label: msg('When') },
  by: { id: 'by', label: msg('Who made the contact') },
  with: { id: 'with', label: msg('With whom') },
  channel: { id: 'channel', label: msg('How') },
  summary: { id: 'summary', label: msg('What was discussed') },
  authorityId: { id: 'summary', label: msg('Authority') },
};

const UNIT_WORDS: Record<string, string> = { D: msg('days'), W: msg('weeks'), H: msg('hours') };

/** "P2W" as "Every 2 weeks" in the page's language; another duration as the API gives it. */
export function cadenceText(iso: string, t: T): string {
  const m = /^P(\d+)([DW])$/.exec(iso) ?? /^PT(\d+)(H)$/.exec(iso);
  return m ? t('Every {{amount}} {{unit}}', { amount: m[1], unit: t(UNIT_WORDS[m[2]]) }) : iso;
}

/** The stored agreement as the form's values. */
export function valuesOfAgreement(a: AgreementView | undefined): Record<string, string> {
  if (!a) return { contactEveryUnit: 'weeks', contactEveryAmount: '2' };
  const m = /^P(\d+)([DW])$/.exec(a.contactEvery) ?? /^PT(\d+)(H)$/.exec(a.contactEvery);
  return {
    spocId: a.spoc.id,
    feoaId: a.feoa.id,
    leadId: a.lead?.id ?? '',
    notes: a.notes ?? '',
    contactEveryAmount: m ? m[1] : '',
    contactEveryUnit: m ? { D: 'days', W: 'weeks', H: 'hours' }[m[2]]! : 'weeks',
  };
}

export function agreementBody(f: Record<string, string>, t: T): { body: Record<string, unknown>; errors: FormErrors } {
  const errors = noErrors();
  const body: Record<string, unknown> = {};
  if (!UUID_LIKE.test(f.spocId ?? '')) addError(errors, 'spocId', t('Select the force’s election SPOC'));
  else body.spocId = f.spocId;
  if (!UUID_LIKE.test(f.feoaId ?? '')) addError(errors, 'feoaId', t('Select the force’s FEOA'));
  else body.feoaId = f.feoaId;
  const unit = CADENCE_UNITS.find((u) => u.value === f.contactEveryUnit);
  if (!/^\d{1,4}$/.test(f.contactEveryAmount?.trim() ?? '') || Number(f.contactEveryAmount) === 0 || !unit)
    addError(errors, 'contactEveryAmount', t('Enter how often the two sides are in contact as a whole number of days, weeks or hours, for example 2 weeks'));
  else body.contactEvery = unit.iso(Number(f.contactEveryAmount));
  body.leadId = UUID_LIKE.test(f.leadId ?? '') ? f.leadId : null;
  if (f.notes?.trim()) body.notes = f.notes.trim();
  return { body, errors };
}

export function contactBody(f: Record<string, string>, t: T, authorityId: string | undefined): { body: Record<string, unknown>; errors: FormErrors } {
  const errors = noErrors();
  const body: Record<string, unknown> = authorityId ? { authorityId } : {};
  if (f.contactDate?.trim() || f.contactTime?.trim()) {
    const at = londonInstant(f.contactDate, f.contactTime);
    if (!at) addError(errors, 'contactDate', t('Enter when as a date (YYYY-MM-DD) and a time (HH:MM), or leave both blank for now'));
    else body.at = at;
  }
  for (const [field, message] of [
    ['by', msg('Enter who made the contact')],
    ['with', msg('Enter who the contact was with')],
    ['summary', msg('Enter what was discussed')],
  ] as const) {
    if (!f[field]?.trim()) addError(errors, field, t(message));
    else body[field] = f[field].trim();
  }
  if (!(CHANNELS as readonly string[]).includes(f.channel ?? '')) addError(errors, 'channel', t('Select how the contact was made'));
  else body.channel = f.channel;
  return { body, errors };
}
