// A Merkle log in the style of RFC 6962 / RFC 9162 (certificate transparency): tree heads,
// inclusion and consistency proofs, and Ed25519-signed checkpoints. Pure functions over
// node:crypto, with no database or framework, so an offline verifier can use them as they are.
export { EMPTY_ROOT, HASH_SIZE, hashBytes, leafHash, nodeHash, toHex, type HashInput } from './hashing';
export {
  isTreeSize,
  rangeHash,
  rootFromLeafHashes,
  splitPoint,
  subtreesForTreeHead,
  subtreesOfLeaves,
  treeHead,
  TreeBuilder,
  type Subtree,
  type SubtreeHashes,
  type TreeSource,
} from './tree';
export { inclusionProof, rootFromInclusionProof, subtreesForInclusionProof, verifyInclusion } from './inclusion';
export { consistencyProof, subtreesForConsistencyProof, verifyConsistency } from './consistency';
export {
  checkpointBody,
  checkpointKeyId,
  checkpointOrigin,
  checkpointPublicKey,
  CHECKPOINT_ORIGIN_PREFIX,
  generateCheckpointKey,
  rawPublicKey,
  signCheckpoint,
  verifyCheckpoint,
  type Checkpoint,
  type CheckpointContent,
  type PublicKeyInput,
} from './checkpoint';
export {
  checkpointNote,
  checkpointVerifierKey,
  NOTE_ED25519,
  noteKeyId,
  noteKeyName,
  noteVerifierKey,
  openNote,
  parseCheckpointText,
  parseVerifierKey,
  verifyCheckpointNote,
  type OpenedNote,
  type ParsedCheckpointText,
  type ParsedVerifierKey,
} from './note';
