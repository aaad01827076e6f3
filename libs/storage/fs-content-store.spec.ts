import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ContentMissingError, ContentTooLargeError } from './content-store';
import { FsContentStore } from './fs-content-store';

let root: string;
let store: FsContentStore;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'content-store-'));
  store = new FsContentStore(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const chunks = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)));
async function read(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('FsContentStore', () => {
  it('stores streamed bytes under their SHA-256 and gives them back unchanged', async () => {
    const stored = await store.put(chunks('postal vote ', 'statement ', 'scan'), { maxBytes: 1000 });
    const bytes = Buffer.from('postal vote statement scan');
    expect(stored).toEqual({ sha256: sha(bytes), size: bytes.length, alreadyStored: false });
    expect(await read(await store.open(stored.sha256))).toEqual(bytes);
    // write-once: the stored file is read-only
    const path = join(root, 'sha256', stored.sha256.slice(0, 2), stored.sha256.slice(2, 4), stored.sha256);
    expect(statSync(path).mode & 0o777).toBe(0o444);
  });

  it('recognises the same bytes uploaded twice', async () => {
    const first = await store.put(chunks('same'), { maxBytes: 100 });
    const second = await store.put(chunks('sa', 'me'), { maxBytes: 100 });
    expect(second).toEqual({ ...first, alreadyStored: true });
  });

  it('refuses more than maxBytes and leaves nothing behind', async () => {
    await expect(store.put(chunks('0123456789', 'abc'), { maxBytes: 10 })).rejects.toBeInstanceOf(ContentTooLargeError);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    expect(() => readdirSync(join(root, 'sha256'))).toThrow();
  });

  it('leaves nothing behind when the body fails midway (a dropped connection)', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(store.put(failing, { maxBytes: 1000 })).rejects.toThrow('connection reset');
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('finds bytes altered on disk by hashing them again', async () => {
    const stored = await store.put(chunks('original bytes'), { maxBytes: 100 });
    expect(await store.rehash(stored.sha256)).toEqual({ sha256: stored.sha256, size: 14 });
    const path = join(root, 'sha256', stored.sha256.slice(0, 2), stored.sha256.slice(2, 4), stored.sha256);
    chmodSync(path, 0o644);
    writeFileSync(path, 'tampered bytes');
    expect((await store.rehash(stored.sha256))!.sha256).not.toBe(stored.sha256);
  });

  it('destroys content for good, and says so when asked for it', async () => {
    const stored = await store.put(chunks('to be destroyed'), { maxBytes: 100 });
    await store.destroy(stored.sha256);
    expect(await store.exists(stored.sha256)).toBe(false);
    await expect(store.open(stored.sha256)).rejects.toBeInstanceOf(ContentMissingError);
    expect(await store.rehash(stored.sha256)).toBeNull();
    await store.destroy(stored.sha256);
  });

  it('never turns a name that is not a hash into a path', async () => {
    await expect(store.open('../../etc/passwd')).rejects.toBeInstanceOf(ContentMissingError);
  });
});
