// A notification in its recipient's language. The workflows write each notification's subject
// and body in English (they are part of the case's history and must not change with a
// preference), so the Welsh is made at the moment of showing or sending: the English text is
// matched against the English templates in libs/mail/locales/en/notifications.json, and the
// same key's Welsh is filled with the values found (dates in Welsh, codes as their Welsh words).
// A text no template matches is sent in Welsh framing with the English kept and said to be so;
// notification-text.spec.ts keeps the templates in step with the workflows' wording.
import i18next, { type i18n as I18n } from 'i18next';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type MailLanguage = 'en' | 'cy';
export const isMailLanguage = (v: unknown): v is MailLanguage => v === 'en' || v === 'cy';

function projectRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

const LOCALES_DIR = join(projectRoot(__dirname), 'libs/mail/locales');
const catalogue = (language: MailLanguage): Record<string, string> => JSON.parse(readFileSync(join(LOCALES_DIR, language, 'notifications.json'), 'utf8'));

let instance: I18n | undefined;
let patterns: { key: string; regex: RegExp; names: string[] }[] = [];

function i18n(): I18n {
  if (instance) return instance;
  const created = i18next.createInstance();
  const en = catalogue('en');
  void created.init({
    initAsync: false,
    lng: 'en',
    fallbackLng: 'en',
    resources: { en: { translation: en }, cy: { translation: catalogue('cy') } },
    keySeparator: false,
    nsSeparator: false,
    interpolation: { escapeValue: false },
  });
  patterns = Object.keys(en)
    .filter((key) => key.includes('{{'))
    .map((key) => {
      const names = [...key.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]);
      const source = key
        .split(/\{\{\w+\}\}/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('(.+?)');
      return { key, regex: new RegExp(`^${source}$`, 's'), names };
    });
  instance = created;
  return created;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;

/** "6 Mai 2027 am 9:30yb" (UK time), as the Welsh pages write it. */
export function welshDateTime(iso: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('cy', {
      timeZone: 'Europe/London',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      hourCycle: 'h12',
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.day} ${parts.month} ${parts.year} am ${parts.hour}:${parts.minute}${/p/i.test(String(parts.dayPeriod ?? '')) ? 'yh' : 'yb'}`;
}

const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const WELSH_UNITS = ['wythnos', 'diwrnod', 'awr', 'munud', 'eiliad'];

/** "P14D" as "14 diwrnod", "PT4H30M" as "4 awr 30 munud" (Welsh puts the singular noun after a number); anything else as it is. */
export function welshDuration(iso: string): string {
  const match = ISO_DURATION.exec(iso);
  if (!match || iso === 'P' || iso.endsWith('T')) return iso;
  const parts = match
    .slice(1)
    .map((n, i) => (n !== undefined && Number(n) !== 0 ? `${Number(n)} ${WELSH_UNITS[i]}` : undefined))
    .filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : iso;
}

/** A value found in an English notification, in Welsh: a time in Welsh, a cadence ({{every}}) in Welsh words, a code or phrase the catalogue knows. */
function welshValue(name: string, value: string, t: (key: string) => string): string {
  if (ISO_TIME.test(value)) return welshDateTime(value);
  if (name === 'every') return welshDuration(value);
  return i18n().exists(value, { lng: 'cy' }) ? t(value) : value;
}

/**
 * One English text in Welsh, or undefined when some of it has no template. A text of several
 * lines (a digest) is taken line by line; a line "- <subject>. <body>" lists another notification.
 */
export function translateText(english: string, language: MailLanguage): string | undefined {
  const t = i18n().getFixedT(language);
  if (language === 'en') return english;
  if (english.includes('\n')) {
    const lines = english
      .split('\n')
      .map((line) => (line.trim() === '' ? line : line.startsWith('- ') ? listedNotice(line.slice(2)) : translateText(line, language)));
    return lines.every((line) => line !== undefined) ? lines.join('\n') : undefined;
  }
  const exact = i18n().exists(english, { lng: 'cy' }) ? t(english) : undefined;
  if (exact) return exact;
  for (const { key, regex, names } of patterns) {
    const match = regex.exec(english);
    if (!match) continue;
    return t(key, Object.fromEntries(names.map((name, i) => [name, welshValue(name, match[i + 1], t)])));
  }
  return undefined;
}

/** "<subject>. <body>" of a listed notification, in Welsh: the first split at ". " where both halves have Welsh (a title may hold ". " itself). */
function listedNotice(line: string): string | undefined {
  for (let at = line.indexOf('. '); at >= 0; at = line.indexOf('. ', at + 1)) {
    const subject = translateText(line.slice(0, at), 'cy');
    const body = subject === undefined ? undefined : translateText(line.slice(at + 2), 'cy');
    if (subject !== undefined && body !== undefined) return `- ${subject}. ${body}`;
  }
  return undefined;
}

export interface NotificationText {
  subject: string;
  body: string;
  /** false when some of it could only be given in English */
  translated: boolean;
}

/** A notification's subject and body in the language given. */
export function notificationIn(language: MailLanguage, subject: string, body: string): NotificationText {
  if (language === 'en') return { subject, body, translated: true };
  const s = translateText(subject, language);
  const b = translateText(body, language);
  return { subject: s ?? subject, body: b ?? body, translated: s !== undefined && b !== undefined };
}

/** The whole email text: the body, the case reference, and where else to find it. */
export function emailText(language: MailLanguage, subject: string, body: string, reference: string | null): { subject: string; text: string } {
  const t = i18n().getFixedT(language);
  const shown = notificationIn(language, subject, body);
  const lines = [
    shown.translated || language === 'en' ? shown.body : `${t('This notification is in English only:')}\n\n${body}`,
    ...(reference ? [t('Case reference: {{reference}}', { reference })] : []),
    t('This is also in your notifications in the casework system.'),
  ];
  return { subject: shown.subject, text: `${lines.join('\n\n')}\n` };
}
