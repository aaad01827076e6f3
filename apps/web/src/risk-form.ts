// The form that adds or changes a risk on the register: every field of the API's risk, with the
// review cadence as a number of days, weeks or hours (the API takes ISO-8601: P7D, P2W, PT12H)
// and the mitigations as rows, one blank row more than the risk has for a new one.
import { MITIGATION_STATUSES, RISK_CATEGORIES } from '@libs/domain';
import { addError, FormErrors, noErrors } from './forms';
import { msg, type T } from './i18n';
import { labelOf } from './labels';
import type { RiskView } from '@libs/views/risk';

export const CADENCE_UNITS = [
  { value: 'days', iso: (n: number) => `P${n}D`, text: msg('Days') },
  { value: 'weeks', iso: (n: number) => `P${n}W`, text: msg('Weeks') },
  { value: 'hours', iso: (n: number) => `PT${n}H`, text: msg('Hours') },
] as const;

const SCALE = ['1', '2', '3', '4', '5'];
const POLL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID_LIKE = /^[0-9a-f-]{36}$/i;

/** API field names to the form's field ids and words, for the API's 422 details. */
export function riskFields(mitigationRows: number): Record<string, { id: string; label: string }> {
  const fields: Record<string, { id: string; label: string }> = {
    title: { id: 'title', label: msg('Title') },
    category: { id: 'category', label: msg('Category') },
    likelihood: { id: 'likelihood', label: msg('Likelihood') },
    impact: { id: 'impact', label: msg('Impact') },
    ownerId: { id: 'ownerId', label: msg('Owner') },
    reviewEvery: { id: 'reviewEveryAmount', label: msg('Review every') },
    pollDate: { id: 'pollDate', label: msg('Poll date') },
    electionId: { id: 'electionId', label: msg('Election identifier') },
  };
  for (let i = 0; i < mitigationRows; i++) {
    fields[`mitigations.${i}.description`] = { id: `mitigation-${i}-description`, label: msg('Mitigation') };
    fields[`mitigations.${i}.ownerId`] = { id: `mitigation-${i}-owner`, label: msg('Mitigation owner') };
    fields[`mitigations.${i}.status`] = { id: `mitigation-${i}-status`, label: msg('Mitigation status') };
  }
  fields.mitigations = { id: 'mitigation-0-description', label: msg('Mitigations') };
  return fields;
}

/** A stored risk as the form's values (strings, as posted). */
export function valuesOfRisk(risk: RiskView): Record<string, string> {
  const cadence = /^P(\d+)D$/.exec(risk.reviewEvery) ?? /^P(\d+)W$/.exec(risk.reviewEvery) ?? /^PT(\d+)H$/.exec(risk.reviewEvery);
  const unit = risk.reviewEvery.endsWith('W') ? 'weeks' : risk.reviewEvery.endsWith('H') ? 'hours' : 'days';
  const values: Record<string, string> = {
    title: risk.title,
    category: risk.category,
    likelihood: String(risk.likelihood),
    impact: String(risk.impact),
    ownerId: risk.ownerId,
    reviewEveryAmount: cadence ? cadence[1] : '',
    reviewEveryUnit: cadence ? unit : 'days',
    // The API gives the date as midnight UTC of the day.
    pollDate: risk.pollDate ? String(risk.pollDate).slice(0, 10) : '',
    electionId: risk.electionId ?? '',
    mitigationRows: String((risk.mitigations ?? []).length + 1),
  };
  (risk.mitigations ?? []).forEach((m, i) => {
    values[`mitigation-${i}-id`] = m.id;
    values[`mitigation-${i}-description`] = m.description;
    values[`mitigation-${i}-owner`] = m.ownerId;
    values[`mitigation-${i}-status`] = m.status;
  });
  return values;
}

export const rowsOf = (values: Record<string, string>) => Math.min(Math.max(Number(values.mitigationRows) || 1, 1), 51);

/** The posted form as the API's body, or the page's own messages beside each field it cannot read. */
export function riskBody(f: Record<string, string>, t: T): { body: Record<string, unknown>; errors: FormErrors } {
  const errors = noErrors();
  const body: Record<string, unknown> = {};
  // The title's length is the API's rule; its message is shown beside the field.
  if (!f.title?.trim()) addError(errors, 'title', t('Enter a title for the risk'));
  else body.title = f.title.trim();
  if (!(RISK_CATEGORIES as readonly string[]).includes(f.category ?? '')) addError(errors, 'category', t('Select the category of the risk'));
  else body.category = f.category;
  if (!SCALE.includes(f.likelihood ?? '')) addError(errors, 'likelihood', t('Select how likely the risk is, from 1 to 5'));
  else body.likelihood = Number(f.likelihood);
  if (!SCALE.includes(f.impact ?? '')) addError(errors, 'impact', t('Select the impact of the risk, from 1 to 5'));
  else body.impact = Number(f.impact);
  if (!UUID_LIKE.test(f.ownerId ?? '')) addError(errors, 'ownerId', t('Select who owns the risk'));
  else body.ownerId = f.ownerId;
  const unit = CADENCE_UNITS.find((u) => u.value === f.reviewEveryUnit);
  if (!/^\d{1,4}$/.test(f.reviewEveryAmount?.trim() ?? '') || Number(f.reviewEveryAmount) === 0 || !unit)
    addError(errors, 'reviewEveryAmount', t('Enter how often the risk is reviewed as a whole number of days, weeks or hours, for example 7 days'));
  else body.reviewEvery = unit.iso(Number(f.reviewEveryAmount));
  const pollDate = f.pollDate?.trim() ?? '';
  if (pollDate && !POLL_DATE.test(pollDate)) addError(errors, 'pollDate', t('Enter the poll date as YYYY-MM-DD, for example 2027-05-06, or leave it blank'));
  else if (pollDate) body.pollDate = pollDate;
  if (f.electionId?.trim()) body.electionId = f.electionId.trim();

  const mitigations: Record<string, unknown>[] = [];
  for (let i = 0; i < rowsOf(f); i++) {
    const at = (name: string) => f[`mitigation-${i}-${name}`]?.trim() ?? '';
    if (!at('description')) continue; // a blank row adds nothing
    if (!UUID_LIKE.test(at('owner'))) addError(errors, `mitigation-${i}-owner`, t('Select who owns the mitigation'));
    if (!(MITIGATION_STATUSES as readonly string[]).includes(at('status')))
      addError(errors, `mitigation-${i}-status`, t('Select the status of the mitigation'));
    mitigations.push({ ...(at('id') ? { id: at('id') } : {}), description: at('description'), ownerId: at('owner'), status: at('status') });
  }
  body.mitigations = mitigations;
  return { body, errors };
}

/** Options and rows for the template, in the page's language. */
export function formChoices(owners: Map<string, string>, values: Record<string, string>, t: T) {
  const people = [...owners].map(([value, text]) => ({ value, text })).sort((a, b) => a.text.localeCompare(b.text));
  const choose = (selected: string | undefined) => [
    { value: '', text: t('Choose a person') },
    ...people.map((p) => ({ ...p, selected: p.value === selected })),
  ];
  return {
    categories: RISK_CATEGORIES.map((c) => ({ value: c, text: labelOf(c, t.lang) })),
    scale: SCALE.map((n) => ({ value: n, text: n })),
    units: CADENCE_UNITS.map((u) => ({ value: u.value, text: t(u.text) })),
    owners: choose(values.ownerId),
    mitigationRows: Array.from({ length: rowsOf(values) }, (_, i) => ({
      index: i,
      number: i + 1,
      id: values[`mitigation-${i}-id`] ?? '',
      description: values[`mitigation-${i}-description`] ?? '',
      owners: choose(values[`mitigation-${i}-owner`]),
      statuses: [
        { value: '', text: t('Choose a status') },
        ...MITIGATION_STATUSES.map((s) => ({ value: s, text: labelOf(s, t.lang), selected: s === values[`mitigation-${i}-status`] })),
      ],
    })),
  };
}
