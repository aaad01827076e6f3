// RFC 6962 / RFC 9162 §2.1.1 hashing with SHA-256. Leaves and interior nodes get different
// one-byte prefixes, so no leaf can be passed off as an interior node (second preimages).
import { createHash } from 'node:crypto';

export const HASH_SIZE = 32;

/** A hash given as bytes or as 64 hexadecimal digits, as they travel in JSON. */
export type HashInput = Uint8Array | string;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** The root of the empty tree: SHA-256 of nothing (e3b0c442…b855). */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** SHA-256(0x00 || leaf). */
export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The 32 bytes of a hash, or null when it is not exactly 32 bytes (or 64 hex digits). */
export function hashBytes(hash: HashInput): Buffer | null {
  if (typeof hash === 'string') return /^[0-9a-fA-F]{64}$/.test(hash) ? Buffer.from(hash, 'hex') : null;
  return hash instanceof Uint8Array && hash.length === HASH_SIZE ? Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength) : null;
}

export function toHex(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex');
}
