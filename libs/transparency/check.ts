// Checks an authority's log, as the database holds it now, against a checkpoint signed earlier.
// It recomputes the tree head from the audit events themselves (never from the subtree cache,
// which an edit of audit_events would not touch), so events removed, edited or reordered since
// the checkpoint are found, including the newest events of a case, which its hash chain alone
// cannot show were cut off.
import type { DataSource, EntityManager } from 'typeorm';
import { leafHash as leafHashOf, toHex, TreeBuilder, verifyCheckpoint, type Checkpoint, type PublicKeyInput } from '@libs/merkle';
import { TransparencyStore } from '@libs/persistence/stores/transparency.store';
import { LEAF_CHUNK, logSize } from './log';

type Db = DataSource | EntityManager;

export interface LogCheck {
  /** the signature holds and the log still has exactly the tree the checkpoint signed as its prefix */
  ok: boolean;
  signatureValid: boolean;
  checkpointSize: number;
  /** leaves in the log now (one past the highest log index) */
  logSize: number;
  /** log indexes below the checkpoint's size with no event (at most the first 100) */
  missingIndexes: number[];
  /** the head of the first checkpointSize leaves as they are now; null when some are missing */
  recomputedRoot: string | null;
  problems: string[];
}

export async function checkLogAgainstCheckpoint(db: Db, checkpoint: Checkpoint, publicKey: PublicKeyInput): Promise<LogCheck> {
  const { authorityId, treeSize } = checkpoint;
  const problems: string[] = [];
  const signatureValid = verifyCheckpoint(checkpoint, publicKey);
  if (!signatureValid) problems.push('the checkpoint signature does not verify with this public key');
  const size = await logSize(db, authorityId);
  if (size < treeSize) problems.push(`the log holds ${size} events; the checkpoint signed ${treeSize}`);

  const store = new TransparencyStore(db);
  const builder = new TreeBuilder();
  const missingIndexes: number[] = [];
  let missing = 0;
  for (let from = 0; from < treeSize; from += LEAF_CHUNK) {
    const to = Math.min(treeSize, from + LEAF_CHUNK);
    const rows = await store.leavesBetween(authorityId, from, to);
    let expected = from;
    const gap = (upTo: number) => {
      for (; expected < upTo; expected++) {
        missing += 1;
        if (missingIndexes.length < 100) missingIndexes.push(expected);
      }
    };
    for (const row of rows) {
      gap(row.logIndex);
      const bytes = /^[0-9a-f]{64}$/.test(row.hash) ? Buffer.from(row.hash, 'hex') : null;
      if (!bytes) problems.push(`the event at log index ${expected} has no 32-byte hash`);
      else if (missing === 0) builder.append(leafHashOf(bytes));
      expected += 1;
    }
    gap(to);
  }
  if (missing > 0)
    problems.push(`${missing} of the ${treeSize} events the checkpoint signed are missing from the log, first at log index ${missingIndexes[0]}`);
  const complete = missing === 0 && builder.size === treeSize;
  const recomputedRoot = complete ? toHex(builder.root()) : null;
  if (recomputedRoot !== null && recomputedRoot !== checkpoint.rootHash)
    problems.push("the events below the checkpoint's size no longer hash to the signed tree head: some were changed or reordered");
  return { ok: problems.length === 0, signatureValid, checkpointSize: treeSize, logSize: size, missingIndexes, recomputedRoot, problems };
}
