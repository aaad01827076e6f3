// An authority's transparency log (libs/transparency): its leaves are its audit events in
// log_index order (read here, written by the audit store); the complete subtrees cached as the log
// grows (`merkle_subtrees`, with the size cached so far in `merkle_logs`); the signed
// `transparency_checkpoints` and the `transparency_keys` that signed them. Written by the
// checkpoint Schedule's activity and the API's transparency service, through libs/transparency.
import type { Checkpoint } from '@libs/merkle';
import type { Queryable } from './queryable';

/** One position of the log: its index and the chain hash of the event there (hex, as stored). */
export interface LogLeaf {
  logIndex: number;
  hash: string;
}

/** A complete subtree: level 0 is a leaf (its event's chain hash), above that a cached node's hash (hex). */
export interface StoredSubtree {
  level: number;
  index: number;
  hash: string;
}

/** Where a page of checkpoints ends, to ask for the next. */
export interface CheckpointPosition {
  issuedAt: string;
  id: string;
}

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

const toCheckpoint = (row: CheckpointRow): Checkpoint => ({
  authorityId: row.authority_id,
  treeSize: Number(row.tree_size),
  rootHash: row.root_hash,
  issuedAt: new Date(row.issued_at).toISOString(),
  keyId: row.key_id,
  signature: row.signature,
});

export class TransparencyStore {
  constructor(private readonly db: Queryable) {}

  // The leaves: audit_events as the log sees them.

  /** One past the highest committed log index (a removed event leaves a hole, not a shorter log). */
  async logSize(authorityId: string): Promise<number> {
    const [row] = await this.db.query('SELECT COALESCE(MAX(log_index) + 1, 0) AS size FROM audit_events WHERE authority_id = $1', [authorityId]);
    return Number(row.size);
  }

  /** The events stored in the log, however many positions it has. */
  async eventCount(authorityId: string): Promise<number> {
    const [{ events }] = await this.db.query('SELECT count(*) AS events FROM audit_events WHERE authority_id = $1', [authorityId]);
    return Number(events);
  }

  /** The leaves held at log indexes [from, to), in order (a hole is simply absent). */
  async leavesBetween(authorityId: string, from: number, to: number): Promise<LogLeaf[]> {
    const rows: { log_index: string; hash: string }[] = await this.db.query(
      'SELECT log_index, hash FROM audit_events WHERE authority_id = $1 AND log_index >= $2 AND log_index < $3 ORDER BY log_index',
      [authorityId, from, to],
    );
    return rows.map((row) => ({ logIndex: Number(row.log_index), hash: row.hash }));
  }

  /** The chain hash of the event at a log index, or undefined when none is there. */
  async leafAt(authorityId: string, logIndex: number): Promise<string | undefined> {
    const [row] = await this.db.query('SELECT hash FROM audit_events WHERE authority_id = $1 AND log_index = $2', [authorityId, logIndex]);
    return row ? row.hash : undefined;
  }

  /** The log index of event `seq` of a case (or risk, agreement, contact) chain, or null. */
  async logIndexOf(authorityId: string, caseId: string, seq: number): Promise<number | null> {
    const [row] = await this.db.query('SELECT log_index FROM audit_events WHERE authority_id = $1 AND case_id = $2 AND seq = $3', [authorityId, caseId, seq]);
    return row ? Number(row.log_index) : null;
  }

  /** The log index of each event of a case's chain that lies below `treeSize`, by seq, in one query. */
  async caseLogIndexes(caseId: string, treeSize: number): Promise<Map<number, number>> {
    const rows: { seq: number; log_index: string }[] = await this.db.query(
      'SELECT seq, log_index FROM audit_events WHERE case_id = $1 AND log_index < $2 ORDER BY seq',
      [caseId, treeSize],
    );
    return new Map(rows.map((row) => [Number(row.seq), Number(row.log_index)]));
  }

  // The subtree cache.

  /**
   * The wanted subtrees that are there, in one query: the leaves at `leafIndexes` from
   * audit_events, the cached nodes of `nodes` (level above 0) from merkle_subtrees.
   */
  async subtrees(authorityId: string, leafIndexes: number[], nodes: { level: number; index: number }[]): Promise<StoredSubtree[]> {
    const rows: { level: number; idx: string; hash: string }[] = await this.db.query(
      `SELECT 0 AS level, log_index AS idx, hash FROM audit_events WHERE authority_id = $1 AND log_index = ANY($2::bigint[])
     UNION ALL
     SELECT s.level, s.idx, encode(s.hash, 'hex') FROM merkle_subtrees s
       JOIN unnest($3::smallint[], $4::bigint[]) AS w(level, idx) ON s.level = w.level AND s.idx = w.idx
      WHERE s.authority_id = $1`,
      [authorityId, leafIndexes, nodes.map((s) => s.level), nodes.map((s) => s.index)],
    );
    return rows.map((row) => ({ level: Number(row.level), index: Number(row.idx), hash: row.hash }));
  }

  /** How many leaves the cache covers (0 before the first growth). */
  async cachedSize(authorityId: string): Promise<number> {
    const [row] = await this.db.query('SELECT cached_size FROM merkle_logs WHERE authority_id = $1', [authorityId]);
    return row ? Number(row.cached_size) : 0;
  }

  /** Stores complete subtrees; one stored before (by a concurrent grower) is left as it is. */
  async addSubtrees(authorityId: string, nodes: { level: number; index: number; hash: Buffer }[]): Promise<void> {
    await this.db.query(
      `INSERT INTO merkle_subtrees (authority_id, level, idx, hash)
           SELECT $1, level, idx, decode(hash, 'hex') FROM unnest($2::smallint[], $3::bigint[], $4::text[]) AS n(level, idx, hash)
           ON CONFLICT DO NOTHING`,
      [authorityId, nodes.map((n) => n.level), nodes.map((n) => n.index), nodes.map((n) => n.hash.toString('hex'))],
    );
  }

  /** Moves the cache's mark to `size` leaves, never back. */
  async markCached(authorityId: string, size: number): Promise<void> {
    await this.db.query(
      `INSERT INTO merkle_logs (authority_id, cached_size) VALUES ($1, $2)
         ON CONFLICT (authority_id) DO UPDATE SET cached_size = GREATEST(merkle_logs.cached_size, EXCLUDED.cached_size)`,
      [authorityId, size],
    );
  }

  // Checkpoints and their keys.

  async latestCheckpoint(authorityId: string): Promise<Checkpoint | null> {
    const [row] = await this.db.query(`SELECT ${COLUMNS} FROM transparency_checkpoints WHERE authority_id = $1 ORDER BY issued_at DESC, id DESC LIMIT 1`, [
      authorityId,
    ]);
    return row ? toCheckpoint(row) : null;
  }

  /** The newest checkpoint of exactly this size, if one was signed. */
  async checkpointOfSize(authorityId: string, treeSize: number): Promise<Checkpoint | null> {
    const [row] = await this.db.query(
      `SELECT ${COLUMNS} FROM transparency_checkpoints WHERE authority_id = $1 AND tree_size = $2 ORDER BY issued_at DESC, id DESC LIMIT 1`,
      [authorityId, treeSize],
    );
    return row ? toCheckpoint(row) : null;
  }

  /** Newest first; `after` is the position of the last checkpoint of the previous page. */
  async listCheckpoints(authorityId: string, limit: number, after?: CheckpointPosition): Promise<{ items: Checkpoint[]; next: CheckpointPosition | null }> {
    const rows: CheckpointRow[] = after
      ? await this.db.query(
          `SELECT ${COLUMNS} FROM transparency_checkpoints WHERE authority_id = $1 AND (issued_at, id) < ($2, $3) ORDER BY issued_at DESC, id DESC LIMIT $4`,
          [authorityId, after.issuedAt, after.id, limit + 1],
        )
      : await this.db.query(`SELECT ${COLUMNS} FROM transparency_checkpoints WHERE authority_id = $1 ORDER BY issued_at DESC, id DESC LIMIT $2`, [
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

  /** Whether the key signed any of the authority's checkpoints. */
  async keySigned(authorityId: string, keyId: string): Promise<boolean> {
    const [used] = await this.db.query('SELECT 1 FROM transparency_checkpoints WHERE authority_id = $1 AND key_id = $2 LIMIT 1', [authorityId, keyId]);
    return Boolean(used);
  }

  /** The base64 of the raw public key with this id, if it ever signed a checkpoint. */
  async publicKey(keyId: string): Promise<string | null> {
    const [row] = await this.db.query('SELECT public_key FROM transparency_keys WHERE key_id = $1', [keyId]);
    return row ? row.public_key : null;
  }

  /** Records a signing key (base64 of its raw public key); a key recorded before stays as it is. */
  async addKey(keyId: string, publicKey: string): Promise<void> {
    await this.db.query('INSERT INTO transparency_keys (key_id, public_key) VALUES ($1, $2) ON CONFLICT DO NOTHING', [keyId, publicKey]);
  }

  async addCheckpoint(checkpoint: Checkpoint): Promise<void> {
    await this.db.query(
      'INSERT INTO transparency_checkpoints (authority_id, tree_size, root_hash, issued_at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6)',
      [checkpoint.authorityId, checkpoint.treeSize, checkpoint.rootHash, checkpoint.issuedAt, checkpoint.keyId, checkpoint.signature],
    );
  }
}
