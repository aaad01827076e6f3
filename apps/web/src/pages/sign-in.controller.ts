// Sign-in. On the embedded default (no identity provider) the page lists the demo users and signs
// a token for the one chosen, as `npm run token` does. With AUTH_JWKS_URL set, sign-in is OpenID
// Connect against the configured provider (oidc.controller.ts) and the demo list is not offered;
// signing out then also ends the provider's session (RP-initiated logout) when it offers that.
import { Body, Controller, Get, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DEMO_AUTHORITIES, DEMO_FORCES, DEMO_USERS, findDemoUser, loadOrCreateSigningKeys, signToken } from '../../../../libs/auth';
import { AuthConfig, WebConfig } from '../../../../libs/config';
import { Public } from '../../../api/src/auth/decorators';
import { OidcDiscovery } from '../oidc-discovery';
import { clearCookie, csrfFor, csrfMatches, preSessionSecret, ID_TOKEN_COOKIE, PRE_SESSION_COOKIE, readCookie, SESSION_COOKIE, setCookie } from '../session';
import { WebErrorsFilter } from '../web-errors.filter';
import { tFor } from '../i18n';
import { BadCsrf, sendPage, WebUsers } from '../web-user';

/** Only a path on this site: never another origin ("//evil", "/\\evil", "https:"). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) && !next.startsWith('/sign-') ? next : '/';
}

const SESSION_SECONDS = 12 * 60 * 60;

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller()
export class SignInController {
  constructor(
    @Inject(WebUsers) private readonly users: WebUsers,
    @Inject(AuthConfig) private readonly auth: AuthConfig,
    @Inject(WebConfig) private readonly web: WebConfig,
    @Inject(OidcDiscovery) private readonly discovery: OidcDiscovery,
  ) {}

  @Get()
  async home(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.current(req);
    if (!user) return res.redirect(303, '/sign-in');
    const tenant = user.principal.authorityId ? DEMO_AUTHORITIES.find((a) => a.id === user.principal.authorityId)?.name : DEMO_FORCES.find((f) => f.id === user.principal.forceId)?.name;
    sendPage(req, res, user, 'home.njk', { title: t('Your casework'), tenant: tenant ?? user.principal.authorityId ?? user.principal.forceId });
  }

  @Get('sign-in')
  async signInPage(@Req() req: Request, @Res() res: Response, @Query('next') next?: string) {
    const t = tFor(req);
    if (this.auth.AUTH_JWKS_URL) return sendPage(req, res, undefined, 'sign-in-oidc.njk', { title: t('Sign in'), next: safeNext(next) });
    const secret = preSessionSecret(req, res);
    sendPage(req, res, undefined, 'sign-in.njk', { title: t('Sign in'), groups: demoUserGroups(), next: safeNext(next), signInCsrf: csrfFor(secret) });
  }

  @Post('sign-in')
  async signIn(@Req() req: Request, @Res() res: Response, @Body() body: Record<string, string>) {
    const t = tFor(req);
    if (this.auth.AUTH_JWKS_URL) return res.redirect(303, '/sign-in');
    if (!csrfMatches(readCookie(req, PRE_SESSION_COOKIE), body?._csrf)) throw new BadCsrf();
    const user = findDemoUser(body?.username ?? '');
    if (!user) {
      const secret = preSessionSecret(req, res);
      const errorList = [{ text: t('Select who you are signing in as'), href: `#username` }];
      return sendPage(req, res, undefined, 'sign-in.njk', { title: t('Sign in'), groups: demoUserGroups(), next: safeNext(body?.next), signInCsrf: csrfFor(secret), errorList, error: errorList[0].text }, 422);
    }
    const keys = await loadOrCreateSigningKeys(this.auth.DATA_DIR);
    const token = await signToken(keys, { sub: user.id, roles: user.roles, authorityId: user.authorityId, forceId: user.forceId, name: user.username }, `${SESSION_SECONDS}s`);
    setCookie(req, res, SESSION_COOKIE, token, SESSION_SECONDS);
    clearCookie(req, res, PRE_SESSION_COOKIE);
    await this.users.languageAtSignIn(req, res, user.id);
    res.redirect(303, safeNext(body?.next));
  }

  @Post('sign-out')
  async signOut(@Req() req: Request, @Res() res: Response) {
    await this.users.requirePost(req);
    clearCookie(req, res, SESSION_COOKIE);
    if (!this.auth.AUTH_JWKS_URL) return res.redirect(303, '/sign-in');
    // Ends the provider's session too, so that the next sign-in asks who you are. The provider
    // brings the browser back to /sign-in (registered with it as the post-logout redirect URI).
    const idToken = readCookie(req, ID_TOKEN_COOKIE);
    clearCookie(req, res, ID_TOKEN_COOKIE);
    const endSession = await this.discovery.get().then((d) => d.end_session_endpoint, () => undefined);
    if (!endSession) return res.redirect(303, '/sign-in');
    const url = new URL(endSession);
    url.search = new URLSearchParams({ client_id: this.web.OIDC_CLIENT_ID!, post_logout_redirect_uri: postLogoutRedirect(this.web.OIDC_REDIRECT_URL!), ...(idToken ? { id_token_hint: idToken } : {}) }).toString();
    res.redirect(303, url.toString());
  }
}

/** Where the provider sends the browser after sign-out: this service's /sign-in, beside the callback. */
export function postLogoutRedirect(redirectUrl: string): string {
  return redirectUrl.replace(/\/callback$/, '');
}

function demoUserGroups() {
  const tenants = [...DEMO_AUTHORITIES.map((a) => ({ id: a.id, name: a.name })), ...DEMO_FORCES];
  // The first radio has the id the error summary links to.
  return tenants.map((t) => ({
    name: t.name,
    users: DEMO_USERS.filter((u) => (u.authorityId ?? u.forceId) === t.id).map((u) => ({
      id: u === DEMO_USERS[0] ? 'username' : `username-${u.username.replace(/[@_]/g, '-')}`,
      value: u.username,
      text: u.username,
      hint: u.displayName,
    })),
  }));
}
