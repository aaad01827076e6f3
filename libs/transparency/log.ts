// An authority's Merkle log in PostgreSQL. The leaves are its audit events in log_index order;
// leaf i's hash is SHA-256(0x00 || the 32 bytes of event i's chain hash). Complete subtrees of
// two leaves or more are cached in merkle_subtrees as the log grows (written once, derived from
// the leaves), so a tree head or a proof reads O(log n) rows in one query, however long the log.
import type { DataSource, EntityManager } from 'typeorm';
import {
  consistencyProof,
  hashBytes,
  inclusionProof,
  leafHash,
  nodeHash,
  subtreesForConsistencyProof,
  subtreesForInclusionProof,
  subtreesForTreeHead,
  treeHead,
  type Subtree,
  type SubtreeHashes,
} from '@libs/merkle';
import { TransparencyStore } from '@libs/persistence/stores/transparency.store';

type Db = DataSource | EntityManager;

/** The log cannot be read as a dense, well-formed list of leaves: an event was removed or its hash damaged. */
export class LogBroken extends Error {
  constructor(
    readonly authorityId: string,
    readonly logIndex: number | null,
    message: string,
  ) {
    super(message);
  }
}

/** Leaves read per query while the cache grows or a log is recomputed. */
export const LEAF_CHUNK = 50_000;
const NODE_BATCH = 5_000;

/** The number of leaves: one past the highest committed log index (a removed event leaves a hole, not a shorter log). */
export async function logSize(db: Db, authorityId: string): Promise<number> {
  return new TransparencyStore(db).logSize(authorityId);
}

/** The leaf hashes of log indexes [from, to), in order; LogBroken on a hole or a malformed hash. */
export async function leafHashesBetween(db: Db, authorityId: string, from: number, to: number): Promise<Buffer[]> {
  const rows = await new TransparencyStore(db).leavesBetween(authorityId, from, to);
  const hashes = rows.map((row, i) => {
    const index = row.logIndex;
    if (index !== from + i) throw new LogBroken(authorityId, from + i, `log index ${from + i} of ${authorityId} is missing`);
    const bytes = hashBytes(row.hash);
    if (!bytes) throw new LogBroken(authorityId, index, `the event at log index ${index} of ${authorityId} has no 32-byte hash`);
    return leafHash(bytes);
  });
  if (hashes.length !== to - from) throw new LogBroken(authorityId, from + hashes.length, `log index ${from + hashes.length} of ${authorityId} is missing`);
  return hashes;
}

const key = (s: Subtree) => `${s.level}/${s.index}`;

/** Reads the given complete subtrees in one query: leaves from audit_events, larger ones from the cache. */
async function readSubtrees(db: Db, authorityId: string, wanted: Subtree[]): Promise<SubtreeHashes> {
  const leaves = [...new Set(wanted.filter((s) => s.level === 0).map((s) => s.index))];
  const nodes = wanted.filter((s) => s.level > 0);
  const rows = wanted.length === 0 ? [] : await new TransparencyStore(db).subtrees(authorityId, leaves, nodes);
  const found = new Map<string, Buffer>();
  for (const row of rows) {
    const bytes = hashBytes(row.hash);
    if (!bytes) throw new LogBroken(authorityId, row.level === 0 ? row.index : null, `subtree ${row.level}/${row.index} of ${authorityId} has no 32-byte hash`);
    found.set(key(row), row.level === 0 ? leafHash(bytes) : bytes);
  }
  return (subtree) => {
    const hash = found.get(key(subtree));
    if (hash) return hash;
    if (subtree.level === 0) throw new LogBroken(authorityId, subtree.index, `log index ${subtree.index} of ${authorityId} is missing`);
    throw new LogBroken(authorityId, null, `subtree ${key(subtree)} of ${authorityId} is not cached`);
  };
}

/** How far each database's cache is known to reach, so that a proof within it costs no extra query. */
const knownCached = new WeakMap<object, Map<string, number>>();
const dataSourceOf = (db: Db) => ('manager' in db ? db : db.connection);

/**
 * Grows the subtree cache to cover the first `size` leaves. From where it stopped, it reads the
 * leaves in order and stores every subtree they complete; concurrent callers store the same rows
 * (ON CONFLICT DO NOTHING), and the mark only moves forward once they are stored. The first
 * growth over a long log (a million events take about a minute) reports each chunk it stored.
 */
export async function extendSubtreeCache(db: Db, authorityId: string, size: number, onProgress?: (cachedSize: number) => void): Promise<void> {
  const known = knownCached.get(dataSourceOf(db)) ?? new Map<string, number>();
  knownCached.set(dataSourceOf(db), known);
  if ((known.get(authorityId) ?? 0) >= size) return;
  const store = new TransparencyStore(db);
  let cached = await store.cachedSize(authorityId);
  if (cached < size) {
    // The complete subtrees of the cached prefix, largest first: the left edge to build on.
    const prefix = subtreesForTreeHead(cached);
    const read = await readSubtrees(db, authorityId, prefix);
    const stack = prefix.map((s) => ({ ...s, hash: read(s) }));
    for (let from = cached; from < size; from += LEAF_CHUNK) {
      const to = Math.min(size, from + LEAF_CHUNK);
      const completed: { level: number; index: number; hash: Buffer }[] = [];
      (await leafHashesBetween(db, authorityId, from, to)).forEach((hash, i) => {
        let top = { level: 0, index: from + i, hash };
        while (stack.length > 0 && stack[stack.length - 1].level === top.level) {
          const left = stack.pop()!;
          top = { level: top.level + 1, index: left.index / 2, hash: nodeHash(left.hash, top.hash) };
          completed.push(top);
        }
        stack.push(top);
      });
      for (let b = 0; b < completed.length; b += NODE_BATCH) {
        await store.addSubtrees(authorityId, completed.slice(b, b + NODE_BATCH));
      }
      await store.markCached(authorityId, to);
      cached = to;
      onProgress?.(cached);
    }
  }
  known.set(authorityId, Math.max(known.get(authorityId) ?? 0, cached));
}

/** The tree head of the first `size` leaves. */
export async function treeHeadAt(db: Db, authorityId: string, size: number): Promise<Buffer> {
  await extendSubtreeCache(db, authorityId, size);
  return treeHead(await readSubtrees(db, authorityId, subtreesForTreeHead(size)), size);
}

export interface InclusionAtSize {
  leafHash: Buffer;
  auditPath: Buffer[];
  rootHash: Buffer;
}

/** The audit path of leaf `leafIndex` in the tree of the first `treeSize` leaves, with that leaf's hash and the tree head. */
export async function inclusionProofAt(db: Db, authorityId: string, leafIndex: number, treeSize: number): Promise<InclusionAtSize> {
  await extendSubtreeCache(db, authorityId, treeSize);
  const leaf = { level: 0, index: leafIndex };
  const source = await readSubtrees(db, authorityId, [leaf, ...subtreesForInclusionProof(leafIndex, treeSize), ...subtreesForTreeHead(treeSize)]);
  return { leafHash: Buffer.from(source(leaf)), auditPath: inclusionProof(source, leafIndex, treeSize), rootHash: treeHead(source, treeSize) };
}

export interface ConsistencyBetween {
  proof: Buffer[];
  fromRoot: Buffer;
  toRoot: Buffer;
}

/** The consistency proof from the first `from` leaves to the first `to`, with both tree heads. */
export async function consistencyProofBetween(db: Db, authorityId: string, from: number, to: number): Promise<ConsistencyBetween> {
  await extendSubtreeCache(db, authorityId, to);
  const source = await readSubtrees(db, authorityId, [...subtreesForConsistencyProof(from, to), ...subtreesForTreeHead(from), ...subtreesForTreeHead(to)]);
  return { proof: consistencyProof(source, from, to), fromRoot: treeHead(source, from), toRoot: treeHead(source, to) };
}

/** The log index of event `seq` of a case (or risk, agreement, contact) chain in the authority's log, or null. */
export async function logIndexOf(db: Db, authorityId: string, caseId: string, seq: number): Promise<number | null> {
  return new TransparencyStore(db).logIndexOf(authorityId, caseId, seq);
}

/** The log index of each event of a case's chain in the first `treeSize` leaves of its log, by seq. */
export async function caseLogIndexes(db: Db, caseId: string, treeSize: number): Promise<Map<number, number>> {
  return new TransparencyStore(db).caseLogIndexes(caseId, treeSize);
}
