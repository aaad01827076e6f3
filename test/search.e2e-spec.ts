// Search over an authority's allegations (GET /allegations/search): full text with relevance
// ranking, the filters, cursor pages that hold under ties, bad input, roles and tenant isolation,
// and the migration's backfill of cases logged before it.
import { DEMO_USERS } from '@libs/auth';
import { Search1764579600000 } from '@libs/persistence/migrations/1764579600000-Search';
import { allegationBody, startTestStack, TestStack } from './support/stack';

type Json = Record<string, any>;

let stack: TestStack;
const as = async (username: string) => `Bearer ${await stack.token(username)}`;

/** The seeded cases, by name; each is the case as GET /allegations/:id shows it. */
const cases: Record<string, Json> = {};
const ties: Json[] = [];
let southvaleTwin: Json;

async function logCase(overrides: Json, username = 'staff@northshire'): Promise<Json> {
  const created = await stack.http
    .post('/allegations')
    .set('Authorization', await as(username))
    .send(allegationBody(overrides))
    .expect(201);
  const reader = username.replace('staff@', 'triage@');
  return (
    await stack.http
      .get(`/allegations/${created.body.id}`)
      .set('Authorization', await as(reader))
      .expect(200)
  ).body;
}

async function decide(username: string, id: string, path: string, body: Json): Promise<void> {
  const res = await stack.http
    .post(`/allegations/${id}/${path}`)
    .set('Authorization', await as(username))
    .send(body);
  if (res.status !== 200) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
}

async function search(params: Record<string, string | number | boolean>, username = 'staff@northshire') {
  return stack.http
    .get('/allegations/search')
    .query(params)
    .set('Authorization', await as(username));
}

async function ids(params: Record<string, string | number | boolean>, username = 'staff@northshire'): Promise<string[]> {
  const res = await search(params, username);
  if (res.status !== 200) throw new Error(`search ${JSON.stringify(params)}: ${res.status} ${JSON.stringify(res.body)}`);
  expect(res.body.nextCursor).toBeNull();
  return res.body.items.map((a: Json) => a.id);
}

/** Every page of a search, following nextCursor. */
async function allPages(params: Record<string, string | number | boolean>): Promise<Json[][]> {
  const pages: Json[][] = [];
  let cursor: string | null = null;
  do {
    const res = await search(cursor ? { ...params, cursor } : params);
    expect(res.status).toBe(200);
    pages.push(res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor && pages.length < 20);
  return pages;
}

beforeAll(async () => {
  stack = await startTestStack();
  cases.careHome = await logCase({
    category: 'postal_vote',
    description: 'A canvasser was seen collecting completed postal votes at Elm Court care home.',
    location: { ward: 'Castle Ward' },
    occurredAt: '2026-10-01T10:00:00Z',
    peopleInvolved: [{ name: 'J. Canvasser', role: 'canvasser' }],
  });
  // "Elm Court" in the place only (weight B)
  cases.proxy = await logCase({
    category: 'proxy_vote',
    description: 'Several proxy applications were signed by the same witness.',
    location: { pollingStation: 'Elm Court Community Room' },
    occurredAt: '2026-10-05T00:00:00Z',
    urgency: 'urgent',
    peopleInvolved: [],
  });
  // "Elm Court" in the reporter's name only (weight C)
  cases.intimidation = await logCase({
    category: 'undue_influence',
    description: 'A candidate was shouted at and followed outside the polling station.',
    location: { pollingStation: "St Mary's Church Hall" },
    reporter: { name: 'Elm Court Residents Association', contact: '01632 960000', type: 'other' },
    occurredAt: '2026-10-10T09:00:00Z',
    urgency: 'immediate',
    safetyConcern: true,
    peopleInvolved: [],
  });
  cases.leaflets = await logCase({
    category: 'imprint',
    description: 'Leaflets without an imprint were delivered across Castle Ward.',
    reporter: { name: 'Harriet Postlethwaite', contact: 'h.p@example.com', type: 'elector' },
    occurredAt: '2026-10-15T00:00:00Z',
    peopleInvolved: [],
  });
  for (let i = 0; i < 5; i++) {
    ties.push(
      await logCase({
        category: 'other',
        description: 'Zorblax stickers were found on polling booths.',
        location: { ward: 'Market Ward' },
        occurredAt: '2026-10-20T12:00:00Z',
        peopleInvolved: [],
      }),
    );
  }
  // Three of the tied cases share one created_at as well, so only their ids order them.
  await stack.db.query('UPDATE allegations SET created_at = $1 WHERE id = ANY($2::uuid[])', [ties[1].createdAt, [ties[2].id, ties[3].id]]);
  ties[2].createdAt = ties[3].createdAt = ties[1].createdAt;
  southvaleTwin = await logCase(
    { category: 'postal_vote', description: 'A canvasser was seen collecting completed postal votes at Elm Court care home.' },
    'staff@southvale',
  );

  await decide('triage@northshire', cases.proxy.id, 'triage', { decision: 'refer', forceId: 'southvale-police', note: 'the witness lives in Southvale' });
  await decide('staff@northshire', cases.leaflets.id, 'withdraw', { note: 'the reporter withdrew the complaint' });
});
afterAll(() => stack?.close());

const northshire = () => [cases.careHome, cases.proxy, cases.intimidation, cases.leaflets, ...ties];
/** The order of a search without words: newest first, then by id. */
const newestFirst = (list: Json[]) =>
  [...list].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1)).map((a) => a.id);

describe('full text', () => {
  it('ranks by where the words are: description over place over reporter', async () => {
    const res = await search({ q: 'Elm Court' });
    expect(res.status).toBe(200);
    expect(res.body.items.map((a: Json) => a.id)).toEqual([cases.careHome.id, cases.proxy.id, cases.intimidation.id]);
    const ranks = res.body.items.map((a: Json) => a.rank);
    expect(ranks[0]).toBeGreaterThan(ranks[1]);
    expect(ranks[1]).toBeGreaterThan(ranks[2]);
    // each hit is the case as the API shows it
    expect(res.body.items[0]).toMatchObject({ reference: cases.careHome.reference, status: 'triage', category: 'postal_vote', authorityId: 'northshire' });
  });

  it('finds a case by its reference, whole or by its number', async () => {
    expect(await ids({ q: cases.careHome.reference })).toEqual([cases.careHome.id]);
    expect(await ids({ q: cases.leaflets.reference.split('-')[2] })).toEqual([cases.leaflets.id]);
  });

  it('stems English words and searches people involved, reporter name and category', async () => {
    expect(new Set(await ids({ q: 'voting' }))).toEqual(new Set([cases.careHome.id, cases.proxy.id]));
    expect(await ids({ q: 'J. Canvasser' })).toEqual([cases.careHome.id]);
    expect(await ids({ q: 'Postlethwaite' })).toEqual([cases.leaflets.id]);
    expect(await ids({ q: 'undue influence' })).toEqual([cases.intimidation.id]);
  });

  it('takes web-search syntax: phrases, or, and exclusions', async () => {
    expect(await ids({ q: '"care home" -proxy' })).toEqual([cases.careHome.id]);
    expect(await ids({ q: '"home care"' })).toEqual([]);
    expect(new Set(await ids({ q: 'canvasser or zorblax' }))).toEqual(new Set([cases.careHome.id, ...ties.map((t) => t.id)]));
  });

  it('lists newest first, without ranks, when there are no words', async () => {
    const res = await search({ limit: 100 });
    expect(res.body.items.map((a: Json) => a.id)).toEqual(newestFirst(northshire()));
    expect(res.body.items.every((a: Json) => a.rank === null)).toBe(true);
    // blank words are no words
    expect((await search({ q: '   ', limit: 100 })).body.items.map((a: Json) => a.id)).toEqual(newestFirst(northshire()));
  });
});

describe('filters', () => {
  it('by status, category, urgency and safety concern', async () => {
    expect(await ids({ status: 'withdrawn' })).toEqual([cases.leaflets.id]);
    expect(await ids({ status: 'referred' })).toEqual([cases.proxy.id]);
    expect(await ids({ category: 'other' })).toEqual(newestFirst(ties));
    expect(await ids({ urgency: 'urgent' })).toEqual([cases.proxy.id]);
    expect(await ids({ safetyConcern: true })).toEqual([cases.intimidation.id]);
    expect(await ids({ safetyConcern: false, limit: 100 })).toEqual(newestFirst(northshire().filter((c) => c !== cases.intimidation)));
  });

  it('by the force a case was referred to', async () => {
    expect(await ids({ forceId: 'southvale-police' })).toEqual([cases.proxy.id]);
    expect(await ids({ forceId: 'northshire-police' })).toEqual([]);
  });

  it('by when it happened and when it was logged, each period from inclusive to exclusive', async () => {
    expect(await ids({ occurredFrom: '2026-10-05', occurredTo: '2026-10-15T00:00:00Z' })).toEqual([cases.intimidation.id, cases.proxy.id]);
    expect(await ids({ occurredFrom: '2026-10-05T01:00:00+01:00', occurredTo: '2026-10-10T09:00:00.000001Z' })).toEqual([
      cases.intimidation.id,
      cases.proxy.id,
    ]);
    expect(await ids({ createdTo: cases.intimidation.createdAt })).toEqual([cases.proxy.id, cases.careHome.id]);
    expect(await ids({ createdFrom: cases.intimidation.createdAt, createdTo: cases.leaflets.createdAt })).toEqual([cases.intimidation.id]);
  });

  it('combines filters with words', async () => {
    expect(await ids({ q: 'Elm Court', urgency: 'urgent' })).toEqual([cases.proxy.id]);
    expect(await ids({ q: 'Elm Court', status: 'triage', safetyConcern: false })).toEqual([cases.careHome.id]);
    expect(await ids({ q: 'Castle Ward', category: 'imprint', status: 'withdrawn' })).toEqual([cases.leaflets.id]);
  });
});

describe('cursor pages', () => {
  it('page through equal ranks and equal times without a gap or a repeat', async () => {
    const pages = await allPages({ q: 'zorblax stickers', limit: 2 });
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const seen = pages.flat();
    expect(new Set(seen.map((a) => a.rank)).size).toBe(1);
    expect(seen.map((a) => a.id)).toEqual(newestFirst(ties));
  });

  it('page in rank order across distinct ranks, and newest first without words', async () => {
    expect((await allPages({ q: 'Elm Court', limit: 1 })).flat().map((a) => a.id)).toEqual([cases.careHome.id, cases.proxy.id, cases.intimidation.id]);
    const pages = await allPages({ limit: 3 });
    expect(pages.map((p) => p.length)).toEqual([3, 3, 3]);
    expect(pages.flat().map((a) => a.id)).toEqual(newestFirst(northshire()));
  });

  it('a page size change between pages keeps the place', async () => {
    const first = await search({ category: 'other', limit: 2 });
    const rest = await search({ category: 'other', limit: 10, cursor: first.body.nextCursor });
    expect([...first.body.items, ...rest.body.items].map((a: Json) => a.id)).toEqual(newestFirst(ties));
  });

  it('refuse a cursor from a different search', async () => {
    const first = await search({ q: 'zorblax', limit: 2 });
    const res = await search({ q: 'stickers', limit: 2, cursor: first.body.nextCursor });
    expect(res.status).toBe(422);
    expect(res.body.details).toEqual([{ field: 'cursor', problem: 'was returned by a different search', code: 'cursor.from_other_search', values: {} }]);
    const unranked = await search({ category: 'other', limit: 2 });
    expect((await search({ category: 'other', status: 'triage', limit: 2, cursor: unranked.body.nextCursor })).status).toBe(422);
  });
});

describe('bad input: 422 naming the field, in the error body', () => {
  const cases422: [Record<string, string>, string][] = [
    [{ cursor: 'not-a-cursor' }, 'cursor'],
    [{ status: 'lost' }, 'status'],
    [{ category: 'arson' }, 'category'],
    [{ urgency: 'whenever' }, 'urgency'],
    [{ occurredFrom: '2026-02-30' }, 'occurredFrom'],
    [{ occurredTo: '2026-10-01T10:00:00' }, 'occurredTo'],
    [{ createdFrom: 'yesterday' }, 'createdFrom'],
    [{ createdFrom: '2026-10-02', createdTo: '2026-10-01' }, 'createdTo'],
    [{ occurredFrom: '2026-10-02', occurredTo: '2026-10-01' }, 'occurredTo'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ safetyConcern: 'yes' }, 'safetyConcern'],
    [{ forceId: 'atlantis-police' }, 'forceId'],
    [{ forceId: 'Not A Force!' }, 'forceId'],
    [{ q: 'the and of' }, 'q'],
    [{ q: 'x'.repeat(201) }, 'q'],
    [{ sort: 'oldest' }, 'sort'],
  ];

  it.each(cases422)('%j names %s', async (params, field) => {
    const res = await search(params);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity', message: expect.any(String) });
    expect([...new Set(res.body.details.map((d: Json) => d.field))]).toEqual([field]);
  });
});

describe('roles and tenants', () => {
  const readers = ['staff', 'triage', 'returning_officer', 'legal'];

  it.each(DEMO_USERS.map((u) => [u.username]))('%s searches only its own authority, if its role may', async (username) => {
    const user = DEMO_USERS.find((u) => u.username === username)!;
    const res = await search({ q: 'Elm Court', limit: 100 }, username);
    if (!readers.includes(user.roles[0])) {
      expect(res.status).toBe(403);
      expect(res.body.details).toEqual([{ field: 'roles', problem: expect.any(String) }]);
      return;
    }
    expect(res.status).toBe(200);
    const expected = user.authorityId === 'northshire' ? [cases.careHome.id, cases.proxy.id, cases.intimidation.id] : [southvaleTwin.id];
    expect(new Set(res.body.items.map((a: Json) => a.id))).toEqual(new Set(expected));
    expect(res.body.items.every((a: Json) => a.authorityId === user.authorityId)).toBe(true);
  });

  it('401 without a token', async () => {
    await stack.http.get('/allegations/search').expect(401);
  });
});

describe('the OpenAPI document', () => {
  it('describes the search and each of its parameters', async () => {
    const doc = (await stack.http.get('/docs/openapi.json').expect(200)).body;
    const names = doc.paths['/allegations/search'].get.parameters.map((p: Json) => `${p.in}:${p.name}`);
    expect(names.sort()).toEqual(
      ['q', 'status', 'category', 'urgency', 'forceId', 'occurredFrom', 'occurredTo', 'createdFrom', 'createdTo', 'safetyConcern', 'limit', 'cursor']
        .map((n) => `query:${n}`)
        .sort(),
    );
  });
});

describe('the Search migration', () => {
  it('makes cases logged before it searchable (the backfill)', async () => {
    const runner = stack.db.createQueryRunner();
    try {
      await new Search1764579600000().down(runner);
      expect(await runner.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'allegations' AND column_name = 'search'")).toEqual([]);
      await new Search1764579600000().up(runner);
    } finally {
      await runner.release();
    }
    const [{ missing }] = await stack.db.query("SELECT count(*)::int AS missing FROM allegations WHERE search IS NULL OR search = ''::tsvector");
    expect(missing).toBe(0);
    expect(await ids({ q: 'Elm Court' })).toEqual([cases.careHome.id, cases.proxy.id, cases.intimidation.id]);
    const [{ indexdef }] = await stack.db.query("SELECT indexdef FROM pg_indexes WHERE indexname = 'allegations_search_idx'");
    expect(indexdef).toMatch(/USING gin \(search\)/);
  });
});
