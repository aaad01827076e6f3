// Evidence through the API: streamed, hashed, write-once digital files and physical items, each
// with a custody log whose rules refuse what may not happen, with nothing changed.
import { createHash } from 'node:crypto';
import { allegationBody, startTestStack, TestStack } from './support/stack';

let stack: TestStack;
let caseId: string;

beforeAll(async () => {
  stack = await startTestStack({ worker: 'none', env: { EVIDENCE_MAX_BYTES: String(64 * 1024) } });
  caseId = (
    await stack.http
      .post('/allegations')
      .set('Authorization', await as('staff@northshire'))
      .send(allegationBody())
      .expect(201)
  ).body.id;
});
afterAll(() => stack?.close());

type Json = Record<string, any>;
const as = async (username: string) => `Bearer ${await stack.token(username)}`;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function upload(bytes: Buffer, headers: Record<string, string> = {}, username = 'staff@northshire', expected?: number) {
  const req = stack.http
    .post(`/allegations/${caseId}/evidence`)
    .set('Authorization', await as(username))
    .set('Content-Type', 'application/pdf')
    .set('X-Description', 'Scanned postal vote statement');
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  const res = await req.send(bytes);
  if (expected !== undefined) expect([res.status, res.body]).toEqual([expected, expect.anything()]);
  return res;
}

async function itemCount(): Promise<number> {
  return (await stack.db.query('SELECT count(*)::int AS n FROM evidence_items'))[0].n;
}

async function actions(id = caseId): Promise<string[]> {
  return (await stack.db.query('SELECT action FROM audit_events WHERE case_id = $1 ORDER BY seq', [id])).map((r: Json) => r.action);
}

describe('digital evidence', () => {
  it('stores the bytes with their SHA-256 and gives them back unchanged', async () => {
    const bytes = Buffer.from(`%PDF-1.7 statement ${Date.now()}`);
    const res = await upload(bytes, { 'X-Filename': encodeURIComponent('../../etc/Statement – Elm Court.pdf') }, 'staff@northshire', 201);
    expect(res.body).toMatchObject({
      sha256: sha256(bytes),
      size: bytes.length,
      kind: 'digital',
      filename: 'Statement – Elm Court.pdf',
      holder: 'staff@northshire',
      duplicate: false,
    });

    const content = await stack.http
      .get(`/evidence/${res.body.id}/content`)
      .set('Authorization', await as('legal@northshire'))
      .buffer(true)
      .parse((r, done) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => done(null, Buffer.concat(parts)));
      })
      .expect(200);
    expect(Buffer.compare(content.body, bytes)).toBe(0);
    expect(content.headers['x-content-sha256']).toBe(sha256(bytes));
    expect(content.headers['content-type']).toBe('application/pdf');

    const item = await stack.http
      .get(`/evidence/${res.body.id}`)
      .set('Authorization', await as('triage@northshire'))
      .expect(200);
    expect(item.body.custody).toEqual([expect.objectContaining({ seq: 1, action: 'collected', to: 'staff@northshire' })]);
    expect(await actions()).toEqual(expect.arrayContaining(['evidence.added', 'evidence.downloaded']));
  });

  it('recognises the same bytes uploaded twice to a case', async () => {
    const bytes = Buffer.from(`duplicate me ${Date.now()}`);
    const first = await upload(bytes, {}, 'staff@northshire', 201);
    const before = await itemCount();
    const second = await upload(bytes, { 'X-Description': 'the same scan again' }, 'staff@northshire', 200);
    expect(second.body).toMatchObject({ id: first.body.id, duplicate: true });
    expect(await itemCount()).toBe(before);
  });

  it('refuses a type off the allow-list (415), a body over the limit (413) and a missing description (400), storing nothing', async () => {
    const before = await itemCount();
    const exe = await stack.http
      .post(`/allegations/${caseId}/evidence`)
      .set('Authorization', await as('staff@northshire'))
      .set('Content-Type', 'application/x-msdownload')
      .set('X-Description', 'x')
      .send(Buffer.from('MZ'));
    expect(exe.status).toBe(415);
    expect(exe.body.details).toEqual([{ field: 'Content-Type', problem: 'not on the allow-list' }]);
    const big = await upload(Buffer.alloc(64 * 1024 + 1));
    expect(big.status).toBe(413);
    const undescribed = await stack.http
      .post(`/allegations/${caseId}/evidence`)
      .set('Authorization', await as('staff@northshire'))
      .set('Content-Type', 'application/pdf')
      .send(Buffer.from('x'));
    expect(undescribed.status).toBe(400);
    expect(undescribed.body.details).toEqual([{ field: 'X-Description', problem: 'is missing' }]);
    expect(await itemCount()).toBe(before);
  });

  it('refuses a body streamed past the limit without a Content-Length', async () => {
    const before = await itemCount();
    const url = new URL(`/allegations/${caseId}/evidence`, 'http://127.0.0.1');
    const server = stack.app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address();
    const res = await fetch(`http://127.0.0.1:${port}${url.pathname}`, {
      method: 'POST',
      headers: { Authorization: await as('staff@northshire'), 'Content-Type': 'application/pdf', 'X-Description': 'chunked' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 80; i++) controller.enqueue(new Uint8Array(1024));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await itemCount()).toBe(before);
  });
});

describe('physical evidence and the custody log', () => {
  it('logs an item and follows its custody, refusing what the rules forbid with nothing changed', async () => {
    const res = await stack.http
      .post(`/allegations/${caseId}/evidence`)
      .set('Authorization', await as('triage@northshire'))
      .send({ kind: 'physical', description: 'Postal vote statement, envelope B', sealNumber: 'NS-SEAL-1', location: 'Town Hall strongroom' })
      .expect(201);
    const id = res.body.id;
    expect(res.body).toMatchObject({ kind: 'physical', sealNumber: 'NS-SEAL-1', holder: 'triage@northshire', sha256: null });
    const custody = async (body: Json, username = 'triage@northshire') =>
      stack.http
        .post(`/evidence/${id}/custody`)
        .set('Authorization', await as(username))
        .send(body);

    const refusals: [Json, string][] = [
      [{ action: 'transferred', from: 'staff@northshire', to: 'legal@northshire' }, 'holder'],
      [{ action: 'sealed', sealNumber: 'NS-SEAL-2' }, 'reseal'],
      [{ action: 'resealed', sealNumber: 'NS-SEAL-2' }, 'reason'],
      [{ action: 'destroyed', note: 'x' }, 'action'],
    ];
    for (const [body, rule] of refusals) {
      const before = await stack.http
        .get(`/evidence/${id}`)
        .set('Authorization', await as('triage@northshire'))
        .expect(200);
      const refused = await custody(body);
      expect([body.action, refused.status, refused.body.details?.[0]?.problem]).toEqual([body.action, 409, rule]);
      const after = await stack.http
        .get(`/evidence/${id}`)
        .set('Authorization', await as('triage@northshire'))
        .expect(200);
      expect(after.body).toEqual(before.body);
    }
    expect((await actions()).filter((a) => a === 'custody.refused')).toHaveLength(refusals.length);

    await custody({ action: 'resealed', sealNumber: 'NS-SEAL-2', note: 'opened to photograph the signature' }).then((r) => expect(r.status).toBe(201));
    const moved = await custody({
      action: 'transferred',
      from: 'triage@northshire',
      to: 'spoc@northshire-police',
      location: 'Northshire Police property store',
      note: 'for forensic examination',
    });
    expect(moved.status).toBe(201);
    expect(moved.body).toMatchObject({ holder: 'spoc@northshire-police', sealNumber: 'NS-SEAL-2', location: 'Northshire Police property store' });
    expect(moved.body.custody.map((c: Json) => c.action)).toEqual(['collected', 'resealed', 'transferred']);
    expect(await actions()).toEqual(expect.arrayContaining(['custody.resealed', 'custody.transferred']));
  });
});

describe('tenancy', () => {
  it("hides another authority's evidence (404) and refuses roles that do not handle evidence (403)", async () => {
    const bytes = Buffer.from(`tenant ${Date.now()}`);
    const { body } = await upload(bytes, {}, 'staff@northshire', 201);
    for (const user of ['staff@southvale', 'legal@southvale', 'spoc@northshire-police', 'spoc@southvale-police']) {
      await stack.http
        .get(`/evidence/${body.id}`)
        .set('Authorization', await as(user))
        .expect(404);
      await stack.http
        .get(`/evidence/${body.id}/content`)
        .set('Authorization', await as(user))
        .expect(404);
    }
    await upload(bytes, {}, 'staff@southvale', 404);
    await upload(bytes, {}, 'legal@northshire', 403);
    await stack.http
      .post(`/evidence/${body.id}/custody`)
      .set('Authorization', await as('triage@southvale'))
      .send({ action: 'examined', from: 'x', note: 'y' })
      .expect(404);
    await stack.http
      .post(`/evidence/${body.id}/custody`)
      .set('Authorization', await as('legal@northshire'))
      .send({ action: 'examined', from: 'x', note: 'y' })
      .expect(403);
  });
});
