// Checkpoints in the transparency ecosystem's own formats: a C2SP tlog-checkpoint
// (https://c2sp.org/tlog-checkpoint) carried as a C2SP signed note (https://c2sp.org/signed-note),
// and the signer's verifier key in the note "vkey" form, as golang.org/x/mod/sumdb/note and the
// transparency-dev tools read them.
//
// The note text is exactly checkpointBody(): origin, tree size, base64 root hash and one extension
// line (the time of issue). Its Ed25519 signature is the checkpoint's own `signature` (RFC 8032,
// over the same bytes), so every checkpoint ever signed has a note form without being signed again:
//
//   election-casework/northshire
//   1234
//   037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=
//   2026-05-07T21:00:00.000Z
//
//   — election-casework/northshire <base64(key ID (4 bytes, big-endian) || 64-byte signature)>
//
// The key name is the origin (tlog-checkpoint: "SHOULD match the origin line"); the key ID is
// SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4] (signed-note, type 0x01 = Ed25519).
import { createHash, verify } from 'node:crypto';
import { checkpointBody, checkpointOrigin, checkpointPublicKey, rawPublicKey, verifyCheckpoint, type Checkpoint, type PublicKeyInput } from './checkpoint';

/** The signed-note signature type of Ed25519. */
export const NOTE_ED25519 = 0x01;

const SIGNATURE_PREFIX = '\u2014 ';

/** The note key name of an authority's checkpoint key: its checkpoints' origin line. */
export function noteKeyName(authorityId: string): string {
  return checkpointOrigin(authorityId);
}

function checkKeyName(name: string): void {
  // signed-note: non-empty, no Unicode spaces, no "+".
  if (typeof name !== 'string' || name === '' || /[\s+]/u.test(name)) throw new TypeError('a note key name must be non-empty, without spaces or "+"');
}

/** The 4-byte key ID of an Ed25519 note key: SHA-256(name || 0x0A || 0x01 || public key)[:4]. */
export function noteKeyId(name: string, publicKey: PublicKeyInput): Buffer {
  checkKeyName(name);
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, NOTE_ED25519]))
    .update(rawPublicKey(publicKey))
    .digest()
    .subarray(0, 4);
}

/** The verifier key: `<name>+<key ID, 8 hex digits>+<base64(0x01 || public key)>`. */
export function noteVerifierKey(name: string, publicKey: PublicKeyInput): string {
  const material = Buffer.concat([Buffer.from([NOTE_ED25519]), rawPublicKey(publicKey)]);
  return `${name}+${noteKeyId(name, publicKey).toString('hex')}+${material.toString('base64')}`;
}

/** The verifier key of an authority's checkpoints. */
export function checkpointVerifierKey(authorityId: string, publicKey: PublicKeyInput): string {
  return noteVerifierKey(noteKeyName(authorityId), publicKey);
}

/**
 * The checkpoint as a signed note, with the log's signature line. `publicKey` is the key that
 * signed it (needed for the key ID); the signature itself is the checkpoint's own.
 */
export function checkpointNote(checkpoint: Checkpoint, publicKey: PublicKeyInput): string {
  const name = noteKeyName(checkpoint.authorityId);
  const signature = Buffer.from(checkpoint.signature, 'base64');
  if (signature.length !== 64) throw new TypeError('the checkpoint has no 64-byte Ed25519 signature');
  return `${checkpointBody(checkpoint)}\n${SIGNATURE_PREFIX}${name} ${Buffer.concat([noteKeyId(name, publicKey), signature]).toString('base64')}\n`;
}

export interface ParsedVerifierKey {
  name: string;
  keyId: Buffer;
  /** the raw 32-byte Ed25519 key, as base64 */
  publicKey: string;
}

/** Reads an Ed25519 verifier key, checking its key ID. Throws TypeError otherwise. */
export function parseVerifierKey(vkey: string): ParsedVerifierKey {
  // The name and the key ID hold no "+"; the base64 after them may.
  const match = typeof vkey === 'string' ? /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(vkey.trim()) : null;
  if (!match) throw new TypeError('a verifier key is <name>+<8 hex digits>+<base64>');
  const parts = match.slice(1);
  checkKeyName(parts[0]);
  const material = Buffer.from(parts[2], 'base64');
  if (material.length !== 33 || material[0] !== NOTE_ED25519 || material.toString('base64') !== parts[2])
    throw new TypeError('the verifier key is not an Ed25519 (type 0x01) key');
  const publicKey = material.subarray(1).toString('base64');
  if (!noteKeyId(parts[0], publicKey).equals(Buffer.from(parts[1], 'hex'))) throw new TypeError("the verifier key's ID does not match its name and key");
  return { name: parts[0], keyId: Buffer.from(parts[1], 'hex'), publicKey };
}

export interface OpenedNote {
  /** the note text, final newline included */
  text: string;
  /** the signature lines by the given key that verified */
  verified: number;
  /** signature lines by other keys (witness cosignatures, a rotated key), left unchecked */
  others: { name: string; keyId: string }[];
}

/**
 * Opens a signed note as signed-note says a verifier must: the text is what comes before the
 * last blank line; signature lines by the key (same name and key ID) must all verify, lines by
 * other keys are ignored, and at least one must be by the key. Throws Error naming the problem.
 */
export function openNote(note: string, vkey: string): OpenedNote {
  const key = parseVerifierKey(vkey);
  // Valid UTF-8 is given by the string; no control characters but newline.
  if (typeof note !== 'string' || /[\x00-\x09\x0b-\x1f]/.test(note) || note.includes('\ufffd'))
    throw new Error('the note is malformed: control characters or invalid UTF-8');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n') || split + 2 === note.length) throw new Error('the note is malformed: no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const edKey = checkpointPublicKey(key.publicKey);
  let verified = 0;
  const others: OpenedNote['others'] = [];
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new Error('the note is malformed: a signature line does not start with an em dash');
    const [name, b64, extra] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    const bytes = Buffer.from(b64 ?? '', 'base64');
    if (extra !== undefined || !name || /[\s+]/u.test(name) || bytes.length < 5 || bytes.toString('base64') !== b64)
      throw new Error('the note is malformed: a signature line is not "— <name> <base64>"');
    const id = bytes.subarray(0, 4);
    if (name !== key.name || !id.equals(key.keyId)) {
      others.push({ name, keyId: id.toString('hex') });
      continue;
    }
    if (!verify(null, Buffer.from(text, 'utf8'), edKey, bytes.subarray(4))) throw new Error(`the signature by ${name} does not verify`);
    verified++;
  }
  if (verified === 0) throw new Error(`the note has no signature by ${key.name}+${key.keyId.toString('hex')}`);
  return { text, verified, others };
}

export interface ParsedCheckpointText {
  origin: string;
  treeSize: number;
  /** hex */
  rootHash: string;
  extensions: string[];
}

/** The note text of a checkpoint, read by tlog-checkpoint's rules. Throws Error naming the problem. */
export function parseCheckpointText(text: string): ParsedCheckpointText {
  if (!text.endsWith('\n')) throw new Error('the checkpoint text does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || lines.some((l) => l === '')) throw new Error('a checkpoint is at least three non-empty lines');
  const [origin, size, root, ...extensions] = lines;
  if (!/^(0|[1-9]\d*)$/.test(size) || !Number.isSafeInteger(Number(size)))
    throw new Error(`the tree size ${JSON.stringify(size)} is not a decimal number without leading zeroes`);
  const rootBytes = Buffer.from(root, 'base64');
  if (rootBytes.length !== 32 || rootBytes.toString('base64') !== root) throw new Error('the root hash is not the base64 of 32 bytes');
  return { origin, treeSize: Number(size), rootHash: rootBytes.toString('hex'), extensions };
}

/**
 * True when `note` is the note form of `checkpoint` signed by `publicKey`: the same body, and a
 * verifying signature line by the authority's key. Other signature lines (witnesses) may follow.
 */
export function verifyCheckpointNote(note: string, checkpoint: Checkpoint, publicKey: PublicKeyInput): boolean {
  try {
    const opened = openNote(note, checkpointVerifierKey(checkpoint.authorityId, publicKey));
    return opened.text === checkpointBody(checkpoint) && verifyCheckpoint(checkpoint, publicKey);
  } catch {
    return false;
  }
}
