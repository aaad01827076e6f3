import type { CustodyEvent, EvidenceItem } from '@libs/persistence/stores/evidence.store';
import type { EvidencePackage } from '@libs/persistence/stores/packages.store';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** An evidence item as the API shows it, with its custody log when asked for. */
export function toEvidenceView(row: EvidenceItem, custody?: CustodyEvent[]) {
  return {
    id: row.id,
    caseId: row.caseId,
    kind: row.kind,
    description: row.description,
    filename: row.filename,
    contentType: row.contentType,
    size: row.size,
    sha256: row.sha256,
    sealNumber: row.sealNumber,
    location: row.location,
    holder: row.holder,
    status: row.status,
    packageId: row.packageId,
    legalHold: row.legalHold,
    legalHoldReason: row.legalHoldReason,
    retentionUntil: iso(row.retentionUntil),
    destroyedAt: iso(row.destroyedAt),
    integrity: { checkedAt: iso(row.integrityCheckedAt), ok: row.integrityOk },
    createdAt: iso(row.createdAt),
    ...(custody
      ? {
          custody: custody.map((c) => ({
            seq: c.seq,
            action: c.action,
            from: c.fromHolder,
            to: c.toHolder,
            location: c.location,
            sealNumber: c.sealNumber,
            note: c.note,
            actor: c.actor,
            role: c.role,
            at: iso(c.at),
          })),
        }
      : {}),
  };
}

/** An evidence item, with its custody log when asked for (GET /evidence/:id). */
export type EvidenceView = ReturnType<typeof toEvidenceView>;

/** An evidence package as the API shows it: its items and the manifest sealed over them. */
export function toPackageView(p: EvidencePackage) {
  return {
    id: p.id,
    caseId: p.caseId,
    forceId: p.forceId,
    status: p.status,
    manifestSha256: p.manifestSha256,
    items: p.manifest.items.map((i) => ({ id: i.id, sha256: i.sha256 })),
    manifest: p.manifest,
    sealedAt: iso(p.createdAt),
    handedOverAt: iso(p.handedOverAt),
    acknowledgeDueAt: iso(p.acknowledgeDueAt),
    acknowledgedAt: iso(p.acknowledgedAt),
  };
}

export type PackageView = ReturnType<typeof toPackageView>;
