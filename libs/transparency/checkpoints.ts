// Signed checkpoints of an authority's log: issued by the worker's Schedule and on demand, kept
// in transparency_checkpoints, published by the API.
import type { DataSource, EntityManager } from 'typeorm';
import { rawPublicKey, signCheckpoint, toHex, verifyConsistency, type Checkpoint } from '@libs/merkle';
import { consistencyProofBetween, extendSubtreeCache, LogBroken, logSize, treeHeadAt } from './log';
import type { CheckpointSigner } from './signing-key';
import { TransparencyStore, type CheckpointPosition } from '@libs/persistence/stores/transparency.store';

type Db = DataSource | EntityManager;

export type { CheckpointPosition };

export async function latestCheckpoint(db: Db, authorityId: string): Promise<Checkpoint | null> {
  return new TransparencyStore(db).latestCheckpoint(authorityId);
}

/** The newest checkpoint of exactly this size, if one was signed. */
export async function checkpointOfSize(db: Db, authorityId: string, treeSize: number): Promise<Checkpoint | null> {
  return new TransparencyStore(db).checkpointOfSize(authorityId, treeSize);
}

/** Newest first; `after` is the position of the last checkpoint of the previous page. */
export async function listCheckpoints(
  db: Db,
  authorityId: string,
  limit: number,
  after?: CheckpointPosition,
): Promise<{ items: Checkpoint[]; next: CheckpointPosition | null }> {
  return new TransparencyStore(db).listCheckpoints(authorityId, limit, after);
}

/** The base64 of the raw public key with this id, if it ever signed a checkpoint. */
export async function checkpointPublicKeyById(db: Db, keyId: string): Promise<string | null> {
  return new TransparencyStore(db).publicKey(keyId);
}

/**
 * Signs and stores a checkpoint of the authority's log as it stands (every committed event).
 * With `ifGrown`, nothing is issued when the log has not grown since the latest checkpoint.
 * Before signing, every position up to the log's end must hold an event, and the new tree must
 * be consistent with the latest checkpoint: a log that lost events, or changed them since they
 * were cached, is refused with LogBroken, never signed over. (A hash edited in place in
 * audit_events after its subtree was cached is found by the case's chain verification and by
 * checkLogAgainstCheckpoint, which recompute from the events.)
 */
export async function issueCheckpoint(
  db: DataSource,
  authorityId: string,
  signer: CheckpointSigner,
  options: { ifGrown?: boolean; now?: Date; onProgress?: (cachedSize: number) => void } = {},
): Promise<Checkpoint | null> {
  const size = await logSize(db, authorityId);
  const latest = await latestCheckpoint(db, authorityId);
  if (latest && options.ifGrown && latest.treeSize === size) return null;
  if (latest && latest.treeSize > size)
    throw new LogBroken(
      authorityId,
      size,
      `the log of ${authorityId} holds ${size} events, fewer than the ${latest.treeSize} its checkpoint of ${latest.issuedAt} signed`,
    );
  // The subtree cache would still give the old head over a log with events removed below its
  // end: count them, so no checkpoint is ever signed over a hole.
  const events = await new TransparencyStore(db).eventCount(authorityId);
  if (events !== size)
    throw new LogBroken(authorityId, null, `the log of ${authorityId} has ${size - events} of its ${size} positions empty: events were removed`);
  await extendSubtreeCache(db, authorityId, size, options.onProgress);
  const rootHash = await treeHeadAt(db, authorityId, size);
  if (latest) {
    const { proof, toRoot } = await consistencyProofBetween(db, authorityId, latest.treeSize, size);
    if (!toRoot.equals(rootHash) || !verifyConsistency(latest.treeSize, size, proof, latest.rootHash, rootHash)) {
      throw new LogBroken(authorityId, null, `the log of ${authorityId} is not consistent with its checkpoint of ${latest.issuedAt} (size ${latest.treeSize})`);
    }
  }
  const checkpoint = signCheckpoint(
    { authorityId, treeSize: size, rootHash: toHex(rootHash), issuedAt: new Date(Math.floor((options.now ?? new Date()).getTime())).toISOString() },
    signer.privateKey,
  );
  await db.transaction(async (m) => {
    const store = new TransparencyStore(m);
    await store.addKey(signer.keyId, rawPublicKey(signer.publicKey).toString('base64'));
    await store.addCheckpoint(checkpoint);
  });
  return checkpoint;
}
