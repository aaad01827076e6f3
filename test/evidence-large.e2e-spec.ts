// A 1 GiB upload streams through the API: the server's memory grows by less than 100 MB, the
// stored hash is what `sha256sum` computes for the file, and the download is byte-identical.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { allegationBody, startTestStack, TestStack } from './support/stack';

const GIB = 1024 ** 3;
const execFileAsync = promisify(execFile);
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
    Readable.from(
      (function* () {
        for (let i = 0; i < 1024; i++) {
          chunk.writeUInt32BE(i, 0);
          yield Buffer.from(chunk);
        }
      })(),
    ),
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
  const caseId = (
    await stack.http
      .post('/allegations')
      .set('Authorization', `Bearer ${await stack.token('staff@northshire')}`)
      .send(allegationBody())
      .expect(201)
  ).body.id;
  const token = await stack.token('staff@northshire');

  // The client is curl in its own process, so that this process's memory is the server's alone.
  const baseline = process.memoryUsage().rss;
  const sampler = sampleRss();
  const url = `http://127.0.0.1:${port}`;
  const { stdout } = await execFileAsync(
    'curl',
    [
      '-sS',
      '-X',
      'POST',
      '-T',
      file,
      '-H',
      `Authorization: Bearer ${token}`,
      '-H',
      'Content-Type: video/mp4',
      '-H',
      'X-Description: Body-worn camera footage',
      '-H',
      'X-Filename: bodycam.mp4',
      '-H',
      'Expect:',
      '-w',
      '\n%{http_code}',
      `${url}/allegations/${caseId}/evidence`,
    ],
    { maxBuffer: 1024 * 1024 },
  );
  const peak = sampler.stop();
  const [text, status] = stdout.trim().split('\n');
  expect(Number(status)).toBe(201);
  const uploaded = JSON.parse(text);
  expect(uploaded).toMatchObject({ sha256: expected, size: GIB });
  const growthMb = (peak - baseline) / 1024 ** 2;
  process.stdout.write(`1 GiB upload: RSS baseline ${(baseline / 1024 ** 2).toFixed(0)} MB, peak growth ${growthMb.toFixed(1)} MB\n`);
  expect(growthMb).toBeLessThan(100);

  // The download is the same bytes: curl streams them to sha256sum, which is compared with the file's.
  const downloadSampler = sampleRss();
  const downloaded = await execFileAsync(
    'sh',
    ['-c', `curl -sS -D "$0" -H "Authorization: Bearer $1" "$2" | sha256sum`, join(dir, 'headers'), token, `${url}/evidence/${uploaded.id}/content`],
    { maxBuffer: 1024 * 1024 },
  );
  expect((downloadSampler.stop() - baseline) / 1024 ** 2).toBeLessThan(100);
  expect(downloaded.stdout.split(' ')[0]).toBe(expected);
  expect(readFileSync(join(dir, 'headers'), 'utf8')).toMatch(new RegExp(`x-content-sha256: ${expected}`, 'i'));
}, 300_000);
