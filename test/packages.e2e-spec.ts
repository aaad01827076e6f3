// Evidence packages, a child workflow of the allegation: sealed with a manifest whose hash anyone
// can recompute, items locked, handed over to the referred force, acknowledged by its SPOC,
// with a reminder and exactly one escalation when acknowledgement is late; the zip download.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '@libs/domain';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    policy: {
      triageDue: { routine: 'PT60S', urgent: 'PT60S', immediate: 'PT60S' },
      spocResponseDue: { routine: 'PT60S', urgent: 'PT60S', immediate: 'PT60S' },
      packageAcknowledgeDue: 'PT4S',
      remindBefore: ['PT2S'],
      workingDays: false,
    },
  });
});
afterAll(() => stack?.close());

type Json = Record<string, any>;
const as = async (username: string) => `Bearer ${await stack.token(username)}`;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function post(username: string, path: string, body: Json, status: number): Promise<Json> {
  const res = await stack.http
    .post(path)
    .set('Authorization', await as(username))
    .send(body);
  if (res.status !== status) throw new Error(`POST ${path} as ${username}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function referredCaseWithEvidence(): Promise<{ id: string; files: Json[]; physical: Json }> {
  const { id } = await post('staff@northshire', '/allegations', allegationBody(), 201);
  const files: Json[] = [];
  for (const text of ['statement one', 'statement two']) {
    const bytes = Buffer.from(`${text} ${id}`);
    const res = await stack.http
      .post(`/allegations/${id}/evidence`)
      .set('Authorization', await as('staff@northshire'))
      .set('Content-Type', 'text/plain')
      .set('X-Description', text)
      .set('X-Filename', `${text}.txt`)
      .send(bytes)
      .expect(201);
    files.push({ ...res.body, bytes });
  }
  const physical = await post(
    'triage@northshire',
    `/allegations/${id}/evidence`,
    { kind: 'physical', description: 'ballot paper', sealNumber: 'S-77', location: 'strongroom' },
    201,
  );
  return { id, files, physical };
}

async function sent(caseId: string): Promise<string[]> {
  const rows = await stack.db.query(
    'SELECT u.username, n.kind FROM notifications n JOIN users u ON u.id = n.recipient_id WHERE n.case_id = $1 AND n.kind LIKE $2 ORDER BY u.username, n.kind',
    [caseId, 'package_%'],
  );
  return rows.map((r: Json) => `${r.username} ${r.kind}`);
}

it('seals, locks, hands over and acknowledges a package, escalating a late acknowledgement once', async () => {
  const { id, files, physical } = await referredCaseWithEvidence();
  // Nothing goes to the police before the case is referred.
  const early = await post('triage@northshire', `/allegations/${id}/packages`, { evidenceIds: [files[0].id] }, 409);
  expect(early.message).toMatch(/the case is triage/);
  await post('triage@northshire', `/allegations/${id}/triage`, { decision: 'refer', forceId: 'northshire-police', note: 'refer' }, 200);

  const pkg = await post(
    'triage@northshire',
    `/allegations/${id}/packages`,
    { evidenceIds: [files[0].id, files[1].id, physical.id], note: 'for forensic examination' },
    201,
  );
  expect(pkg).toMatchObject({
    status: 'sealed',
    forceId: 'northshire-police',
    items: expect.arrayContaining([
      { id: files[0].id, sha256: files[0].sha256 },
      { id: physical.id, sha256: null },
    ]),
  });
  // Anyone can recompute the manifest's hash from the manifest.
  expect(sha256(canonicalJson(pkg.manifest))).toBe(pkg.manifestSha256);
  expect(pkg.manifest.items.find((i: Json) => i.id === physical.id).custody.map((c: Json) => c.action)).toEqual(['collected']);

  // The items are locked: no custody moves, no second package.
  const moved = await post(
    'triage@northshire',
    `/evidence/${physical.id}/custody`,
    { action: 'transferred', from: 'triage@northshire', to: 'legal@northshire' },
    409,
  );
  expect(moved.details).toEqual([{ field: 'action', problem: 'locked' }]);
  const again = await post('triage@northshire', `/allegations/${id}/packages`, { evidenceIds: [files[0].id] }, 409);
  expect(again.message).toMatch(/packaged/);
  // Acknowledging before the handover is out of turn.
  await eventually(
    'the package workflow',
    async () =>
      (
        await stack.http
          .post(`/packages/${pkg.id}/acknowledge`)
          .set('Authorization', await as('spoc@northshire-police'))
          .send({})
      ).status === 409,
  );

  // The zip holds the manifest exactly as sealed and each file's bytes.
  const dir = mkdtempSync(join(tmpdir(), 'package-zip-'));
  try {
    const zip = await stack.http
      .get(`/packages/${pkg.id}/download`)
      .set('Authorization', await as('legal@northshire'))
      .buffer(true)
      .parse((r, done) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => done(null, Buffer.concat(parts)));
      })
      .expect(200);
    writeFileSync(join(dir, 'p.zip'), zip.body);
    const manifest = JSON.parse(execFileSync('unzip', ['-p', join(dir, 'p.zip'), 'manifest.json'], { encoding: 'utf8' }));
    expect(sha256(canonicalJson(manifest))).toBe(pkg.manifestSha256);
    const listing = execFileSync('unzip', ['-Z1', join(dir, 'p.zip')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .sort();
    expect(listing).toEqual(
      ['MANIFEST.sha256', 'items/' + files[0].id + '-statement_one.txt', 'items/' + files[1].id + '-statement_two.txt', 'manifest.json'].sort(),
    );
    const first = execFileSync('unzip', ['-p', join(dir, 'p.zip'), `items/${files[0].id}-statement_one.txt`]);
    expect(sha256(first)).toBe(files[0].sha256);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const handed = await post('triage@northshire', `/packages/${pkg.id}/handover`, { note: 'collected by DC Smith' }, 200);
  expect(handed).toMatchObject({ status: 'handed_over', acknowledgeDueAt: expect.any(String) });
  await post('triage@northshire', `/packages/${pkg.id}/handover`, {}, 409);
  await post('spoc@southvale-police', `/packages/${pkg.id}/acknowledge`, {}, 404);
  const item = (
    await stack.http
      .get(`/evidence/${files[0].id}`)
      .set('Authorization', await as('triage@northshire'))
      .expect(200)
  ).body;
  expect(item).toMatchObject({ status: 'handed_over', holder: 'northshire-police' });

  await eventually('the escalation', async () => (await sent(id)).includes('returning_officer@northshire package_acknowledge_escalation'), 20_000);
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await sent(id)).toEqual([
    'returning_officer@northshire package_acknowledge_escalation',
    'spoc@northshire-police package_acknowledge_escalation',
    'spoc@northshire-police package_acknowledge_reminder',
  ]);

  // The case cannot close while the package is in transit: every item must be accounted for.
  await post('spoc@northshire-police', `/allegations/${id}/referral/accept`, { crimeReference: 'NP/PKG/1' }, 200);
  const unaccounted = await post('returning_officer@northshire', `/allegations/${id}/close`, { outcome: 'no_further_action', note: 'x' }, 409);
  expect(unaccounted.details[0].field).toBe('evidence');

  const acknowledged = await post('spoc@northshire-police', `/packages/${pkg.id}/acknowledge`, { note: 'received intact, seals checked' }, 200);
  expect(acknowledged).toMatchObject({ status: 'acknowledged', acknowledgedAt: expect.any(String) });
  const repeat = await post('spoc@northshire-police', `/packages/${pkg.id}/acknowledge`, {}, 409);
  expect(repeat.details[0].field).toMatch(/repeated|state/);
  const received = (
    await stack.http
      .get(`/evidence/${physical.id}`)
      .set('Authorization', await as('spoc@northshire-police'))
      .expect(200)
  ).body;
  expect(received.custody.map((c: Json) => c.action)).toEqual(['collected', 'packaged', 'handed_over', 'received']);
  const actions = (await stack.db.query('SELECT action FROM audit_events WHERE case_id = $1 ORDER BY seq', [id])).map((r: Json) => r.action);
  expect(actions).toEqual(expect.arrayContaining(['package.sealed', 'package.downloaded', 'package.handed_over', 'package.acknowledged', 'decision.refused']));
  expect(await post('returning_officer@northshire', `/allegations/${id}/close`, { outcome: 'no_further_action', note: 'accounted for' }, 200)).toMatchObject({
    status: 'closed',
  });
});
