// Uploads from hostile or broken clients: evidence files and observation CSVs with hostile file
// names, wrong types, a Content-Length that lies, request smuggling, and bodies cut off mid-way.
// Each gets a clean 4xx or the right outcome; none leaves a row or a partial file behind.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { changedTables, filesUnder, writeFingerprint } from './support/hostile';
import { LoggedApi, rawRequest, startLoggedApi } from './support/raw-http';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;
let api: LoggedApi;
let caseId: string;
let staff: string;
let evidenceDir: string;

beforeAll(async () => {
  stack = await startTestStack({ worker: 'none', env: { EVIDENCE_MAX_BYTES: String(1024 * 1024) } });
  api = await startLoggedApi(stack);
  staff = `Bearer ${await stack.token('staff@northshire')}`;
  caseId = (await stack.http.post('/allegations').set('Authorization', staff).send(allegationBody()).expect(201)).body.id;
  await stack.http
    .post('/indicators')
    .set('Authorization', `Bearer ${await stack.token('plan_owner@northshire')}`)
    .send({ key: 'postal_votes_per_address', name: 'Postal votes per address', subjectType: 'address', threshold: 6 })
    .expect(201);
  evidenceDir = join(stack.dataDir, 'evidence');
});
afterAll(async () => {
  await api?.close();
  await stack?.close();
});

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
/** Every stored file is named by its hash; anything else (a client's name, a leftover part) is a leak. */
const strayFiles = () => filesUnder(evidenceDir).filter((f) => !/^sha256\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(f));
const evidenceHead = (length: number | string, extra: string[] = []) =>
  [
    `POST /allegations/${caseId}/evidence HTTP/1.1`,
    'Host: 127.0.0.1',
    `Authorization: ${staff}`,
    'Content-Type: application/pdf',
    'X-Description: scanned statement',
    'Connection: close',
    `Content-Length: ${length}`,
    ...extra,
  ].join('\r\n');

/** Runs `act`, then waits until the server has finished with it, and checks that it wrote nothing and left no file. */
async function leavesNothing(act: () => Promise<unknown>, settled: () => boolean): Promise<void> {
  const before = await writeFingerprint(stack.db);
  const files = filesUnder(evidenceDir);
  await act();
  await eventually('the server to finish with the request', async () => settled());
  expect(changedTables(before, await writeFingerprint(stack.db))).toEqual([]);
  expect(filesUnder(evidenceDir)).toEqual(files);
  expect(strayFiles()).toEqual([]);
}

describe('evidence file names', () => {
  // [X-Filename as sent, the name kept (null: refused with 400)]
  const names: [string, string | null][] = [
    ['../../etc/passwd', 'passwd'],
    [encodeURIComponent('..\\..\\Windows\\System32\\cmd.exe'), 'cmd.exe'],
    ['/etc/shadow', 'shadow'],
    [encodeURIComponent('%2e%2e%2fsecret'), '%2e%2e%2fsecret'],
    [encodeURIComponent('statement\r\nX-Injected: yes.pdf'), 'statementX-Injected: yes.pdf'],
    [encodeURIComponent('invoice\u202efdp.exe'), 'invoicefdp.exe'],
    [encodeURIComponent('scan\u0000.pdf.exe'), 'scan.pdf.exe'],
    [encodeURIComponent('\u001b[2J\u001b[31mred.pdf'), '[2J[31mred.pdf'],
    [encodeURIComponent('Statement – Elm Court.pdf'), 'Statement – Elm Court.pdf'],
    ['a'.repeat(300), null],
    ['..', null],
    ['.', null],
    [encodeURIComponent('\u202e\u0000'), null],
    ['%E0%A4%A', null],
    ['%', null],
  ];

  it.each(names)('X-Filename %j is kept as %j, or refused with nothing stored', async (header, kept) => {
    const bytes = Buffer.from(`%PDF-1.7 ${header} ${Date.now()}`);
    const before = await writeFingerprint(stack.db);
    const res = await stack.http
      .post(`/allegations/${caseId}/evidence`)
      .set('Authorization', staff)
      .set('Content-Type', 'application/pdf')
      .set('X-Description', 'scan')
      .set('X-Filename', header)
      .send(bytes);
    if (kept === null) {
      expect([res.status, res.body.details?.[0]?.field]).toEqual([400, 'X-Filename']);
      expect(changedTables(before, await writeFingerprint(stack.db))).toEqual([]);
    } else {
      expect([res.status, res.body.filename, res.body.sha256]).toEqual([201, kept, sha256(bytes)]);
      const download = await stack.http.get(`/evidence/${res.body.id}/content`).set('Authorization', staff).expect(200);
      // The name goes back only percent-encoded, so it cannot break out of the header.
      expect(download.headers['content-disposition']).toMatch(/^attachment; filename="evidence-[0-9a-f-]{36}"; filename\*=UTF-8''[A-Za-z0-9!'()*._~%-]+$/);
    }
    expect(strayFiles()).toEqual([]);
  });

  it('keeps C1 control bytes and raw UTF-8 sent as Latin-1 out of the name and the description', async () => {
    // Raw bytes: a C1 CSI (0x9b) and the UTF-8 of U+202E, which Node reads as Latin-1 characters including C1 0x80.
    const head = evidenceHead(4, [`X-Filename: \x9b31mname\xe2\x80\xaeexe.pdf`]).replace(
      'X-Description: scanned statement',
      'X-Description: scanned\x9b2J statement',
    );
    const res = await rawRequest(api.port, head, 'abcd');
    expect(res.statuses).toEqual([201]);
    const [row] = await stack.db.query('SELECT filename, description FROM evidence_items WHERE sha256 = $1', [sha256('abcd')]);
    expect(row.filename).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(row.description).toBe('scanned 2J statement');
  });
});

describe('evidence types and lengths', () => {
  it('a type off the allow-list, or none, is a 415 with nothing stored; JSON that is not JSON is a 400', async () => {
    for (const type of [
      'application/x-msdownload',
      'text/html',
      'image/svg+xml',
      'multipart/form-data; boundary=x',
      'application/x-sh',
      'application/pdf-x',
      'pdf',
      '',
    ]) {
      await leavesNothing(
        async () => {
          const res = await stack.http
            .post(`/allegations/${caseId}/evidence`)
            .set('Authorization', staff)
            .set('Content-Type', type)
            .set('X-Description', 'scan')
            .send(Buffer.from('MZ\x90\x00 not a pdf'));
          expect([type, res.status]).toEqual([type, 415]);
        },
        () => true,
      );
    }
    await leavesNothing(
      async () => {
        const res = await stack.http
          .post(`/allegations/${caseId}/evidence`)
          .set('Authorization', staff)
          .set('Content-Type', 'application/json')
          .send('%PDF-1.7 binary');
        expect(res.status).toBe(400);
      },
      () => true,
    );
  });

  it('a Content-Length larger than the body, the client then closing, records nothing and leaves no partial file', async () => {
    const warned = () => api.entries().filter((e) => e.msg === 'evidence upload failed').length;
    const seen = warned();
    await leavesNothing(
      () => rawRequest(api.port, evidenceHead(500_000), Buffer.alloc(100_000, 1), { endWrite: true }),
      () => warned() > seen,
    );
  });

  it('a body cut off mid-way (Content-Length or chunked) records nothing and leaves no partial file', async () => {
    const warned = () => api.entries().filter((e) => e.msg === 'evidence upload failed').length;
    let seen = warned();
    await leavesNothing(
      () => rawRequest(api.port, evidenceHead(600_000), Buffer.alloc(300_000, 2), { cut: true }),
      () => warned() > seen,
    );
    seen = warned();
    const chunked = evidenceHead(0).replace('Content-Length: 0', 'Transfer-Encoding: chunked');
    await leavesNothing(
      () => rawRequest(api.port, chunked, `${(200_000).toString(16)}\r\n${'x'.repeat(200_000)}\r\n${(1000).toString(16)}\r\n${'y'.repeat(10)}`, { cut: true }),
      () => warned() > seen,
    );
    expect(api.entries().filter((e) => e.level >= 50)).toEqual([]);
  });

  it('a body longer than its Content-Length is a 400 with nothing recorded', async () => {
    // HTTP/1.1 ends the body where Content-Length says, and reads what follows as the next request:
    // Node's parser answers it 400 and closes the connection, which cuts the upload off.
    const declared = `abcd-${Date.now()}`;
    const body = `${declared}-the-rest-is-not-the-file`;
    const warned = () => api.entries().filter((e) => e.msg === 'evidence upload failed').length;
    const seen = warned();
    await leavesNothing(
      async () => {
        const res = await rawRequest(api.port, evidenceHead(declared.length), body);
        expect(res.statuses).toEqual([400]);
      },
      () => warned() > seen,
    );
  });

  it('smuggling and malformed lengths are refused by the HTTP parser before the app reads a byte', async () => {
    const heads = [
      evidenceHead(10, ['Transfer-Encoding: chunked']),
      evidenceHead(10, ['Content-Length: 11']),
      evidenceHead('ten'),
      evidenceHead(-1),
      evidenceHead('1e3'),
      evidenceHead(10, ['Transfer-Encoding: gzip, chunked, identity']),
    ];
    for (const head of heads) {
      await leavesNothing(
        async () => {
          const res = await rawRequest(api.port, head, '0123456789', { endWrite: true });
          expect([head.split('\r\n').slice(-2).join(' | '), res.statuses[0]]).toEqual([head.split('\r\n').slice(-2).join(' | '), 400]);
        },
        () => true,
      );
    }
  });
});

describe('observation CSV uploads', () => {
  const csv = 'indicator,subject,value,observedAt\npostal_votes_per_address,12 High Street,2,2026-11-20\n';
  const csvHead = (length: number, extra: string[] = []) =>
    [
      `POST /indicator-uploads HTTP/1.1`,
      'Host: 127.0.0.1',
      `Authorization: ${staff}`,
      'Content-Type: text/csv',
      'Connection: close',
      `Content-Length: ${length}`,
      ...extra,
    ].join('\r\n');

  it('hostile file names: a path is refused, control and bidi characters are dropped, the rest is metadata', async () => {
    const path = await stack.http
      .post('/indicator-uploads')
      .set('Authorization', staff)
      .set('Content-Type', 'text/csv')
      .set('X-Filename', '../../etc/cron.d/evil.csv')
      .send(csv);
    expect([path.status, path.body.details?.[0]?.field]).toEqual([400, 'X-Filename']);
    const raw = await rawRequest(api.port, csvHead(Buffer.byteLength(csv), ['X-Filename: returns\x9b31m\xe2\x80\xaevsc.exe']), csv);
    expect(raw.statuses).toEqual([201]);
    const [upload] = await stack.db.query('SELECT filename FROM indicator_uploads ORDER BY uploaded_at DESC LIMIT 1');
    expect(upload.filename).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(upload.filename).toMatch(/^returns31m/);
    expect(upload.filename).toMatch(/vsc\.exe$/);
  });

  it('a type other than text/csv is a 415 with nothing recorded', async () => {
    for (const type of ['application/json', 'text/plain', 'application/vnd.ms-excel', 'multipart/form-data; boundary=x']) {
      await leavesNothing(
        async () => {
          const res = await stack.http
            .post('/indicator-uploads')
            .set('Authorization', staff)
            .set('Content-Type', type)
            .send(type === 'application/json' ? '{}' : csv);
          expect([type, res.status]).toEqual([type, 415]);
        },
        () => true,
      );
    }
  });

  it('a CSV cut off mid-way records nothing and is logged as a cut-off request, not as the database being down', async () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => `postal_votes_per_address,${i} High Street,2,2026-11-20`).join('\n');
    const body = `indicator,subject,value,observedAt\n${rows}\n`;
    const cutOff = () => api.entries().filter((e) => e.msg === 'request body cut off by the client').length;
    const seen = cutOff();
    await leavesNothing(
      () => rawRequest(api.port, csvHead(Buffer.byteLength(body)), body.slice(0, body.length / 2), { cut: true }),
      () => cutOff() > seen,
    );
    expect(api.entries().filter((e) => e.msg === 'database unavailable' || e.level >= 50)).toEqual([]);
  });
});
