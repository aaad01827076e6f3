// Signed checkpoints of an authority's log: issued by the worker's Schedule and on demand, kept
// in transparency_checkpoints, published by the API.
import type { DataSource, EntityManager } from 'typeorm';
import { rawPublicKey, signCheckpoint, toHex, verifyConsistency, type Checkpoint } from '@libs/merkle';
import { consistencyProofBetween, extendSubtreeCache, LogBroken, logSize, treeHeadAt } from './log';
import type { CheckpointSigner } from './signing-key';

type Db = DataSource | EntityManager;

interface CheckpointRow {
  id: string;
  authority_id: string;
  tree_size: string;
  root_hash: string;
  issued_at: Date;
  key_id: string;
  signature: string;
}

const COLUMNS = 'id, authority_id, tree_size, root_hash, issued_at, key_id, signature';

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    authorityId: row.authority_id,
    treeSize: Number(row.tree_size),
    rootHash: row.root_hash,
    issuedAt: new Date(row.issued_at).toISOString(),
    keyId: row.key_id,
    signature: row.signature,
  };
}

export async function latestCheckpoint(db: Db, authorityId: string): Promise<Checkpoint | null> {
  const [row] = await db.query(`SELECT ${COLUMNS} FROM transparency_checkpoints WHERE authority_id = $1 ORDER BY issued_at DESC, id DESC LIMIT 1`, [
    authorityId,
  ]);
  return row ? toCheckpoint(row) : null;
}

/** The newest checkpoint of exactly this size, if one was signed. */
export async function checkpointOfSize(db: Db, authorityId: string, treeSize: number): Promise<Checkpoint | null> {
  const [row] = await db.query(
    `SELECT ${COLUMNS} FROM transparency_checkpoints WHERE authority_id = $1 AND tree_size = $2 ORDER BY issued_at DESC, id DESC LIMIT 1`,
    [authorityId, treeSize],
  );
  return row ? toCheckpoint(row) : null;
}

export interface CheckpointPosition {
  issuedAt: string;
  id: string;
}

/** Newest first; `after` is the position of the last checkpoint of the previous page. */
export async function listCheckpoints(
  db: Db,
  authorityId: string,
  limit: number,
  after?: CheckpointPosition,
): Promise<{ items: Checkpoint[]; next: CheckpointPosition | null }> {
  const rows: CheckpointRow[] = after
    ? await db.query(
        `SELECT ${COLUMNS} FROM transparency_checkpoints WHERE authority_id = $1 AND (issued_at, id) < ($2, $3) ORDER BY issued_at DESC, id DESC LIMIT $4`,
        [authorityId, after.issuedAt, after.id, limit + 1],
      )
    : await db.query(`SELECT ${COLUMNS} FROM transparency_checkpoints WHERE authority_id = $1 ORDER BY issued_at DESC, id DESC LIMIT $2`, [
        authorityId,
        limit + 1,
      ]);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toCheckpoint),
    next: rows.length > limit && last ? { issuedAt: new Date(last.issued_at).toISOString(), id: String(last.id) } : null,
  };
}

/** The base64 of the raw public key with this id, if it ever signed a checkpoint. */
export async function checkpointPublicKeyById(db: Db, keyId: string): Promise<string | null> {
  const [row] = await db.query('SELECT public_key FROM transparency_keys WHERE key_id = $1', [keyId]);
  return row ? row.public_key : null;
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
  const [{ events }] = await db.query('SELECT count(*) AS events FROM audit_events WHERE authority_id = $1', [authorityId]);
  if (Number(events) !== size)
    throw new LogBroken(authorityId, null, `the log of ${authorityId} has ${size - Number(events)} of its ${size} positions empty: events were removed`);
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
    await m.query('INSERT INTO transparency_keys (key_id, public_key) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      signer.keyId,
      rawPublicKey(signer.publicKey).toString('base64'),
    ]);
    await m.query('INSERT INTO transparency_checkpoints (authority_id, tree_size, root_hash, issued_at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6)', [
      checkpoint.authorityId,
      checkpoint.treeSize,
      checkpoint.rootHash,
      checkpoint.issuedAt,
      checkpoint.keyId,
      checkpoint.signature,
    ]);
  });
  return checkpoint;
}
