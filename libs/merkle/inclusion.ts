// Inclusion proofs (audit paths): RFC 9162 §2.1.3.1 to produce one, §2.1.3.2 to verify one.
import { hashBytes, HashInput, nodeHash } from './hashing';
import { isTreeSize, openTree, rangeHash, rangeSubtrees, splitPoint, Subtree, TreeSource } from './tree';

type Range = readonly [start: number, size: number];

/** The leaf ranges whose hashes make up PATH(index, D[0:size]), from the leaf's sibling upwards. */
function inclusionRanges(index: number, size: number): Range[] {
  const fromTop: Range[] = [];
  let start = 0;
  let n = size;
  let m = index;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      fromTop.push([start + k, n - k]);
      n = k;
    } else {
      fromTop.push([start, k]);
      start += k;
      m -= k;
      n -= k;
    }
  }
  return fromTop.reverse();
}

function checkIndex(leafIndex: number, treeSize: number): void {
  if (!isTreeSize(treeSize) || !isTreeSize(leafIndex) || leafIndex >= treeSize)
    throw new RangeError(`leaf ${leafIndex} is not in a tree of ${treeSize} leaves`);
}

/** The complete subtrees a store must supply for inclusionProof(store, leafIndex, treeSize). */
export function subtreesForInclusionProof(leafIndex: number, treeSize: number): Subtree[] {
  checkIndex(leafIndex, treeSize);
  return inclusionRanges(leafIndex, treeSize).flatMap(([start, size]) => rangeSubtrees(start, size));
}

/**
 * The audit path of leaf `leafIndex` in the tree of the first `treeSize` leaves (by default, all
 * of the list), sibling first. Throws RangeError when the leaf is not in that tree.
 */
export function inclusionProof(tree: TreeSource, leafIndex: number, treeSize?: number): Buffer[] {
  const { source, size } = openTree(tree, treeSize);
  checkIndex(leafIndex, size);
  return inclusionRanges(leafIndex, size).map(([start, n]) => rangeHash(start, n, source));
}

/**
 * The root an audit path leads to, by RFC 9162 §2.1.3.2, or null when the path cannot belong to
 * leaf `leafIndex` of a tree of `treeSize` leaves (index out of range, too few or too many
 * hashes, a hash that is not 32 bytes).
 */
export function rootFromInclusionProof(leafIndex: number, treeSize: number, leafHash: HashInput, proof: readonly HashInput[]): Buffer | null {
  if (!isTreeSize(leafIndex) || !isTreeSize(treeSize) || leafIndex >= treeSize || !Array.isArray(proof)) return null;
  let r = hashBytes(leafHash);
  if (!r) return null;
  // fn and sn are the positions of the leaf and of the last leaf at the current level. Halving is
  // done with arithmetic: JavaScript's bit operators would truncate sizes above 2^31.
  let fn = leafIndex;
  let sn = treeSize - 1;
  for (const element of proof) {
    const p = hashBytes(element);
    if (!p || sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** True when `proof` shows the leaf with hash `leafHash` at `leafIndex` in the tree with head `rootHash`. */
export function verifyInclusion(leafIndex: number, treeSize: number, leafHash: HashInput, proof: readonly HashInput[], rootHash: HashInput): boolean {
  const root = hashBytes(rootHash);
  const computed = rootFromInclusionProof(leafIndex, treeSize, leafHash, proof);
  return root !== null && computed !== null && computed.equals(root);
}
