// Hardening at the edge: security headers on every answer (refusals included) with a CSP the
// Swagger UI works under; 413, 414 and 431 for oversized bodies, URLs and headers; and rate
// limits per user and per address, answering 429 with Retry-After and writing nothing.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { allegationBody, startTestStack, TestStack } from './support/stack';

/** The directives of a Content-Security-Policy header, by name. */
function csp(header: string | undefined): Record<string, string[]> {
  return Object.fromEntries(
    (header ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((p) => p[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe('security headers and size limits (default settings)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ worker: 'none' });
  });
  afterAll(() => stack?.close());
  const as = async (username: string) => `Bearer ${await stack.token(username)}`;

  it('every answer carries the security headers: a 200, a 401, a 404 and a 422 alike', async () => {
    const answers = [
      await stack.http.get('/health'),
      await stack.http.get('/allegations'),
      await stack.http.get('/no-such-route'),
      await stack.http
        .post('/allegations')
        .set('Authorization', await as('staff@northshire'))
        .send({}),
      await stack.http.get('/allegations').set('Authorization', await as('staff@northshire')),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 404, 422, 200]);
    for (const res of answers) {
      const policy = csp(res.headers['content-security-policy']);
      expect(policy['default-src']).toEqual(["'self'"]);
      expect(policy['script-src']).toEqual(["'self'", expect.stringMatching(/^'nonce-[A-Za-z0-9+/]{22}=='$/)]);
      expect(policy['style-src']).toEqual(["'self'"]);
      expect(policy['object-src']).toEqual(["'none'"]);
      expect(policy['frame-ancestors']).toEqual(["'none'"]);
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
        'strict-transport-security': expect.stringMatching(/^max-age=\d{7,}/),
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
    // A nonce is good for one answer only.
    const [a, b] = [answers[0], answers[4]].map((r) => csp(r.headers['content-security-policy'])['script-src'][1]);
    expect(a).not.toBe(b);
  });

  it('the Swagger UI loads its scripts from its own origin, so the policy needs no inline script; only /docs allows inline styles', async () => {
    const page = await stack.http.get('/docs/').expect(200);
    const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc=["'](\.\/|\/docs\/)?[\w.-]+\.js["']/);
      expect(body.trim()).toBe('');
    }
    const policy = csp(page.headers['content-security-policy']);
    expect(policy['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(policy['script-src']).not.toContain("'unsafe-inline'");
    await stack.http
      .get('/docs/swagger-ui-init.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
  });

  it('413 for a JSON body over 1 MB, with nothing written', async () => {
    const before = (await stack.db.query('SELECT count(*)::int AS n FROM allegations'))[0].n;
    const huge = allegationBody({ description: 'x'.repeat(1024 * 1024) });
    const res = await stack.http
      .post('/allegations')
      .set('Authorization', await as('staff@northshire'))
      .send(huge);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, details: [{ field: 'body', problem: 'too large' }] });
    expect((await stack.db.query('SELECT count(*)::int AS n FROM allegations'))[0].n).toBe(before);
  });

  it("414 for a URL over 4 KiB; 431 for headers over 8 KiB in the API's shape, and Node's own 431 past 16 KiB", async () => {
    const auth = await as('staff@northshire');
    await stack.http
      .get(`/allegations/search?q=${'a'.repeat(150)}`)
      .set('Authorization', auth)
      .expect(200);
    const long = await stack.http.get(`/allegations/search?q=${'a'.repeat(4100)}`).set('Authorization', auth);
    expect(long.status).toBe(414);
    expect(long.body).toMatchObject({ statusCode: 414, details: [{ field: 'url' }] });

    const big = await stack.http.get('/allegations').set('Authorization', auth).set('X-Padding', 'p'.repeat(9000));
    expect(big.status).toBe(431);
    expect(big.body).toMatchObject({ statusCode: 431, details: [{ field: 'headers' }] });

    // Past Node's own limit the server answers before any of the app runs.
    const server = stack.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/health', headers: { 'X-Padding': 'p'.repeat(20_000) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(431);
  });
});

describe('rate limits (set low for the test)', () => {
  let stack: TestStack;
  const PER_USER = 6;
  const PER_IP = 4;
  beforeAll(async () => {
    stack = await startTestStack({
      worker: 'none',
      env: { RATE_LIMIT_PER_USER: String(PER_USER), RATE_LIMIT_PER_IP: String(PER_IP), RATE_LIMIT_WINDOW_MS: '60000' },
    });
  });
  afterAll(() => stack?.close());
  const as = async (username: string) => `Bearer ${await stack.token(username)}`;
  const statuses = (responses: { status: number }[]) => responses.map((r) => r.status);

  it('a user past the limit gets 429 with Retry-After, nothing written; other users and addresses are not affected', async () => {
    const auth = await as('staff@northshire');
    const before = (await stack.db.query('SELECT count(*)::int AS n FROM allegations'))[0].n;
    const within = [];
    for (let i = 0; i < PER_USER; i++) within.push(await stack.http.get('/allegations').set('Authorization', auth));
    expect(statuses(within)).toEqual(Array(PER_USER).fill(200));

    const over = await stack.http.post('/allegations').set('Authorization', auth).send(allegationBody());
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(over.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', details: [{ field: 'Authorization', problem: 'rate limit reached' }] });
    expect(over.headers['content-security-policy']).toBeDefined();
    expect((await stack.db.query('SELECT count(*)::int AS n FROM allegations'))[0].n).toBe(before);
    // The same user from another address is still limited: the count follows the user.
    await stack.http.get('/allegations').set('Authorization', auth).set('X-Forwarded-For', '198.51.100.20').expect(429);

    await stack.http
      .get('/allegations')
      .set('Authorization', await as('triage@northshire'))
      .expect(200);
    await stack.http.get('/transparency/northshire/checkpoints').expect(200);
  });

  it('requests without a valid token count against their address, made-up tokens included; /health is never limited', async () => {
    const from = (ip: string) => ({ 'X-Forwarded-For': ip });
    const forged = 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';
    const answers = [];
    for (let i = 0; i < PER_IP; i++) answers.push(await stack.http.get('/allegations').set(from('203.0.113.7')).set('Authorization', `${forged}${i}`));
    expect(statuses(answers)).toEqual(Array(PER_IP).fill(401));
    const over = await stack.http.get('/transparency/northshire/checkpoints').set(from('203.0.113.7'));
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(over.body).toMatchObject({ statusCode: 429, details: [{ field: 'address', problem: 'rate limit reached' }] });

    for (let i = 0; i < PER_IP * 3; i++) await stack.http.get('/health').set(from('203.0.113.7')).expect(200);
    await stack.http.get('/transparency/northshire/checkpoints').set(from('203.0.113.8')).expect(200);
    // A valid token is counted against its user, not the busy address.
    await stack.http
      .get('/allegations')
      .set(from('203.0.113.7'))
      .set('Authorization', await as('legal@northshire'))
      .expect(200);
  });
});
