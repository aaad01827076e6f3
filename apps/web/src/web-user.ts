// Who is signed in, for one page request: the verified token from the session cookie, a client
// for the API that carries it, the CSRF token for the page's forms, and the navigation they get.
import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { hasRole, type Principal, type Role } from '../../../libs/auth/principal';
import { TOKEN_VERIFIER, type TokenVerifier } from '@libs/auth/tokens';
import { ApiClient, loopbackBase } from './api-client';
import { renderPage } from './render';
import { csrfFor, csrfMatches, readCookie, SESSION_COOKIE } from './session';

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
  { href: '/work-queue', text: 'Work queue', roles: ['triage', 'returning_officer', 'spoc', 'feoa'] },
  { href: '/cases', text: 'Cases', roles: ['staff', 'triage', 'returning_officer', 'legal'] },
  { href: '/cases/new', text: 'Log an allegation', roles: ['staff'] },
  { href: '/risk-register', text: 'Risk register', roles: ['staff', 'plan_owner', 'returning_officer'] },
  { href: '/elections', text: 'Elections', roles: ['staff', 'triage', 'returning_officer', 'plan_owner', 'legal', 'admin'] },
  { href: '/ballot-security', text: 'Ballot security', roles: ['staff', 'triage', 'returning_officer', 'legal', 'admin'] },
  { href: '/alerts', text: 'Indicator alerts', roles: ['triage', 'plan_owner', 'returning_officer'] },
  { href: '/admin/policy', text: 'Deadlines and reminders policy', roles: ['admin'] },
  { href: '/admin/retention', text: 'Retention periods', roles: ['admin'] },
  { href: '/my-notifications', text: 'Notifications', roles: ['staff', 'triage', 'returning_officer', 'spoc', 'feoa', 'plan_owner', 'legal', 'admin'] },
  { href: '/admin/directory', text: 'Administration', roles: ['admin', 'national_admin'] },
];

export function navigationFor(principal: Principal | undefined, currentPath: string) {
  if (!principal) return [];
  return NAV.filter((item) => hasRole(principal, item.roles)).map((item) => ({
    href: item.href,
    text: item.text,
    active: currentPath === item.href || (item.href !== '/cases' && currentPath.startsWith(`${item.href}/`)) || (item.href === '/cases' && /^\/cases\/(?!new)/.test(currentPath)),
  }));
}

@Injectable()
export class WebUsers {
  constructor(@Inject(TOKEN_VERIFIER) private readonly verify: TokenVerifier) {}

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
    return {
      principal,
      token,
      api: new ApiClient(loopbackBase(req), token, (req as Request & { id?: string }).id, req.ip),
      csrfToken: csrfFor(token),
      has: (...roles: Role[]) => hasRole(principal, roles),
    };
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

/** Renders a page with the layout's context: the user, their navigation and the CSRF token. */
export function sendPage(req: Request, res: Response, user: WebUser | undefined, template: string, context: Record<string, unknown> = {}, status = 200): void {
  const html = renderPage(template, {
    user: user ? { name: user.principal.name ?? user.principal.sub, roles: user.principal.roles, tenant: user.principal.authorityId ?? user.principal.forceId } : undefined,
    navigation: navigationFor(user?.principal, req.path),
    csrfToken: user?.csrfToken,
    currentPath: req.path,
    // The GOV.UK template's one inline script ("js-enabled") carries the CSP nonce (common/hardening.ts).
    cspNonce: res.locals.cspNonce,
    ...context,
  });
  res.status(status).setHeader('Cache-Control', 'no-store');
  res.type('html').send(html);
}
