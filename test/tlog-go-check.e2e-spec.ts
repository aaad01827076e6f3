// The transparency log and the court bundle, checked with the ecosystem's own tools instead of the
// project's code: tools/tlogcheck (Go: golang.org/x/mod/sumdb/note opens the checkpoint note,
// github.com/transparency-dev/merkle/proof verifies the proofs) against the running API, and the
// PDF bundle with qpdf and pdftotext. The Go tool is honest: the tampering is done here, by a
// small proxy between it and the API, and each tampered answer must be refused.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { bundleHash, canonicalJson, eventHash, verifyBundle } from '../packages/bundle-verifier';
import { allegationBody, startTestStack, TestStack } from './support/stack';
import { buildTlogcheck, run } from './support/tlogcheck';

type Json = Record<string, any>;
let stack: TestStack;
let dir: string;
let api: string;
let proxy: Server;
let proxyUrl: string;
let tlogcheck: string;
/** What the proxy does to the API's answers. */
let tamper: (path: string, body: string) => string = (_, body) => body;

const as = async (username: string) => `Bearer ${await stack.token(username)}`;
const vkey = async () => (await stack.http.get('/transparency/northshire/vkey').expect(200)).text.trim();

async function logCase(): Promise<Json> {
  return (
    await stack.http
      .post('/allegations')
      .set('Authorization', await as('staff@northshire'))
      .send(allegationBody())
      .expect(201)
  ).body;
}

async function issue(): Promise<Json> {
  return (
    await stack.http
      .post('/transparency/checkpoints')
      .set('Authorization', await as('legal@northshire'))
      .expect(201)
  ).body;
}

const checkLog = (extra: string[] = []) => run(tlogcheck, ['log', '--url', proxyUrl, '--authority', 'northshire', ...extra]);

/** One byte of the base64 text changed, the text still base64 of the same length. */
function flipBase64(text: string, byte = 0): string {
  const bytes = Buffer.from(text, 'base64');
  bytes[byte] ^= 0x01;
  return bytes.toString('base64');
}

beforeAll(async () => {
  tlogcheck = buildTlogcheck();
  stack = await startTestStack({ worker: 'none' });
  dir = mkdtempSync(join(tmpdir(), 'tlog-go-check-'));
  const server = stack.app.getHttpServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy = createServer(async (req, res) => {
    try {
      const upstream = await fetch(`${api}${req.url}`);
      const body = await upstream.text();
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
      res.end(upstream.ok ? tamper(req.url!, body) : body);
    } catch (error) {
      res.writeHead(502).end(String(error));
    }
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 300_000);

afterEach(() => {
  tamper = (_, body) => body;
});

afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  rmSync(dir, { recursive: true, force: true });
  await stack?.close();
});

describe('the transparency log, checked by tools/tlogcheck with x/mod/sumdb/note and transparency-dev/merkle', () => {
  beforeAll(async () => {
    await logCase();
    await issue();
    await logCase();
    await logCase();
    await issue();
  });

  it('serves the checkpoint as a signed note with the key ID of signed-note, and the verifier key', async () => {
    const key = (await stack.http.get('/transparency/northshire/public-key').expect(200)).body;
    const v = await vkey();
    expect(v).toBe(key.vkey);
    const [, name, id, material] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(v)!;
    const raw = Buffer.from(key.publicKey, 'base64');
    expect([name, Buffer.from(material, 'base64').toString('hex')]).toEqual(['election-casework/northshire', `01${raw.toString('hex')}`]);
    expect(id).toBe(createHash('sha256').update('election-casework/northshire\n\x01').update(raw).digest('hex').slice(0, 8));
    const res = await stack.http.get('/transparency/northshire/checkpoint.note').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    const latest = (await stack.http.get('/transparency/northshire/checkpoints/latest').expect(200)).body;
    const sig = Buffer.concat([Buffer.from(id, 'hex'), Buffer.from(latest.signature, 'base64')]).toString('base64');
    expect(res.text).toBe(
      `election-casework/northshire\n${latest.treeSize}\n${Buffer.from(latest.rootHash, 'hex').toString('base64')}\n${latest.issuedAt}\n\n\u2014 election-casework/northshire ${sig}\n`,
    );
    const missing = await stack.http.get('/transparency/northshire/checkpoint.note').query({ treeSize: 1_000_000 }).expect(404);
    expect(missing.headers['content-type']).toMatch(/^application\/json/);
    await stack.http.get('/transparency/northshire/tlog/inclusion').query({ index: 1_000_000 }).expect(400);
    await stack.http.get('/transparency/northshire/tlog/consistency').query({ size1: 2, size2: 1 }).expect(400);
  });

  it('passes the log as served: the note, consistency with the earlier checkpoint, inclusion of every leaf', async () => {
    const result = await checkLog(['--vkey', await vkey()]);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(
      /^ok {4}checkpoint: election-casework\/northshire, size \d+, root \S+, signed by election-casework\/northshire\+[0-9a-f]{8}$/m,
    );
    expect(result.stdout).toMatch(/^ok {4}consistency \d+ -> \d+: \d+ hashes$/m);
    expect(result.stdout).toMatch(/^ok {4}inclusion: (\d+) of \1 leaves included under the signed root$/m);
    expect(result.stdout).toContain('every check passed');
  });

  it('refuses a flipped byte in the checkpoint body, the signature, a proof hash or a leaf, and another key', async () => {
    const v = await vkey();
    const size = Number((await stack.http.get('/transparency/northshire/checkpoints/latest').expect(200)).body.treeSize);
    const cases: [string, (path: string, body: string) => string, RegExp][] = [
      // the root hash line of the latest checkpoint's note
      [
        'checkpoint body',
        (p, b) => (p.endsWith('/checkpoint.note') ? b.replace(/^(.*\n\d+\n)(\S+)/, (_, head, root) => head + flipBase64(root, 5)) : b),
        /^FAIL {2}checkpoint: the signed note does not open .*invalid signature/m,
      ],
      [
        'the tree size',
        (p, b) => (p.endsWith('/checkpoint.note') ? b.replace(/^(.*\n)(\d+)\n/, (_, head, n) => `${head}${Number(n) + 1}\n`) : b),
        /^FAIL {2}checkpoint: .*invalid signature/m,
      ],
      [
        'signature',
        (p, b) => (p.endsWith('/checkpoint.note') ? b.replace(/ (\S+)\n$/, (_, s) => ` ${flipBase64(s, 40)}\n`) : b),
        /^FAIL {2}checkpoint: .*invalid signature/m,
      ],
      [
        'consistency proof',
        (p, b) =>
          p.includes('/tlog/consistency')
            ? JSON.stringify({ ...JSON.parse(b), proof: JSON.parse(b).proof.map((h: string, i: number) => (i === 0 ? flipBase64(h, 31) : h)) })
            : b,
        /^FAIL {2}consistency \d+ -> \d+: proof.VerifyConsistency: /m,
      ],
      [
        'inclusion proof of the last leaf',
        (p, b) =>
          p.includes(`/tlog/inclusion?index=${size - 1}&`)
            ? JSON.stringify({ ...JSON.parse(b), proof: JSON.parse(b).proof.map((h: string, i: number) => (i === 0 ? flipBase64(h, 7) : h)) })
            : b,
        new RegExp(`^FAIL {2}inclusion of leaf ${size - 1}: proof.VerifyInclusion: `, 'm'),
      ],
      [
        // a forger who changes a leaf and states its leaf hash to match
        'leaf 0, with its leaf hash recomputed',
        (p, b) => {
          if (!p.includes('/tlog/inclusion?index=0&')) return b;
          const answer = JSON.parse(b);
          const leaf = Buffer.from(flipBase64(answer.leaf, 3), 'base64');
          return JSON.stringify({
            ...answer,
            leaf: leaf.toString('base64'),
            leafHash: createHash('sha256')
              .update(Buffer.from([0]))
              .update(leaf)
              .digest('base64'),
          });
        },
        /^FAIL {2}inclusion of leaf 0: proof.VerifyInclusion: /m,
      ],
      [
        'leaf 1, its leaf hash left',
        (p, b) => (p.includes('/tlog/inclusion?index=1&') ? JSON.stringify({ ...JSON.parse(b), leaf: flipBase64(JSON.parse(b).leaf, 0) }) : b),
        /^FAIL {2}inclusion of leaf 1: the server's leafHash .* is not the RFC 6962 hash of its leaf/m,
      ],
    ];
    for (const [what, change, refusal] of cases) {
      tamper = change;
      const result = await checkLog(['--vkey', v]);
      expect([what, result.code, result.stdout.match(refusal)?.[0] ?? result.stdout]).toEqual([what, 1, expect.stringMatching(refusal)]);
    }
    tamper = (_, b) => b;
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!;
    const stranger = `election-casework/northshire+${createHash('sha256').update('election-casework/northshire\n\x01').update(Buffer.from(other, 'base64url')).digest('hex').slice(0, 8)}+${Buffer.concat([Buffer.from([1]), Buffer.from(other, 'base64url')]).toString('base64')}`;
    const result = await checkLog(['--vkey', stranger]);
    expect([result.code, result.stdout]).toEqual([
      1,
      expect.stringMatching(/^FAIL {2}checkpoint: the signed note does not open .*: verifier name or key ID unknown|no verifiable signatures/m),
    ]);
  });

  it('checks one event by case id and seq against the signed checkpoint, and the event hash the caller holds', async () => {
    const created = await logCase();
    await issue();
    const [first] = await stack.db.query('SELECT hash FROM audit_events WHERE case_id = $1 AND seq = 1', [created.id]);
    const event = (hash: string) =>
      run(tlogcheck, ['event', '--url', proxyUrl, '--authority', 'northshire', '--vkey', '', '--case', created.id, '--seq', '1', '--hash', hash]);
    const v = await vkey();
    const withKey = (hash: string) =>
      run(tlogcheck, ['event', '--url', proxyUrl, '--authority', 'northshire', '--vkey', v, '--case', created.id, '--seq', '1', '--hash', hash]);
    expect(await withKey(first.hash)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(new RegExp(`^ok {4}inclusion: event 1 of ${created.id} is leaf \\d+ \\(${first.hash}\\) of the signed tree of \\d+$`, 'm')),
    });
    const other = `${first.hash.slice(0, -1)}${first.hash.endsWith('0') ? '1' : '0'}`;
    expect(await withKey(other)).toMatchObject({ code: 1, stdout: expect.stringContaining(`is not the event hash ${other} you hold`) });
    expect((await event(first.hash)).code).toBe(2);
  });

  it("accepts a witness's cosignature (c2sp.org/tlog-cosignature), and refuses a bad one when the witness is required", async () => {
    const witness = generateKeyPairSync('ed25519');
    const raw = Buffer.from(witness.publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const name = 'witness.example/w1';
    const id = createHash('sha256').update(`${name}\n\x04`).update(raw).digest().subarray(0, 4);
    const witnessVkey = `${name}+${id.toString('hex')}+${Buffer.concat([Buffer.from([4]), raw]).toString('base64')}`;
    const cosign = (note: string, key: KeyObject, time: number, signedTime = time) => {
      const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
      const ts = Buffer.alloc(8);
      ts.writeBigUInt64BE(BigInt(time));
      const signature = sign(null, Buffer.from(`cosignature/v1\ntime ${signedTime}\n${text}`), key);
      return `${note}\u2014 ${name} ${Buffer.concat([id, ts, signature]).toString('base64')}\n`;
    };
    const now = Math.floor(Date.now() / 1000);
    tamper = (p, b) => (p.endsWith('/checkpoint.note') ? cosign(b, witness.privateKey, now) : b);
    const v = await vkey();
    expect(await checkLog(['--vkey', v, '--witness', witnessVkey])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`signed by election-casework/northshire+${v.split('+')[1]}, ${name}+${id.toString('hex')}`),
    });
    // Without --witness the cosignature is an unknown key's, ignored as signed-note requires.
    expect(await checkLog(['--vkey', v])).toMatchObject({ code: 0, stdout: expect.stringContaining('(1 signature(s) by other keys ignored)') });
    tamper = (p, b) => (p.endsWith('/checkpoint.note') ? cosign(b, witness.privateKey, now, now + 1) : b);
    expect(await checkLog(['--vkey', v, '--witness', witnessVkey])).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^FAIL {2}checkpoint: .*invalid signature for key witness.example\/w1/m),
    });
    tamper = (_, b) => b;
    expect(await checkLog(['--vkey', v, '--witness', witnessVkey])).toMatchObject({
      code: 1,
      stdout: expect.stringContaining('the note has no cosignature by the witness witness.example/w1'),
    });
  });
});

describe('the court bundle, checked by tools/tlogcheck and by casework-bundle-verifier', () => {
  let bundle: Json;
  let text: string;

  beforeAll(async () => {
    const created = await logCase();
    await stack.http
      .post(`/allegations/${created.id}/evidence`)
      .set('Authorization', await as('staff@northshire'))
      .set('Content-Type', 'text/plain')
      .set('X-Description', 'Statement')
      .set('X-Filename', 's.txt')
      .send('I saw it.\n')
      .expect(201);
    const res = await stack.http
      .get(`/allegations/${created.id}/export?format=json`)
      .set('Authorization', await as('legal@northshire'))
      .set('X-Access-Reason', 'charging advice')
      .set('X-Disclosed-To', 'Crown Prosecution Service')
      .expect(200);
    text = res.text;
    bundle = JSON.parse(text);
  });

  const pem = async () => (await stack.http.get('/transparency/northshire/public-key').expect(200)).body.publicKeyPem as string;

  /** Both verifiers on one bundle: [Go passes, JS passes, Go's output]. */
  async function both(content: Json | string, vkeyText?: string): Promise<[boolean, boolean, string]> {
    const file = join(dir, `bundle-${Date.now()}-${Math.random()}.json`);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    const go = await run(tlogcheck, ['bundle', ...(vkeyText === undefined ? ['--vkey', await vkey()] : vkeyText ? ['--vkey', vkeyText] : []), file]);
    if (go.code === 2) throw new Error(`tlogcheck could not run: ${go.stderr}`);
    const js = verifyBundle(typeof content === 'string' ? JSON.parse(content) : content, { publicKey: await pem() });
    return [go.code === 0, js.valid, go.stdout];
  }

  it('says in itself which hashes, tree, signature and encodings it uses, and holds the checkpoint as a signed note', async () => {
    expect(bundle.formats).toMatchObject({
      bundleSha256: { hash: 'SHA-256', canonicalJson: expect.stringContaining('sorted by key') },
      merkleTree: { spec: expect.stringContaining('RFC 6962'), leafHash: 'SHA-256(0x00 || leaf)', nodeHash: 'SHA-256(0x01 || left || right)' },
      checkpoint: { spec: expect.stringContaining('c2sp.org/tlog-checkpoint'), signature: expect.stringContaining('Ed25519') },
    });
    expect(bundle.transparency.vkey).toBe(await vkey());
    const note = (await stack.http.get('/transparency/northshire/checkpoint.note').query({ treeSize: bundle.transparency.checkpoint.treeSize }).expect(200))
      .text;
    expect(bundle.transparency.checkpointNote).toBe(note);
  });

  it('passes both verifiers as exported, and as a bundle from before checkpoint notes', async () => {
    const [go, js, out] = await both(text);
    expect([go, js]).toEqual([true, true]);
    expect(out).toMatch(/^ok {4}checkpoint: .*pinned with --vkey$/m);
    expect(out).toMatch(/^ok {4}inclusion proofs: \d+ events in a log of \d+$/m);
    // Without --vkey: the key inside the bundle, and the output says to pin one.
    expect((await both(text, ''))[2]).toMatch(/^ok {4}checkpoint: .*the key inside the bundle: pin the authority's published key with --vkey$/m);
    // A bundle exported before this change had no formats, checkpointNote or vkey.
    const legacy = JSON.parse(text);
    delete legacy.formats;
    delete legacy.transparency.checkpointNote;
    delete legacy.transparency.vkey;
    legacy.bundleSha256 = bundleHash(legacy);
    const [goOld, jsOld, outOld] = await both(legacy);
    expect([goOld, jsOld]).toEqual([true, true]);
    expect(outOld).toContain('rebuilt from the JSON checkpoint');
  });

  it('is refused by both when a byte changes, when a forger recomputes the hashes they can, or with another key', async () => {
    const forgeries: [string, (b: Json) => void, RegExp][] = [
      ['one byte of content', (b) => (b.disclosure.reason = b.disclosure.reason.replace('c', 'C')), /^FAIL {2}bundle hash: /m],
      [
        'an event rewritten, its chain and the bundle hash recomputed',
        (b) => {
          const events = b.history.events;
          events[0].after = { ...events[0].after, forged: true };
          for (let i = 0; i < events.length; i++) {
            events[i].prevHash = i === 0 ? '0'.repeat(64) : events[i - 1].hash;
            events[i].hash = eventHash(b.case.id, events[i].prevHash, events[i]);
          }
          b.history.head = events.at(-1).hash;
          b.bundleSha256 = bundleHash(b);
        },
        /^FAIL {2}inclusion proofs: event 1 \(leaf \d+\): proof.VerifyInclusion: /m,
      ],
      [
        'an event rewritten, only the bundle hash recomputed',
        (b) => {
          b.history.events[0].at = '2020-01-01T00:00:00.000Z';
          b.bundleSha256 = bundleHash(b);
        },
        /^FAIL {2}history chain: event 1 does not match its hash/m,
      ],
      [
        'a byte of a proof hash, the bundle hash recomputed',
        (b) => {
          const p = b.transparency.inclusionProofs.at(-1);
          p.auditPath[0] = (p.auditPath[0][0] === '0' ? '1' : '0') + p.auditPath[0].slice(1);
          b.bundleSha256 = bundleHash(b);
        },
        /^FAIL {2}inclusion proofs: .*proof.VerifyInclusion: /m,
      ],
      [
        'a byte of the note signature, the bundle hash recomputed',
        (b) => {
          b.transparency.checkpointNote = b.transparency.checkpointNote.replace(/ (\S+)\n$/, (_: string, s: string) => ` ${flipBase64(s, 20)}\n`);
          b.bundleSha256 = bundleHash(b);
        },
        /^FAIL {2}checkpoint: .*invalid signature/m,
      ],
      [
        'the note of another tree size, the bundle hash recomputed',
        (b) => {
          b.transparency.checkpoint.treeSize += 1;
          b.bundleSha256 = bundleHash(b);
        },
        /^FAIL {2}checkpoint: the signed note .* is not the bundle's checkpoint/m,
      ],
    ];
    for (const [what, forge, refusal] of forgeries) {
      const forged = JSON.parse(text);
      forge(forged);
      const [go, js, out] = await both(forged);
      expect([what, go, js, out.match(refusal)?.[0] ?? out]).toEqual([what, false, false, expect.stringMatching(refusal)]);
    }
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!;
    const raw = Buffer.from(other, 'base64url');
    const stranger = `election-casework/northshire+${createHash('sha256').update('election-casework/northshire\n\x01').update(raw).digest('hex').slice(0, 8)}+${Buffer.concat([Buffer.from([1]), raw]).toString('base64')}`;
    const [go, , out] = await both(text, stranger);
    expect([go, out]).toEqual([false, expect.stringMatching(/^FAIL {2}checkpoint: the signed note does not open/m)]);
  });

  it("writes canonical JSON the same way in Go as the verifier's JavaScript, for any JSON value", async () => {
    const values = fc.sample(fc.jsonValue({ stringUnit: 'grapheme', maxDepth: 3 }), { numRuns: 300, seed: 17 });
    values.push(
      1e21,
      1e-7,
      123456789012345680000,
      0.1,
      -5e-324,
      2 ** 53 + 2,
      { '\u00e9': 1, e: 2, '\ud83d\ude00': 3, '\uffff': 4 },
      '\u2028\u0000\u001f</script>',
    );
    const file = join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(values));
    const go = await run(tlogcheck, ['canonical', file]);
    expect(go.stderr).toBe('');
    expect(go.stdout.split('\n').slice(0, -1)).toEqual(values.map((v) => canonicalJson(v)));
  });

  it('exports a PDF that qpdf --check passes and whose text pdftotext reads: the case reference and the bundle hash', async () => {
    for (const tool of ['qpdf', 'pdftotext']) {
      if ((await run('sh', ['-c', `command -v ${tool}`])).code !== 0) throw new Error(`${tool} is not installed: apt-get install -y qpdf poppler-utils`);
    }
    const created = await logCase();
    const res = await stack.http
      .get(`/allegations/${created.id}/export?format=pdf`)
      .set('Authorization', await as('legal@northshire'))
      .set('X-Access-Reason', 'court hearing')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const file = join(dir, 'bundle.pdf');
    writeFileSync(file, res.body as Buffer);
    const check = await run('qpdf', ['--check', file]);
    expect([check.code, check.stdout]).toEqual([0, expect.stringContaining('No syntax or stream encoding errors found')]);
    const pdfText = await run('pdftotext', ['-layout', file, '-']);
    expect(pdfText.code).toBe(0);
    const flat = pdfText.stdout.replace(/\s+/g, ' ');
    expect(flat).toContain(created.reference);
    expect(flat).toContain(res.headers['x-bundle-sha256']);
  });
});
