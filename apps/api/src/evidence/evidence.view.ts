/** An evidence item as the API shows it, with its custody log when asked for. */
export interface EvidenceRow {
  id: string;
  case_id: string;
  authority_id: string;
  kind: 'digital' | 'physical';
  description: string;
  filename: string | null;
  content_type: string | null;
  size: string | null;
  sha256: string | null;
  seal_number: string | null;
  location: string | null;
  holder: string;
  status: string;
  package_id: string | null;
  legal_hold: boolean;
  legal_hold_reason: string | null;
  retention_until: Date | null;
  destroyed_at: Date | null;
  integrity_checked_at: Date | null;
  integrity_ok: boolean | null;
  custody_seq: number;
  created_at: Date;
}

export interface CustodyRow {
  seq: number;
  action: string;
  from_holder: string | null;
  to_holder: string | null;
  location: string | null;
  seal_number: string | null;
  note: string | null;
  actor: string;
  role: string;
  at: Date;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toEvidenceView(row: EvidenceRow, custody?: CustodyRow[]) {
  return {
    id: row.id,
    caseId: row.case_id,
    kind: row.kind,
    description: row.description,
    filename: row.filename,
    contentType: row.content_type,
    size: row.size === null ? null : Number(row.size),
    sha256: row.sha256,
    sealNumber: row.seal_number,
    location: row.location,
    holder: row.holder,
    status: row.status,
    packageId: row.package_id,
    legalHold: row.legal_hold,
    legalHoldReason: row.legal_hold_reason,
    retentionUntil: iso(row.retention_until),
    destroyedAt: iso(row.destroyed_at),
    integrity: { checkedAt: iso(row.integrity_checked_at), ok: row.integrity_ok },
    createdAt: iso(row.created_at),
    ...(custody
      ? {
          custody: custody.map((c) => ({
            seq: c.seq,
            action: c.action,
            from: c.from_holder,
            to: c.to_holder,
            location: c.location,
            sealNumber: c.seal_number,
            note: c.note,
            actor: c.actor,
            role: c.role,
            at: iso(c.at),
          })),
        }
      : {}),
  };
}
