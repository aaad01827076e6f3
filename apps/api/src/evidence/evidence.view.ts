import type { CustodyEvent, EvidenceItem } from '@libs/persistence/stores/evidence.store';

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
