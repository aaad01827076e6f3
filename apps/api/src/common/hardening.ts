// Security headers (helmet) and request size limits, applied to every response and request
// before anything else runs. The Content-Security-Policy is declared here, once, for the JSON
// API, the Swagger UI at /docs and pages served by the same app: same-origin scripts, styles,
// fonts and images; no inline script except one carrying the request's nonce
// (`res.locals.cspNonce`, for a template's one-line "js-enabled" script); no framing.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { sendError } from './error-body';

type Directives = Record<string, Iterable<string | ((req: IncomingMessage, res: ServerResponse) => string)> | null>;

/** Adjust the policy here. `'self'` is the API's own origin. */
export const CONTENT_SECURITY_POLICY: Directives = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", (_req, res) => `'nonce-${(res as Response).locals.cspNonce}'`],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // Left out: the API is also served over plain http on 127.0.0.1, where upgrading breaks pages.
  upgradeInsecureRequests: null,
};

/** Swagger UI writes `<style>` blocks and style attributes into its page: /docs alone allows inline styles. */
const DOCS_STYLE_SRC = ["'self'", "'unsafe-inline'"];

/**
 * `formActions`: origins besides this one that a form may lead to. Browsers apply `form-action` to
 * the redirects after a form post too, and signing out with an identity provider is a form post
 * redirected to the provider's end-session endpoint, so its origin is listed when one is set.
 */
export function securityHeaders(options: { formActions?: string[] } = {}): RequestHandler {
  const policy: Directives = { ...CONTENT_SECURITY_POLICY, formAction: ["'self'", ...(options.formActions ?? [])] };
  const strict = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: policy },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
  const docs = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { ...policy, styleSrc: DOCS_STYLE_SRC } },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.cspNonce = randomBytes(16).toString('base64');
    return (/^\/docs(\/|-|$)/.test(req.path) ? docs : strict)(req, res, next);
  };
}

export interface RequestLimits {
  maxUrlBytes: number;
  maxHeaderBytes: number;
}

/**
 * 414 for a request target longer than `maxUrlBytes`, 431 for more than `maxHeaderBytes` of
 * headers, in the API's error shape. (Node refuses more than 16 KiB of headers itself, with a
 * bare 431, before this runs.)
 */
export function requestLimits(limits: RequestLimits): RequestHandler {
  return (req, res, next) => {
    const urlBytes = Buffer.byteLength(req.originalUrl ?? req.url);
    if (urlBytes > limits.maxUrlBytes) {
      res.setHeader('Connection', 'close');
      return sendError(res, 414, `the request URL is longer than ${limits.maxUrlBytes} bytes`, [{ field: 'url', problem: `is ${urlBytes} bytes` }]);
    }
    let headerBytes = 0;
    for (const part of req.rawHeaders) headerBytes += Buffer.byteLength(part) + 2;
    if (headerBytes > limits.maxHeaderBytes) {
      res.setHeader('Connection', 'close');
      return sendError(res, 431, `the request headers are larger than ${limits.maxHeaderBytes} bytes`, [
        { field: 'headers', problem: `are ${headerBytes} bytes` },
      ]);
    }
    next();
  };
}
