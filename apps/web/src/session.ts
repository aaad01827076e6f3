// The signed-in session: the user's bearer token in an httpOnly, SameSite=Lax cookie, so page
// scripts never see it and other sites' forms never carry it. Every form POST also carries a
// CSRF token derived from the session token (an HMAC a third party cannot compute without it).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'casework_session';
/** With an identity provider: the ID token of the sign-in, sent as id_token_hint at sign-out. */
export const ID_TOKEN_COOKIE = 'casework_oidc_id';
/** A nonce for forms shown before sign-in (the sign-in form itself). */
export const PRE_SESSION_COOKIE = 'casework_presession';

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function setCookie(req: Request, res: Response, name: string, value: string, maxAgeSeconds?: number): void {
  const attributes = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (req.secure) attributes.push('Secure');
  if (maxAgeSeconds !== undefined) attributes.push(`Max-Age=${maxAgeSeconds}`);
  res.append('Set-Cookie', attributes.join('; '));
}

export function clearCookie(req: Request, res: Response, name: string): void {
  setCookie(req, res, name, '', 0);
}

export function csrfFor(secret: string): string {
  return createHmac('sha256', secret).update('casework-csrf').digest('base64url');
}

export function csrfMatches(secret: string | undefined, submitted: unknown): boolean {
  if (!secret || typeof submitted !== 'string') return false;
  const expected = Buffer.from(csrfFor(secret));
  const given = Buffer.from(submitted);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The nonce behind the sign-in form's CSRF token, set on first sight. */
export function preSessionSecret(req: Request, res: Response): string {
  let nonce = readCookie(req, PRE_SESSION_COOKIE);
  if (!nonce || !/^[A-Za-z0-9_-]{20,64}$/.test(nonce)) {
    nonce = randomBytes(24).toString('base64url');
    setCookie(req, res, PRE_SESSION_COOKIE, nonce);
  }
  return nonce;
}
