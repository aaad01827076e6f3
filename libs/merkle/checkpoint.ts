// Signed checkpoints: an authority's tree size and tree head, signed with Ed25519.
//
// What is signed is the checkpoint's body, UTF-8, four lines each ending in "\n", in the style of
// a C2SP tlog-checkpoint (origin, size, base64 root hash, then an extension line):
//
//   election-casework/<authorityId>
//   <treeSize, decimal>
//   <rootHash, standard base64 of the 32 bytes>
//   <issuedAt, ISO-8601 UTC with milliseconds, e.g. 2026-05-07T21:00:00.000Z>
//
// `signature` is the standard base64 of the 64-byte Ed25519 signature of those bytes. `keyId` is
// the first 16 hex digits of SHA-256 of the raw 32-byte public key, so a verifier holding several
// keys knows which one to try; it is checked, not trusted.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';
import { hashBytes } from './hashing';
import { isTreeSize } from './tree';

export interface Checkpoint {
  authorityId: string;
  treeSize: number;
  /** hex */
  rootHash: string;
  issuedAt: string;
  keyId: string;
  /** base64 */
  signature: string;
}

export type CheckpointContent = Pick<Checkpoint, 'authorityId' | 'treeSize' | 'rootHash' | 'issuedAt'>;

/** An Ed25519 public key: a KeyObject, a PEM (SPKI) text, or the base64 of the raw 32 bytes. */
export type PublicKeyInput = KeyObject | string;

export const CHECKPOINT_ORIGIN_PREFIX = 'election-casework/';

const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function checkpointOrigin(authorityId: string): string {
  return `${CHECKPOINT_ORIGIN_PREFIX}${authorityId}`;
}

/** The exact text a checkpoint's signature covers. Throws TypeError on a field that has no canonical form. */
export function checkpointBody(content: CheckpointContent): string {
  const { authorityId, treeSize, rootHash, issuedAt } = content;
  // Printable ASCII without spaces: the id can neither end the origin line early nor forge one.
  if (typeof authorityId !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(authorityId)) throw new TypeError('authorityId must be printable ASCII without spaces');
  if (!isTreeSize(treeSize)) throw new TypeError('treeSize must be a whole number of leaves');
  if (typeof rootHash !== 'string' || !/^[0-9a-f]{64}$/.test(rootHash)) throw new TypeError('rootHash must be 64 lowercase hex digits');
  if (typeof issuedAt !== 'string' || !ISO_MILLIS.test(issuedAt) || new Date(issuedAt).toISOString() !== issuedAt)
    throw new TypeError('issuedAt must be an ISO-8601 UTC time with milliseconds');
  return `${checkpointOrigin(authorityId)}\n${treeSize}\n${hashBytes(rootHash)!.toString('base64')}\n${issuedAt}\n`;
}

/** A fresh Ed25519 key pair. */
export function generateCheckpointKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ed25519');
}

/** The Ed25519 public key given as a KeyObject, PEM or raw base64. Throws TypeError otherwise. */
export function checkpointPublicKey(input: PublicKeyInput): KeyObject {
  let key: KeyObject;
  if (input instanceof KeyObject) {
    key = input.type === 'private' ? createPublicKey(input) : input;
  } else if (typeof input === 'string' && input.includes('-----BEGIN')) {
    key = createPublicKey(input);
  } else {
    const raw = typeof input === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(input.trim()) ? Buffer.from(input.trim(), 'base64') : null;
    if (!raw || raw.length !== 32) throw new TypeError('the public key must be PEM or the base64 of 32 raw Ed25519 bytes');
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError('the key is not an Ed25519 key');
  return key;
}

/** The 32 raw bytes of an Ed25519 public key. */
export function rawPublicKey(input: PublicKeyInput): Buffer {
  return Buffer.from(checkpointPublicKey(input).export({ format: 'jwk' }).x!, 'base64url');
}

export function checkpointKeyId(publicKey: PublicKeyInput): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16);
}

function privateKeyOf(input: KeyObject | string): KeyObject {
  const key = input instanceof KeyObject ? input : createPrivateKey(input);
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') throw new TypeError('checkpoints are signed with an Ed25519 private key');
  return key;
}

/** Signs the checkpoint's body (see the top of this file) with an Ed25519 private key (KeyObject or PKCS#8 PEM). */
export function signCheckpoint(content: CheckpointContent, privateKey: KeyObject | string): Checkpoint {
  const key = privateKeyOf(privateKey);
  const body = checkpointBody(content);
  const { authorityId, treeSize, rootHash, issuedAt } = content;
  return { authorityId, treeSize, rootHash, issuedAt, keyId: checkpointKeyId(key), signature: sign(null, Buffer.from(body, 'utf8'), key).toString('base64') };
}

/**
 * True when the checkpoint was signed by `publicKey`: its key id names that key and the
 * signature covers exactly its body. Any malformed field is a failure, never an exception.
 */
export function verifyCheckpoint(checkpoint: Checkpoint, publicKey: PublicKeyInput): boolean {
  try {
    const key = checkpointPublicKey(publicKey);
    if (checkpoint.keyId !== checkpointKeyId(key)) return false;
    const signature =
      typeof checkpoint.signature === 'string' && /^[A-Za-z0-9+/]{86}==$/.test(checkpoint.signature) ? Buffer.from(checkpoint.signature, 'base64') : null;
    // Only the canonical encoding: the last character before "==" also carries 4 unused bits, so
    // other texts decode to the same signature, and a checkpoint must change when a byte does.
    if (!signature || signature.length !== 64 || signature.toString('base64') !== checkpoint.signature) return false;
    return verify(null, Buffer.from(checkpointBody(checkpoint), 'utf8'), key, signature);
  } catch {
    return false;
  }
}
