import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { checkpointNote, checkpointPublicKey, checkpointVerifierKey, noteKeyName, rawPublicKey, toHex, type Checkpoint } from '@libs/merkle';
import {
  checkpointOfSize,
  checkpointPublicKeyById,
  CheckpointSigner,
  consistencyProofBetween,
  inclusionProofAt,
  issueCheckpoint,
  latestCheckpoint,
  listCheckpoints,
  LogBroken,
  logIndexOf,
  logSize,
} from '@libs/transparency';
import { DirectoryStore } from '@libs/persistence/stores/directory.store';
import { TransparencyStore } from '@libs/persistence/stores/transparency.store';
import { badRequest, conflict, notFound } from '../common/api-error';
import { decodeCursor, encodeCursor } from './query';
import { fieldProblem, problem } from '@libs/domain';

export const CHECKPOINT_SIGNER = Symbol('CHECKPOINT_SIGNER');

/**
 * The authority's transparency log as the public sees it: only hashes, sizes and indexes, never
 * what an event says. A log that can no longer be read whole is a 409 naming where it broke.
 */
@Injectable()
export class TransparencyService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(CHECKPOINT_SIGNER) private readonly signer: CheckpointSigner,
  ) {}

  private async authority(authorityId: string): Promise<string> {
    const found = /^[\w.-]{1,100}$/.test(authorityId) ? await new DirectoryStore(this.db).findAuthority(authorityId) : null;
    if (!found) throw notFound('authority');
    return found.id;
  }

  private async orBroken<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof LogBroken)
        throw conflict(problem('transparency.log_broken', { reason: error.message }), [
          error.logIndex === null
            ? fieldProblem('log', 'transparency.log_inconsistent')
            : fieldProblem('log', 'transparency.index_damaged', { index: error.logIndex }),
        ]);
      throw error;
    }
  }

  /** Signs a checkpoint of the log as it stands now. */
  async issue(authorityId: string) {
    // Without `ifGrown`, issueCheckpoint always signs one.
    return (await this.orBroken(() => issueCheckpoint(this.db, authorityId, this.signer)))!;
  }

  async latest(authorityId: string) {
    const checkpoint = await latestCheckpoint(this.db, await this.authority(authorityId));
    if (!checkpoint) throw notFound('checkpoint');
    return checkpoint;
  }

  async list(authorityId: string, limit: number, cursor: unknown) {
    const page = await listCheckpoints(this.db, await this.authority(authorityId), limit, decodeCursor(cursor));
    return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  /** The key of `keyId` if it signed one of the authority's checkpoints; by default the key of the latest, or the key this API signs with. */
  async publicKey(authorityId: string, keyId?: string) {
    const id = await this.authority(authorityId);
    if (keyId !== undefined) {
      if (!(await new TransparencyStore(this.db).keySigned(id, keyId))) throw notFound('signing key');
    }
    const chosen = keyId ?? (await latestCheckpoint(this.db, id))?.keyId ?? this.signer.keyId;
    const raw = chosen === this.signer.keyId ? rawPublicKey(this.signer.publicKey).toString('base64') : await checkpointPublicKeyById(this.db, chosen);
    if (!raw) throw notFound('signing key');
    const pem = checkpointPublicKey(raw).export({ type: 'spki', format: 'pem' }).toString();
    return {
      authorityId: id,
      keyId: chosen,
      algorithm: 'Ed25519',
      publicKey: raw,
      publicKeyPem: pem,
      noteKeyName: noteKeyName(id),
      vkey: checkpointVerifierKey(id, raw),
    };
  }

  /** The raw public key (base64) that signed a checkpoint. */
  private async keyOf(checkpoint: Checkpoint): Promise<string> {
    const raw =
      checkpoint.keyId === this.signer.keyId
        ? rawPublicKey(this.signer.publicKey).toString('base64')
        : await checkpointPublicKeyById(this.db, checkpoint.keyId);
    if (!raw) throw notFound('signing key');
    return raw;
  }

  /** The latest checkpoint (or the newest of `treeSize`) as a C2SP signed note (libs/merkle/note.ts). */
  async note(authorityId: string, treeSize?: number): Promise<string> {
    const id = await this.authority(authorityId);
    const checkpoint = treeSize === undefined ? await latestCheckpoint(this.db, id) : await checkpointOfSize(this.db, id, treeSize);
    if (!checkpoint) throw notFound('checkpoint');
    return checkpointNote(checkpoint, await this.keyOf(checkpoint));
  }

  /**
   * An inclusion proof as github.com/transparency-dev/merkle's proof.VerifyInclusion takes it:
   * the index and size, the leaf, its RFC 6962 leaf hash, the root, and the path, base64.
   */
  async tlogInclusion(authorityId: string, at: { index: number } | { caseId: string; seq: number }, size?: number) {
    const id = await this.authority(authorityId);
    const logSizeNow = await logSize(this.db, id);
    const index = 'index' in at ? at.index : await logIndexOf(this.db, id, at.caseId, at.seq);
    if (index === null || index >= logSizeNow) {
      if ('index' in at)
        throw badRequest(`index ${at.index} is beyond the log, which holds ${logSizeNow} events`, [
          { field: 'index', problem: `is beyond the log (${logSizeNow} events)` },
        ]);
      throw notFound('audit event');
    }
    if (size !== undefined && size > logSizeNow)
      throw badRequest(`size ${size} is beyond the log, which holds ${logSizeNow} events`, [
        { field: 'size', problem: `is beyond the log (${logSizeNow} events)` },
      ]);
    if (size !== undefined && index >= size)
      throw badRequest(`the event is at log index ${index}, outside a tree of ${size}`, [{ field: 'size', problem: `must be more than the index ${index}` }]);
    const latest = await latestCheckpoint(this.db, id);
    const tree = size ?? (latest && latest.treeSize > index ? latest.treeSize : logSizeNow);
    const proof = await this.orBroken(() => inclusionProofAt(this.db, id, index, tree));
    const leaf = await new TransparencyStore(this.db).leafAt(id, index);
    if (leaf === undefined)
      throw conflict(problem('transparency.log_index_missing', { index }), [fieldProblem('log', 'transparency.index_damaged', { index })]);
    const b64 = (hash: Buffer) => hash.toString('base64');
    return {
      origin: noteKeyName(id),
      index,
      size: tree,
      leaf: b64(Buffer.from(leaf, 'hex')),
      leafHash: b64(proof.leafHash),
      root: b64(proof.rootHash),
      proof: proof.auditPath.map(b64),
    };
  }

  /** A consistency proof as proof.VerifyConsistency takes it: both sizes, both roots and the path, base64. */
  async tlogConsistency(authorityId: string, size1: number, size2?: number) {
    const id = await this.authority(authorityId);
    const size = await logSize(this.db, id);
    if (size1 > size)
      throw badRequest(`size1 ${size1} is beyond the log, which holds ${size} events`, [{ field: 'size1', problem: `is beyond the log (${size} events)` }]);
    if (size2 !== undefined && size2 > size)
      throw badRequest(`size2 ${size2} is beyond the log, which holds ${size} events`, [{ field: 'size2', problem: `is beyond the log (${size} events)` }]);
    const end = size2 ?? size;
    if (size1 > end) throw badRequest(`size1 ${size1} is after size2 ${end}`, [{ field: 'size1', problem: `must not be more than size2 (${end})` }]);
    const proof = await this.orBroken(() => consistencyProofBetween(this.db, id, size1, end));
    const b64 = (hash: Buffer) => hash.toString('base64');
    return { origin: noteKeyName(id), size1, size2: end, root1: b64(proof.fromRoot), root2: b64(proof.toRoot), proof: proof.proof.map(b64) };
  }

  async inclusion(authorityId: string, caseId: string, seq: number, treeSize?: number) {
    const id = await this.authority(authorityId);
    const leafIndex = await logIndexOf(this.db, id, caseId, seq);
    if (leafIndex === null) throw notFound('audit event');
    const size = await logSize(this.db, id);
    if (treeSize !== undefined && treeSize > size)
      throw badRequest(`treeSize ${treeSize} is beyond the log, which holds ${size} events`, [
        { field: 'treeSize', problem: `is beyond the log (${size} events)` },
      ]);
    if (treeSize !== undefined && leafIndex >= treeSize)
      throw badRequest(`the event is at log index ${leafIndex}, outside a tree of ${treeSize}`, [
        { field: 'treeSize', problem: `must be more than the event's log index ${leafIndex}` },
      ]);
    // By default, the latest signed tree that holds the event, so the proof checks against a signature.
    const latest = await latestCheckpoint(this.db, id);
    const tree = treeSize ?? (latest && latest.treeSize > leafIndex ? latest.treeSize : size);
    const proof = await this.orBroken(() => inclusionProofAt(this.db, id, leafIndex, tree));
    return {
      authorityId: id,
      caseId,
      seq,
      leafIndex,
      leafHash: toHex(proof.leafHash),
      treeSize: tree,
      rootHash: toHex(proof.rootHash),
      auditPath: proof.auditPath.map(toHex),
      checkpoint: await checkpointOfSize(this.db, id, tree),
    };
  }

  async consistency(authorityId: string, from: number, to?: number) {
    const id = await this.authority(authorityId);
    const size = await logSize(this.db, id);
    if (from > size)
      throw badRequest(`from ${from} is beyond the log, which holds ${size} events`, [{ field: 'from', problem: `is beyond the log (${size} events)` }]);
    if (to !== undefined && to > size)
      throw badRequest(`to ${to} is beyond the log, which holds ${size} events`, [{ field: 'to', problem: `is beyond the log (${size} events)` }]);
    const end = to ?? size;
    if (from > end) throw badRequest(`from ${from} is after to ${end}`, [{ field: 'from', problem: `must not be more than to (${end})` }]);
    const proof = await this.orBroken(() => consistencyProofBetween(this.db, id, from, end));
    return { authorityId: id, from, to: end, fromRootHash: toHex(proof.fromRoot), toRootHash: toHex(proof.toRoot), proof: proof.proof.map(toHex) };
  }
}
