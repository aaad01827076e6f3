import { sign } from 'node:crypto';
import {
  checkpointBody,
  checkpointNote,
  checkpointVerifierKey,
  generateCheckpointKey,
  noteKeyId,
  openNote,
  parseCheckpointText,
  parseVerifierKey,
  rawPublicKey,
  signCheckpoint,
  verifyCheckpointNote,
} from '.';

// The example of c2sp.org/signed-note ("Verifier keys", Example), verbatim.
const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_NOTE =
  'This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

const content = {
  authorityId: 'northshire',
  treeSize: 1234,
  rootHash: 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  issuedAt: '2026-05-07T21:00:00.000Z',
};
const { privateKey, publicKey } = generateCheckpointKey();
const checkpoint = signCheckpoint(content, privateKey);
const vkey = checkpointVerifierKey('northshire', publicKey);

describe('signed notes (c2sp.org/signed-note)', () => {
  it("verify the specification's example, and compute its key ID from its name and key", () => {
    expect(openNote(SPEC_NOTE, SPEC_VKEY)).toEqual({ text: 'This is an example message.\n', verified: 1, others: [] });
    const parsed = parseVerifierKey(SPEC_VKEY);
    expect(noteKeyId('example.com/foo', parsed.publicKey).toString('hex')).toBe('530d903a');
    expect(() => openNote(SPEC_NOTE.replace('example message', 'example massage'), SPEC_VKEY)).toThrow('the signature by example.com/foo does not verify');
  });

  it('read a verifier key whose base64 holds "+"', () => {
    // About half of all keys have a "+" in the base64 of 0x01 || key: find one.
    for (let i = 0; i < 200; i++) {
      const key = generateCheckpointKey().publicKey;
      const v = checkpointVerifierKey('northshire', key);
      if (!v.split('+')[2] || v.split('+').length === 3) continue;
      expect(parseVerifierKey(v).publicKey).toBe(rawPublicKey(key).toString('base64'));
      return;
    }
    throw new Error('no key with "+" in its base64 in 200 tries');
  });

  it('refuse a verifier key whose ID does not match, or that is not Ed25519', () => {
    expect(() => parseVerifierKey(SPEC_VKEY.replace('530d903a', '530d903b'))).toThrow(/ID does not match/);
    expect(() => parseVerifierKey(SPEC_VKEY.replace('+Aek', '+Aok'))).toThrow(TypeError);
    expect(() => parseVerifierKey('example.com/foo+530d903a')).toThrow(TypeError);
  });
});

describe('checkpoint notes (c2sp.org/tlog-checkpoint)', () => {
  const note = checkpointNote(checkpoint, publicKey);

  it('are the checkpoint body, a blank line, and the log signature named by the origin', () => {
    const [text, sigLine] = note.split('\n\n');
    expect(`${text}\n`).toBe(checkpointBody(checkpoint));
    const [dash, name, b64] = sigLine.trimEnd().split(' ');
    expect([dash, name]).toEqual(['\u2014', 'election-casework/northshire']);
    const bytes = Buffer.from(b64, 'base64');
    expect(bytes.subarray(4).toString('base64')).toBe(checkpoint.signature);
    expect(vkey).toBe(
      `election-casework/northshire+${bytes.subarray(0, 4).toString('hex')}+${Buffer.concat([Buffer.from([1]), rawPublicKey(publicKey)]).toString('base64')}`,
    );
    expect(parseCheckpointText(openNote(note, vkey).text)).toEqual({
      origin: 'election-casework/northshire',
      treeSize: 1234,
      rootHash: content.rootHash,
      extensions: ['2026-05-07T21:00:00.000Z'],
    });
    expect(verifyCheckpointNote(note, checkpoint, publicKey)).toBe(true);
  });

  it('fail when any byte of the body or the signature changes, or with another key', () => {
    const bodyEnd = note.indexOf('\n\n');
    for (let at = 0; at < note.length - 1; at++) {
      if (at === bodyEnd || at === bodyEnd + 1) continue;
      const chars = [...note];
      // Byte positions and characters coincide up to the em dash; change characters, not UTF-8 bytes.
      if (at >= chars.length - 1) break;
      chars[at] = chars[at] === 'A' ? 'B' : 'A';
      const forged = chars.join('');
      let opened: string | null;
      try {
        opened = openNote(forged, vkey).text;
      } catch {
        opened = null;
      }
      expect([at, opened !== null && opened === checkpointBody(checkpoint)]).toEqual([at, false]);
    }
    expect(() => openNote(note, checkpointVerifierKey('northshire', generateCheckpointKey().publicKey))).toThrow(/has no signature by/);
  });

  it('accept a witness cosignature line after the log signature, and refuse a note with no log signature', () => {
    const witness = generateCheckpointKey();
    const cosig = Buffer.concat([Buffer.from('01020304', 'hex'), sign(null, Buffer.from('anything'), witness.privateKey)]).toString('base64');
    const cosigned = `${note}\u2014 witness.example/w1 ${cosig}\n`;
    expect(openNote(cosigned, vkey)).toMatchObject({ verified: 1, others: [{ name: 'witness.example/w1', keyId: '01020304' }] });
    expect(verifyCheckpointNote(cosigned, checkpoint, publicKey)).toBe(true);
    const [text] = note.split('\n\u2014 ');
    expect(() => openNote(`${text}\n\u2014 witness.example/w1 ${cosig}\n`, vkey)).toThrow(/has no signature by/);
  });

  it('read checkpoint text by the specification and refuse what it forbids', () => {
    expect(parseCheckpointText('example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n')).toEqual({
      origin: 'example.com/log',
      treeSize: 0,
      rootHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      extensions: [],
    });
    expect(() => parseCheckpointText('example.com/log\n01\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n')).toThrow(/leading zeroes/);
    expect(() => parseCheckpointText('example.com/log\n1\n47DEQpj8HBSa\n')).toThrow(/32 bytes/);
    expect(() => parseCheckpointText('example.com/log\n1\n')).toThrow(/three/);
  });
});
