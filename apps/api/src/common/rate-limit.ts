// Rate limits, as Express middleware ahead of body parsing and routing, so a flood is refused
// before its bodies are read and the docs and every route are covered alike (a Nest guard such
// as @nestjs/throttler runs after both). A request with a valid bearer token counts against its
// user (the token's sub), wherever it comes from; any other request counts against its client IP,
// so made-up tokens cannot buy a fresh allowance. Fixed windows, counted in this process: with
// several API processes behind a balancer, each allows the configured number.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TokenVerifier } from '../../../../libs/auth/tokens';
import { verifyOnce } from '../auth/verify-once';
import { sendError } from './error-body';

export interface RateLimits {
  perUser: number;
  perIp: number;
  windowMs: number;
}

/** Paths never limited: load balancers and orchestrators poll health often, from one address. */
const UNLIMITED = new Set(['/health']);

interface Window {
  count: number;
  resetAt: number;
}

export function rateLimit(limits: RateLimits, verify: TokenVerifier, now: () => number = Date.now): RequestHandler {
  const windows = new Map<string, Window>();
  let nextSweep = 0;

  const take = (key: string, limit: number): Window & { allowed: boolean } => {
    const t = now();
    if (t >= nextSweep) {
      // Forget windows that have ended, so the map holds only this window's clients.
      for (const [k, w] of windows) if (w.resetAt <= t) windows.delete(k);
      nextSweep = t + limits.windowMs;
    }
    let w = windows.get(key);
    if (!w || w.resetAt <= t) {
      w = { count: 0, resetAt: t + limits.windowMs };
      windows.set(key, w);
    }
    w.count += 1;
    return { ...w, allowed: w.count <= limit };
  };

  const userOf = async (req: Request): Promise<string | undefined> => {
    const match = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/.exec(req.header('authorization') ?? '');
    if (!match) return undefined;
    try {
      return (await verifyOnce(req, verify, match[1])).sub;
    } catch {
      return undefined; // the guard answers 401; until then it counts against the address
    }
  };

  return (req: Request, res: Response, next: NextFunction) => {
    if (UNLIMITED.has(req.path)) return next();
    userOf(req).then(
      (sub) => {
        const [key, limit] = sub ? [`user:${sub}`, limits.perUser] : [`ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`, limits.perIp];
        if (limit === 0) return next();
        const w = take(key, limit);
        if (w.allowed) return next();
        const seconds = Math.max(1, Math.ceil((w.resetAt - now()) / 1000));
        res.setHeader('Retry-After', String(seconds));
        sendError(res, 429, `too many requests: at most ${limit} every ${limits.windowMs / 1000} seconds ${sub ? 'per user' : 'from one address without a token'}; try again in ${seconds} s`, [
          { field: sub ? 'Authorization' : 'address', problem: 'rate limit reached' },
        ]);
      },
      next,
    );
  };
}
