// The court bundle: exported as JSON and PDF by legal with a stated reason (400 without, and the
// disclosure in the audit chain), checked offline by casework-bundle-verifier, which passes an
// intact bundle and names what fails when one byte changes, when a forger recomputes the hashes
// they can, or when the checkpoint key is not the authority's.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateKeyPairSync } from 'node:crypto';
import { bundleHash, eventHash, verifyBundle, verifyBundleText } from '../packages/bundle-verifier';
import { allegationBody, startTestStack, TestStack } from './support/stack';
import { buildTlogcheck, run as runTool } from './support/tlogcheck';

const run = promisify(execFile);
let stack: TestStack;
let dir: string;
type Json = Record<string, any>;

beforeAll(async () => {
  stack = await startTestStack();
  dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await stack?.close();
});

const as = async (username: string) => `Bearer ${await stack.token(username)}`;

/** A case with a file and a physical item, the item handed on once. */
async function caseWithEvidence(): Promise<{ id: string; reference: string; fileSha: string }> {
  const created = (
    await stack.http
      .post('/allegations')
      .set('Authorization', await as('staff@northshire'))
      .send(allegationBody())
      .expect(201)
  ).body;
  const file = await stack.http
    .post(`/allegations/${created.id}/evidence`)
    .set('Authorization', await as('staff@northshire'))
    .set('Content-Type', 'text/plain')
    .set('X-Description', 'Statement of the presiding officer')
    .set('X-Filename', 'statement.txt')
    .send('I saw the voter twice.\n')
    .expect(201);
  const item = (
    await stack.http
      .post(`/allegations/${created.id}/evidence`)
      .set('Authorization', await as('staff@northshire'))
      .send({ kind: 'physical', description: 'Ballot paper 0417', sealNumber: 'SEAL-001', location: 'Town hall safe' })
      .expect(201)
  ).body;
  await stack.http
    .post(`/evidence/${item.id}/custody`)
    .set('Authorization', await as('staff@northshire'))
    .send({ action: 'transferred', from: item.holder, to: 'triage@northshire', location: 'Electoral services office', note: 'for packaging' })
    .expect(201);
  return { id: created.id, reference: created.reference, fileSha: file.body.sha256 };
}

async function exportJson(
  caseId: string,
  status: number,
  headers: Json = { 'X-Access-Reason': 'disclosure to the CPS for charging advice', 'X-Disclosed-To': 'Crown Prosecution Service' },
) {
  let req = stack.http.get(`/allegations/${caseId}/export?format=json`).set('Authorization', await as('legal@northshire'));
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  const res = await req;
  expect([res.status, res.status === status ? '' : res.text]).toEqual([status, '']);
  return res;
}

/**
 * The text of each page, read by pdf-parse (pdf.js) in its own Node process: pdf.js loads its
 * worker with a dynamic import, which Jest's module sandbox does not allow.
 */
async function pdfPageTexts(pdf: Buffer): Promise<string[]> {
  const file = join(dir, `bundle-${Date.now()}.pdf`);
  writeFileSync(file, pdf);
  const script =
    "const { PDFParse } = require('pdf-parse'); new PDFParse({ data: require('fs').readFileSync(process.argv[1]) }).getText().then((r) => process.stdout.write(JSON.stringify(r.pages.map((p) => p.text))));";
  const { stdout } = await run(process.execPath, ['-e', script, file], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout);
}

/** tools/tlogcheck (Go, with x/mod/sumdb/note and transparency-dev/merkle) on a bundle: its exit code and output. */
async function goCheck(bundle: string | Json): Promise<{ code: number; stdout: string }> {
  const file = join(dir, `go-${Date.now()}-${Math.random()}.json`);
  writeFileSync(file, typeof bundle === 'string' ? bundle : JSON.stringify(bundle));
  const vkey = (await stack.http.get('/transparency/northshire/vkey').expect(200)).text.trim();
  return runTool(buildTlogcheck(), ['bundle', '--vkey', vkey, file]);
}

const authorityKey = async () => (await stack.http.get('/transparency/northshire/public-key').expect(200)).body.publicKeyPem as string;

it('exports a bundle that the offline verifier passes, recording the disclosure in the bundle it records', async () => {
  const { id, reference, fileSha } = await caseWithEvidence();
  const res = await exportJson(id, 200);
  const bundle = res.body;
  expect(res.headers['x-bundle-sha256']).toBe(bundle.bundleSha256);
  expect(res.headers['content-disposition']).toBe(`attachment; filename="${reference}-bundle.json"`);
  expect(bundle.case).toMatchObject({ id, reference, authorityId: 'northshire' });
  expect(bundle.evidence.map((e: Json) => [e.kind, e.sha256, e.custody.map((c: Json) => c.action)])).toEqual([
    ['digital', fileSha, ['collected']],
    ['physical', null, ['collected', 'transferred']],
  ]);
  const last = bundle.history.events.at(-1);
  expect(last).toMatchObject({
    action: 'bundle.exported',
    role: 'legal',
    after: { reason: 'disclosure to the CPS for charging advice', recipient: 'Crown Prosecution Service', format: 'json' },
  });
  expect(bundle.disclosure).toMatchObject({ auditSeq: last.seq, recipient: 'Crown Prosecution Service' });
  expect(bundle.transparency.inclusionProofs).toHaveLength(bundle.history.events.length);

  const result = verifyBundle(bundle, { publicKey: await authorityKey() });
  expect(result.problems).toEqual([]);
  expect(result.checks.map((c) => c.name)).toEqual([
    'format',
    'bundle hash',
    'history chain',
    'history head',
    'evidence and custody',
    'checkpoint',
    'inclusion proofs',
  ]);

  // The command line, as a third party would run it, on the file as downloaded.
  const file = join(dir, 'bundle.json');
  writeFileSync(file, res.text);
  writeFileSync(join(dir, 'key.pem'), await authorityKey());
  const ok = await run('npx', ['casework-bundle-verifier', 'verify', file, '--public-key', join(dir, 'key.pem')], { cwd: process.cwd() });
  expect(ok.stdout).toContain('the bundle is intact');
  // The Go check agrees.
  expect(await goCheck(res.text)).toMatchObject({ code: 0, stdout: expect.stringContaining('every check passed') });
});

it("names what fails when one byte changes, when a forger recomputes the hashes, or when the key is not the authority's", async () => {
  const { id } = await caseWithEvidence();
  const res = await exportJson(id, 200);
  const key = await authorityKey();
  // One byte: the "I" of the file's description.
  const changed = res.text.replace('Statement of the presiding officer', 'Statement of the presiding officeR');
  expect(changed.length).toBe(res.text.length);
  const oneByte = verifyBundleText(changed, { publicKey: key });
  expect(oneByte.valid).toBe(false);
  expect(oneByte.problems[0]).toMatch(/^bundle hash: .* it was changed after export$/);
  const file = join(dir, 'changed.json');
  writeFileSync(file, changed);
  const cli = await run('npx', ['casework-bundle-verifier', 'verify', file]).then(
    () => null,
    (error) => error,
  );
  expect(cli.code).toBe(1);
  expect(cli.stdout).toContain('FAIL  bundle hash');
  expect(await goCheck(changed)).toMatchObject({ code: 1, stdout: expect.stringContaining('FAIL  bundle hash') });

  // A forger who edits an event and recomputes its chain and the bundle hash is caught by the
  // Merkle proofs: the signed checkpoint still commits to the original events.
  const forged = JSON.parse(res.text);
  const events = forged.history.events;
  const target = events.findIndex((e: Json) => e.action === 'evidence.added');
  events[target].after.description = 'A different statement';
  for (let i = target; i < events.length; i++) {
    events[i].prevHash = i === 0 ? '0'.repeat(64) : events[i - 1].hash;
    events[i].hash = eventHash(forged.case.id, events[i].prevHash, events[i]);
  }
  forged.history.head = events.at(-1).hash;
  forged.bundleSha256 = bundleHash(forged);
  const rehashed = verifyBundle(forged, { publicKey: key });
  expect(rehashed.problems).toEqual([`inclusion proofs: event ${target + 1}'s inclusion proof does not lead to the checkpoint's root`]);
  expect(await goCheck(forged)).toMatchObject({ code: 1, stdout: expect.stringContaining(`FAIL  inclusion proofs: event ${target + 1} `) });

  // A changed evidence hash, with the bundle hash recomputed, no longer matches the event that recorded it.
  const swapped = JSON.parse(res.text);
  swapped.evidence[0].sha256 = 'f'.repeat(64);
  swapped.bundleSha256 = bundleHash(swapped);
  expect(verifyBundle(swapped, { publicKey: key }).problems).toEqual([
    expect.stringMatching(/^evidence and custody: item .* is not the .* recorded when it was added$/),
  ]);
  expect(await goCheck(swapped)).toMatchObject({ code: 1, stdout: expect.stringContaining('FAIL  evidence and custody: item ') });

  // Another key: the checkpoint does not verify against a key the verifier was told to trust.
  const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  expect(verifyBundle(JSON.parse(res.text), { publicKey: other }).problems).toEqual([
    expect.stringMatching(/^checkpoint: the checkpoint names key \w+, not the key given/),
  ]);
  expect(verifyBundleText('{"format": "election-casework-bundle/1", ').problems[0]).toMatch(/^format: the file is not valid JSON/);
});

it('checks a history answer against the bundle, and names the event whose stored text in the answer was changed behind the API', async () => {
  const { id } = await caseWithEvidence();
  const bundle = (await exportJson(id, 200)).body;
  const key = await authorityKey();
  const seq = bundle.disclosure.auditSeq as number;
  const read = async () =>
    (
      await stack.http
        .get(`/allegations/${id}/history`)
        .set('Authorization', await as('legal@northshire'))
        .set('X-Access-Reason', 'checking the answer against the bundle')
        .expect(200)
    ).text;
  const intact = verifyBundle(bundle, { publicKey: key, history: await read() });
  expect(intact.problems).toEqual([]);
  expect(intact.checks.find((c) => c.name === 'history answer')?.detail).toBe(
    `${seq} events the same as the bundle's; 1 later ones not in the bundle, not checked`,
  );

  // The history answer is each event's stored text, which the hash chain does not cover.
  await stack.db.query(`UPDATE audit_events SET history_json = replace(history_json, 'Crown Prosecution Service', 'nobody') WHERE case_id = $1 AND seq = $2`, [
    id,
    seq,
  ]);
  const changed = await read();
  expect(JSON.parse(changed)[seq - 1].after.recipient).toBe('nobody');
  const problem = `history answer: the history answer's event ${seq} (bundle.exported) is not the bundle's event ${seq} (bundle.exported), whose hash checks: the answer was changed`;
  expect(verifyBundle(bundle, { publicKey: key, history: changed }).problems).toEqual([problem]);
  const files = { bundle: join(dir, 'answer-bundle.json'), history: join(dir, 'answer.json') };
  writeFileSync(files.bundle, JSON.stringify(bundle));
  writeFileSync(files.history, changed);
  // The command line of this tree (npx may find another checkout's through a shared node_modules).
  const cli = await run(process.execPath, [join(__dirname, '../packages/bundle-verifier/cli.js'), 'verify', files.bundle, '--history', files.history]).then(
    () => null,
    (error) => error,
  );
  expect(cli.code).toBe(1);
  expect(cli.stdout).toContain(`FAIL  ${problem}`);
  // The server's own verify names it too.
  const verify = await stack.http
    .get(`/allegations/${id}/history/verify`)
    .set('Authorization', await as('legal@northshire'))
    .expect(200);
  expect(verify.body).toMatchObject({ valid: false, firstBrokenSeq: seq });
});

it('exports the same content as a PDF with the bundle hash and page number on every page', async () => {
  const { id, reference, fileSha } = await caseWithEvidence();
  const res = await stack.http
    .get(`/allegations/${id}/export?format=pdf`)
    .set('Authorization', await as('legal@northshire'))
    .set('X-Access-Reason', 'court hearing 12 January')
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    })
    .expect(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  const hash = res.headers['x-bundle-sha256'];
  const pages = (await pdfPageTexts(res.body as Buffer)).map((text) => text.replace(/\s+/g, ' '));
  expect(pages.length).toBeGreaterThanOrEqual(2);
  pages.forEach((text: string, i: number) => expect(text).toContain(`bundle SHA-256 ${hash} · page ${i + 1} of ${pages.length}`));
  const all = pages.join(' ');
  for (const fact of [
    'Court bundle',
    `Case ${reference}`,
    'court hearing 12 January',
    'Timeline',
    'allegation.created',
    'evidence.added',
    'bundle.exported',
    fileSha,
    'SEAL-001',
    'transferred',
    'Ballot paper 0417',
    'casework-bundle-verifier',
  ]) {
    expect([fact, all.includes(fact)]).toEqual([fact, true]);
  }
});

it("requires a reason, records each disclosure, and shows bundles to legal of the case's authority alone", async () => {
  const { id } = await caseWithEvidence();
  const count = async () => Number((await stack.db.query('SELECT count(*) FROM audit_events WHERE case_id = $1', [id]))[0].count);
  const before = await count();
  const missing = await exportJson(id, 400, {});
  expect(missing.body.details).toEqual([{ field: 'X-Access-Reason', problem: 'is missing' }]);
  await exportJson(id, 400, { 'X-Access-Reason': 'audit', 'X-Disclosed-To': 'x' });
  await stack.http
    .get(`/allegations/${id}/export?format=docx`)
    .set('Authorization', await as('legal@northshire'))
    .set('X-Access-Reason', 'audit')
    .expect(400);
  for (const user of ['staff@northshire', 'triage@northshire', 'returning_officer@northshire', 'spoc@northshire-police']) {
    await stack.http
      .get(`/allegations/${id}/export`)
      .set('Authorization', await as(user))
      .set('X-Access-Reason', 'audit')
      .expect(403);
  }
  await stack.http
    .get(`/allegations/${id}/export`)
    .set('Authorization', await as('legal@southvale'))
    .set('X-Access-Reason', 'audit')
    .expect(404);
  expect(await count()).toBe(before);

  await stack.http
    .get(`/allegations/${id}/history`)
    .set('Authorization', await as('legal@northshire'))
    .set('X-Access-Reason', 'subject access request')
    .set('X-Disclosed-To', 'the reporter')
    .expect(200);
  await exportJson(id, 200, { 'X-Access-Reason': 'charging decision' });
  const rows = await stack.db.query(
    "SELECT action, role, after FROM audit_events WHERE case_id = $1 AND action IN ('history.read', 'bundle.exported') ORDER BY seq",
    [id],
  );
  expect(rows).toEqual([
    { action: 'history.read', role: 'legal', after: { reason: 'subject access request', recipient: 'the reporter', disclosed: 'case history' } },
    {
      action: 'bundle.exported',
      role: 'legal',
      after: expect.objectContaining({ reason: 'charging decision', recipient: expect.any(String), format: 'json' }),
    },
  ]);
});
