// Who is signed in, for one page request: the verified token from the session cookie, a client
// for the API that carries it, the CSRF token for the page's forms, and the navigation they get.
import { DirectoryStore } from '@libs/persistence/stores/directory.store';
import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { hasRole, type Principal, type Role } from '@libs/auth/principal';
import { TOKEN_VERIFIER, type TokenVerifier } from '@libs/auth/tokens';
import { ApiClient, loopbackBase } from './api-client';
import { DataSource } from 'typeorm';
import { msg, isLanguage, LANGUAGE_COOKIE, LANGUAGE_COOKIE_SECONDS, languageOf, translator, type Language } from './i18n';
import { renderPage } from './render';
import { csrfFor, csrfMatches, readCookie, SESSION_COOKIE, setCookie } from './session';

/** Thrown when a page needs a signed-in user and there is none (or the token expired). */
export class NotSignedIn extends Error {}
/** Thrown when a form post's CSRF token is missing or wrong. */
export class BadCsrf extends Error {}

export interface WebUser {
  principal: Principal;
  token: string;
  api: ApiClient;
  csrfToken: string;
  has(...roles: Role[]): boolean;
}

interface NavItem {
  href: string;
  text: string;
  roles: Role[];
}

const NAV: NavItem[] = [
  { href: '/work-queue', text: msg('Work queue'), roles: ['triage', 'returning_officer', 'spoc', 'feoa'] },
  { href: '/cases', text: msg('Cases'), roles: ['staff', 'triage', 'returning_officer', 'legal'] },
  { href: '/cases/new', text: msg('Log an allegation'), roles: ['staff'] },
  { href: '/risk-register', text: msg('Risk register'), roles: ['staff', 'plan_owner', 'returning_officer'] },
  { href: '/elections', text: msg('Elections'), roles: ['staff', 'triage', 'returning_officer', 'plan_owner', 'legal', 'admin'] },
  { href: '/ballot-security', text: msg('Ballot security'), roles: ['staff', 'triage', 'returning_officer', 'legal', 'admin'] },
  { href: '/police-liaison', text: msg('Police liaison'), roles: ['staff', 'triage', 'returning_officer', 'plan_owner', 'legal', 'admin', 'spoc', 'feoa'] },
  { href: '/candidates', text: msg('Candidates and agents'), roles: ['staff', 'returning_officer', 'legal', 'feoa'] },
  { href: '/monitoring', text: msg('Indicators'), roles: ['staff', 'triage', 'plan_owner', 'returning_officer'] },
  { href: '/alerts', text: msg('Indicator alerts'), roles: ['triage', 'plan_owner', 'returning_officer'] },
  { href: '/transparency-log', text: msg('Transparency log'), roles: ['admin', 'legal'] },
  { href: '/admin/policy', text: msg('Deadlines and reminders policy'), roles: ['admin'] },
  { href: '/admin/retention', text: msg('Retention periods'), roles: ['admin'] },
  { href: '/my-notifications', text: msg('Notifications'), roles: ['staff', 'triage', 'returning_officer', 'spoc', 'feoa', 'plan_owner', 'legal', 'admin'] },
  { href: '/admin/directory', text: msg('Administration'), roles: ['admin', 'national_admin'] },
];

export function navigationFor(principal: Principal | undefined, currentPath: string, language: Language = 'en') {
  if (!principal) return [];
  const t = translator(language);
  return NAV.filter((item) => hasRole(principal, item.roles)).map((item) => ({
    href: item.href,
    text: t(item.text),
    active:
      currentPath === item.href ||
      (item.href !== '/cases' && currentPath.startsWith(`${item.href}/`)) ||
      (item.href === '/cases' && /^\/cases\/(?!new)/.test(currentPath)),
  }));
}

@Injectable()
export class WebUsers {
  constructor(
    @Inject(TOKEN_VERIFIER) private readonly verify: TokenVerifier,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  /** The signed-in user, or undefined. */
  async current(req: Request): Promise<WebUser | undefined> {
    const token = readCookie(req, SESSION_COOKIE);
    if (!token) return undefined;
    let principal: Principal;
    try {
      principal = await this.verify(token);
    } catch {
      return undefined;
    }
    // A language chosen with the header's link while signed in is also the user's: their emails follow it.
    const chosen = (req.query as Record<string, unknown> | undefined)?.lang;
    if (isLanguage(chosen)) await this.storeLanguage(principal.sub, chosen);
    return {
      principal,
      token,
      api: new ApiClient(loopbackBase(req), token, (req as Request & { id?: string }).id, req.ip),
      csrfToken: csrfFor(token),
      has: (...roles: Role[]) => hasRole(principal, roles),
    };
  }

  async storeLanguage(userId: string, language: Language): Promise<void> {
    await new DirectoryStore(this.db).setLanguage(userId, language);
  }

  /**
   * At sign-in: a language chosen in this browser before signing in becomes the user's; otherwise
   * the one they chose before (in another browser) is remembered in this one.
   */
  async languageAtSignIn(req: Request, res: Response, userId: string): Promise<void> {
    const remembered = readCookie(req, LANGUAGE_COOKIE);
    if (isLanguage(remembered)) return this.storeLanguage(userId, remembered);
    const language = await new DirectoryStore(this.db).languageOf(userId);
    if (isLanguage(language)) setCookie(req, res, LANGUAGE_COOKIE, language, LANGUAGE_COOKIE_SECONDS);
  }

  async require(req: Request): Promise<WebUser> {
    const user = await this.current(req);
    if (!user) throw new NotSignedIn();
    return user;
  }

  /** The user behind a form post, whose CSRF token must match their session. */
  async requirePost(req: Request, submitted?: unknown): Promise<WebUser> {
    const user = await this.require(req);
    if (!csrfMatches(user.token, submitted ?? (req.body as Record<string, unknown> | undefined)?._csrf ?? req.header('x-csrf-token'))) throw new BadCsrf();
    return user;
  }
}

/**
 * The header's language link: this page in the other language. After a form post the page shown
 * is the form's (the Referer), since the post's own path may answer only POST.
 */
export function languageLinkFor(req: Request, language: Language) {
  const other: Language = language === 'cy' ? 'en' : 'cy';
  let url = new URL(req.originalUrl ?? req.url ?? '/', 'http://page');
  if (req.method !== 'GET') {
    const referer = req.header('referer');
    const host = req.header('host');
    url = new URL('/', 'http://page');
    if (referer && host) {
      const from = new URL(referer, 'http://page');
      if (from.host === host) url = new URL(from.pathname + from.search, 'http://page');
    }
  }
  url.searchParams.set('lang', other);
  return { href: url.pathname + url.search, lang: other, text: other === 'cy' ? 'Cymraeg' : 'English' };
}

/** Renders a page with the layout's context: the user, their navigation, the CSRF token and the language. */
export function sendPage(req: Request, res: Response, user: WebUser | undefined, template: string, context: Record<string, unknown> = {}, status = 200): void {
  const lang = languageOf(req);
  // The header link's choice (?lang=) is remembered in this browser.
  if (isLanguage((req.query as Record<string, unknown> | undefined)?.lang)) setCookie(req, res, LANGUAGE_COOKIE, lang, LANGUAGE_COOKIE_SECONDS);
  const t = translator(lang);
  // GOV.UK error messages start with a visually hidden "Error:", in the page's language too.
  const errors =
    context.errors && typeof context.errors === 'object'
      ? Object.fromEntries(Object.entries(context.errors as Record<string, object>).map(([id, e]) => [id, e && { visuallyHiddenText: t('Error'), ...e }]))
      : context.errors;
  const html = renderPage(template, {
    lang,
    htmlLang: lang,
    languageLink: languageLinkFor(req, lang),
    user: user
      ? { name: user.principal.name ?? user.principal.sub, roles: user.principal.roles, tenant: user.principal.authorityId ?? user.principal.forceId }
      : undefined,
    navigation: navigationFor(user?.principal, req.path, lang),
    csrfToken: user?.csrfToken,
    currentPath: req.path,
    // The GOV.UK template's one inline script ("js-enabled") carries the CSP nonce (common/hardening.ts).
    cspNonce: res.locals.cspNonce,
    ...context,
    errors,
  });
  res.status(status).setHeader('Cache-Control', 'no-store');
  res.type('html').send(html);
}
