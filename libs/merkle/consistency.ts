// Consistency proofs between two sizes of one log: RFC 9162 §2.1.4.1 to produce one, §2.1.4.2
// to verify one. A valid proof shows that the tree of `size1` leaves is a prefix of the tree of
// `size2` leaves: nothing signed at size1 was later changed, reordered or removed.
import { EMPTY_ROOT, hashBytes, HashInput, nodeHash } from './hashing';
import { exactLog2, isTreeSize, openTree, rangeHash, rangeSubtrees, splitPoint, Subtree, TreeSource } from './tree';

type Range = readonly [start: number, size: number];

/** The leaf ranges whose hashes make up PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true), 0 < m < n, in proof order. */
function consistencyRanges(m: number, n: number): Range[] {
  const fromTop: Range[] = [];
  let start = 0;
  let size = n;
  let whole = true; // SUBPROOF's b: still the left edge of the original tree of m leaves
  while (m !== size) {
    const k = splitPoint(size);
    if (m <= k) {
      fromTop.push([start + k, size - k]);
      size = k;
    } else {
      fromTop.push([start, k]);
      start += k;
      m -= k;
      size -= k;
      whole = false;
    }
  }
  if (!whole) fromTop.push([start, size]);
  return fromTop.reverse();
}

function checkSizes(size1: number, size2: number): void {
  if (!isTreeSize(size1) || !isTreeSize(size2) || size1 > size2) throw new RangeError(`no consistency proof from size ${size1} to size ${size2}`);
}

/** The complete subtrees a store must supply for consistencyProof(store, size1, size2). */
export function subtreesForConsistencyProof(size1: number, size2: number): Subtree[] {
  checkSizes(size1, size2);
  if (size1 === 0 || size1 === size2) return [];
  return consistencyRanges(size1, size2).flatMap(([start, size]) => rangeSubtrees(start, size));
}

/**
 * The proof that the first `size1` leaves are a prefix of the first `size2` (by default, all of
 * the list). Empty when size1 is 0 or equals size2. Throws RangeError when size1 > size2.
 */
export function consistencyProof(tree: TreeSource, size1: number, size2?: number): Buffer[] {
  const { source, size } = openTree(tree, size2);
  checkSizes(size1, size);
  if (size1 === 0 || size1 === size) return [];
  return consistencyRanges(size1, size).map(([start, n]) => rangeHash(start, n, source));
}

/**
 * True when `proof` shows the tree of `size1` leaves with head `root1` to be a prefix of the
 * tree of `size2` leaves with head `root2`.
 *
 * Edge cases, stricter than some verifiers: size1 > size2 fails; size1 == size2 needs an empty
 * proof and equal heads; size1 == 0 needs an empty proof and root1 to be the empty tree's head
 * (the empty tree is a prefix of every tree, so nothing more can be checked). Otherwise the
 * algorithm is RFC 9162 §2.1.4.2, step by step, which fails on an empty proof, on a hash that is
 * not 32 bytes, and on a path with nodes missing or left over.
 */
export function verifyConsistency(size1: number, size2: number, proof: readonly HashInput[], root1: HashInput, root2: HashInput): boolean {
  const first = hashBytes(root1);
  const second = hashBytes(root2);
  if (!first || !second || !isTreeSize(size1) || !isTreeSize(size2) || size1 > size2 || !Array.isArray(proof)) return false;
  if (size1 === size2) return proof.length === 0 && first.equals(second);
  if (size1 === 0) return proof.length === 0 && first.equals(EMPTY_ROOT);

  // 1. An empty path fails.
  if (proof.length === 0) return false;
  const path: Buffer[] = [];
  for (const element of proof) {
    const bytes = hashBytes(element);
    if (!bytes) return false;
    path.push(bytes);
  }
  // 2. If size1 is an exact power of 2, the first tree is a complete subtree of the second, and
  //    its head starts the path.
  if (exactLog2(size1) >= 0) path.unshift(first);
  // 3.
  let fn = size1 - 1;
  let sn = size2 - 1;
  // 4. Skip the levels where the first tree's last leaf is a right child.
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // 5.
  let fr = path[0];
  let sr = path[0];
  // 6.
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // 7.
  return sn === 0 && fr.equals(first) && sr.equals(second);
}
