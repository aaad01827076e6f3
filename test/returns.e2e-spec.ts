// The national returns (GET /reports/returns.csv): cases driven through the lifecycle to every
// kind of end (closed with police outcomes, resolved, withdrawn before and after referral,
// returned by the police, still open), counted per authority, force, category, status and
// outcome; the CSV parsed back and compared row by row; filters, roles and tenant isolation.
import { parse } from 'csv-parse/sync';
import { DEMO_USERS } from '@libs/auth';
import { allegationBody, startTestStack, TestStack } from './support/stack';

type Json = Record<string, any>;

let stack: TestStack;
const as = async (username: string) => `Bearer ${await stack.token(username)}`;

const HEADER = 'authority_id,force_id,return_category,offence_category,status,outcome,cases';
const ELECTION = 'northshire-local-2027';

interface Seeded {
  createdAt: string;
  electionId: string | null;
  pollDate: string;
  /** the row the case must be counted in: authority, force, return category, offence category, status, outcome */
  row: [string, string, string, string, string, string];
}
const seeded: Seeded[] = [];
const byName: Record<string, Json> = {};

async function decide(username: string, id: string, path: string, body: Json): Promise<void> {
  const res = await stack.http
    .post(`/allegations/${id}/${path}`)
    .set('Authorization', await as(username))
    .send(body);
  if (res.status !== 200) throw new Error(`POST ${path} as ${username}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Logs a case, takes it through `steps`, and records the row it must land in. */
async function seed(name: string, authority: string, overrides: Json, steps: (id: string) => Promise<void>, row: Seeded['row']): Promise<void> {
  const body = allegationBody(overrides);
  const created = await stack.http
    .post('/allegations')
    .set('Authorization', await as(`staff@${authority}`))
    .send(body)
    .expect(201);
  await steps(created.body.id);
  const view = (
    await stack.http
      .get(`/allegations/${created.body.id}`)
      .set('Authorization', await as(`triage@${authority}`))
      .expect(200)
  ).body;
  byName[name] = view;
  seeded.push({ createdAt: view.createdAt, electionId: view.electionId, pollDate: view.pollDate, row });
}

const refer = (forceId: string) => (id: string) => decide('triage@northshire', id, 'triage', { decision: 'refer', forceId, note: 'for the police' });
const accept = (force: string) => async (id: string) => {
  await refer(force)(id);
  await decide(`spoc@${force}`, id, 'referral/accept', { crimeReference: `${force}/1` });
};
const policeOutcome = (outcome: string) => async (id: string) => {
  await accept('northshire-police')(id);
  await decide('spoc@northshire-police', id, 'referral/outcome', { outcome, note: 'investigation concluded' });
};

beforeAll(async () => {
  stack = await startTestStack();
  const election = { electionId: ELECTION };
  await seed(
    'A',
    'northshire',
    { category: 'postal_vote', ...election },
    async (id) => {
      await policeOutcome('caution')(id);
      await decide('triage@northshire', id, 'close', { outcome: 'caution', note: 'cautioned' });
    },
    ['northshire', 'northshire-police', 'voting', 'postal_vote', 'closed', 'caution'],
  );
  await seed(
    'B',
    'northshire',
    { category: 'postal_vote', ...election },
    async (id) => {
      await policeOutcome('caution')(id);
      await decide('triage@northshire', id, 'close', { outcome: 'caution', note: 'cautioned' });
    },
    ['northshire', 'northshire-police', 'voting', 'postal_vote', 'closed', 'caution'],
  );
  // referred across the border, accepted, no outcome yet
  await seed('C', 'northshire', { category: 'bribery', ...election }, accept('southvale-police'), [
    'northshire',
    'southvale-police',
    'voting',
    'bribery',
    'accepted',
    '',
  ]);
  await seed(
    'D',
    'northshire',
    { category: 'imprint' },
    (id) => decide('triage@northshire', id, 'triage', { decision: 'resolve', resolution: 'advice', note: 'agent advised' }),
    ['northshire', '', 'campaigning', 'imprint', 'closed', 'resolved_without_referral'],
  );
  await seed('E', 'northshire', { category: 'registration' }, (id) => decide('staff@northshire', id, 'withdraw', { note: 'reporter withdrew' }), [
    'northshire',
    '',
    'registration',
    'registration',
    'withdrawn',
    'withdrawn',
  ]);
  // withdrawn while the police had it: it stays with the force
  await seed(
    'F',
    'northshire',
    { category: 'false_statement' },
    async (id) => {
      await refer('northshire-police')(id);
      await decide('triage@northshire', id, 'withdraw', { note: 'candidate withdrew the complaint' });
    },
    ['northshire', 'northshire-police', 'campaigning', 'false_statement', 'withdrawn', 'withdrawn'],
  );
  await seed('G', 'northshire', { category: 'other' }, async () => undefined, ['northshire', '', 'administration', 'other', 'triage', '']);
  // returned by the force: back with the authority, not counted for the force
  await seed(
    'H',
    'northshire',
    { category: 'treating' },
    async (id) => {
      await refer('northshire-police')(id);
      await decide('spoc@northshire-police', id, 'referral/return', { reasonCode: 'wrong_force', note: 'not ours', suggestedForceId: 'southvale-police' });
    },
    ['northshire', '', 'voting', 'treating', 'triage', ''],
  );
  // open, with the police outcome so far
  await seed('I', 'northshire', { category: 'undue_influence', ...election }, policeOutcome('awaiting_cps_advice'), [
    'northshire',
    'northshire-police',
    'voting',
    'undue_influence',
    'accepted',
    'awaiting_cps_advice',
  ]);
  // closed by the Returning Officer without a police outcome
  await seed(
    'J',
    'northshire',
    { category: 'campaign_finance', pollDate: '2027-05-13' },
    async (id) => {
      await accept('northshire-police')(id);
      await decide('returning_officer@northshire', id, 'close', { outcome: 'no_further_action', note: 'no reply from the police after six months' });
    },
    ['northshire', 'northshire-police', 'campaigning', 'campaign_finance', 'closed', 'no_further_action'],
  );

  await seed(
    'S1',
    'southvale',
    { category: 'postal_vote' },
    (id) => decide('triage@southvale', id, 'triage', { decision: 'resolve', resolution: 'not_an_offence', note: 'family member helping' }),
    ['southvale', '', 'voting', 'postal_vote', 'closed', 'resolved_without_referral'],
  );
  await seed('S2', 'southvale', { category: 'personation' }, async () => undefined, ['southvale', '', 'voting', 'personation', 'triage', '']);
});
afterAll(() => stack?.close());

async function returns(username: string, params: Record<string, string> = {}) {
  return stack.http
    .get('/reports/returns.csv')
    .query(params)
    .set('Authorization', await as(username));
}

/** The CSV parsed back into records of strings, header first. */
function records(text: string): string[][] {
  return parse(text, { relax_column_count: false });
}

/** The rows the seeded cases must produce: one per distinct key with its count, sorted as the report sorts. */
function expectedRows(authority: string, include: (s: Seeded) => boolean = () => true): string[][] {
  const counts = new Map<string, number>();
  for (const s of seeded.filter((c) => c.row[0] === authority && include(c))) counts.set(JSON.stringify(s.row), (counts.get(JSON.stringify(s.row)) ?? 0) + 1);
  return [...counts.entries()]
    .map(([key, n]) => [...(JSON.parse(key) as string[]), String(n)])
    .sort((a, b) => {
      for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
      return 0;
    });
}

describe('the returns', () => {
  it('count every case of the authority once, in its force, category, status and outcome', async () => {
    const res = await returns('returning_officer@northshire');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="returns-northshire-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text.startsWith(`${HEADER}\r\n`)).toBe(true);
    expect(res.text.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = records(res.text);
    expect(header.join(',')).toBe(HEADER);
    // written out in full, as a reader of the returns would check them
    expect(rows).toEqual([
      ['northshire', '', 'administration', 'other', 'triage', '', '1'],
      ['northshire', '', 'campaigning', 'imprint', 'closed', 'resolved_without_referral', '1'],
      ['northshire', '', 'registration', 'registration', 'withdrawn', 'withdrawn', '1'],
      ['northshire', '', 'voting', 'treating', 'triage', '', '1'],
      ['northshire', 'northshire-police', 'campaigning', 'campaign_finance', 'closed', 'no_further_action', '1'],
      ['northshire', 'northshire-police', 'campaigning', 'false_statement', 'withdrawn', 'withdrawn', '1'],
      ['northshire', 'northshire-police', 'voting', 'postal_vote', 'closed', 'caution', '2'],
      ['northshire', 'northshire-police', 'voting', 'undue_influence', 'accepted', 'awaiting_cps_advice', '1'],
      ['northshire', 'southvale-police', 'voting', 'bribery', 'accepted', '', '1'],
    ]);
    expect(rows).toEqual(expectedRows('northshire'));
    // every case is counted exactly once
    expect(rows.reduce((sum, r) => sum + Number(r[6]), 0)).toBe(seeded.filter((s) => s.row[0] === 'northshire').length);
    // the statuses are the ones the API shows for the cases
    expect(byName.C.status).toBe('accepted');
    expect(byName.H.status).toBe('triage');
  });

  it('filter by the period the cases were logged in, from inclusive to exclusive', async () => {
    const middle = byName.G.createdAt;
    const later = records((await returns('legal@northshire', { from: middle })).text).slice(1);
    expect(later).toEqual(expectedRows('northshire', (s) => s.createdAt >= middle));
    expect(later.map((r) => r[3])).toEqual(expect.arrayContaining(['other', 'treating', 'undue_influence', 'campaign_finance']));
    const earlier = records((await returns('legal@northshire', { to: middle })).text).slice(1);
    expect(earlier).toEqual(expectedRows('northshire', (s) => s.createdAt < middle));
    const both = records((await returns('legal@northshire', { from: byName.B.createdAt, to: byName.E.createdAt })).text).slice(1);
    expect(both).toEqual(expectedRows('northshire', (s) => s.createdAt >= byName.B.createdAt && s.createdAt < byName.E.createdAt));
    // a period with no cases: the header alone
    expect((await returns('legal@northshire', { from: '2000-01-01', to: '2000-02-01' })).text).toBe(`${HEADER}\r\n`);
  });

  it('filter by election and by poll date', async () => {
    const election = records((await returns('admin@northshire', { electionId: ELECTION })).text).slice(1);
    expect(election).toEqual([
      ['northshire', 'northshire-police', 'voting', 'postal_vote', 'closed', 'caution', '2'],
      ['northshire', 'northshire-police', 'voting', 'undue_influence', 'accepted', 'awaiting_cps_advice', '1'],
      ['northshire', 'southvale-police', 'voting', 'bribery', 'accepted', '', '1'],
    ]);
    expect(records((await returns('admin@northshire', { pollDate: '2027-05-13' })).text).slice(1)).toEqual([
      ['northshire', 'northshire-police', 'campaigning', 'campaign_finance', 'closed', 'no_further_action', '1'],
    ]);
    expect(records((await returns('admin@northshire', { electionId: 'no-such-election' })).text)).toEqual([HEADER.split(',')]);
  });
});

describe('roles and tenants', () => {
  const allowed = ['returning_officer', 'legal', 'admin'];

  it.each(DEMO_USERS.map((u) => [u.username]))("%s gets its own authority's returns, if its role may", async (username) => {
    const user = DEMO_USERS.find((u) => u.username === username)!;
    const res = await returns(username);
    if (!allowed.includes(user.roles[0])) {
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, details: [{ field: 'roles' }] });
      return;
    }
    expect(res.status).toBe(200);
    expect(records(res.text).slice(1)).toEqual(expectedRows(user.authorityId!));
    expect(res.headers['content-disposition']).toContain(`filename="returns-${user.authorityId}-`);
  });

  it("never shows one authority the other's counts, even for cases referred to its force", async () => {
    const southvale = records((await returns('legal@southvale')).text).slice(1);
    expect(southvale).toEqual([
      ['southvale', '', 'voting', 'personation', 'triage', '', '1'],
      ['southvale', '', 'voting', 'postal_vote', 'closed', 'resolved_without_referral', '1'],
    ]);
    // C is northshire's case referred to southvale-police: it is in northshire's returns only
    expect(southvale.some((r) => r[3] === 'bribery')).toBe(false);
  });

  it('401 without a token', async () => {
    await stack.http.get('/reports/returns.csv').expect(401);
  });
});

describe('bad input: 422 naming the field, in the error body', () => {
  it.each([
    [{ from: '2026-02-30' }, 'from'],
    [{ to: 'yesterday' }, 'to'],
    [{ from: '2026-10-01T10:00:00' }, 'from'],
    [{ from: '2026-10-02', to: '2026-10-01' }, 'to'],
    [{ pollDate: '2027-02-30' }, 'pollDate'],
    [{ electionId: '' }, 'electionId'],
    [{ authorityId: 'southvale' }, 'authorityId'],
  ] as [Record<string, string>, string][])('%j names %s', async (params, field) => {
    const res = await returns('returning_officer@northshire', params);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity' });
    expect([...new Set(res.body.details.map((d: Json) => d.field))]).toEqual([field]);
  });
});

describe('the OpenAPI document', () => {
  it('describes the returns as CSV with their filters', async () => {
    const doc = (await stack.http.get('/docs/openapi.json').expect(200)).body;
    const operation = doc.paths['/reports/returns.csv'].get;
    expect(Object.keys(operation.responses['200'].content)).toEqual(['text/csv']);
    expect(operation.parameters.map((p: Json) => p.name).sort()).toEqual(['electionId', 'from', 'pollDate', 'to']);
  });
});
