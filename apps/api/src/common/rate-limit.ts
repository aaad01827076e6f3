// Rate limits, as Express middleware ahead of body parsing and routing, so a flood is refused
// before its bodies are read and the docs and every route are covered alike (a Nest guard such
// as @nestjs/throttler runs after both). A request with a valid bearer token counts against its
// user (the token's sub), wherever it comes from; any other request counts against its client IP,
// so made-up tokens cannot buy a fresh allowance. Fixed windows, counted in PostgreSQL
// (rate_limit_windows, one row per key, counted by an atomic upsert), so that
// several API processes behind a balancer together allow the configured number, not one each.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { DataSource } from 'typeorm';
import type { TokenVerifier } from '../../../../libs/auth/tokens';
import { verifyOnce } from '../auth/verify-once';
import { sendError } from './error-body';

export interface RateLimits {
  perUser: number;
  perIp: number;
  windowMs: number;
}

/** Counts requests per key and window. */
export interface RateLimitStore {
  /** Counts one request against `key`: the requests counted in its current window, this one included, and when that window ends. */
  hit(key: string, windowMs: number): Promise<{ count: number; retryAfterMs: number }>;
}

/** Paths never limited: load balancers and orchestrators poll health often, from one address. */
const UNLIMITED = new Set(['/health']);

/**
 * Windows in this process's memory, each starting at its key's first request (the unit tests'
 * store; with several processes each would allow the limit).
 */
export function memoryRateLimitStore(now: () => number = Date.now): RateLimitStore {
  const windows = new Map<string, { count: number; resetAt: number }>();
  let nextSweep = 0;
  return {
    async hit(key, windowMs) {
      const t = now();
      if (t >= nextSweep) {
        for (const [k, w] of windows) if (w.resetAt <= t) windows.delete(k);
        nextSweep = t + windowMs;
      }
      let w = windows.get(key);
      if (!w || w.resetAt <= t) {
        w = { count: 0, resetAt: t + windowMs };
        windows.set(key, w);
      }
      w.count += 1;
      return { count: w.count, retryAfterMs: w.resetAt - t };
    },
  };
}

/**
 * Windows in PostgreSQL, one row per key, each window starting at the first request after the
 * last one ended, on the database's clock, so every API process counts into the same row. One
 * statement per request: the upsert takes the row's lock, so concurrent requests from any process
 * are counted one after another.
 */
export function postgresRateLimitStore(db: DataSource, onError: (error: Error) => void = () => undefined): RateLimitStore {
  let nextSweep = 0;
  return {
    async hit(key, windowMs) {
      const [row]: { count: number; retry_after_ms: number }[] = await db.query(
        `INSERT INTO rate_limit_windows AS w (key, window_start, count) VALUES ($1, statement_timestamp(), 1)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN w.window_start + $2 * interval '1 millisecond' <= statement_timestamp() THEN 1 ELSE w.count + 1 END,
           window_start = CASE WHEN w.window_start + $2 * interval '1 millisecond' <= statement_timestamp() THEN statement_timestamp() ELSE w.window_start END
         RETURNING w.count, (extract(epoch FROM w.window_start + $2 * interval '1 millisecond' - statement_timestamp()) * 1000)::float8 AS retry_after_ms`,
        [key, windowMs],
      );
      if (Date.now() >= nextSweep) {
        // Forget keys whose window ended a while ago, at most once a window per process.
        nextSweep = Date.now() + windowMs;
        db.query(`DELETE FROM rate_limit_windows WHERE window_start < statement_timestamp() - $1 * interval '2 milliseconds'`, [windowMs]).catch(onError);
      }
      return { count: row.count, retryAfterMs: row.retry_after_ms };
    },
  };
}

/** How long the limiter waits for its count before letting the request through uncounted. */
const COUNT_TIMEOUT_MS = 1_000;

export function rateLimit(limits: RateLimits, verify: TokenVerifier, store: RateLimitStore = memoryRateLimitStore(), onUncounted: (error: Error) => void = () => undefined): RequestHandler {
  const userOf = async (req: Request): Promise<string | undefined> => {
    const match = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/.exec(req.header('authorization') ?? '');
    if (!match) return undefined;
    try {
      return (await verifyOnce(req, verify, match[1])).sub;
    } catch {
      return undefined; // the guard answers 401; until then it counts against the address
    }
  };

  /**
   * The count, or undefined when the store cannot give it promptly (PostgreSQL down or hung): the
   * request then goes on uncounted and meets the outage itself, which answers 503.
   */
  const count = async (key: string): Promise<{ count: number; retryAfterMs: number } | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        store.hit(key, limits.windowMs),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no count within ${COUNT_TIMEOUT_MS} ms`)), COUNT_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      onUncounted(error as Error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };

  return (req: Request, res: Response, next: NextFunction) => {
    if (UNLIMITED.has(req.path)) return next();
    userOf(req)
      .then(async (sub) => {
        const [key, limit] = sub ? [`user:${sub}`, limits.perUser] : [`ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`, limits.perIp];
        if (limit === 0) return next();
        const w = await count(key);
        if (!w || w.count <= limit) return next();
        const seconds = Math.max(1, Math.ceil(w.retryAfterMs / 1000));
        res.setHeader('Retry-After', String(seconds));
        sendError(res, 429, `too many requests: at most ${limit} every ${limits.windowMs / 1000} seconds ${sub ? 'per user' : 'from one address without a token'}; try again in ${seconds} s`, [
          { field: sub ? 'Authorization' : 'address', problem: 'rate limit reached' },
        ]);
      })
      .catch(next);
  };
}
