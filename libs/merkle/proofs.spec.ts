// Property tests over random trees: every proof the library makes verifies, and every forgery
// tried here fails: a flipped bit, a node dropped or added anywhere, another index or size, a
// swapped or wrong head.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromInclusionProof,
  rootFromLeafHashes,
  subtreesForConsistencyProof,
  subtreesForInclusionProof,
  subtreesForTreeHead,
  subtreesOfLeaves,
  treeHead,
  TreeBuilder,
  verifyConsistency,
  verifyInclusion,
  type Subtree,
  type SubtreeHashes,
} from '.';

const RUNS = { numRuns: 150 };

/** A tree of 1..200 distinct random leaves. */
const leafHashesArb = fc
  .uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 200, selector: (b) => Buffer.from(b).toString('hex') })
  .map((leaves) => leaves.map((l) => leafHash(l)));
const treeWithIndex = leafHashesArb.chain((leaves) =>
  fc
    .record({ leaves: fc.constant(leaves), index: fc.nat(leaves.length - 1), size: fc.integer({ min: 1, max: leaves.length }) })
    .filter((t) => t.index < t.size),
);
const treeWithSizes = leafHashesArb.chain((leaves) =>
  fc
    .tuple(fc.integer({ min: 1, max: leaves.length }), fc.integer({ min: 1, max: leaves.length }))
    .map(([a, b]) => ({ leaves, size1: Math.min(a, b), size2: Math.max(a, b) })),
);

const head = (leaves: Buffer[], size: number) => rootFromLeafHashes(leaves.slice(0, size));
const flipBit = (hash: Buffer, bit: number) => {
  const copy = Buffer.from(hash);
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
};
const someHash = (label: string) => createHash('sha256').update(label).digest();

/** Every way of corrupting a path tried below: each bit of each node, each node dropped, a node added at each place. */
function forgeries(path: Buffer[], extras: Buffer[]): [string, Buffer[]][] {
  const out: [string, Buffer[]][] = [];
  path.forEach((_, i) => {
    for (const bit of [0, 7, 100, 255]) out.push([`bit ${bit} of node ${i}`, path.map((h, j) => (j === i ? flipBit(h, bit) : h))]);
    out.push([`node ${i} dropped`, path.filter((_, j) => j !== i)]);
  });
  for (let i = 0; i <= path.length; i++)
    for (const [n, extra] of extras.entries()) out.push([`extra node ${n} at ${i}`, [...path.slice(0, i), extra, ...path.slice(i)]]);
  out.push(['nodes swapped', [...path].reverse()]);
  return out.filter(([, p]) => p.length !== path.length || p.some((h, i) => !h.equals(path[i])));
}

describe('tree heads', () => {
  it('agree between the one-pass root, the recursive definition and a subtree store', () => {
    fc.assert(
      fc.property(leafHashesArb, (leaves) => {
        const mth = (l: Buffer[]): Buffer => {
          if (l.length === 1) return l[0];
          let k = 1;
          while (k * 2 < l.length) k *= 2;
          return nodeHash(mth(l.slice(0, k)), mth(l.slice(k)));
        };
        const expected = mth(leaves);
        expect(rootFromLeafHashes(leaves)).toEqual(expected);
        expect(treeHead(leaves)).toEqual(expected);
        expect(treeHead(subtreesOfLeaves(leaves), leaves.length)).toEqual(expected);
        // Leaf by leaf, every intermediate head along the way.
        const builder = new TreeBuilder();
        leaves.forEach((leaf, i) => {
          builder.append(leaf);
          expect(builder.size).toBe(i + 1);
          expect(builder.root()).toEqual(mth(leaves.slice(0, i + 1)));
        });
      }),
      RUNS,
    );
  });
});

describe('inclusion proofs', () => {
  it('verify for every leaf of every tree', () => {
    fc.assert(
      fc.property(treeWithIndex, ({ leaves, index, size }) => {
        const proof = inclusionProof(leaves, index, size);
        expect(verifyInclusion(index, size, leaves[index], proof, head(leaves, size))).toBe(true);
        expect(
          verifyInclusion(
            index,
            size,
            leaves[index].toString('hex'),
            proof.map((p) => p.toString('hex')),
            head(leaves, size).toString('hex'),
          ),
        ).toBe(true);
      }),
      RUNS,
    );
  });

  it('fail with any bit flipped, any node dropped, added or reordered', () => {
    fc.assert(
      fc.property(treeWithIndex, ({ leaves, index, size }) => {
        const proof = inclusionProof(leaves, index, size);
        const root = head(leaves, size);
        for (const [what, forged] of forgeries(proof, [root, leaves[index], someHash('extra'), ...(proof.length ? [proof[0]] : [])])) {
          expect([what, verifyInclusion(index, size, leaves[index], forged, root)]).toEqual([what, false]);
        }
      }),
      RUNS,
    );
  });

  it('fail for another leaf, another index, another head, or another size with its own head', () => {
    fc.assert(
      fc.property(treeWithIndex, ({ leaves, index, size }) => {
        const proof = inclusionProof(leaves, index, size);
        const root = head(leaves, size);
        for (let other = 0; other < size; other++) {
          if (other === index) continue;
          expect(verifyInclusion(other, size, leaves[index], proof, root)).toBe(false);
          expect(verifyInclusion(index, size, leaves[other], proof, root)).toBe(false);
        }
        for (let otherSize = index + 1; otherSize <= leaves.length; otherSize++) {
          if (otherSize !== size) expect(verifyInclusion(index, otherSize, leaves[index], proof, head(leaves, otherSize))).toBe(false);
        }
        expect(verifyInclusion(index, size, leaves[index], proof, flipBit(root, 3))).toBe(false);
        expect(verifyInclusion(index, size, leaves[index], proof, EMPTY_ROOT)).toBe(false);
        expect(verifyInclusion(size, size, leaves[index], proof, root)).toBe(false);
        expect(verifyInclusion(index + size, size, leaves[index], proof, root)).toBe(false);
        expect(verifyInclusion(-1, size, leaves[index], proof, root)).toBe(false);
        expect(verifyInclusion(index, size + 0.5, leaves[index], proof, root)).toBe(false);
      }),
      RUNS,
    );
  });

  it('refuse an index outside the tree, and hashes that are not 32 bytes', () => {
    const leaves = [0, 1, 2].map((i) => leafHash(Buffer.from([i])));
    expect(() => inclusionProof(leaves, 3)).toThrow(RangeError);
    expect(() => inclusionProof(leaves, 0, 4)).toThrow(RangeError);
    expect(() => inclusionProof([], 0)).toThrow(RangeError);
    expect(verifyInclusion(0, 0, leaves[0], [], EMPTY_ROOT)).toBe(false);
    const proof = inclusionProof(leaves, 1);
    const root = rootFromLeafHashes(leaves);
    expect(verifyInclusion(1, 3, leaves[1], [...proof.slice(0, 1), Buffer.alloc(31)], root)).toBe(false);
    expect(verifyInclusion(1, 3, leaves[1], [...proof.slice(0, 1), proof[1].toString('hex').toUpperCase().slice(1)], root)).toBe(false);
    expect(verifyInclusion(1, 3, leaves[1].subarray(1), proof, root)).toBe(false);
    expect(rootFromInclusionProof(1, 3, leaves[1], proof)).toEqual(root);
  });
});

describe('consistency proofs', () => {
  it('verify between every pair of sizes', () => {
    fc.assert(
      fc.property(treeWithSizes, ({ leaves, size1, size2 }) => {
        const proof = consistencyProof(leaves, size1, size2);
        expect(verifyConsistency(size1, size2, proof, head(leaves, size1), head(leaves, size2))).toBe(true);
        if (size1 === size2) expect(proof).toEqual([]);
      }),
      RUNS,
    );
  });

  it('fail with any bit flipped, any node dropped, added or reordered', () => {
    fc.assert(
      fc.property(
        treeWithSizes.filter(({ size1, size2 }) => size1 < size2),
        ({ leaves, size1, size2 }) => {
          const proof = consistencyProof(leaves, size1, size2);
          const [root1, root2] = [head(leaves, size1), head(leaves, size2)];
          for (const [what, forged] of forgeries(proof, [root1, root2, someHash('extra'), proof[0]])) {
            expect([what, verifyConsistency(size1, size2, forged, root1, root2)]).toEqual([what, false]);
          }
          expect(verifyConsistency(size1, size2, [], root1, root2)).toBe(false);
        },
      ),
      RUNS,
    );
  });

  it('fail for other sizes with their own heads, swapped or wrong heads, and a later size before an earlier', () => {
    fc.assert(
      fc.property(
        treeWithSizes.filter(({ size1, size2 }) => size1 < size2),
        ({ leaves, size1, size2 }) => {
          const proof = consistencyProof(leaves, size1, size2);
          const [root1, root2] = [head(leaves, size1), head(leaves, size2)];
          for (let other = 1; other < size2; other++)
            if (other !== size1) expect([other, verifyConsistency(other, size2, proof, head(leaves, other), root2)]).toEqual([other, false]);
          for (let other = size1 + 1; other <= leaves.length; other++)
            if (other !== size2) expect([other, verifyConsistency(size1, other, proof, root1, head(leaves, other))]).toEqual([other, false]);
          expect(verifyConsistency(size1, size2, proof, root2, root1)).toBe(false);
          expect(verifyConsistency(size1, size2, proof, flipBit(root1, 9), root2)).toBe(false);
          expect(verifyConsistency(size1, size2, proof, root1, flipBit(root2, 9))).toBe(false);
          expect(verifyConsistency(size2, size1, proof, root2, root1)).toBe(false);
          expect(verifyConsistency(0, size2, proof, EMPTY_ROOT, root2)).toBe(false);
          expect(verifyConsistency(size1, size1, proof, root1, root1)).toBe(false);
        },
      ),
      RUNS,
    );
  });

  it('treat size 0 and equal sizes strictly', () => {
    const leaves = [0, 1, 2, 3, 4].map((i) => leafHash(Buffer.from([i])));
    const root = rootFromLeafHashes(leaves);
    // The empty tree is a prefix of every tree: an empty proof, from the empty tree's head.
    expect(consistencyProof(leaves, 0)).toEqual([]);
    expect(verifyConsistency(0, 5, [], EMPTY_ROOT, root)).toBe(true);
    expect(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)).toBe(true);
    expect(verifyConsistency(0, 5, [], root, root)).toBe(false);
    expect(verifyConsistency(0, 5, [EMPTY_ROOT], EMPTY_ROOT, root)).toBe(false);
    expect(verifyConsistency(0, 0, [], EMPTY_ROOT, root)).toBe(false);
    // Equal sizes: the same head and nothing else.
    expect(verifyConsistency(5, 5, [], root, root)).toBe(true);
    expect(verifyConsistency(5, 5, [], root, EMPTY_ROOT)).toBe(false);
    expect(verifyConsistency(5, 5, [root], root, root)).toBe(false);
    // Going back in time.
    expect(() => consistencyProof(leaves, 4, 3)).toThrow(RangeError);
    expect(verifyConsistency(4, 3, consistencyProof(leaves, 3, 4), rootFromLeafHashes(leaves.slice(0, 4)), rootFromLeafHashes(leaves.slice(0, 3)))).toBe(false);
    expect(verifyConsistency(-1, 5, [], EMPTY_ROOT, root)).toBe(false);
  });
});

describe('proofs from a store of complete subtrees', () => {
  /** A store over the leaves that records what it was asked for. */
  function recordingStore(leaves: Buffer[]): { source: SubtreeHashes; asked: Subtree[] } {
    const inner = subtreesOfLeaves(leaves);
    const asked: Subtree[] = [];
    return { asked, source: (s) => (asked.push(s), inner(s)) };
  }
  const key = (s: Subtree) => `${s.level}/${s.index}`;

  it('are the same proofs, and read exactly the subtrees the subtreesFor… functions name', () => {
    fc.assert(
      fc.property(treeWithIndex, fc.integer({ min: 0, max: 200 }), ({ leaves, index, size }, first) => {
        const store = recordingStore(leaves);
        expect(inclusionProof(store.source, index, size)).toEqual(inclusionProof(leaves, index, size));
        expect(store.asked.map(key).sort()).toEqual(subtreesForInclusionProof(index, size).map(key).sort());

        const size1 = first % (size + 1);
        store.asked.length = 0;
        expect(consistencyProof(store.source, size1, size)).toEqual(consistencyProof(leaves, size1, size));
        expect(store.asked.map(key).sort()).toEqual(subtreesForConsistencyProof(size1, size).map(key).sort());

        store.asked.length = 0;
        expect(treeHead(store.source, size)).toEqual(head(leaves, size));
        expect(store.asked.map(key).sort()).toEqual(subtreesForTreeHead(size).map(key).sort());
        // Only complete subtrees inside the tree, so a store that keeps those can answer.
        for (const s of [...subtreesForInclusionProof(index, size), ...subtreesForConsistencyProof(size1, size), ...subtreesForTreeHead(size)]) {
          expect((s.index + 1) * 2 ** s.level).toBeLessThanOrEqual(size);
        }
      }),
      RUNS,
    );
  });

  it('work at sizes beyond 2^32, where 32-bit arithmetic would break', () => {
    // Every leaf the same, so each level's subtree hash is known without 2^40 leaves.
    const levels = [leafHash(Buffer.from('same'))];
    for (let l = 1; l <= 53; l++) levels.push(nodeHash(levels[l - 1], levels[l - 1]));
    const store: SubtreeHashes = ({ level }) => levels[level];
    const size = 2 ** 40 + 2 ** 33 + 12_345;
    const earlier = 2 ** 40 + 7;
    for (const index of [0, 2 ** 32 + 1, size - 1, earlier - 1]) {
      const proof = inclusionProof(store, index, size);
      expect(proof).toHaveLength(subtreesForInclusionProof(index, size).length > 0 ? proof.length : 0);
      expect(verifyInclusion(index, size, levels[0], proof, treeHead(store, size))).toBe(true);
      expect(verifyInclusion(index, size, levels[0], proof.slice(1), treeHead(store, size))).toBe(false);
    }
    const proof = consistencyProof(store, earlier, size);
    expect(verifyConsistency(earlier, size, proof, treeHead(store, earlier), treeHead(store, size))).toBe(true);
    expect(verifyConsistency(earlier, size, proof.slice(0, -1), treeHead(store, earlier), treeHead(store, size))).toBe(false);
  });
});
