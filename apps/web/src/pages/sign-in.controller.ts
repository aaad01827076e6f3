// Sign-in. On the embedded default (no identity provider) the page lists the directory's active
// users (the demo seed's and those admins have added) and signs a token for the one chosen, as
// `npm run token` does; a deactivated user is not offered and is refused. With AUTH_JWKS_URL set, sign-in is OpenID
// Connect against the configured provider (oidc.controller.ts) and the demo list is not offered;
// signing out then also ends the provider's session (RP-initiated logout) when it offers that.
import { Body, Controller, Get, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { loadOrCreateSigningKeys, signToken } from '@libs/auth';
import { hasRole, type Principal } from '@libs/auth/principal';
import { AuthConfig, WebConfig } from '@libs/config';
import { Public } from '@libs/auth/decorators';
import { OidcDiscovery } from '../oidc-discovery';
import { SignInDirectory } from '../sign-in-directory';
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
    @Inject(SignInDirectory) private readonly directory: SignInDirectory,
  ) {}

  @Get()
  async home(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.current(req);
    if (!user) return res.redirect(303, '/sign-in');
    const tenant = await this.directory.tenantName(user.principal);
    sendPage(req, res, user, 'home.njk', {
      title: t('Your casework'),
      tenant: tenant ?? user.principal.authorityId ?? user.principal.forceId,
      administration: administrationLinks(user.principal),
    });
  }

  @Get('sign-in')
  async signInPage(@Req() req: Request, @Res() res: Response, @Query('next') next?: string) {
    const t = tFor(req);
    if (this.auth.AUTH_JWKS_URL) return sendPage(req, res, undefined, 'sign-in-oidc.njk', { title: t('Sign in'), next: safeNext(next) });
    const secret = preSessionSecret(req, res);
    sendPage(req, res, undefined, 'sign-in.njk', {
      title: t('Sign in'),
      groups: await this.directory.groups(),
      next: safeNext(next),
      signInCsrf: csrfFor(secret),
    });
  }

  @Post('sign-in')
  async signIn(@Req() req: Request, @Res() res: Response, @Body() body: Record<string, string>) {
    const t = tFor(req);
    if (this.auth.AUTH_JWKS_URL) return res.redirect(303, '/sign-in');
    if (!csrfMatches(readCookie(req, PRE_SESSION_COOKIE), body?._csrf)) throw new BadCsrf();
    const user = await this.directory.activeUser(typeof body?.username === 'string' ? body.username : '');
    if (!user) {
      const secret = preSessionSecret(req, res);
      const errorList = [{ text: t('Select who you are signing in as'), href: `#username` }];
      return sendPage(
        req,
        res,
        undefined,
        'sign-in.njk',
        {
          title: t('Sign in'),
          groups: await this.directory.groups(),
          next: safeNext(body?.next),
          signInCsrf: csrfFor(secret),
          errorList,
          error: errorList[0].text,
        },
        422,
      );
    }
    const keys = await loadOrCreateSigningKeys(this.auth.DATA_DIR);
    const token = await signToken(
      keys,
      { sub: user.id, roles: user.roles, authorityId: user.authorityId, forceId: user.forceId, name: user.username },
      `${SESSION_SECONDS}s`,
    );
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
    const endSession = await this.discovery.get().then(
      (d) => d.end_session_endpoint,
      () => undefined,
    );
    if (!endSession) return res.redirect(303, '/sign-in');
    const url = new URL(endSession);
    url.search = new URLSearchParams({
      client_id: this.web.OIDC_CLIENT_ID!,
      post_logout_redirect_uri: postLogoutRedirect(this.web.OIDC_REDIRECT_URL!),
      ...(idToken ? { id_token_hint: idToken } : {}),
    }).toString();
    res.redirect(303, url.toString());
  }
}

/** Where the provider sends the browser after sign-out: this service's /sign-in, beside the callback. */
export function postLogoutRedirect(redirectUrl: string): string {
  return redirectUrl.replace(/\/callback$/, '');
}

/** The administration pages the home page links to, by role. */
function administrationLinks(principal: Principal) {
  const links: { href: string; text: string }[] = [];
  if (hasRole(principal, ['national_admin'])) links.push({ href: '/admin/directory/authorities', text: 'Authorities and police forces' });
  if (hasRole(principal, ['admin'])) {
    links.push({ href: '/admin/directory/users', text: 'Users and roles' });
    links.push({ href: '/admin/directory/identity-mappings', text: 'Identity provider mappings' });
    if (principal.authorityId) links.push({ href: '/admin/directory/police', text: 'Police force, SPOCs and FEOAs' });
  }
  return links;
}
