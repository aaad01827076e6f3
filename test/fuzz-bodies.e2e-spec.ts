// Property-based fuzzing of every JSON body the API takes: for each route, a body it accepts with
// one thing wrong (a field replaced by a hostile value, an extra field such as __proto__, a field
// dropped, the whole body replaced), and raw bodies no JSON client would send. The API must never
// answer 5xx, and a 4xx must write nothing. Seeded (FUZZ_SEED) and bounded, so a failure replays.
import fc from 'fast-check';
import { check, createFixtures, Fixtures, judged, jsonRoutes } from './support/fuzz-fixtures';
import { describeInput, mutatedBody, nested } from './support/hostile';
import { startTestStack, TestStack } from './support/stack';

let stack: TestStack;
let fixtures: Fixtures;
const tokens = new Map<string, string>();

beforeAll(async () => {
  stack = await startTestStack({ worker: 'none', env: { DECISION_TIMEOUT_MS: '300' } });
  fixtures = await createFixtures(stack);
});
afterAll(() => stack?.close());

async function as(user: string): Promise<string> {
  if (!tokens.has(user)) tokens.set(user, `Bearer ${await stack.token(user)}`);
  return tokens.get(user)!;
}

/** Keys no DTO declares: a body carrying one must be refused, not have it ignored or applied. */
const NEVER_FIELDS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'createdBy', 'sha256', '$where', ''];
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 15);

describe('every JSON body, mutated', () => {
  it('never gets a 5xx, and a refusal writes nothing', async () => {
    for (const route of jsonRoutes(fixtures)) {
      const auth = await as(route.user);
      await check(
        mutatedBody(route.body),
        async ({ body, mutation }) => {
          const outcome = await judged(
            stack,
            () => stack.http[route.method](route.path).set('Authorization', auth).set('Content-Type', 'application/json').send(JSON.stringify(body)),
            { route: `${route.method} ${route.path}`, mutation },
          );
          // A hostile value where a field belongs is refused with the field named, never taken.
          const addedKey = typeof mutation === 'object' && mutation.kind === 'add' ? mutation.key.split('.').pop()! : undefined;
          if (addedKey !== undefined && NEVER_FIELDS.includes(addedKey) && outcome.status < 300)
            throw new Error(`${route.path} accepted an unknown field ${describeInput(mutation)}`);
        },
        RUNS_PER_ROUTE,
      );
    }
  });
});

describe('raw bodies', () => {
  /** Refused by the JSON parser or the hostile-text check before routing: worth sending everywhere once. */
  const everywhere = ['{', 'null', '[]', '{"description":"\\u0000"}', `{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":true}}}`];
  const raw = [...everywhere, '{"category":', '"a string"', '1e999999', '{"a":1,"a":2}', '\ufeff{}', '{"description":"\\ud800"}', '[1,2,3'];
  /** Large bodies: each costs a parse of up to 2 MB, so they and the rest go to a few routes of different shapes. */
  const heavy = [
    '['.repeat(100_000) + ']'.repeat(100_000),
    '{"a":'.repeat(60_000) + '1' + '}'.repeat(60_000),
    JSON.stringify({ description: nested(1_000) }),
    JSON.stringify({ peopleInvolved: Array.from({ length: 20_000 }, () => ({ name: 'x' })) }),
    JSON.stringify({ description: 'x'.repeat(2 * 1024 * 1024) }),
  ];

  it('malformed, deep, huge and polluting bodies get a 4xx, with nothing written', async () => {
    const routes = jsonRoutes(fixtures);
    const fullRoutes = new Set([
      routes[0],
      routes.find((r) => r.path.startsWith('/admin/policies'))!,
      routes.find((r) => r.path === '/risks')!,
      routes.find((r) => r.path.endsWith('/custody'))!,
    ]);
    for (const route of routes) {
      const auth = await as(route.user);
      for (const body of fullRoutes.has(route) ? [...raw, ...heavy] : everywhere) {
        const outcome = await judged(
          stack,
          () => stack.http[route.method](route.path).set('Authorization', auth).set('Content-Type', 'application/json').send(body),
          { route: route.path, body },
        );
        // A byte-order mark before an empty object is an empty (valid) patch where every field is optional.
        if (body !== '\ufeff{}')
          expect([route.path, describeInput(body), outcome.status >= 400 && outcome.status < 500]).toEqual([route.path, describeInput(body), true]);
      }
    }
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.prototype).not.toHaveProperty('isAdmin');
  });

  it('bodies in other encodings and types are refused as such', async () => {
    const route = jsonRoutes(fixtures)[0];
    const auth = await as(route.user);
    const types = fc.sample(
      fc.oneof(
        fc.constantFrom(
          'text/plain',
          'application/json; charset=utf-16',
          'application/json; charset=evil',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=latin1',
          'application/merge-patch+json',
          '*/*',
          'application/json;;;',
          'application/',
        ),
        fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
      ),
      { seed: 7, numRuns: 40 },
    );
    for (const type of types) {
      const outcome = await judged(
        stack,
        () => stack.http.post(route.path).set('Authorization', auth).set('Content-Type', type).send(JSON.stringify(route.body)),
        { contentType: type },
      );
      expect([type, outcome.status === 201 || (outcome.status >= 400 && outcome.status < 500)]).toEqual([type, true]);
    }
  });
});
