// OpenID Connect sign-in (authorization code flow with PKCE, RFC 7636) against the identity
// provider configured with AUTH_JWKS_URL. The state, nonce and code verifier wait in a short-lived
// httpOnly cookie; the ID token's signature, issuer, audience and nonce are checked; the token the
// API accepts (OIDC_API_TOKEN) becomes the session, after the API's own verifier has accepted it.
import { createHash, randomBytes } from 'node:crypto';
import { Controller, Get, Inject, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { jwksCacheOptions, type TokenVerifier } from '@libs/auth/tokens';
import { WebConfig } from '@libs/config';
import { TOKEN_VERIFIER } from '@libs/auth/tokens';
import { Public } from '@libs/auth/decorators';
import { OidcDiscovery } from '../oidc-discovery';
import { clearCookie, ID_TOKEN_COOKIE, readCookie, SESSION_COOKIE, setCookie } from '../session';
import { WebErrorsFilter } from '../web-errors.filter';
import { tFor } from '../i18n';
import { sendPage, WebUsers } from '../web-user';
import { safeNext } from './sign-in.controller';

const FLOW_COOKIE = 'casework_oidc';
const MAX_SESSION_SECONDS = 12 * 60 * 60;

interface Flow {
  state: string;
  verifier: string;
  nonce: string;
  next: string;
}

const random = () => randomBytes(32).toString('base64url');

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('sign-in')
export class OidcController {
  private jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    @Inject(WebConfig) private readonly config: WebConfig,
    @Inject(TOKEN_VERIFIER) private readonly verifyApiToken: TokenVerifier,
    @Inject(OidcDiscovery) private readonly discovery: OidcDiscovery,
    @Inject(WebUsers) private readonly users: WebUsers,
  ) {}

  @Get('oidc')
  async begin(@Req() req: Request, @Res() res: Response, @Query('next') next?: string) {
    if (!this.config.AUTH_JWKS_URL) return res.redirect(303, '/sign-in');
    const provider = await this.discovery.get();
    const flow: Flow = { state: random(), verifier: random(), nonce: random(), next: safeNext(next) };
    setCookie(req, res, FLOW_COOKIE, Buffer.from(JSON.stringify(flow)).toString('base64url'), 600);
    const url = new URL(provider.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.config.OIDC_CLIENT_ID!,
      redirect_uri: this.config.OIDC_REDIRECT_URL!,
      scope: this.config.OIDC_SCOPES,
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: createHash('sha256').update(flow.verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    res.redirect(303, url.toString());
  }

  @Get('callback')
  async callback(@Req() req: Request, @Res() res: Response) {
    if (!this.config.AUTH_JWKS_URL) return res.redirect(303, '/sign-in');
    const q = req.query as Record<string, string | undefined>;
    const flow = this.readFlow(req);
    clearCookie(req, res, FLOW_COOKIE);
    const t = tFor(req);
    const refuse = (body: string) => sendPage(req, res, undefined, 'sign-in-oidc.njk', { title: t('Sign in'), next: flow?.next ?? '/', problem: body }, 400);
    if (!flow || typeof q.state !== 'string' || q.state !== flow.state) return refuse(t('The sign-in had expired or did not start here. Try again.'));
    if (q.error) return refuse(t('The identity provider did not sign you in ({{error}}).', { error: String(q.error).slice(0, 100) }));
    if (typeof q.code !== 'string') return refuse(t('The identity provider sent no authorization code. Try again.'));

    const provider = await this.discovery.get();
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code: q.code,
      redirect_uri: this.config.OIDC_REDIRECT_URL!,
      client_id: this.config.OIDC_CLIENT_ID!,
      code_verifier: flow.verifier,
    });
    if (this.config.OIDC_CLIENT_SECRET) form.set('client_secret', this.config.OIDC_CLIENT_SECRET);
    const answer = await fetch(provider.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
    });
    const tokens = (await answer.json().catch(() => ({}))) as { id_token?: string; access_token?: string };
    if (!answer.ok || !tokens.id_token) return refuse(t('The identity provider refused the sign-in. Try again.'));
    try {
      this.jwks ??= createRemoteJWKSet(new URL(provider.jwks_uri), jwksCacheOptions(this.config.AUTH_JWKS_CACHE_SECONDS));
      const { payload } = await jwtVerify(tokens.id_token, this.jwks, { issuer: provider.issuer, audience: this.config.OIDC_CLIENT_ID });
      if (payload.nonce !== flow.nonce) throw new Error('nonce mismatch');
    } catch {
      return refuse(t('The identity provider’s answer could not be verified. Try again.'));
    }
    const bearer = this.config.OIDC_API_TOKEN === 'id_token' ? tokens.id_token : tokens.access_token;
    if (!bearer) return refuse(t('The identity provider sent no access token for this service.'));
    let principal;
    try {
      principal = await this.verifyApiToken(bearer);
    } catch {
      return refuse(t('Your account has no role in this service, or no authority or police force. Ask your administrator.'));
    }
    const exp = JSON.parse(Buffer.from(bearer.split('.')[1] ?? '', 'base64url').toString() || '{}').exp as number | undefined;
    const seconds = Math.max(60, Math.min(MAX_SESSION_SECONDS, exp ? Math.floor(exp - Date.now() / 1000) : MAX_SESSION_SECONDS));
    setCookie(req, res, SESSION_COOKIE, bearer, seconds);
    // Kept for sign-out: the provider's end-session endpoint takes it as id_token_hint.
    setCookie(req, res, ID_TOKEN_COOKIE, tokens.id_token, seconds);
    await this.users.languageAtSignIn(req, res, principal.sub);
    res.redirect(303, flow.next);
  }

  private readFlow(req: Request): Flow | undefined {
    try {
      const flow = JSON.parse(Buffer.from(readCookie(req, 'casework_oidc') ?? '', 'base64url').toString()) as Flow;
      return typeof flow.state === 'string' && typeof flow.verifier === 'string' ? { ...flow, next: safeNext(flow.next) } : undefined;
    } catch {
      return undefined;
    }
  }
}
