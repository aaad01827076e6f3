// A 1 GiB upload streams through the API: the server's memory grows by less than 100 MB, the
// stored hash is what `sha256sum` computes for the file, and the download is byte-identical.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { allegationBody, startTestStack, TestStack } from './support/stack';

const GIB = 1024 ** 3;
let stack: TestStack;
let dir: string;
let file: string;
let port: number;

beforeAll(async () => {
  stack = await startTestStack({ worker: 'none' });
  dir = mkdtempSync(join(tmpdir(), 'evidence-1gib-'));
  file = join(dir, 'bodycam.mp4');
  // 1 GiB of bytes that are not all alike: a 1 MiB block with its index stamped in.
  const block = createHash('sha512').update('seed').digest();
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i += block.length) block.copy(chunk, i);
  await pipeline(
    Readable.from((function* () {
      for (let i = 0; i < 1024; i++) {
        chunk.writeUInt32BE(i, 0);
        yield Buffer.from(chunk);
      }
    })()),
    createWriteStream(file),
  );
  const server = stack.app.getHttpServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
}, 300_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await stack?.close();
});

function sampleRss() {
  let max = process.memoryUsage().rss;
  const timer = setInterval(() => (max = Math.max(max, process.memoryUsage().rss)), 20);
  return { stop: () => (clearInterval(timer), max) };
}

it('streams a 1 GiB file in and out with flat memory and the sha256sum hash', async () => {
  expect(statSync(file).size).toBe(GIB);
  const expected = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];
  const caseId = (await stack.http.post('/allegations').set('Authorization', `Bearer ${await stack.token('staff@northshire')}`).send(allegationBody()).expect(201)).body.id;
  const token = await stack.token('staff@northshire');

  global.gc?.();
  const baseline = process.memoryUsage().rss;
  const sampler = sampleRss();
  const uploaded = await new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: `/allegations/${caseId}/evidence`, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'video/mp4', 'Content-Length': GIB, 'X-Description': 'Body-worn camera footage', 'X-Filename': 'bodycam.mp4' } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
  const peak = sampler.stop();
  expect(uploaded.status).toBe(201);
  expect(uploaded.body).toMatchObject({ sha256: expected, size: GIB });
  const growthMb = (peak - baseline) / 1024 ** 2;
  process.stdout.write(`1 GiB upload: RSS baseline ${(baseline / 1024 ** 2).toFixed(0)} MB, peak growth ${growthMb.toFixed(1)} MB\n`);
  expect(growthMb).toBeLessThan(100);

  // The download is the same bytes: hashed as it streams back, compared with sha256sum's.
  const downloadSampler = sampleRss();
  const downloaded = await new Promise<{ sha256: string; size: number; header: string }>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: `/evidence/${uploaded.body.id}/content`, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      const hash = createHash('sha256');
      let size = 0;
      res.on('data', (c: Buffer) => ((size += c.length), hash.update(c)));
      res.on('end', () => resolve({ sha256: hash.digest('hex'), size, header: String(res.headers['x-content-sha256']) }));
      res.on('error', reject);
    }).on('error', reject).end();
  });
  expect((downloadSampler.stop() - baseline) / 1024 ** 2).toBeLessThan(100);
  expect(downloaded).toEqual({ sha256: expected, size: GIB, header: expected });
}, 300_000);
