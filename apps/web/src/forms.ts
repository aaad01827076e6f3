// Errors in the GOV.UK pattern: an error summary at the top linking to each field, and the same
// message beside the field. Messages come from the API's 422 details (or a page's own checks).
import type { Request } from 'express';
import { ApiFailure } from './api-client';
import { translator, type T } from './i18n';
import { detailProblem, fieldProblemText, refusalReason } from './problems';

export interface FormErrors {
  /** for govukErrorSummary */
  errorList: { text: string; href: string }[];
  /** by field id, for each component's errorMessage */
  errors: Record<string, { text: string }>;
}

export const noErrors = (): FormErrors => ({ errorList: [], errors: {} });

export function addError(into: FormErrors, id: string, text: string): FormErrors {
  if (!into.errors[id]) {
    into.errors[id] = { text };
    into.errorList.push({ text, href: `#${id}` });
  }
  return into;
}

/**
 * The API's 422 details as page errors. `fields` maps an API field (as the API names it, for
 * example `reporter.name`) to the page's field id and the words for it.
 */
export function errorsFromApi(
  failure: ApiFailure,
  fields: Record<string, { id: string; label: string }>,
  fallbackId: string,
  t: T = translator('en'),
): FormErrors {
  const out = noErrors();
  for (const detail of failure.details) {
    const known =
      fields[detail.field] ?? Object.entries(fields).find(([name]) => detail.field.startsWith(`${name}.`) || detail.field.startsWith(`${name}[`))?.[1];
    // The problem by its code, in the page's language (problems.ts); the field by the page's words for it.
    addError(out, known?.id ?? fallbackId, fieldProblemText(known ? t(known.label) : detail.field || t('The form'), detailProblem(detail, t), t));
  }
  if (out.errorList.length === 0) addError(out, fallbackId, refusalReason(failure, t));
  return out;
}

export function formBody(req: Request): Record<string, string> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (typeof value === 'string') out[key] = value;
  return out;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Errors whose words are catalogue keys (a page's own checks), in the page's language. */
export function translateErrors(errors: FormErrors, t: T): FormErrors {
  return {
    errorList: errors.errorList.map((e) => ({ ...e, text: t(e.text) })),
    errors: Object.fromEntries(Object.entries(errors.errors).map(([id, e]) => [id, { ...e, text: t(e.text) }])),
  };
}
