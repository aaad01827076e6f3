// Property-based fuzzing of everything in a request but its JSON body: path parameters (ids that
// are not UUIDs, percent-encoded NUL and invalid UTF-8, `..`, very long), query strings (unknown
// and repeated keys, nested `a[b]` objects, forged cursors) and headers (Idempotency-Key,
// X-Access-Reason, X-Disclosed-To, X-Request-Id, Authorization, Content-Encoding). Never a 5xx;
// a 4xx writes nothing. Seeded (FUZZ_SEED), bounded runs.
import fc from 'fast-check';
import { nameUuid } from '@libs/auth';
import { check, createFixtures, Fixtures, judged, jsonRoutes } from './support/fuzz-fixtures';
import { join } from 'node:path';
import { filesUnder, hostileKey, hostileString } from './support/hostile';
import { allegationBody, startTestStack, TestStack } from './support/stack';

let stack: TestStack;
let f: Fixtures;
const tokens = new Map<string, string>();

beforeAll(async () => {
  stack = await startTestStack({ worker: 'none', env: { DECISION_TIMEOUT_MS: '300' } });
  f = await createFixtures(stack);
});
afterAll(() => stack?.close());

async function as(user: string): Promise<string> {
  if (!tokens.has(user)) tokens.set(user, `Bearer ${await stack.token(user)}`);
  return tokens.get(user)!;
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 15);

/** Percent-encodes every byte of the text's UTF-8 but the unreserved ones, as a client would. */
const encode = (text: string) =>
  [...Buffer.from(text, 'utf8')]
    .map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');

/** Path segments: raw ones that no encoder produces (bad escapes, encoded NUL and surrogates), and encoded hostile text. */
const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '%00',
    'a%00b',
    '..',
    '.',
    '%2e%2e',
    '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
    '%',
    '%zz',
    '%ED%A0%80',
    '%FF%FE',
    '%C0%AE%C0%AE',
    'null',
    'undefined',
    '0',
    '-1',
    '~',
    ';',
    '00000000-0000-0000-0000-000000000000',
    'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
    '------------------------------------',
    'x'.repeat(5_000),
    '%20',
    'northshire%00',
    'NORTHSHIRE',
  ),
  hostileString.filter((s) => s !== '').map(encode),
);

/** Header values as HTTP/1.1 can carry them: visible ASCII, spaces, tabs and Latin-1 bytes. */
const headerText: fc.Arbitrary<string> = fc
  .oneof(hostileString, fc.string({ unit: 'binary-ascii', maxLength: 300 }))
  .map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '').slice(0, 4_000));

interface Target {
  method: 'get' | 'post' | 'patch' | 'put';
  path: (segment: string) => string;
  user?: string;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

const reason = { 'X-Access-Reason': 'Fuzzing the API for hostile input' };

function idTargets(): Target[] {
  const gets: Target[] = [
    { method: 'get', path: (s) => `/allegations/${s}`, user: 'staff@northshire' },
    { method: 'get', path: (s) => `/allegations/${s}/history`, user: 'legal@northshire', headers: reason },
    { method: 'get', path: (s) => `/allegations/${s}/history/verify`, user: 'legal@northshire' },
    { method: 'get', path: (s) => `/allegations/${s}/export?format=json`, user: 'legal@northshire', headers: reason },
    { method: 'get', path: (s) => `/evidence/${s}`, user: 'staff@northshire' },
    { method: 'get', path: (s) => `/evidence/${s}/content`, user: 'staff@northshire' },
    { method: 'get', path: (s) => `/packages/${s}`, user: 'staff@northshire' },
    { method: 'get', path: (s) => `/packages/${s}/download`, user: 'triage@northshire' },
    { method: 'get', path: (s) => `/indicators/${s}`, user: 'staff@northshire' },
    { method: 'get', path: (s) => `/indicators/${s}/observations`, user: 'staff@northshire' },
    { method: 'get', path: (s) => `/indicator-alerts/${s}`, user: 'triage@northshire' },
    { method: 'get', path: (s) => `/risks/${s}`, user: 'staff@northshire' },
    { method: 'get', path: (s) => `/candidate-contacts/${s}`, user: 'staff@northshire' },
    { method: 'get', path: (s) => `/liaison/${s}`, user: 'staff@northshire' },
    { method: 'get', path: (s) => `/admin/policies/${s}`, user: 'staff@northshire' },
    { method: 'get', path: (s) => `/admin/users/${s}`, user: 'admin@northshire' },
    { method: 'get', path: (s) => `/admin/authorities/${s}/police`, user: 'admin@northshire' },
    { method: 'post', path: (s) => `/admin/users/${s}/deactivate`, user: 'admin@northshire', body: {} },
    { method: 'get', path: (s) => `/transparency/${s}/checkpoints/latest` },
    { method: 'get', path: (s) => `/transparency/${s}/checkpoints` },
    { method: 'get', path: (s) => `/transparency/${s}/public-key` },
    { method: 'get', path: (s) => `/transparency/${s}/proofs/inclusion?caseId=${f.caseId}&seq=1` },
    { method: 'get', path: (s) => `/transparency/${s}/proofs/consistency?from=1&to=2` },
    { method: 'get', path: (s) => `/transparency/${s}/checkpoint.note` },
    { method: 'get', path: (s) => `/transparency/${s}/vkey` },
    { method: 'get', path: (s) => `/transparency/${s}/tlog/inclusion?index=0` },
    { method: 'get', path: (s) => `/transparency/${s}/tlog/consistency?size1=1&size2=2` },
    {
      method: 'post',
      path: (s) => `/allegations/${s}/evidence`,
      user: 'staff@northshire',
      headers: { 'Content-Type': 'application/pdf', 'X-Description': 'scan' },
      body: undefined,
    },
  ];
  // Every JSON route with an id in its path, the id replaced.
  const ids = [f.caseId, f.evidenceId, f.indicatorId, f.alertId, f.riskId, f.contactId, nameUuid('legal@northshire'), 'northshire-police', 'northshire'];
  const posts: Target[] = jsonRoutes(f).flatMap((route) => {
    const id = ids.find((i) => route.path.includes(`/${i}`));
    return id ? [{ method: route.method, path: (s: string) => route.path.replace(`/${id}`, `/${s}`), user: route.user, body: route.body }] : [];
  });
  return [...gets, ...posts];
}

async function send(target: Target, path: string, extraHeaders: Record<string, string> = {}) {
  let req = stack.http[target.method](path);
  if (target.user) req = req.set('Authorization', await as(target.user));
  for (const [k, v] of Object.entries({ ...target.headers, ...extraHeaders })) req = req.set(k, v);
  if (target.method === 'post' && target.body === undefined && target.headers?.['Content-Type'] === 'application/pdf')
    return req.send(Buffer.from('%PDF-1.7 x'));
  return target.body ? req.send(target.body) : req;
}

describe('path parameters', () => {
  it('a hostile id or slug is a 4xx on every route that takes one, with nothing written', async () => {
    for (const target of idTargets()) {
      await check(
        hostileSegment,
        async (segment) => {
          const path = target.path(segment);
          const outcome = await judged(stack, () => send(target, path), { path });
          if (outcome.status < 400) throw new Error(`${outcome.status} for ${path}`);
        },
        Math.ceil(RUNS * 0.5),
      );
    }
  });
});

describe('query strings', () => {
  const routes: { path: string; user?: string; keys: string[]; headers?: Record<string, string> }[] = [
    { path: '/allegations', user: 'staff@northshire', keys: ['status', 'category', 'q', 'limit', 'cursor'] },
    {
      path: '/allegations/search',
      user: 'staff@northshire',
      keys: ['q', 'status', 'category', 'urgency', 'forceId', 'occurredFrom', 'occurredTo', 'createdFrom', 'createdTo', 'safetyConcern', 'limit', 'cursor'],
    },
    { path: '/indicator-alerts', user: 'triage@northshire', keys: ['status', 'indicatorId', 'limit'] },
    { path: '/indicators', user: 'staff@northshire', keys: [] },
    { path: '/indicator-uploads', user: 'staff@northshire', keys: [] },
    { path: '/risks', user: 'staff@northshire', keys: ['overdue', 'status', 'category'] },
    { path: '/candidate-contacts', user: 'staff@northshire', keys: [] },
    { path: '/candidate-contacts/shared', user: 'feoa@northshire-police', keys: [] },
    { path: '/data-sharing', user: 'returning_officer@northshire', keys: ['contactId', 'forceId'] },
    { path: '/liaison', user: 'staff@northshire', keys: [] },
    { path: '/liaison/northshire-police', user: 'spoc@northshire-police', keys: ['authorityId'] },
    { path: '/me/notifications', user: 'triage@northshire', keys: ['aboutType', 'aboutId', 'unread'] },
    { path: '/reports/returns.csv', user: 'returning_officer@northshire', keys: ['from', 'to', 'electionId', 'pollDate'] },
    { path: '/transparency/northshire/checkpoints', keys: ['limit', 'cursor'] },
    { path: '/transparency/northshire/public-key', keys: ['keyId'] },
    { path: '/transparency/northshire/proofs/inclusion', keys: ['caseId', 'seq', 'treeSize'] },
    { path: '/transparency/northshire/proofs/consistency', keys: ['from', 'to'] },
    { path: '/transparency/northshire/checkpoint.note', keys: ['treeSize'] },
    { path: '/transparency/northshire/vkey', keys: ['keyId'] },
    { path: '/transparency/northshire/tlog/inclusion', keys: ['index', 'caseId', 'seq', 'size'] },
    { path: '/transparency/northshire/tlog/consistency', keys: ['size1', 'size2'] },
    { path: '/allegations/CASE/export', user: 'legal@northshire', keys: ['format'], headers: reason },
    { path: '/indicators/INDICATOR/observations', user: 'staff@northshire', keys: ['subject', 'limit'] },
    { path: '/health', keys: [] },
  ];
  /** Cursors shaped like the API's own (base64url JSON) but holding what it never wrote. */
  const forgedCursor = fc
    .array(
      fc.oneof(
        hostileString,
        fc.constantFrom('1', '2026', '2026-11-01T10:00:00Z', '------------------------------------', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '0.5', 'NaN'),
      ),
      { maxLength: 5 },
    )
    .map((parts) => Buffer.from(JSON.stringify(parts)).toString('base64url'));
  const rawPairs = fc.constantFrom(
    '%00',
    'q=%00',
    'q=%ED%A0%80',
    'q=%',
    '%=1',
    'a[b][c][d][e][f][g][h]=1',
    'limit=1e3',
    'limit=0x10',
    'limit=-0',
    'limit[]=1',
    'status[]=triage&status[]=closed',
    'q[$ne]=',
    '__proto__[x]=1',
    'constructor[prototype][x]=1',
    '&&&',
    '=',
    'cursor=%00',
  );

  it('unknown, repeated, nested and hostile parameters are a 4xx or an answer, never a 5xx, and write nothing on a 4xx', async () => {
    for (const route of routes) {
      const path = route.path.replace('CASE', f.caseId).replace('INDICATOR', f.indicatorId);
      const key = route.keys.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...route.keys) }, { weight: 1, arbitrary: hostileKey }) : hostileKey;
      const value = fc.oneof(
        hostileString,
        forgedCursor,
        fc.array(hostileString, { minLength: 2, maxLength: 3 }),
        fc.dictionary(fc.constantFrom('a', '$ne', '__proto__'), hostileString, { maxKeys: 2 }),
      );
      const query = fc.oneof(
        fc
          .array(fc.tuple(key, value), { minLength: 1, maxLength: 4 })
          .map((pairs) =>
            pairs
              .flatMap(([k, v]) =>
                Array.isArray(v)
                  ? v.map((x) => `${encode(k)}=${encode(x)}`)
                  : typeof v === 'object'
                    ? Object.entries(v).map(([sub, x]) => `${encode(k)}[${encode(sub)}]=${encode(x)}`)
                    : [`${encode(k)}=${encode(v)}`],
              )
              .join('&'),
          ),
        rawPairs,
      );
      await check(
        query,
        async (q) => {
          await judged(stack, () => send({ method: 'get', path: () => path, user: route.user, headers: route.headers }, `${path}?${q}`), { path, q });
        },
        Math.ceil(RUNS * 0.7),
      );
    }
    expect(Object.prototype).not.toHaveProperty('x');
  });
});

describe('headers', () => {
  it('a hostile Idempotency-Key is refused (400) or honoured, never a 5xx, and one key never makes two cases', async () => {
    const auth = await as('staff@northshire');
    await check(
      headerText,
      async (key) => {
        const first = await judged(stack, () => stack.http.post('/allegations').set('Authorization', auth).set('Idempotency-Key', key).send(allegationBody()), {
          key,
        });
        if (first.status === 201) {
          const again = await judged(
            stack,
            () => stack.http.post('/allegations').set('Authorization', auth).set('Idempotency-Key', key).send(allegationBody()),
            { key },
          );
          expect([key, again.status, (again.body as { id: string }).id, again.written]).toEqual([key, 201, (first.body as { id: string }).id, []]);
        } else {
          expect([key, first.status]).toEqual([key, 400]);
        }
      },
      Math.ceil(RUNS / 2),
    );
  });

  it('X-Access-Reason and X-Disclosed-To are refused (400) or recorded without control characters', async () => {
    const auth = await as('legal@northshire');
    await check(
      fc.tuple(headerText, fc.option(headerText, { nil: undefined })),
      async ([why, to]) => {
        const headers: Record<string, string> = { 'X-Access-Reason': why };
        if (to !== undefined) headers['X-Disclosed-To'] = to;
        for (const path of [`/allegations/${f.caseId}/history`, `/allegations/${f.caseId}/export?format=json`]) {
          const outcome = await judged(stack, () => stack.http.get(path).set('Authorization', auth).set(headers), { path, headers });
          if (outcome.status === 200) {
            const [event] = await stack.db.query('SELECT after FROM audit_events ORDER BY id DESC LIMIT 1');
            expect(JSON.stringify(event.after)).not.toMatch(/\\u00[01][0-9a-f]|\\u007f/i);
          } else {
            expect([path, headers, outcome.status]).toEqual([path, headers, 400]);
          }
        }
      },
      Math.ceil(RUNS / 2),
    );
  });

  it('evidence upload headers: hostile X-Filename, X-Description and Content-Type are refused with nothing stored, or recorded clean', async () => {
    const auth = await as('staff@northshire');
    const evidenceDir = join(stack.dataDir, 'evidence');
    let n = 0;
    await check(
      fc.record({
        filename: fc.option(fc.oneof(headerText, hostileString.map(encode)), { nil: undefined }),
        description: headerText,
        type: fc.oneof(
          fc.constantFrom('application/pdf', 'image/jpeg', 'text/plain; charset=utf-8', 'APPLICATION/PDF', 'application/pdf;;', 'application/pdf; x=\u00ff'),
          headerText,
        ),
      }),
      async ({ filename, description, type }) => {
        const bytes = Buffer.from(`%PDF-1.7 fuzz ${n++}`);
        const headers: Record<string, string> = { 'Content-Type': type, 'X-Description': description };
        if (filename !== undefined) headers['X-Filename'] = filename;
        const outcome = await judged(
          stack,
          () => stack.http.post(`/allegations/${f.caseId}/evidence`).set('Authorization', auth).set(headers).send(bytes),
          headers,
        );
        if (outcome.status === 201) {
          const item = outcome.body as { filename: string | null; description: string };
          expect([headers, item.filename ?? '']).not.toEqual([headers, expect.stringMatching(/[/\\\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)]);
          expect([headers, item.description]).not.toEqual([headers, expect.stringMatching(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)]);
        }
        expect(filesUnder(evidenceDir).filter((file) => !/^sha256\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(file))).toEqual([]);
      },
      RUNS * 2,
    );
  });

  it('X-Request-Id is echoed only when it is a plain token; anything else is replaced', async () => {
    await check(
      headerText,
      async (id) => {
        const res = await stack.http.get('/health').set('X-Request-Id', id);
        expect(res.status).toBeLessThan(500);
        expect(res.headers['x-request-id']).toMatch(/^[\w.-]{1,100}$/);
        if (/^[\w.-]{1,100}$/.test(id)) expect(res.headers['x-request-id']).toBe(id);
      },
      RUNS * 2,
    );
  });

  it('a malformed Authorization header is a 401, and Content-Encoding the body does not have is a 4xx', async () => {
    await check(
      fc.oneof(
        headerText,
        headerText.map((t) => `Bearer ${t}`),
        fc.constantFrom('Bearer', 'Bearer ', 'Basic YTpi', 'Bearer a.b.c', 'Bearer ....', `Bearer ${'a'.repeat(8000)}`),
      ),
      async (authorization) => {
        const outcome = await judged(stack, () => stack.http.post('/allegations').set('Authorization', authorization).send(allegationBody()), {
          authorization,
        });
        expect([authorization, outcome.status]).toEqual([authorization, 401]);
      },
      RUNS,
    );
    const auth = await as('staff@northshire');
    for (const encoding of ['gzip', 'deflate', 'br', 'identity, gzip', 'x-unknown', 'gzip, gzip']) {
      const outcome = await judged(
        stack,
        () =>
          stack.http
            .post('/allegations')
            .set('Authorization', auth)
            .set('Content-Encoding', encoding)
            .set('Content-Type', 'application/json')
            .send(JSON.stringify(allegationBody())),
        { encoding },
      );
      expect([encoding, outcome.status >= 400 && outcome.status < 500]).toEqual([encoding, true]);
    }
  });
});
