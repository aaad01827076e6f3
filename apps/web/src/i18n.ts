// Welsh and English. Every string a page shows is looked up in the message catalogues
// (apps/web/locales/<language>/*.json) through i18next. Keys are the English wording itself
// ("natural language keys"), so a template reads as it renders in English and wrapping a new
// string in t() is the whole job in the template; the Welsh goes in locales/cy. The English
// catalogue has the same keys (test/i18n checks it), which lets English wording be corrected
// without touching the key and so without losing its Welsh.
import i18next, { type i18n as I18n } from 'i18next';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Request } from 'express';
import { LOCALES_DIR } from './paths';

export const LANGUAGES = ['en', 'cy'] as const;
export type Language = (typeof LANGUAGES)[number];
/** The language chosen with the header's link, remembered for a year in this browser. */
export const LANGUAGE_COOKIE = 'casework_language';
export const LANGUAGE_COOKIE_SECONDS = 365 * 24 * 60 * 60;

export const isLanguage = (value: unknown): value is Language => typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

/** One language's catalogue: every JSON file in its directory, merged (a file per area of the service). */
export function loadCatalogue(language: Language, dir = LOCALES_DIR): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of readdirSync(join(dir, language))
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const entries = JSON.parse(readFileSync(join(dir, language, file), 'utf8')) as Record<string, string>;
    for (const [key, value] of Object.entries(entries)) {
      if (key in out) throw new Error(`${language}/${file}: "${key}" is already in another ${language} catalogue file`);
      out[key] = value;
    }
  }
  return out;
}

let instance: I18n | undefined;

/** Loaded once, synchronously, at first use (the catalogues are small). */
export function i18n(): I18n {
  if (instance) return instance;
  const created = i18next.createInstance();
  void created.init({
    initAsync: false,
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: [...LANGUAGES],
    resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: loadCatalogue(l) }])),
    // Natural-language keys contain ':' and '.', which are not namespace or nesting separators here.
    keySeparator: false,
    nsSeparator: false,
    // Nunjucks escapes what t() returns, as it does any other value.
    interpolation: { escapeValue: false },
    returnEmptyString: false,
  });
  instance = created;
  return created;
}

/** A language's t(): the catalogue's words for an English key, with {{name}} values filled in. */
export type T = ((key: string, values?: Record<string, unknown>) => string) & { readonly lang: Language };

const translators = new Map<Language, T>();

export function translator(language: Language): T {
  let t = translators.get(language);
  if (!t) {
    const fixed = i18n().getFixedT(language);
    t = Object.assign((key: string, values?: Record<string, unknown>) => String(fixed(key, values as never)), { lang: language });
    translators.set(language, t);
  }
  return t;
}

/**
 * The request's language: a `?lang=` choice (the header link) first, then the remembered choice
 * (cookie), then English. http.ts remembers a choice; web-user.ts stores it for a signed-in user.
 */
export function languageOf(req: Request): Language {
  const chosen = (req.query as Record<string, unknown> | undefined)?.lang;
  if (isLanguage(chosen)) return chosen;
  const remembered = readCookieValue(req, LANGUAGE_COOKIE);
  return isLanguage(remembered) ? remembered : 'en';
}

/** t() for the request's language, for strings a controller composes (titles, error messages). */
export function tFor(req: Request): T {
  return translator(languageOf(req));
}

function readCookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.header?.('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Intl's name for the language: en-GB for English (day before month, 24 Dec), cy for Welsh. */
export const intlLocale = (language: Language) => (language === 'cy' ? 'cy' : 'en-GB');

/**
 * Marks English kept in a constant (a field's label, a radio's words) as a catalogue key, for the
 * catalogue check (i18n.spec.ts) to find; the page translates it with t() where it shows it.
 */
export const msg = <S extends string>(english: S): S => english;
