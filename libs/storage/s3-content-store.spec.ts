// S3ContentStore against a real S3 API: s3rver, a local S3-compatible server started in this
// process. s3rver lacks two things S3 has, so the server gets two small handlers in front of it,
// each doing what S3 documents: AbortMultipartUpload discards the upload's parts, and a CopyObject
// sent with `If-None-Match: *` answers 412 if the destination key exists.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { ContentMissingError, ContentTooLargeError } from './content-store';
import { createContentStore } from './create-content-store';
import { FsContentStore } from './fs-content-store';
import { S3ContentStore } from './s3-content-store';

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  status: number;
  body: unknown;
  type: string;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
interface S3rverInternals {
  middleware: Middleware[];
  store: { existsObject(bucket: string, key: string): Promise<boolean> };
}

const MiB = 1024 ** 2;
let dir: string;
let server: S3rver;
let endpoint: string;
let client: S3Client;
/** the requests the store sent, as `METHOD path?query` */
let requests: string[];
/** the `If-None-Match` header of each CopyObject */
let copyConditions: (string | undefined)[];
/** makes the next CopyObject fail with this status and S3 error code */
let failNextCopy: { status: number; code: string } | undefined;
/** makes the next AbortMultipartUpload fail (403 AccessDenied) */
let failNextAbort = false;

function refuse(ctx: KoaContext, status: number, code: string): void {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>refused by the test server</Message></Error>`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's3rver-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir });
  const internals = server as unknown as S3rverInternals;
  const s3Like: Middleware = async (ctx, next) => {
    const [, bucket, ...rest] = ctx.path.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (ctx.method === 'DELETE' && ctx.query.uploadId && failNextAbort) {
      failNextAbort = false;
      return refuse(ctx, 403, 'AccessDenied');
    }
    if (ctx.method === 'DELETE' && ctx.query.uploadId) {
      if (!/^[0-9a-f]+$/.test(ctx.query.uploadId)) throw new Error('unexpected upload id');
      await rm(join(dir, bucket, '._S3rver_uploads', ctx.query.uploadId), { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    if (ctx.method === 'PUT' && ctx.headers['x-amz-copy-source'] && !ctx.query.uploadId) {
      copyConditions.push(ctx.headers['if-none-match']);
      const failure = failNextCopy;
      failNextCopy = undefined;
      const refused =
        failure ??
        (ctx.headers['if-none-match'] === '*' && (await internals.store.existsObject(bucket, key)) ? { status: 412, code: 'PreconditionFailed' } : undefined);
      if (refused) return refuse(ctx, refused.status, refused.code);
    }
    await next();
  };
  internals.middleware.unshift(s3Like);
  const address = (await server.run()) as AddressInfo;
  endpoint = `http://127.0.0.1:${address.port}`;
  client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { method: string; path: string; query?: Record<string, unknown> };
      if (context.commandName !== 'CreateBucketCommand' && context.commandName !== 'ListObjectsV2Command')
        requests.push(`${context.commandName} ${request.path}`);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordRequests' },
  );
});
afterAll(async () => {
  client?.destroy();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

let bucket: string;
let store: S3ContentStore;
let bucketCount = 0;
beforeEach(async () => {
  bucket = `evidence-${++bucketCount}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  store = new S3ContentStore({ client, bucket });
  requests = [];
  copyConditions = [];
  failNextCopy = undefined;
  failNextAbort = false;
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const keyOf = (hash: string) => `sha256/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`;
const chunks = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)));
async function read(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
async function keys(): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}
/** multipart uploads neither completed nor aborted (s3rver keeps their parts in this directory) */
function pendingUploads(): string[] {
  try {
    return readdirSync(join(dir, bucket, '._S3rver_uploads'));
  } catch {
    return [];
  }
}
/** `count` bytes of a repeatable pattern, in pieces of `chunk` bytes, made as they are read */
function generated(count: number, chunk = 256 * 1024, onChunk?: (produced: number, piece: Buffer) => void): Readable {
  return Readable.from(
    (function* () {
      for (let produced = 0; produced < count;) {
        const n = Math.min(chunk, count - produced);
        const piece = Buffer.alloc(n);
        for (let i = 0; i < n; i += 4) piece.writeUInt32LE((produced + i) >>> 0, i);
        produced += n;
        onChunk?.(produced, piece);
        yield piece;
      }
    })(),
  );
}

describe('S3ContentStore', () => {
  it('stores streamed bytes under their SHA-256 and gives them back unchanged', async () => {
    const stored = await store.put(chunks('postal vote ', 'statement ', 'scan'), { maxBytes: 1000 });
    const bytes = Buffer.from('postal vote statement scan');
    expect(stored).toEqual({ sha256: sha(bytes), size: bytes.length, alreadyStored: false });
    expect(await read(await store.open(stored.sha256))).toEqual(bytes);
    expect(await store.exists(stored.sha256)).toBe(true);
    // the temporary object was copied into place, conditionally, and deleted
    expect(await keys()).toEqual([keyOf(stored.sha256)]);
    expect(copyConditions).toEqual(['*']);
    expect(requests.filter((r) => r.startsWith('PutObjectCommand'))[0]).toMatch(new RegExp(`^PutObjectCommand /${bucket}/tmp/[0-9a-f-]{36}$`));
  });

  it('recognises the same bytes uploaded twice', async () => {
    const first = await store.put(chunks('same'), { maxBytes: 100 });
    const second = await store.put(chunks('sa', 'me'), { maxBytes: 100 });
    expect(second).toEqual({ ...first, alreadyStored: true });
    expect(await keys()).toEqual([keyOf(first.sha256)]);
    expect(copyConditions).toHaveLength(1); // HeadObject found it: no second copy
  });

  it('keeps the first object when another upload of the same bytes gets there between HeadObject and CopyObject', async () => {
    const bytes = Buffer.from('uploaded twice at once');
    // The other upload lands its object just before this one's copy; If-None-Match makes the copy refuse.
    const racer = (next: (args: unknown) => Promise<unknown>, context: { commandName: string }) => async (args: unknown) => {
      if (context.commandName === 'CopyObjectCommand') await client.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(sha(bytes)), Body: bytes }));
      return next(args);
    };
    client.middlewareStack.add(racer as never, { step: 'initialize', name: 'racer' });
    try {
      expect(await store.put(chunks(bytes.toString()), { maxBytes: 100 })).toEqual({ sha256: sha(bytes), size: bytes.length, alreadyStored: true });
    } finally {
      client.middlewareStack.remove('racer');
    }
    expect(copyConditions).toEqual(['*']);
    expect(await keys()).toEqual([keyOf(sha(bytes))]);
  });

  it('refuses more than maxBytes and leaves nothing behind', async () => {
    await expect(store.put(chunks('0123456789', 'abc'), { maxBytes: 10 })).rejects.toBeInstanceOf(ContentTooLargeError);
    expect(await keys()).toEqual([]);
  });

  it('aborts the multipart upload when the body turns out too large after some parts went up', async () => {
    const small = new S3ContentStore({ client, bucket, partSize: 5 * MiB, queueSize: 2 });
    await expect(small.put(generated(20 * MiB), { maxBytes: 12 * MiB })).rejects.toBeInstanceOf(ContentTooLargeError);
    expect(requests.some((r) => r.startsWith('UploadPartCommand'))).toBe(true);
    expect(requests.some((r) => r.startsWith('AbortMultipartUploadCommand'))).toBe(true);
    expect(pendingUploads()).toEqual([]);
    expect(await keys()).toEqual([]);
  });

  it('still says the body was too large when aborting the multipart upload fails too', async () => {
    failNextAbort = true;
    const small = new S3ContentStore({ client, bucket, partSize: 5 * MiB, queueSize: 2 });
    await expect(small.put(generated(20 * MiB), { maxBytes: 12 * MiB })).rejects.toBeInstanceOf(ContentTooLargeError);
    // the parts stay until a lifecycle rule (AbortIncompleteMultipartUpload) removes them
    expect(pendingUploads()).toHaveLength(1);
    expect(await keys()).toEqual([]);
  });

  it('leaves nothing behind when the body fails midway (a dropped connection)', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(store.put(failing, { maxBytes: 1000 })).rejects.toThrow('connection reset');
    expect(await keys()).toEqual([]);

    // and after parts of a multipart upload have gone up
    const small = new S3ContentStore({ client, bucket, partSize: 5 * MiB, queueSize: 2 });
    const body = generated(30 * MiB, 256 * 1024, (produced) => {
      if (produced >= 13 * MiB) queueMicrotask(() => body.destroy(new Error('connection reset')));
    });
    await expect(small.put(body, { maxBytes: 100 * MiB })).rejects.toThrow('connection reset');
    expect(requests.some((r) => r.startsWith('AbortMultipartUploadCommand'))).toBe(true);
    expect(pendingUploads()).toEqual([]);
    expect(await keys()).toEqual([]);
  });

  it('deletes the temporary object when copying it into place fails', async () => {
    failNextCopy = { status: 403, code: 'AccessDenied' };
    await expect(store.put(chunks('copy refused'), { maxBytes: 100 })).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(await keys()).toEqual([]);
  });

  it('finds bytes altered in the bucket by hashing them again', async () => {
    const stored = await store.put(chunks('original bytes'), { maxBytes: 100 });
    expect(await store.rehash(stored.sha256)).toEqual({ sha256: stored.sha256, size: 14 });
    // S3 has no write-once of its own: anyone allowed s3:PutObject can replace the object
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(stored.sha256), Body: 'tampered bytes' }));
    const rehashed = await store.rehash(stored.sha256);
    expect(rehashed).toEqual({ sha256: sha(Buffer.from('tampered bytes')), size: 14 });
    expect(rehashed!.sha256).not.toBe(stored.sha256);
  });

  it('destroys content for good, and says so when asked for it', async () => {
    const stored = await store.put(chunks('to be destroyed'), { maxBytes: 100 });
    await store.destroy(stored.sha256);
    expect(await store.exists(stored.sha256)).toBe(false);
    await expect(store.open(stored.sha256)).rejects.toBeInstanceOf(ContentMissingError);
    expect(await store.rehash(stored.sha256)).toBeNull();
    await store.destroy(stored.sha256);
    expect(await keys()).toEqual([]);
  });

  it('sends nothing for an open stream until it is read, and fails it if the object went meanwhile', async () => {
    const stored = await store.put(chunks('opened early'), { maxBytes: 100 });
    requests = [];
    const opened = await Promise.all([store.open(stored.sha256), store.open(stored.sha256)]);
    expect(requests.map((r) => r.split(' ')[0])).toEqual(['HeadObjectCommand', 'HeadObjectCommand']);
    expect((await read(opened[0])).toString()).toBe('opened early');
    await store.destroy(stored.sha256);
    await expect(read(opened[1])).rejects.toBeInstanceOf(ContentMissingError);
  });

  it('never turns a name that is not a hash into a key', async () => {
    for (const name of ['../../etc/passwd', `tmp/${'0'.repeat(60)}`, 'A'.repeat(64), `${'a'.repeat(63)}/`, `${'a'.repeat(64)}\n`]) {
      await expect(store.open(name)).rejects.toBeInstanceOf(ContentMissingError);
      await expect(store.exists(name)).rejects.toBeInstanceOf(ContentMissingError);
      await expect(store.rehash(name)).rejects.toBeInstanceOf(ContentMissingError);
      await expect(store.destroy(name)).rejects.toBeInstanceOf(ContentMissingError);
    }
    expect(requests).toEqual([]);
  });

  it('streams a large body through in parts, never far ahead of what the server has taken', async () => {
    const size = 50_000_000;
    const partSize = 5 * MiB;
    const small = new S3ContentStore({ client, bucket, partSize, queueSize: 2 });
    // bytes the server has acknowledged, counted as each UploadPart returns
    let acknowledged = 0;
    client.middlewareStack.add(
      ((next: (args: { input: { Body?: Buffer } }) => Promise<unknown>, context: { commandName: string }) => async (args: { input: { Body?: Buffer } }) => {
        const result = await next(args);
        if (context.commandName === 'UploadPartCommand') acknowledged += args.input.Body!.length;
        return result;
      }) as never,
      { step: 'initialize', name: 'countParts' },
    );
    const expected = createHash('sha256');
    let ahead = 0;
    const body = generated(size, 256 * 1024, (produced, piece) => {
      expected.update(piece);
      ahead = Math.max(ahead, produced - acknowledged);
    });
    let stored;
    try {
      stored = await small.put(body, { maxBytes: 64 * MiB });
    } finally {
      client.middlewareStack.remove('countParts');
    }
    expect(stored).toEqual({ sha256: expected.digest('hex'), size, alreadyStored: false });
    expect(requests.filter((r) => r.startsWith('UploadPartCommand'))).toHaveLength(Math.ceil(size / partSize));
    // two parts in flight, one being gathered, and the streams' own buffers: well under the body
    expect(ahead).toBeLessThan(6 * partSize);
    expect(await store.rehash(stored.sha256)).toEqual({ sha256: stored.sha256, size });
    const back = createHash('sha256');
    let length = 0;
    for await (const chunk of await store.open(stored.sha256)) {
      back.update(chunk as Buffer);
      length += (chunk as Buffer).length;
    }
    expect({ sha256: back.digest('hex'), length }).toEqual({ sha256: stored.sha256, length: size });
    expect(await keys()).toEqual([keyOf(stored.sha256)]);
  });
});

describe('createContentStore', () => {
  const base = {
    DATA_DIR: '/var/lib/casework',
    EVIDENCE_DIR: undefined,
    S3_ENDPOINT: undefined,
    S3_REGION: 'us-east-1',
    S3_BUCKET: undefined,
    S3_ACCESS_KEY_ID: undefined,
    S3_SECRET_ACCESS_KEY: undefined,
    S3_FORCE_PATH_STYLE: false,
  };

  it('is the directory store unless EVIDENCE_STORE is s3', () => {
    expect(createContentStore({ ...base, EVIDENCE_STORE: 'fs' })).toBeInstanceOf(FsContentStore);
  });

  it('builds an S3 store from the S3_* settings that works against the server', async () => {
    const s3 = createContentStore({
      ...base,
      EVIDENCE_STORE: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: true,
    });
    expect(s3).toBeInstanceOf(S3ContentStore);
    const stored = await s3.put(chunks('through the factory'), { maxBytes: 100 });
    expect((await read(await s3.open(stored.sha256))).toString()).toBe('through the factory');
    expect(await keys()).toEqual([keyOf(stored.sha256)]);
  });
});
