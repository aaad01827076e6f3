// A candidate's or agent's contact details (POST /candidate-contacts) and their sharing with a
// police force's FEOA (POST /candidate-contacts/:id/share): posted fields to the API's bodies,
// and the words for the lawful bases and the fields that may be shared.
import { addError, FormErrors, noErrors } from './forms';
import { msg, type T } from './i18n';

export const CONTACT_KINDS = ['candidate', 'agent'] as const;
const PHONE = /^\+?[0-9 ()-]{6,30}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FORCE_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;

/**
 * The lawful bases the API accepts (UK GDPR Art. 6(1), with the Data Protection Act 2018), in the
 * order a Returning Officer would usually rely on them, each with what it means.
 */
export const LAWFUL_BASES: { value: string; text: string; hint: string }[] = [
  {
    value: 'public_task',
    text: msg('Public task'),
    hint: msg(
      'UK GDPR Article 6(1)(e) and the Data Protection Act 2018, section 8: a task carried out in the public interest or in the exercise of official authority',
    ),
  },
  { value: 'legal_obligation', text: msg('Legal obligation'), hint: msg('UK GDPR Article 6(1)(c): the authority must share the details by law') },
  { value: 'vital_interests', text: msg('Vital interests'), hint: msg('UK GDPR Article 6(1)(d): to protect someone’s life') },
  { value: 'consent', text: msg('Consent'), hint: msg('UK GDPR Article 6(1)(a): the candidate or agent agreed to their details going to the FEOA') },
];
export const LAWFUL_BASIS_TEXT: Record<string, string> = Object.fromEntries(LAWFUL_BASES.map((b) => [b.value, b.text]));

/** The details that may be shared; the kind (candidate or agent) and the name always are. */
export const SHAREABLE: { value: string; text: string; byDefault: boolean }[] = [
  { value: 'electoralArea', text: msg('Electoral area'), byDefault: true },
  { value: 'email', text: msg('Email address'), byDefault: true },
  { value: 'phone', text: msg('Telephone number'), byDefault: true },
  { value: 'actsFor', text: msg('The candidate they act for'), byDefault: true },
  { value: 'party', text: msg('Party or description'), byDefault: false },
  { value: 'address', text: msg('Postal address'), byDefault: false },
];
export const FIELD_TEXT: Record<string, string> = {
  kind: msg('Candidate or agent'),
  name: msg('Name'),
  ...Object.fromEntries(SHAREABLE.map((f) => [f.value, f.text])),
};

export const CONTACT_FIELDS = {
  kind: { id: 'kind', label: msg('Candidate or agent') },
  name: { id: 'name', label: msg('Name') },
  electoralArea: { id: 'electoralArea', label: msg('Electoral area') },
  party: { id: 'party', label: msg('Party or description') },
  email: { id: 'email', label: msg('Email address') },
  phone: { id: 'phone', label: msg('Telephone number') },
  address: { id: 'address', label: msg('Postal address') },
  actsFor: { id: 'actsFor', label: msg('The candidate they act for') },
  pollDate: { id: 'pollDate', label: msg('Poll date') },
  electionId: { id: 'electionId', label: msg('Election identifier') },
};
export const SHARE_FIELDS = {
  forceId: { id: 'forceId', label: msg('Police force') },
  lawfulBasis: { id: 'lawfulBasis', label: msg('Lawful basis') },
  purpose: { id: 'purpose', label: msg('Purpose') },
  fields: { id: 'fields', label: msg('Details to share') },
};

export function contactBody(f: Record<string, string>, t: T): { body: Record<string, unknown>; errors: FormErrors } {
  const errors = noErrors();
  const body: Record<string, unknown> = {};
  if (!(CONTACT_KINDS as readonly string[]).includes(f.kind ?? '')) addError(errors, 'kind', t('Select whether they are a candidate or an agent'));
  else body.kind = f.kind;
  if (!f.name?.trim()) addError(errors, 'name', t('Enter their name'));
  else body.name = f.name.trim();
  const email = f.email?.trim() ?? '';
  const phone = f.phone?.trim() ?? '';
  if (!email && !phone) addError(errors, 'email', t('Enter an email address or a telephone number, so that the FEOA can reach them'));
  if (email && !EMAIL.test(email)) addError(errors, 'email', t('Enter an email address in the correct format, like name@example.com'));
  else if (email) body.email = email;
  if (phone && !PHONE.test(phone)) addError(errors, 'phone', t('Enter a telephone number, like 01632 960 001 or +44 7700 900 982'));
  else if (phone) body.phone = phone;
  const pollDate = f.pollDate?.trim() ?? '';
  if (pollDate && !DATE.test(pollDate)) addError(errors, 'pollDate', t('Enter the poll date as YYYY-MM-DD, for example 2027-05-06, or leave it blank'));
  else if (pollDate) body.pollDate = pollDate;
  for (const field of ['electoralArea', 'party', 'address', 'actsFor', 'electionId'] as const) if (f[field]?.trim()) body[field] = f[field].trim();
  return { body, errors };
}

/** `fields` are the ticked boxes (one value or several, as the form posts them). */
export function shareBody(f: Record<string, string>, ticked: unknown, t: T): { body: Record<string, unknown>; errors: FormErrors } {
  const errors = noErrors();
  const body: Record<string, unknown> = {};
  if (!FORCE_ID.test(f.forceId ?? '')) addError(errors, 'forceId', t('Select the police force whose FEOA receives the details'));
  else body.forceId = f.forceId;
  if (!LAWFUL_BASES.some((b) => b.value === f.lawfulBasis)) addError(errors, 'lawfulBasis', t('Select the lawful basis for sharing the details'));
  else body.lawfulBasis = f.lawfulBasis;
  if (!f.purpose?.trim()) addError(errors, 'purpose', t('Enter why the details are shared'));
  else body.purpose = f.purpose.trim();
  const values = (Array.isArray(ticked) ? ticked : [ticked]).filter((v): v is string => typeof v === 'string');
  body.fields = SHAREABLE.map((s) => s.value).filter((v) => values.includes(v));
  return { body, errors };
}

/** The share form's values after a refusal: what was typed and ticked. */
export function shareValues(f: Record<string, string>, ticked: unknown): Record<string, unknown> {
  const values = (Array.isArray(ticked) ? ticked : [ticked]).filter((v): v is string => typeof v === 'string');
  return { ...f, fields: values };
}
