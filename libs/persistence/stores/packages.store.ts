// Evidence packages for the police: `evidence_packages`, each with the manifest sealed into it.
// Written by the worker's package activities (activities/packages.ts), which also move the
// packaged items' custody through EvidenceStore in the same transaction; read by the API.
import type { Queryable } from './queryable';

export interface ManifestItem {
  id: string;
  kind: string;
  filename: string | null;
  sha256: string | null;
  [key: string]: unknown;
}

export interface Manifest {
  items: ManifestItem[];
  [key: string]: unknown;
}

export type PackageStatus = 'sealed' | 'handed_over' | 'acknowledged';

export interface EvidencePackage {
  id: string;
  caseId: string;
  forceId: string;
  status: PackageStatus;
  manifest: Manifest;
  manifestSha256: string;
  /** when it was sealed */
  createdAt: Date;
  handedOverAt: Date | null;
  acknowledgeDueAt: Date | null;
  acknowledgedAt: Date | null;
}

interface PackageRow {
  id: string;
  case_id: string;
  force_id: string;
  status: PackageStatus;
  manifest: Manifest;
  manifest_sha256: string;
  created_at: Date;
  handed_over_at: Date | null;
  acknowledge_due_at: Date | null;
  acknowledged_at: Date | null;
}

const toPackage = (p: PackageRow): EvidencePackage => ({
  id: p.id,
  caseId: p.case_id,
  forceId: p.force_id,
  status: p.status,
  manifest: p.manifest,
  manifestSha256: p.manifest_sha256,
  createdAt: p.created_at,
  handedOverAt: p.handed_over_at,
  acknowledgeDueAt: p.acknowledge_due_at,
  acknowledgedAt: p.acknowledged_at,
});

export class PackagesStore {
  constructor(private readonly db: Queryable) {}

  async find(id: string): Promise<EvidencePackage | undefined> {
    const [row] = await this.db.query('SELECT * FROM evidence_packages WHERE id = $1', [id]);
    return row ? toPackage(row) : undefined;
  }

  /** The case's packages, oldest first. */
  async ofCase(caseId: string): Promise<EvidencePackage[]> {
    const rows: PackageRow[] = await this.db.query('SELECT * FROM evidence_packages WHERE case_id = $1 ORDER BY created_at, id', [caseId]);
    return rows.map(toPackage);
  }

  /** The sealed manifest, if the package exists (a retried seal finds it). */
  async sealed(id: string): Promise<{ manifestSha256: string; manifest: Manifest } | undefined> {
    const [existing] = await this.db.query('SELECT manifest_sha256, manifest FROM evidence_packages WHERE id = $1', [id]);
    return existing ? { manifestSha256: existing.manifest_sha256, manifest: existing.manifest } : undefined;
  }

  async insertSealed(p: {
    id: string;
    caseId: string;
    authorityId: string;
    forceId: string;
    manifest: Manifest;
    manifestSha256: string;
    createdBy: string;
    createdAt: string;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO evidence_packages (id, case_id, authority_id, force_id, status, manifest, manifest_sha256, created_by, created_at) VALUES ($1, $2, $3, $4, 'sealed', $5, $6, $7, $8)`,
      [p.id, p.caseId, p.authorityId, p.forceId, JSON.stringify(p.manifest), p.manifestSha256, p.createdBy, p.createdAt],
    );
  }

  /** The package's status, held (FOR UPDATE) for the rest of the transaction. */
  async lockStatus(id: string): Promise<PackageStatus> {
    const [pkg] = await this.db.query('SELECT status FROM evidence_packages WHERE id = $1 FOR UPDATE', [id]);
    return pkg.status;
  }

  async markHandedOver(id: string, at: string, by: string, acknowledgeDueAt: string | undefined): Promise<void> {
    await this.db.query(
      "UPDATE evidence_packages SET status = 'handed_over', handed_over_at = $2, handed_over_by = $3, acknowledge_due_at = $4 WHERE id = $1",
      [id, at, by, acknowledgeDueAt],
    );
  }

  async markAcknowledged(id: string, at: string, by: string): Promise<void> {
    await this.db.query("UPDATE evidence_packages SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1", [id, at, by]);
  }

  /** The case's packages not yet acknowledged by the police, oldest first. */
  notAcknowledged(caseId: string): Promise<{ id: string; status: PackageStatus }[]> {
    return this.db.query("SELECT p.id, p.status FROM evidence_packages p WHERE p.case_id = $1 AND p.status <> 'acknowledged' ORDER BY p.created_at", [caseId]);
  }
}
