// Rate limits, as Express middleware ahead of body parsing and routing, so a flood is refused
// before its bodies are read and the docs and every route are covered alike (a Nest guard such
// as @nestjs/throttler runs after both). A request with a valid bearer token counts against its
// user (the token's sub), wherever it comes from; any other request counts against its client IP,
// so made-up tokens cannot buy a fresh allowance. Fixed windows, counted in PostgreSQL
// (rate_limit_windows, one row per key, counted by atomic upserts shared by requests, see
// postgresRateLimitStore), so that several API processes behind a balancer together allow the
// configured number, not one each.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { DataSource } from 'typeorm';
import type { TokenVerifier } from '@libs/auth/tokens';
import { RateLimitsStore } from '@libs/persistence/stores/rate-limits.store';
import { verifyOnce } from '../auth/verify-once';
import { sendError } from './error-body';

export interface RateLimits {
  perUser: number;
  perIp: number;
  windowMs: number;
}

/** Counts requests per key and window. */
export interface RateLimitStore {
  /**
   * Counts one request against `key`: the requests counted in its current window, this one
   * included, and when that window ends. `limit`, when given, lets a store reserve room below it.
   */
  hit(key: string, windowMs: number, limit?: number): Promise<{ count: number; retryAfterMs: number }>;
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

/** The most slots one process reserves for a key at once (see postgresRateLimitStore). */
export const MAX_LEASE = 50;
/** A lease takes at most this fraction of what is left of the window's allowance. */
const LEASE_SHARE = 16;

interface Waiter {
  resolve(count: { count: number; retryAfterMs: number }): void;
  reject(error: Error): void;
}

/** What this process knows of one key's window: its end, and the reserved slots it has not used. */
interface KeyState {
  windowEndsAt: number;
  /** the count the window reached at the last round trip, reserved slots included */
  lastCount: number;
  /** the next reserved slot this process may hand out, and how many are left */
  nextSlot: number;
  leaseLeft: number;
  /** requests waiting for the round trip in flight to end before theirs goes */
  queued: Waiter[];
  inFlight: boolean;
}

/**
 * Windows in PostgreSQL (RateLimitsStore), one row per key, each window starting at the first
 * request after the last one ended, on the database's clock, so every API process counts into the
 * same row and together they allow the limit, never more.
 *
 * A round trip per request cost more than the rest of the limiter, so it is shared two ways:
 * - requests for a key that arrive while its upsert is in flight wait and go in the next one
 *   together, each getting its own place in the count (the row lock orders the upserts, so this
 *   is exactly what one upsert each would have counted);
 * - far from the limit, an upsert also reserves a lease of slots for this process: up to
 *   MAX_LEASE, and never more than 1/LEASE_SHARE of what was left of the allowance. They count in
 *   the row as used straight away, so other processes see them; this process then admits that many
 *   requests without a round trip, until the window ends. Only slots within the limit are ever
 *   handed out. Near the limit (and with small limits) no lease is taken and every request is
 *   counted before it goes on, as before. A lease a process does not use up still counts, so the
 *   row may show up to MAX_LEASE more per process than requests were made, and other processes
 *   may meet the limit that much early; never later.
 */
export function postgresRateLimitStore(db: DataSource, onError: (error: Error) => void = () => undefined, now: () => number = Date.now): RateLimitStore {
  const store = new RateLimitsStore(db);
  const keys = new Map<string, KeyState>();
  let nextSweep = 0;

  const send = (key: string, state: KeyState, windowMs: number, limit: number | undefined) => {
    const batch = state.queued;
    state.queued = [];
    state.inFlight = true;
    const fresh = state.windowEndsAt > now();
    // A lease only where the last count (this window's) showed room for it; the first request of a key takes none.
    const lease = limit !== undefined && fresh ? Math.max(0, Math.min(MAX_LEASE, Math.floor((limit - state.lastCount) / LEASE_SHARE))) : 0;
    const sentAt = now();
    store.add(key, windowMs, batch.length + lease).then(
      ({ count, retryAfterMs }) => {
        // The window ends by the database's clock: counted from before the round trip, this
        // process stops using its lease no later than that.
        state.windowEndsAt = sentAt + retryAfterMs;
        state.lastCount = count;
        const firstOfBatch = count - lease - batch.length + 1;
        state.nextSlot = count - lease + 1;
        state.leaseLeft = limit === undefined ? 0 : Math.max(0, Math.min(lease, limit - (count - lease)));
        state.inFlight = false;
        batch.forEach((w, i) => w.resolve({ count: firstOfBatch + i, retryAfterMs }));
        next(key, state, windowMs, limit);
      },
      (error: Error) => {
        state.inFlight = false;
        state.leaseLeft = 0;
        for (const w of batch) w.reject(error);
        next(key, state, windowMs, limit);
      },
    );
  };

  const next = (key: string, state: KeyState, windowMs: number, limit: number | undefined) => {
    // Requests that queued behind the round trip: the new lease may admit some of them.
    while (state.queued.length > 0 && take(state)) state.queued.shift()!.resolve({ count: state.nextSlot - 1, retryAfterMs: state.windowEndsAt - now() });
    if (state.queued.length > 0) send(key, state, windowMs, limit);
    else if (state.leaseLeft === 0 && state.windowEndsAt <= now()) keys.delete(key);
  };

  /** Uses one reserved slot, if this process holds one in a window that has not ended. */
  const take = (state: KeyState): boolean => {
    if (state.leaseLeft <= 0 || state.windowEndsAt <= now()) return false;
    state.leaseLeft -= 1;
    state.nextSlot += 1;
    return true;
  };

  return {
    hit(key, windowMs, limit) {
      const t = now();
      if (t >= nextSweep) {
        // Forget keys whose window ended a while ago, at most once a window per process.
        nextSweep = t + windowMs;
        store.forgetEnded(windowMs).catch(onError);
        for (const [k, s] of keys) if (!s.inFlight && s.queued.length === 0 && s.windowEndsAt <= t) keys.delete(k);
      }
      let state = keys.get(key);
      if (!state) {
        state = { windowEndsAt: 0, lastCount: 0, nextSlot: 0, leaseLeft: 0, queued: [], inFlight: false };
        keys.set(key, state);
      }
      if (take(state)) return Promise.resolve({ count: state.nextSlot - 1, retryAfterMs: state.windowEndsAt - t });
      const counted = new Promise<{ count: number; retryAfterMs: number }>((resolve, reject) => state!.queued.push({ resolve, reject }));
      if (!state.inFlight) send(key, state, windowMs, limit);
      return counted;
    },
  };
}

/** How long the limiter waits for its count before letting the request through uncounted. */
const COUNT_TIMEOUT_MS = 1_000;

export function rateLimit(
  limits: RateLimits,
  verify: TokenVerifier,
  store: RateLimitStore = memoryRateLimitStore(),
  onUncounted: (error: Error) => void = () => undefined,
): RequestHandler {
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
  const count = async (key: string, limit: number): Promise<{ count: number; retryAfterMs: number } | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        store.hit(key, limits.windowMs, limit),
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
        const w = await count(key, limit);
        if (!w || w.count <= limit) return next();
        const seconds = Math.max(1, Math.ceil(w.retryAfterMs / 1000));
        res.setHeader('Retry-After', String(seconds));
        sendError(
          res,
          429,
          `too many requests: at most ${limit} every ${limits.windowMs / 1000} seconds ${sub ? 'per user' : 'from one address without a token'}; try again in ${seconds} s`,
          [{ field: sub ? 'Authorization' : 'address', problem: 'rate limit reached' }],
        );
      })
      .catch(next);
  };
}
