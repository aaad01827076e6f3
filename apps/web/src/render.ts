// Server-rendered pages: Nunjucks over the GOV.UK Frontend macros. Autoescaping is on, so every
// value from the API reaches the page as text, never as markup.
import nunjucks from 'nunjucks';
import { GOVUK_DIR, VIEWS_DIR } from './paths';
import { labelOf } from './labels';
import { loadConfig, TemplatesConfig } from '@libs/config';

let env: nunjucks.Environment | undefined;

const LONDON_DATE_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', hourCycle: 'h12' });
const LONDON_DATE = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' });

/** "6 May 2027 at 9:30am", the GOV.UK style for dates and times, in UK time. */
export function ukDateTime(iso: unknown): string {
  if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) return '';
  const parts = Object.fromEntries(LONDON_DATE_TIME.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.day} ${parts.month} ${parts.year} at ${parts.hour}:${parts.minute}${String(parts.dayPeriod ?? '').toLowerCase().replace(/\s/g, '')}`;
}

export function ukDate(iso: unknown): string {
  if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) return '';
  return LONDON_DATE.format(new Date(iso));
}

export function views(): nunjucks.Environment {
  if (env) return env;
  env = new nunjucks.Environment(new nunjucks.FileSystemLoader([VIEWS_DIR, GOVUK_DIR], { noCache: loadConfig(TemplatesConfig).NODE_ENV === 'development' }), { autoescape: true, throwOnUndefined: false });
  env.addFilter('ukDateTime', ukDateTime);
  env.addFilter('ukDate', ukDate);
  env.addFilter('label', labelOf);
  env.addFilter('json', (value: unknown) => JSON.stringify(value, null, 2));
  return env;
}

export function renderPage(template: string, context: Record<string, unknown>): string {
  return views().render(template, context);
}
