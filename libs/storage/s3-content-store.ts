import { createHash, randomUUID } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ContentMissingError, ContentStore, ContentTooLargeError, PutOptions, SHA256_HEX, StoredContent } from './content-store';

export interface S3ContentStoreOptions {
  client: S3Client;
  bucket: string;
  /** bytes per multipart part (at least 5 MiB, S3's minimum); raised when maxBytes needs more than 10,000 parts */
  partSize?: number;
  /** parts uploaded at once; an upload holds about (queueSize + 2) × partSize in memory */
  queueSize?: number;
}

/** The largest object one CopyObject request copies (S3's limit); EvidenceConfig keeps EVIDENCE_MAX_BYTES under it. */
export const S3_MAX_COPY_BYTES = 5 * 1024 ** 3;

const MIN_PART_SIZE = 5 * 1024 ** 2;
const MAX_PARTS = 10_000;

/**
 * An S3 bucket (AWS, or an S3-compatible server) of objects named by their SHA-256
 * (`sha256/ab/cd/<hash>`). An upload streams to a temporary key (`tmp/<uuid>`) as a multipart
 * upload, hashing the bytes as they go, so at most a few parts are in memory at once; only then
 * is the hash known, and the object is copied into place if that key is absent. A failed or
 * refused upload aborts its multipart upload, and the temporary object is always deleted.
 *
 * What write-once means here. S3 itself makes no object write-once: without Object Lock, anyone
 * whose credentials allow s3:PutObject or s3:DeleteObject on the bucket can overwrite or delete a
 * `sha256/…` object, and only the integrity Schedule (rehash) would find it. What this store
 * guarantees is that it never replaces stored bytes itself: it copies into place only after
 * HeadObject found the key absent, and sends the copy with `If-None-Match: *`, which S3 (and
 * S3-compatible servers that implement conditional writes) checks atomically, so of two
 * concurrent copies to the same key one gets 412 and the first object stays. A server that
 * ignores the header leaves only the HeadObject check, whose race is between two uploads of the
 * same bytes (the key is their hash). CopyObject is atomic, so a reader never sees a partial
 * object. For storage that even the bucket's owner cannot alter, enable Object Lock on the bucket
 * (compliance mode, or governance mode so that disposal can bypass it with
 * s3:BypassGovernanceRetention); Object Lock needs versioning, and on a versioned bucket
 * destroy()'s DeleteObject only adds a delete marker, so disposal then also needs the older
 * versions removed (a lifecycle rule on noncurrent versions).
 */
export class S3ContentStore implements ContentStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(options: S3ContentStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.partSize = Math.max(MIN_PART_SIZE, options.partSize ?? 8 * 1024 ** 2);
    this.queueSize = Math.max(1, options.queueSize ?? 2);
  }

  /** The object key for a hash. A name that is not 64 lowercase hex digits never becomes a key. */
  private keyOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new ContentMissingError(sha256);
    return `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }

  async put(body: Readable, { maxBytes }: PutOptions): Promise<StoredContent> {
    const tmpKey = `tmp/${randomUUID()}`;
    const hash = createHash('sha256');
    let size = 0;
    // Why the body stopped, if it did: too large, or the body's own error (a dropped connection).
    // Both are known before the upload sees them, and win over the upload's own error (which may
    // be a failed abort of the multipart upload).
    let failure: Error | undefined;
    body.once('error', (error) => (failure ??= error));
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > maxBytes) return done((failure ??= new ContentTooLargeError(maxBytes)));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    // pipeline() passes an error of the body on to the meter, so the upload stops with it.
    const piping = pipeline(body, meter);
    piping.catch(() => undefined);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: tmpKey, Body: meter },
      partSize: Math.max(this.partSize, Math.ceil(maxBytes / MAX_PARTS)),
      queueSize: this.queueSize,
      leavePartsOnError: false, // abort the multipart upload on failure
    });
    try {
      try {
        await upload.done();
        await piping;
      } catch (error) {
        meter.destroy();
        throw failure ?? error;
      }
      if (failure) throw failure;
      const sha256 = hash.digest('hex');
      const alreadyStored = await this.copyIntoPlace(tmpKey, this.keyOf(sha256));
      return { sha256, size, alreadyStored };
    } finally {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: tmpKey })).catch(() => undefined);
    }
  }

  /** Copies the temporary object to its key unless that key exists; true if it already did. */
  private async copyIntoPlace(tmpKey: string, key: string): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      if (await this.headExists(key)) return true;
      try {
        await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: key, CopySource: `${this.bucket}/${tmpKey}`, IfNoneMatch: '*' }));
        return false;
      } catch (error) {
        // 412: another upload of the same bytes put the key in place after our HeadObject.
        if (statusOf(error) === 412) return true;
        // 409 ConditionalRequestConflict: a concurrent write to the key was in progress; look again.
        if (statusOf(error) === 409 && attempt < 5) continue;
        throw error;
      }
    }
  }

  private async headExists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  /**
   * Checks the object is there, then streams it. The GET is sent only when the stream is first
   * read, so opening many items (a package's zip, read one after another) holds no connection
   * per item; if the object goes in between, the stream fails with ContentMissingError.
   */
  async open(sha256: string): Promise<Readable> {
    const key = this.keyOf(sha256);
    if (!(await this.headExists(key))) throw new ContentMissingError(sha256);
    const get = () => this.get(sha256, key);
    return Readable.from(
      (async function* () {
        const object = await get();
        if (!object) throw new ContentMissingError(sha256);
        yield* object;
      })(),
      { objectMode: false },
    );
  }

  /** The object's body as a stream, or null if there is no such object. */
  private async get(sha256: string, key = this.keyOf(sha256)): Promise<Readable | null> {
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Body as Readable;
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  async exists(sha256: string): Promise<boolean> {
    return this.headExists(this.keyOf(sha256));
  }

  async rehash(sha256: string): Promise<{ sha256: string; size: number } | null> {
    const object = await this.get(sha256);
    if (!object) return null;
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of object) {
      size += (chunk as Buffer).length;
      hash.update(chunk as Buffer);
    }
    return { sha256: hash.digest('hex'), size };
  }

  async destroy(sha256: string): Promise<void> {
    // DeleteObject succeeds whether or not the key exists.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }));
  }
}

/** The HTTP status of an S3 error response (404 for a missing key, given s3:ListBucket; else 403). */
function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
