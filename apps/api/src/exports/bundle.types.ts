// The court bundle (format election-casework-bundle/1), as packages/bundle-verifier reads it.
import type { Checkpoint } from '../../../../libs/merkle';
import type { AuditEvent } from '../../../../libs/persistence';
import type { AllegationView } from '../allegations/allegation.view';

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

export interface CourtBundle {
  format: typeof BUNDLE_FORMAT;
  generatedAt: string;
  disclosure: { actor: string; role: string; reason: string; recipient: string; at: string; auditSeq: number };
  case: AllegationView;
  history: { caseId: string; genesis: string; head: string; events: AuditEvent[] };
  evidence: BundleEvidenceItem[];
  packages: { id: string; forceId: string; status: string; manifestSha256: string; items: { id: string; sha256: string | null }[]; sealedAt: string | null; acknowledgedAt: string | null }[];
  transparency: {
    checkpoint: BundleCheckpoint;
    /** the authority's checkpoint key, PEM; pin it from /transparency/:authorityId/public-key */
    publicKey: string;
    /** the leaf of each event is the 32 bytes of its chain hash */
    inclusionProofs: { seq: number; leafIndex: number; auditPath: string[] }[];
  };
  bundleSha256: string;
}
