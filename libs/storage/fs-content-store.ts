import { createHash, randomUUID } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { chmod, link, mkdir, open, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ContentMissingError, ContentStore, ContentTooLargeError, PutOptions, SHA256_HEX, StoredContent } from './content-store';

/**
 * A directory of files named by their SHA-256 (`sha256/ab/cd/<hash>`), read-only once written.
 * Uploads stream to a private temporary file, which is fsynced and then hard-linked into place:
 * link() fails if the name exists, so a stored file is never replaced, and a reader never sees a
 * partial one.
 */
export class FsContentStore implements ContentStore {
  constructor(private readonly root: string) {}

  private pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new ContentMissingError(sha256);
    return join(this.root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(body: Readable, { maxBytes }: PutOptions): Promise<StoredContent> {
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true, mode: 0o700 });
    const tmp = join(tmpDir, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new ContentTooLargeError(maxBytes));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
      const handle = await open(tmp, 'r');
      await handle.sync().finally(() => handle.close());
      const sha256 = hash.digest('hex');
      const target = this.pathOf(sha256);
      await mkdir(join(target, '..'), { recursive: true });
      let alreadyStored = false;
      try {
        await link(tmp, target);
        await chmod(target, 0o444);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        alreadyStored = true;
      }
      return { sha256, size, alreadyStored };
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  async open(sha256: string): Promise<Readable> {
    const path = this.pathOf(sha256);
    const handle = await open(path, constants.O_RDONLY).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new ContentMissingError(sha256) : error;
    });
    return handle.createReadStream();
  }

  async exists(sha256: string): Promise<boolean> {
    return stat(this.pathOf(sha256)).then(
      () => true,
      () => false,
    );
  }

  async rehash(sha256: string): Promise<{ sha256: string; size: number } | null> {
    if (!(await this.exists(sha256))) return null;
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of await this.open(sha256)) {
      size += (chunk as Buffer).length;
      hash.update(chunk as Buffer);
    }
    return { sha256: hash.digest('hex'), size };
  }

  async destroy(sha256: string): Promise<void> {
    await unlink(this.pathOf(sha256)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}
