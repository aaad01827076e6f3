// Write-once, content-addressed storage for evidence bytes. The bytes are hashed (SHA-256) as
// they stream in and are never held whole in memory; an item is addressed by its hash, so the
// same bytes uploaded twice are stored once, and stored bytes are never overwritten.
import type { Readable } from 'node:stream';

export interface StoredContent {
  sha256: string;
  size: number;
  /** the bytes were already in the store (an identical earlier upload) */
  alreadyStored: boolean;
}

export interface PutOptions {
  /** refuse (ContentTooLargeError) once more than this many bytes have arrived */
  maxBytes: number;
}

export interface ContentStore {
  /** Streams `body` in, hashing as it goes; nothing is left behind if it fails or is too large. */
  put(body: Readable, options: PutOptions): Promise<StoredContent>;
  /** The stored bytes, exactly as they arrived; ContentMissingError if absent or destroyed. */
  open(sha256: string): Promise<Readable>;
  exists(sha256: string): Promise<boolean>;
  /** Re-reads the stored bytes and hashes them again. */
  rehash(sha256: string): Promise<{ sha256: string; size: number } | null>;
  /** Removes the bytes for good (disposal); the hash stays in the records. */
  destroy(sha256: string): Promise<void>;
}

export class ContentTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the content is larger than ${maxBytes} bytes`);
  }
}

export class ContentMissingError extends Error {
  constructor(readonly sha256: string) {
    super(`no stored content with SHA-256 ${sha256}`);
  }
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
