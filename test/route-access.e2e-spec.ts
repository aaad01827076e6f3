// Access control, route by route: every route the app registers is tried without a token and as
// every demo user of both tenants, against the table in test/support/access-table.ts. No token:
// 401 (unless public). A role the route does not admit: 403. An admitted role of the other tenant:
// 404 for a record (never 403, which would disclose that it exists, and never 200). An admitted
// role of the record's own tenant: an answer. A route added without a row in the table fails here.
import type { Response } from 'supertest';
import { DEMO_USERS, findDemoUser, type DemoUser } from '@libs/auth';
import { isWebPath } from '@apps/web/src/http';
import { registeredRoutes as routesOf } from './support/routes';
import { ACCESS_TABLE, AccessRule, Fixtures, FIXTURE_BODIES, PAGE_TABLE, RequestBody } from './support/access-table';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;
let fixtures: Fixtures;
const tokens = new Map<string, string>();

type Json = Record<string, any>;

/** `METHOD /path` of every route in the Express router: Nest's controllers and the docs. */
const registeredRoutes = () => routesOf(stack.app);

async function call(rule: AccessRule, username?: string): Promise<Response> {
  const [method, path] = rule.route.split(' ');
  const url = rule.url ? rule.url(fixtures) : path;
  let req = (stack.http as any)[method.toLowerCase()](url).set('X-Access-Reason', 'route access test');
  if (username) req = req.set('Authorization', `Bearer ${tokens.get(username)}`);
  const body: RequestBody | undefined = rule.body?.(fixtures, DEMO_USERS.find((u) => u.username === username) ?? DEMO_USERS[0]);
  if (body && 'raw' in body) return req.set('Content-Type', body.contentType).send(body.raw);
  return body ? req.send(body) : req;
}

async function made(label: string, res: Response, status = 201): Promise<Json> {
  if (res.status !== status) throw new Error(`${label}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A case referred to northshire-police, with an item, a package, a risk, an agreement, a shared contact and an alert. */
async function makeFixtures(): Promise<Fixtures> {
  const as = (username: string) => `Bearer ${tokens.get(username)}`;
  const post = (username: string, url: string, body: object) => stack.http.post(url).set('Authorization', as(username)).send(body);
  const c = await made('case', await post('staff@northshire', '/allegations', allegationBody()));
  await made(
    'referral',
    await post('triage@northshire', `/allegations/${c.id}/triage`, { decision: 'refer', forceId: 'northshire-police', note: 'refer' }),
    200,
  );
  await eventually(
    'the case is referred',
    async () => (await stack.http.get(`/allegations/${c.id}`).set('Authorization', as('staff@northshire'))).body.status === 'referred',
  );
  const item = await made('item', await post('staff@northshire', `/allegations/${c.id}/evidence`, FIXTURE_BODIES.physicalItem()));
  const pkg = await made('package', await post('triage@northshire', `/allegations/${c.id}/packages`, { evidenceIds: [item.id] }));
  const risk = await made('risk', await post('plan_owner@northshire', '/risks', FIXTURE_BODIES.risk()));
  const agreement = await made(
    'agreement',
    await stack.http.put('/liaison/northshire-police').set('Authorization', as('returning_officer@northshire')).send(FIXTURE_BODIES.agreement()),
  );
  const contact = await made('contact', await post('returning_officer@northshire', '/candidate-contacts', FIXTURE_BODIES.contact()));
  await made('share', await post('returning_officer@northshire', `/candidate-contacts/${contact.id}/share`, FIXTURE_BODIES.share()));
  const indicator = await made(
    'indicator',
    await post('plan_owner@northshire', '/indicators', {
      key: 'postal_votes_per_address',
      name: 'Postal votes per address',
      subjectType: 'address',
      threshold: 5,
    }),
  );
  const observed = await made('observation', await post('staff@northshire', `/indicators/${indicator.id}/observations`, FIXTURE_BODIES.observation()));
  const poll = await made('poll', await post('returning_officer@northshire', '/polls', { ...FIXTURE_BODIES.poll(), electionId: 'local.northshire.fixture' }));
  const event = await made('event', await post('plan_owner@northshire', `/polls/${poll.id}/events`, FIXTURE_BODIES.event()));
  const ballotItem = await made('ballot item', await post('staff@northshire', '/ballot-items', { ...FIXTURE_BODIES.ballotItem(), label: 'Fixture batch' }));
  await made('seal', await post('staff@northshire', `/ballot-items/${ballotItem.id}/custody`, { action: 'sealed', sealNumber: 'S-1' }));
  const moved = await made(
    'move',
    await post('staff@northshire', `/ballot-items/${ballotItem.id}/custody`, { action: 'moved', location: 'Polling station CW3', sealNumberObserved: 'S-2' }),
  );
  const review = await made('security review', await post('returning_officer@northshire', '/ballot-security-reviews', FIXTURE_BODIES.review()));
  await made('checkpoint', await post('admin@northshire', '/transparency/checkpoints', {}));
  const user = await made('user', await post('admin@northshire', '/admin/users', FIXTURE_BODIES.user()));
  const mapping = await made('mapping', await post('admin@northshire', '/admin/identity-mappings', FIXTURE_BODIES.mapping()));
  const [notification] = await stack.db.query(
    `INSERT INTO notifications (id, recipient_id, case_id, kind, subject, body, due_key, about_type, about_id)
     VALUES (gen_random_uuid(), $1, NULL, 'risk_review_reminder', 'Risk review due', 'route access table', $2, 'risk', $3) RETURNING id`,
    [findDemoUser('staff@northshire')!.id, `risk:${risk.id}:route-access:reminder`, risk.id],
  );
  return {
    caseId: c.id,
    itemId: item.id,
    packageId: pkg.id,
    riskId: risk.id,
    agreementId: agreement.id,
    contactId: contact.id,
    indicatorId: indicator.id,
    alertId: observed.alertsRaised[0],
    notificationId: notification.id,
    pollId: poll.id,
    eventId: event.id,
    ballotItemId: ballotItem.id,
    discrepancyId: moved.discrepancies[0].id,
    userId: user.id,
    mappingId: mapping.id,
    reviewId: review.id,
    reviewActionId: review.actions[0].id,
  };
}

beforeAll(async () => {
  stack = await startTestStack();
  for (const u of DEMO_USERS) tokens.set(u.username, await stack.token(u.username));
  fixtures = await makeFixtures();
}, 180_000);
afterAll(() => stack?.close());

const northshireSide = (u: DemoUser) => u.authorityId === 'northshire' || u.forceId === 'northshire-police';
const sees = (rule: AccessRule, u: DemoUser) =>
  rule.scope === 'own' ? u.username === rule.owner : rule.scope === 'record+force' ? northshireSide(u) : u.authorityId === 'northshire';
const admits = (rule: AccessRule, u: DemoUser) => rule.roles === 'public' || u.roles.some((r) => rule.roles.includes(r));

/** What `user` (none: no token) must get from `rule`, as a description of the expected status. */
function expected(rule: AccessRule, user?: DemoUser): 'answer' | number {
  if (rule.roles === 'public') return rule.publicStatus ?? 'answer';
  if (!user) return 401;
  if (!admits(rule, user)) return 403;
  if (rule.scope === 'tenant') return 'answer';
  if (!sees(rule, user)) return 404;
  if (rule.onlyUser && user.username !== rule.onlyUser) return 403;
  return 'answer';
}

/** Runs calls a few at a time: enough to be quick, few enough not to swamp a shared machine. */
async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<string | undefined>): Promise<string[]> {
  const problems: string[] = [];
  for (let i = 0; i < items.length; i += size) {
    for (const p of await Promise.all(items.slice(i, i + size).map(run))) if (p) problems.push(p);
  }
  return problems;
}

const northshireIds = () => Object.values(fixtures);

/** Checks one call; returns a line describing what is wrong, or nothing. */
async function check(rule: AccessRule, user?: DemoUser): Promise<string | undefined> {
  const want = expected(rule, user);
  const res = await call(rule, user?.username);
  const who = user?.username ?? '(no token)';
  const got = `${rule.route} as ${who}: ${res.status}`;
  if (process.env.ACCESS_TRACE) process.stderr.write(`${got}\n`);
  if (res.status >= 500) return `${got}, a server error: ${JSON.stringify(res.body)}`;
  if (want === 'answer') {
    if ([401, 403, 404].includes(res.status)) return `${got}, expected an answer: ${JSON.stringify(res.body)}`;
    // The other tenant's view of its own lists must hold none of northshire's records.
    if (rule.scope === 'tenant' && user && !northshireSide(user) && res.status < 300) {
      const text = res.text ?? JSON.stringify(res.body);
      const leaked = northshireIds().filter((id) => text.includes(id));
      if (leaked.length > 0) return `${got}, and its body holds northshire's ${leaked.join(', ')}`;
    }
    return undefined;
  }
  if (res.status !== want) return `${got}, expected ${want}: ${JSON.stringify(res.body)}`;
  if (res.body?.statusCode !== want) return `${got}, but the body says ${JSON.stringify(res.body)}`;
  return undefined;
}

describe('the route table', () => {
  it('has exactly one row for every route the app registers', () => {
    const routes = registeredRoutes();
    const declared = [...ACCESS_TABLE, ...PAGE_TABLE].map((r) => r.route);
    expect({ missingFromTable: routes.filter((r) => !declared.includes(r)) }).toEqual({ missingFromTable: [] });
    expect({ notInApp: declared.filter((r) => !routes.includes(r)) }).toEqual({ notInApp: [] });
    expect({ duplicates: declared.filter((r, i) => declared.indexOf(r) !== i) }).toEqual({ duplicates: [] });
  });
});

describe('the web pages', () => {
  it('are all page paths, and the API routes none', () => {
    expect(PAGE_TABLE.filter((p) => !isWebPath(p.route.split(' ')[1]))).toEqual([]);
    expect(ACCESS_TABLE.filter((r) => isWebPath(r.route.split(' ')[1]))).toEqual([]);
  });

  it('send anyone without a session, a bearer token included, to the sign-in page, rendering nothing', async () => {
    const staff = tokens.get('staff@northshire')!;
    const failures = await inBatches(PAGE_TABLE, 8, async (page) => {
      const [method, path] = page.route.split(' ');
      const url = page.url ? page.url(fixtures) : path;
      const problems: string[] = [];
      for (const bearer of [undefined, staff]) {
        let req = (stack.http as any)[method.toLowerCase()](url);
        if (bearer) req = req.set('Authorization', `Bearer ${bearer}`);
        if (method === 'POST') req = req.type('form').send('csrf=forged');
        const res: Response = await req;
        const who = bearer ? 'with a bearer token' : 'without a session';
        if (res.status >= 500) problems.push(`${page.route} ${who}: ${res.status}`);
        else if (page.signIn && !(res.status === 303 && String(res.headers.location).startsWith('/sign-in')))
          problems.push(`${page.route} ${who}: ${res.status} ${res.headers.location ?? ''}, expected 303 to /sign-in`);
        else if (page.signIn && /govuk-template|<main/.test(res.text)) problems.push(`${page.route} ${who}: rendered a page`);
      }
      return problems.length ? problems.join('; ') : undefined;
    });
    expect(failures).toEqual([]);
  });
});

describe('every route, without a token and as every demo user of both tenants', () => {
  const reads = ACCESS_TABLE.filter((r) => r.route.startsWith('GET '));
  const writes = ACCESS_TABLE.filter((r) => !r.route.startsWith('GET '));

  it('answers 401 without a token, except on public routes', async () => {
    expect(await inBatches(ACCESS_TABLE, 8, (rule) => check(rule))).toEqual([]);
  });

  it('answers 403 to every role a route does not admit, whatever the tenant, and changes nothing', async () => {
    const before = await stack.db.query('SELECT count(*)::int AS n FROM audit_events');
    const calls = ACCESS_TABLE.flatMap((rule) => DEMO_USERS.filter((u) => rule.roles !== 'public' && !admits(rule, u)).map((u) => [rule, u] as const));
    expect(await inBatches(calls, 8, ([rule, u]) => check(rule, u))).toEqual([]);
    expect(await stack.db.query('SELECT count(*)::int AS n FROM audit_events')).toEqual(before);
  });

  it("lets each admitted role read its own tenant, and answers 404 for the other tenant's records", async () => {
    const calls = reads.flatMap((rule) => DEMO_USERS.filter((u) => admits(rule, u)).map((u) => [rule, u] as const));
    expect(await inBatches(calls, 8, ([rule, u]) => check(rule, u))).toEqual([]);
  });

  it("answers 404 to the other tenant's writes to northshire's records, changing nothing", async () => {
    const before = await stack.db.query('SELECT count(*)::int AS n FROM audit_events');
    const calls = writes
      .filter((r) => r.scope !== 'tenant')
      .flatMap((rule) => DEMO_USERS.filter((u) => admits(rule, u) && !sees(rule, u)).map((u) => [rule, u] as const));
    expect(calls.length).toBeGreaterThan(40);
    expect(await inBatches(calls, 8, ([rule, u]) => check(rule, u))).toEqual([]);
    expect(await stack.db.query('SELECT count(*)::int AS n FROM audit_events')).toEqual(before);
  });

  it("lets each admitted role write to its own tenant (in the table's order, one route at a time)", async () => {
    const problems: string[] = [];
    for (const rule of writes) {
      const users = DEMO_USERS.filter((u) => admits(rule, u) && (rule.scope === 'tenant' || sees(rule, u)));
      problems.push(...(await inBatches(users, 4, (u) => check(rule, u))));
    }
    expect(problems).toEqual([]);
  });
});
