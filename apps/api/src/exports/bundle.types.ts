// The court bundle (format election-casework-bundle/1), as packages/bundle-verifier reads it.
import type { Checkpoint } from '@libs/merkle';
import type { AuditEvent } from '@libs/persistence';
import type { AllegationView } from '@libs/views/allegation';

export const BUNDLE_FORMAT = 'election-casework-bundle/1';

export interface BundleCustodyEntry {
  seq: number;
  action: string;
  from: string | null;
  to: string | null;
  location: string | null;
  sealNumber: string | null;
  note: string | null;
  actor: string;
  role: string;
  at: string | null;
}

export interface BundleEvidenceItem {
  id: string;
  kind: 'digital' | 'physical';
  description: string;
  filename: string | null;
  contentType: string | null;
  size: number | null;
  sha256: string | null;
  sealNumber: string | null;
  location: string | null;
  holder: string;
  status: string;
  custody: BundleCustodyEntry[];
}

export type BundleCheckpoint = Checkpoint;

/**
 * What the bundle says about itself: every hash, tree, signature and encoding it uses, so that a
 * third party can write a verifier from this and docs/legal/verifying.md alone. It is part of the
 * hashed content, so it cannot be changed without changing bundleSha256.
 */
export const BUNDLE_FORMATS = {
  documentation: 'docs/legal/verifying.md in the election-integrity-casework repository',
  bundleSha256: {
    hash: 'SHA-256',
    encoding: 'lowercase hex',
    covers: 'the canonical JSON of the bundle object without its bundleSha256 member',
    canonicalJson: String.raw`JSON (RFC 8259) with no whitespace; object members sorted by key, comparing UTF-16 code units (ECMAScript Array.prototype.sort); strings escaped as ECMAScript JSON.stringify does (\" \\ \b \f \n \r \t, other characters below U+0020 as \u00xx with lowercase hex digits, everything else as UTF-8); numbers as ECMAScript Number.prototype.toString prints them; members whose value is undefined left out`,
  },
  auditChain: {
    hash: 'SHA-256',
    genesis: '64 zeros (history.genesis)',
    eventHash:
      "lowercase hex of SHA-256(prevHash as its 64 hex characters || 0x0A || canonical JSON of { caseId: case.id, seq, at, actor, role, action, before (null if absent), after (null if absent) }); each event's prevHash is the previous event's hash",
  },
  evidence: { hash: 'SHA-256 of the file as received, lowercase hex (evidence[].sha256, recorded in the evidence.added event)' },
  merkleTree: {
    spec: 'RFC 6962 section 2.1 (RFC 9162 section 2.1)',
    hash: 'SHA-256',
    leaf: "the 32 bytes of the event's chain hash (history.events[].hash)",
    leafHash: 'SHA-256(0x00 || leaf)',
    nodeHash: 'SHA-256(0x01 || left || right)',
    inclusionProofs:
      'RFC 9162 section 2.1.3.2 (github.com/transparency-dev/merkle proof.VerifyInclusion): leafIndex, the checkpoint treeSize, auditPath lowercase hex from the leaf upwards',
  },
  checkpoint: {
    spec: 'c2sp.org/tlog-checkpoint, in a c2sp.org/signed-note (transparency.checkpointNote)',
    noteText:
      'origin "election-casework/<authorityId>", tree size (decimal), root hash (base64), one extension line: issuedAt (ISO-8601 UTC with milliseconds)',
    signature: 'Ed25519 (RFC 8032) over the note text; signed-note signature type 0x01',
    keyName: 'the origin line',
    noteKeyId: 'SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4], big-endian before the signature in the signature line',
    vkey: '<key name>+<key ID, 8 hex digits>+<base64(0x01 || 32-byte public key)> (transparency.vkey; pin the one published at /transparency/<authorityId>/vkey)',
    json: 'transparency.checkpoint holds the same: rootHash in hex, signature = the same 64 bytes in base64, keyId = first 16 hex digits of SHA-256(32-byte public key)',
    witnesses: 'other signature lines (c2sp.org/tlog-cosignature) may follow the log signature; verifiers ignore keys they do not know',
  },
} as const;

export interface CourtBundle {
  format: typeof BUNDLE_FORMAT;
  generatedAt: string;
  disclosure: { actor: string; role: string; reason: string; recipient: string; at: string; auditSeq: number };
  case: AllegationView;
  history: { caseId: string; genesis: string; head: string; events: AuditEvent[] };
  evidence: BundleEvidenceItem[];
  packages: {
    id: string;
    forceId: string;
    status: string;
    manifestSha256: string;
    items: { id: string; sha256: string | null }[];
    sealedAt: string | null;
    acknowledgedAt: string | null;
  }[];
  formats: typeof BUNDLE_FORMATS;
  transparency: {
    checkpoint: BundleCheckpoint;
    /** the same checkpoint as a C2SP signed note (tlog-checkpoint), with the same Ed25519 signature */
    checkpointNote: string;
    /** the signed-note verifier key of the checkpoint's signer */
    vkey: string;
    /** the authority's checkpoint key, PEM; pin it from /transparency/:authorityId/public-key */
    publicKey: string;
    /** the leaf of each event is the 32 bytes of its chain hash */
    inclusionProofs: { seq: number; leafIndex: number; auditPath: string[] }[];
  };
  bundleSha256: string;
}
