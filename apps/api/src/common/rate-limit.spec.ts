// The limiter's windows on a clock the test moves (its in-memory store): the allowance comes back
// when the window ends, and Retry-After counts down to it. test/rate-limit-shared.e2e-spec.ts and
// the scale-out fault suite show the PostgreSQL store shared by two API processes.
import type { Request, Response } from 'express';
import { InvalidToken, type Principal } from '@libs/auth';
import { verifyOnce } from '../auth/verify-once';
import { memoryRateLimitStore, rateLimit } from './rate-limit';

const verify = async (token: string): Promise<Principal> => {
  if (!token.startsWith('valid-')) throw new InvalidToken('bad');
  return { sub: token.slice(6), roles: ['staff'], authorityId: 'northshire' };
};

function harness(perUser: number, perIp: number) {
  let t = 1_000_000;
  const handler = rateLimit(
    { perUser, perIp, windowMs: 10_000 },
    verify,
    memoryRateLimitStore(() => t),
  );
  const send = (opts: { token?: string; ip?: string; path?: string } = {}) =>
    new Promise<{ status: number; retryAfter?: string }>((resolve) => {
      const headers: Record<string, string> = {};
      const req = {
        path: opts.path ?? '/allegations',
        ip: opts.ip ?? '192.0.2.1',
        socket: {},
        header: (name: string) => (name === 'authorization' && opts.token ? `Bearer ${opts.token}` : undefined),
      } as unknown as Request;
      const res = {
        setHeader: (k: string, v: string) => (headers[k.toLowerCase()] = v),
        status(code: number) {
          return { json: () => resolve({ status: code, retryAfter: headers['retry-after'] }) };
        },
      } as unknown as Response;
      handler(req, res, () => resolve({ status: 200 }));
    });
  return { send, advance: (ms: number) => (t += ms) };
}

describe('rateLimit', () => {
  it('refuses past the limit until the window ends, with Retry-After counting down to it', async () => {
    const { send, advance } = harness(2, 100);
    expect((await send({ token: 'valid-a' })).status).toBe(200);
    advance(3_000);
    expect((await send({ token: 'valid-a' })).status).toBe(200);
    expect(await send({ token: 'valid-a' })).toEqual({ status: 429, retryAfter: '7' });
    advance(6_500);
    expect(await send({ token: 'valid-a' })).toEqual({ status: 429, retryAfter: '1' });
    advance(500);
    expect((await send({ token: 'valid-a' })).status).toBe(200);
  });

  it('counts users apart, and unverified tokens against their address', async () => {
    const { send } = harness(1, 2);
    expect((await send({ token: 'valid-a' })).status).toBe(200);
    expect((await send({ token: 'valid-b' })).status).toBe(200);
    expect((await send({ token: 'valid-a' })).status).toBe(429);
    expect((await send({ token: 'forged-1', ip: '192.0.2.9' })).status).toBe(200);
    expect((await send({ token: 'forged-2', ip: '192.0.2.9' })).status).toBe(200);
    expect((await send({ ip: '192.0.2.9' })).status).toBe(429);
    expect((await send({ ip: '192.0.2.10' })).status).toBe(200);
    expect((await send({ ip: '192.0.2.9', path: '/health' })).status).toBe(200);
  });

  it('0 means no limit', async () => {
    const { send } = harness(0, 0);
    for (let i = 0; i < 50; i++) expect((await send({ token: i % 2 ? 'valid-a' : undefined })).status).toBe(200);
  });

  it('verifies a token once per request: the guard reuses what the limiter learnt', async () => {
    let verified = 0;
    const counting = async (token: string) => {
      verified += 1;
      return verify(token);
    };
    const req = { path: '/allegations', ip: '192.0.2.1', socket: {}, header: () => 'Bearer valid-a' } as unknown as Request;
    await new Promise<void>((resolve) => rateLimit({ perUser: 5, perIp: 5, windowMs: 1_000 }, counting)(req, {} as Response, () => resolve()));
    expect(await verifyOnce(req, counting, 'valid-a')).toMatchObject({ sub: 'a' });
    expect(verified).toBe(1);
  });
});
