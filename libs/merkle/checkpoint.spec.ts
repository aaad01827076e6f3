import { generateKeyPairSync } from 'node:crypto';
import {
  checkpointBody,
  checkpointKeyId,
  checkpointPublicKey,
  generateCheckpointKey,
  rawPublicKey,
  signCheckpoint,
  verifyCheckpoint,
  type Checkpoint,
} from '.';

const content = {
  authorityId: 'northshire',
  treeSize: 1234,
  rootHash: 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  issuedAt: '2026-05-07T21:00:00.000Z',
};
const { privateKey, publicKey } = generateCheckpointKey();
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const raw = rawPublicKey(publicKey).toString('base64');

/** The same text with one byte changed. */
function changeOneByte(text: string, at: number): string {
  const bytes = Buffer.from(text, 'latin1');
  bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
  return bytes.toString('latin1');
}

describe('checkpointBody', () => {
  it('is the origin, the size, the base64 root and the time, one per line', () => {
    // base64 of the root computed independently: python3 -c "import base64; print(base64.b64encode(bytes.fromhex('d37e…14b7')))"
    expect(checkpointBody(content)).toBe('election-casework/northshire\n1234\n037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=\n2026-05-07T21:00:00.000Z\n');
  });

  it('refuses fields with no single canonical form', () => {
    expect(() => checkpointBody({ ...content, authorityId: 'north shire' })).toThrow(TypeError);
    expect(() => checkpointBody({ ...content, authorityId: 'northshire\n99' })).toThrow(TypeError);
    expect(() => checkpointBody({ ...content, treeSize: -1 })).toThrow(TypeError);
    expect(() => checkpointBody({ ...content, treeSize: 1.5 })).toThrow(TypeError);
    expect(() => checkpointBody({ ...content, rootHash: content.rootHash.toUpperCase() })).toThrow(TypeError);
    expect(() => checkpointBody({ ...content, issuedAt: '2026-05-07T21:00:00Z' })).toThrow(TypeError);
    expect(() => checkpointBody({ ...content, issuedAt: '2026-02-30T21:00:00.000Z' })).toThrow(TypeError);
  });
});

describe('signed checkpoints', () => {
  const checkpoint = signCheckpoint(content, privateKey);

  it('verify with the public key as a KeyObject, PEM or raw base64', () => {
    expect(checkpoint).toMatchObject({ ...content, keyId: checkpointKeyId(publicKey) });
    expect(checkpoint.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(Buffer.from(checkpoint.signature, 'base64')).toHaveLength(64);
    for (const key of [publicKey, pem, raw, privateKey]) expect(verifyCheckpoint(checkpoint, key)).toBe(true);
    expect(checkpointKeyId(raw)).toBe(checkpoint.keyId);
    expect(signCheckpoint(content, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toEqual(checkpoint);
  });

  it('fail when any one byte of any field changes', () => {
    for (const field of ['authorityId', 'rootHash', 'issuedAt', 'keyId', 'signature'] as const) {
      const value = checkpoint[field];
      for (let at = 0; at < value.length; at++) {
        const forged = { ...checkpoint, [field]: changeOneByte(value, at) };
        expect([field, at, verifyCheckpoint(forged, publicKey)]).toEqual([field, at, false]);
      }
    }
    for (const treeSize of [1233, 1235, 0, 2 ** 40]) expect(verifyCheckpoint({ ...checkpoint, treeSize }, publicKey)).toBe(false);
  });

  it('fail with another key, and never throw on malformed input', () => {
    const other = generateCheckpointKey().publicKey;
    expect(verifyCheckpoint(checkpoint, other)).toBe(false);
    expect(verifyCheckpoint({ ...checkpoint, keyId: checkpointKeyId(other) }, other)).toBe(false);
    expect(verifyCheckpoint(checkpoint, 'not a key')).toBe(false);
    expect(verifyCheckpoint(checkpoint, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)).toBe(false);
    expect(verifyCheckpoint({ ...checkpoint, signature: '' }, publicKey)).toBe(false);
    expect(verifyCheckpoint({ ...checkpoint, signature: `${checkpoint.signature}AA` }, publicKey)).toBe(false);
    expect(verifyCheckpoint({ ...checkpoint, treeSize: '1234' } as unknown as Checkpoint, publicKey)).toBe(false);
    expect(verifyCheckpoint({} as Checkpoint, publicKey)).toBe(false);
  });

  it('are signed with Ed25519 keys only', () => {
    expect(() => signCheckpoint(content, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)).toThrow(TypeError);
    expect(() => signCheckpoint(content, publicKey)).toThrow(TypeError);
    expect(() => checkpointPublicKey('AAAA')).toThrow(TypeError);
  });
});
