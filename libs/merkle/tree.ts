// The Merkle Tree Hash of RFC 9162 §2.1.1 over a list of leaf hashes, and the complete subtrees
// it is made of. A store that keeps the hash of every complete subtree can produce any root or
// proof from O(log n) of them: the helpers here say which ones a computation needs, so a database
// can fetch them in one query, and compute the result from them.
import { EMPTY_ROOT, hashBytes, HashInput, nodeHash } from './hashing';

/** The complete subtree of 2^level leaves that starts at leaf index·2^level. */
export interface Subtree {
  level: number;
  index: number;
}

/** Supplies the hash of a complete subtree (level 0: a leaf hash). */
export type SubtreeHashes = (subtree: Subtree) => Uint8Array;

/** Leaf hashes in log order, or a store of complete-subtree hashes. */
export type TreeSource = readonly HashInput[] | SubtreeHashes;

/** A tree size or leaf index: a whole number JavaScript counts exactly. */
export function isTreeSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** The largest power of two smaller than n (n >= 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  if (!(isTreeSize(n) && n >= 2)) throw new RangeError(`a tree of ${n} leaves has no split point`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** log2(n) when n is a power of two, otherwise -1. (Arithmetic, not bit operators: those are 32-bit.) */
export function exactLog2(n: number): number {
  let level = 0;
  let k = 1;
  while (k < n) {
    k *= 2;
    level += 1;
  }
  return k === n ? level : -1;
}

/**
 * MTH(D[start:start+size]) from complete subtrees. Every range a proof asks for starts at a
 * multiple of its own split point, so each piece it decomposes into is a complete subtree.
 */
export function rangeHash(start: number, size: number, source: SubtreeHashes): Buffer {
  const level = exactLog2(size);
  if (level >= 0 && start % size === 0) {
    const hash = hashBytes(source({ level, index: start / size }));
    if (!hash) throw new TypeError(`the hash of subtree ${level}/${start / size} is not 32 bytes`);
    return hash;
  }
  const k = splitPoint(size);
  return nodeHash(rangeHash(start, k, source), rangeHash(start + k, size - k, source));
}

/** The complete subtrees rangeHash(start, size) reads, left to right. */
export function rangeSubtrees(start: number, size: number): Subtree[] {
  const level = exactLog2(size);
  if (level >= 0 && start % size === 0) return [{ level, index: start / size }];
  const k = splitPoint(size);
  return [...rangeSubtrees(start, k), ...rangeSubtrees(start + k, size - k)];
}

/** Complete-subtree hashes computed (and remembered) from a list of leaf hashes. */
export function subtreesOfLeaves(leafHashes: readonly HashInput[]): SubtreeHashes {
  const leaves = leafHashes.map((h, i) => {
    const bytes = hashBytes(h);
    if (!bytes) throw new TypeError(`leaf hash ${i} is not 32 bytes`);
    return bytes;
  });
  const memo = new Map<string, Buffer>();
  const subtree = ({ level, index }: Subtree): Buffer => {
    if (level === 0) {
      if (index >= leaves.length) throw new RangeError(`there is no leaf ${index}`);
      return leaves[index];
    }
    const key = `${level}/${index}`;
    let hash = memo.get(key);
    if (!hash) {
      hash = nodeHash(subtree({ level: level - 1, index: index * 2 }), subtree({ level: level - 1, index: index * 2 + 1 }));
      memo.set(key, hash);
    }
    return hash;
  };
  return subtree;
}

/** The subtree source and tree size a proof function works on; the size defaults to the list's length. */
export function openTree(tree: TreeSource, treeSize: number | undefined): { source: SubtreeHashes; size: number } {
  if (typeof tree === 'function') {
    if (!isTreeSize(treeSize)) throw new RangeError('a tree size is needed with a subtree source');
    return { source: tree, size: treeSize };
  }
  const size = treeSize ?? tree.length;
  if (!isTreeSize(size) || size > tree.length) throw new RangeError(`tree size ${size} is not within the ${tree.length} leaves given`);
  return { source: subtreesOfLeaves(size === tree.length ? tree : tree.slice(0, size)), size };
}

/** The tree head MTH(D[0:size]); the empty tree's is SHA-256 of nothing. */
export function treeHead(tree: TreeSource, treeSize?: number): Buffer {
  const { source, size } = openTree(tree, treeSize);
  return size === 0 ? EMPTY_ROOT : rangeHash(0, size, source);
}

/**
 * Builds a tree head leaf by leaf in O(log n) memory, for logs too large to hold: a stack keeps
 * the complete subtrees of the leaves appended so far, largest first, and RFC 9162's head folds
 * them from the right.
 */
export class TreeBuilder {
  private readonly stack: { level: number; hash: Buffer }[] = [];
  private count = 0;

  /** Throws TypeError when the leaf hash is not 32 bytes. */
  append(leafHash: HashInput): void {
    const hash = hashBytes(leafHash);
    if (!hash) throw new TypeError(`leaf hash ${this.count} is not 32 bytes`);
    let top = { level: 0, hash };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].level === top.level) {
      const left = this.stack.pop()!;
      top = { level: top.level + 1, hash: nodeHash(left.hash, top.hash) };
    }
    this.stack.push(top);
    this.count += 1;
  }

  get size(): number {
    return this.count;
  }

  /** The head of the tree of the leaves appended so far. */
  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let root = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i--) root = nodeHash(this.stack[i].hash, root);
    return root;
  }
}

/** The head of the tree over a list of leaf hashes. */
export function rootFromLeafHashes(leafHashes: readonly HashInput[]): Buffer {
  const builder = new TreeBuilder();
  for (const hash of leafHashes) builder.append(hash);
  return builder.root();
}

/** The complete subtrees the head of a tree of `size` leaves is made of. */
export function subtreesForTreeHead(size: number): Subtree[] {
  if (!isTreeSize(size)) throw new RangeError(`${size} is not a tree size`);
  return size === 0 ? [] : rangeSubtrees(0, size);
}
