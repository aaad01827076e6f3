// The offline verifier is written apart from the server's code; these properties hold the two
// to the same answers: inclusion proofs made by libs/merkle lead the verifier to the same root,
// forged ones do not, and both canonical JSON writers give the same bytes.
import fc from 'fast-check';
import { canonicalJson as serverCanonicalJson } from '../../libs/domain';
import { createPublicKey } from 'node:crypto';
import { generateCheckpointKey, inclusionProof, leafHash, noteKeyId as serverNoteKeyId, rootFromLeafHashes, toHex } from '../../libs/merkle';
import { canonicalJson, noteKeyId, rootFromInclusionProof } from '.';

const leavesArb = fc
  .uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 150, selector: (b) => Buffer.from(b).toString('hex') })
  .map((l) => l.map((b) => Buffer.from(b)));
const treeArb = leavesArb.chain((leaves) =>
  fc
    .record({ leaves: fc.constant(leaves), size: fc.integer({ min: 1, max: leaves.length }) })
    .chain((t) => fc.record({ leaves: fc.constant(t.leaves), size: fc.constant(t.size), index: fc.nat(t.size - 1) })),
);

describe('rootFromInclusionProof', () => {
  it('follows every proof libs/merkle makes to the tree head', () => {
    fc.assert(
      fc.property(treeArb, ({ leaves, size, index }) => {
        const hashes = leaves.map((l) => leafHash(l));
        const proof = inclusionProof(hashes, index, size).map(toHex);
        expect(rootFromInclusionProof(index, size, leaves[index], proof)).toBe(toHex(rootFromLeafHashes(hashes.slice(0, size))));
      }),
      { numRuns: 200 },
    );
  });

  it('does not reach the head with a forged proof: a changed node, one dropped or added, another index or leaf', () => {
    fc.assert(
      fc.property(treeArb, fc.nat(), ({ leaves, size, index }, pick) => {
        const hashes = leaves.map((l) => leafHash(l));
        const root = toHex(rootFromLeafHashes(hashes.slice(0, size)));
        const proof = inclusionProof(hashes, index, size).map(toHex);
        const reaches = (i: number, leaf: Buffer, path: string[], n = size) => rootFromInclusionProof(i, n, leaf, path) === root;
        if (proof.length > 0) {
          const at = pick % proof.length;
          const changed = [...proof];
          changed[at] = (changed[at][0] === '0' ? '1' : '0') + changed[at].slice(1);
          expect(reaches(index, leaves[index], changed)).toBe(false);
          expect(
            reaches(
              index,
              leaves[index],
              proof.filter((_, i) => i !== at),
            ),
          ).toBe(false);
        }
        expect(reaches(index, leaves[index], [...proof, toHex(hashes[0])])).toBe(false);
        if (size > 1) expect(reaches((index + 1) % size, leaves[index], proof)).toBe(false);
        expect(reaches(index, Buffer.from(leaves[index]).fill(7, 0, 1), proof)).toBe(leaves[index][0] === 7);
        expect(rootFromInclusionProof(size, size, leaves[index], proof)).toBeNull();
        expect(rootFromInclusionProof(index, size, leaves[index], [...proof.slice(0, -1), 'not hex'])).toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});

describe('canonicalJson', () => {
  it('writes the same bytes as the server for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => expect(canonicalJson(value)).toBe(serverCanonicalJson(value))),
      { numRuns: 300 },
    );
  });
});

describe('noteKeyId', () => {
  it("gives the key ID of c2sp.org/signed-note's example, and the server's for any key", () => {
    // example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k, from the specification
    const raw = Buffer.from('AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k', 'base64').subarray(1);
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    expect(noteKeyId('example.com/foo', key).toString('hex')).toBe('530d903a');
    const { publicKey } = generateCheckpointKey();
    expect(noteKeyId('election-casework/northshire', publicKey)).toEqual(serverNoteKeyId('election-casework/northshire', publicKey));
  });
});
