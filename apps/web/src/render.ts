// Server-rendered pages: Nunjucks over the GOV.UK Frontend macros. Autoescaping is on, so every
// value from the API reaches the page as text, never as markup. Words come from the message
// catalogues through t() (i18n.ts); dates and numbers are formatted for the page's language.
import nunjucks from 'nunjucks';
import { GOVUK_DIR, VIEWS_DIR } from './paths';
import { labelOf } from './labels';
import { loadConfig, TemplatesConfig } from '@libs/config';
import { intlLocale, isLanguage, translator, type Language } from './i18n';

let env: nunjucks.Environment | undefined;

const dateTimeFormats = new Map<Language, Intl.DateTimeFormat>();
const dateFormats = new Map<Language, Intl.DateTimeFormat>();

function formatFor(cache: Map<Language, Intl.DateTimeFormat>, language: Language, withTime: boolean): Intl.DateTimeFormat {
  let format = cache.get(language);
  if (!format) {
    // hourCycle h12, not hour12: with hour12 some ICU versions give "0:30am" for half past midnight.
    const time = withTime ? ({ hour: 'numeric', minute: '2-digit', hourCycle: 'h12' } as const) : {};
    format = new Intl.DateTimeFormat(intlLocale(language), { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric', ...time });
    cache.set(language, format);
  }
  return format;
}

const isTime = (iso: unknown): iso is string => typeof iso === 'string' && !Number.isNaN(Date.parse(iso));

/**
 * "6 May 2027 at 9:30am", the GOV.UK style for dates and times, in UK time; in Welsh
 * "6 Mai 2027 am 9:30yb" (y bore, morning) or "yh" (yr hwyr, afternoon and evening), as
 * GOV.UK's Welsh style guide writes them.
 */
export function ukDateTime(iso: unknown, language: Language = 'en'): string {
  if (!isTime(iso)) return '';
  const parts = Object.fromEntries(
    formatFor(dateTimeFormats, language, true)
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  const pm = /p/i.test(String(parts.dayPeriod ?? ''));
  if (language === 'cy') return `${parts.day} ${parts.month} ${parts.year} am ${parts.hour}:${parts.minute}${pm ? 'yh' : 'yb'}`;
  return `${parts.day} ${parts.month} ${parts.year} at ${parts.hour}:${parts.minute}${pm ? 'pm' : 'am'}`;
}

export function ukDate(iso: unknown, language: Language = 'en'): string {
  if (!isTime(iso)) return '';
  return formatFor(dateFormats, language, false).format(new Date(iso));
}

/** 12,345 in both languages (Welsh uses the same digits and separators). */
export function formatNumber(value: unknown, language: Language = 'en'): string {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? new Intl.NumberFormat(intlLocale(language)).format(n) : '';
}

/** The page's language, from the render context (sendPage puts `lang` there). */
function pageLanguage(self: unknown): Language {
  const lang = (self as { ctx?: { lang?: unknown } } | undefined)?.ctx?.lang;
  return isLanguage(lang) ? lang : 'en';
}

export function views(): nunjucks.Environment {
  if (env) return env;
  env = new nunjucks.Environment(new nunjucks.FileSystemLoader([VIEWS_DIR, GOVUK_DIR], { noCache: loadConfig(TemplatesConfig).NODE_ENV === 'development' }), {
    autoescape: true,
    throwOnUndefined: false,
  });
  // Nunjucks calls filters and global functions with the render context as `this`.
  env.addGlobal('t', function (this: unknown, key: string, vars?: Record<string, unknown>) {
    return translator(pageLanguage(this))(key, vars);
  });
  env.addFilter('ukDateTime', function (this: unknown, iso: unknown) {
    return ukDateTime(iso, pageLanguage(this));
  });
  env.addFilter('ukDate', function (this: unknown, iso: unknown) {
    return ukDate(iso, pageLanguage(this));
  });
  env.addFilter('number', function (this: unknown, value: unknown) {
    return formatNumber(value, pageLanguage(this));
  });
  env.addFilter('label', function (this: unknown, code: unknown) {
    return labelOf(code, pageLanguage(this));
  });
  env.addFilter('json', (value: unknown) => JSON.stringify(value, null, 2));
  return env;
}

export function renderPage(template: string, context: Record<string, unknown>): string {
  return views().render(template, context);
}
