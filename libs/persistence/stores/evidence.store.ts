// Evidence: `evidence_items` (digital, with their content's hash, or physical, with their seal)
// and each item's `custody_events` in order. Written by the API's evidence service and by the
// worker's integrity and disposal checks (activities/evidence-checks.ts); packages
// (packages.store.ts) mark the items they carry.
import type { Queryable } from './queryable';

export interface EvidenceItem {
  id: string;
  caseId: string;
  authorityId: string;
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
  packageId: string | null;
  legalHold: boolean;
  legalHoldReason: string | null;
  retentionUntil: Date | null;
  destroyedAt: Date | null;
  integrityCheckedAt: Date | null;
  integrityOk: boolean | null;
  /** the seq of the item's latest custody event */
  custodySeq: number;
  createdAt: Date;
}

export interface CustodyEvent {
  evidenceId: string;
  seq: number;
  action: string;
  fromHolder: string | null;
  toHolder: string | null;
  location: string | null;
  sealNumber: string | null;
  note: string | null;
  actor: string;
  role: string;
  at: Date;
}

export type NewCustodyEvent = Omit<CustodyEvent, 'at'>;

export interface NewDigitalItem {
  id: string;
  caseId: string;
  authorityId: string;
  description: string;
  filename: string | null;
  contentType: string;
  size: number;
  sha256: string;
  holder: string;
  createdBy: string;
}

export interface NewPhysicalItem {
  id: string;
  caseId: string;
  authorityId: string;
  description: string;
  sealNumber: string;
  location: string;
  holder: string;
  createdBy: string;
}

/** A digital item due its integrity check, with its case's reference. */
export interface ItemToCheck {
  id: string;
  caseId: string;
  authorityId: string;
  sha256: string;
  integrityOk: boolean | null;
  reference: string;
  description: string;
}

/** An item past its retention date, with its case's reference. */
export interface ItemDueReview {
  id: string;
  caseId: string;
  authorityId: string;
  retentionUntil: Date;
  description: string;
  reference: string;
}

interface EvidenceRow {
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

interface CustodyRow {
  evidence_id: string;
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

const toItem = (r: EvidenceRow): EvidenceItem => ({
  id: r.id,
  caseId: r.case_id,
  authorityId: r.authority_id,
  kind: r.kind,
  description: r.description,
  filename: r.filename,
  contentType: r.content_type,
  // bigint: node-postgres gives it as a string
  size: r.size === null ? null : Number(r.size),
  sha256: r.sha256,
  sealNumber: r.seal_number,
  location: r.location,
  holder: r.holder,
  status: r.status,
  packageId: r.package_id,
  legalHold: r.legal_hold,
  legalHoldReason: r.legal_hold_reason,
  retentionUntil: r.retention_until,
  destroyedAt: r.destroyed_at,
  integrityCheckedAt: r.integrity_checked_at,
  integrityOk: r.integrity_ok,
  custodySeq: r.custody_seq,
  createdAt: r.created_at,
});

const toCustody = (c: CustodyRow): CustodyEvent => ({
  evidenceId: c.evidence_id,
  seq: c.seq,
  action: c.action,
  fromHolder: c.from_holder,
  toHolder: c.to_holder,
  location: c.location,
  sealNumber: c.seal_number,
  note: c.note,
  actor: c.actor,
  role: c.role,
  at: c.at,
});

export class EvidenceStore {
  constructor(private readonly db: Queryable) {}

  /** `lock` holds the item (FOR UPDATE) for the rest of the transaction. */
  async find(id: string, lock = false): Promise<EvidenceItem | undefined> {
    const [row] = await this.db.query(`SELECT * FROM evidence_items WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row ? toItem(row) : undefined;
  }

  /** The case's items, oldest first. */
  async ofCase(caseId: string): Promise<EvidenceItem[]> {
    const rows: EvidenceRow[] = await this.db.query('SELECT * FROM evidence_items WHERE case_id = $1 ORDER BY created_at, id', [caseId]);
    return rows.map(toItem);
  }

  /**
   * Serialises uploads of the same bytes to the same case until the transaction ends, then
   * answers the live item already holding them, if any.
   */
  async lockAndFindDuplicate(caseId: string, sha256: string): Promise<EvidenceItem | undefined> {
    await this.db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 11))', [`${caseId}:${sha256}`]);
    const [existing] = await this.db.query(
      "SELECT * FROM evidence_items WHERE case_id = $1 AND sha256 = $2 AND status <> 'destroyed' ORDER BY created_at LIMIT 1",
      [caseId, sha256],
    );
    return existing ? toItem(existing) : undefined;
  }

  async insertDigital(i: NewDigitalItem): Promise<void> {
    await this.db.query(
      `INSERT INTO evidence_items (id, case_id, authority_id, kind, description, filename, content_type, size, sha256, holder, status, created_by)
         VALUES ($1, $2, $3, 'digital', $4, $5, $6, $7, $8, $9, 'held', $10)`,
      [i.id, i.caseId, i.authorityId, i.description, i.filename, i.contentType, i.size, i.sha256, i.holder, i.createdBy],
    );
  }

  async insertPhysical(i: NewPhysicalItem): Promise<void> {
    await this.db.query(
      `INSERT INTO evidence_items (id, case_id, authority_id, kind, description, seal_number, location, holder, status, created_by)
         VALUES ($1, $2, $3, 'physical', $4, $5, $6, $7, 'held', $8)`,
      [i.id, i.caseId, i.authorityId, i.description, i.sealNumber, i.location, i.holder, i.createdBy],
    );
  }

  /** Who holds it, where and under which seal, after a custody event; the custody count moves on. */
  async moveCustody(id: string, next: { holder: string; location: string | null; sealNumber: string | null; status: string }): Promise<void> {
    await this.db.query('UPDATE evidence_items SET holder = $2, location = $3, seal_number = $4, status = $5, custody_seq = custody_seq + 1 WHERE id = $1', [
      id,
      next.holder,
      next.location,
      next.sealNumber,
      next.status,
    ]);
  }

  async setLegalHold(id: string, hold: boolean, reason: string | null): Promise<void> {
    await this.db.query('UPDATE evidence_items SET legal_hold = $2, legal_hold_reason = $3 WHERE id = $1', [id, hold, reason]);
  }

  /** The item is destroyed: its metadata and hash stay. */
  async markDestroyed(id: string): Promise<void> {
    await this.db.query("UPDATE evidence_items SET status = 'destroyed', destroyed_at = now(), custody_seq = custody_seq + 1 WHERE id = $1", [id]);
  }

  /** Whether another live item shares these bytes (then they must stay). */
  async bytesSharedWithAnother(sha256: string, id: string): Promise<boolean> {
    const [shared] = await this.db.query("SELECT 1 FROM evidence_items WHERE sha256 = $1 AND id <> $2 AND status <> 'destroyed' LIMIT 1", [sha256, id]);
    return Boolean(shared);
  }

  /** Appends a custody event; the first one also sets the item's custody count. */
  async appendCustody(e: NewCustodyEvent): Promise<void> {
    await this.db.query(
      `INSERT INTO custody_events (evidence_id, seq, action, from_holder, to_holder, location, seal_number, note, actor, role)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [e.evidenceId, e.seq, e.action, e.fromHolder, e.toHolder, e.location, e.sealNumber, e.note, e.actor, e.role],
    );
    if (e.seq === 1) await this.db.query('UPDATE evidence_items SET custody_seq = 1 WHERE id = $1', [e.evidenceId]);
  }

  async custodyOf(evidenceId: string): Promise<CustodyEvent[]> {
    const rows: CustodyRow[] = await this.db.query('SELECT * FROM custody_events WHERE evidence_id = $1 ORDER BY seq', [evidenceId]);
    return rows.map(toCustody);
  }

  /** Every custody event of the case's items, by item then seq. */
  async custodyOfCase(caseId: string): Promise<CustodyEvent[]> {
    const rows: CustodyRow[] = await this.db.query(
      'SELECT c.* FROM custody_events c JOIN evidence_items e ON e.id = c.evidence_id WHERE e.case_id = $1 ORDER BY c.evidence_id, c.seq',
      [caseId],
    );
    return rows.map(toCustody);
  }

  /** Live digital items, by hash, for the integrity check. */
  async digitalToCheck(): Promise<ItemToCheck[]> {
    const items: { id: string; case_id: string; authority_id: string; sha256: string; integrity_ok: boolean | null; reference: string; description: string }[] =
      await this.db.query(
        `SELECT e.id, e.case_id, e.authority_id, e.sha256, e.integrity_ok, a.reference, e.description
       FROM evidence_items e JOIN allegations a ON a.id = e.case_id
      WHERE e.kind = 'digital' AND e.status <> 'destroyed' ORDER BY e.sha256, e.id`,
      );
    return items.map((i) => ({
      id: i.id,
      caseId: i.case_id,
      authorityId: i.authority_id,
      sha256: i.sha256,
      integrityOk: i.integrity_ok,
      reference: i.reference,
      description: i.description,
    }));
  }

  async recordIntegrity(id: string, ok: boolean): Promise<void> {
    await this.db.query('UPDATE evidence_items SET integrity_checked_at = now(), integrity_ok = $2 WHERE id = $1', [id, ok]);
  }

  /** Live items past their retention date and not under a legal hold, soonest first. */
  async dueDisposalReview(): Promise<ItemDueReview[]> {
    const items: { id: string; case_id: string; authority_id: string; retention_until: Date; description: string; reference: string }[] = await this.db.query(
      `SELECT e.id, e.case_id, e.authority_id, e.retention_until, e.description, a.reference
       FROM evidence_items e JOIN allegations a ON a.id = e.case_id
      WHERE e.retention_until <= now() AND e.status <> 'destroyed' AND NOT e.legal_hold ORDER BY e.retention_until, e.id`,
    );
    return items.map((i) => ({
      id: i.id,
      caseId: i.case_id,
      authorityId: i.authority_id,
      retentionUntil: i.retention_until,
      description: i.description,
      reference: i.reference,
    }));
  }

  /** Dates the retention of a closed case's live items that have none yet: `retentionMs` after `closedAt`. */
  async setRetentionFrom(caseId: string, closedAt: string, retentionMs: number): Promise<void> {
    await this.db.query(
      `UPDATE evidence_items SET retention_until = $2::timestamptz + ($3 || ' milliseconds')::interval WHERE case_id = $1 AND retention_until IS NULL AND status <> 'destroyed'`,
      [caseId, closedAt, String(retentionMs)],
    );
  }

  /** Re-dates every live item of the authority's closed cases to `retentionMs` after its case closed; how many. */
  async redateRetentionOfClosedCases(authorityId: string, retentionMs: number): Promise<number> {
    const [, count] = await this.db.query(
      `UPDATE evidence_items e SET retention_until = a.closed_at + ($2 || ' milliseconds')::interval
       FROM allegations a
      WHERE e.case_id = a.id AND a.authority_id = $1 AND a.closed_at IS NOT NULL AND e.status <> 'destroyed'`,
      [authorityId, String(retentionMs)],
    );
    return Number(count ?? 0);
  }

  /** The items, oldest first, held (FOR UPDATE) for the rest of the transaction. */
  async lockMany(ids: string[]): Promise<EvidenceItem[]> {
    const rows: EvidenceRow[] = await this.db.query('SELECT * FROM evidence_items WHERE id = ANY($1::uuid[]) ORDER BY created_at, id FOR UPDATE', [ids]);
    return rows.map(toItem);
  }

  /** The items in a package, by id. */
  async inPackage(packageId: string): Promise<{ id: string; holder: string }[]> {
    return this.db.query('SELECT id, holder FROM evidence_items WHERE package_id = $1 ORDER BY id', [packageId]);
  }

  /** Appends the item's next custody event, taking its seq from the item under a row lock. */
  async appendNextCustody(
    evidenceId: string,
    e: Pick<CustodyEvent, 'action' | 'fromHolder' | 'toHolder' | 'location' | 'note' | 'actor' | 'role'>,
  ): Promise<void> {
    const [{ seq }] = await this.db.query('SELECT custody_seq + 1 AS seq FROM evidence_items WHERE id = $1 FOR UPDATE', [evidenceId]);
    await this.db.query('UPDATE evidence_items SET custody_seq = $2 WHERE id = $1', [evidenceId, seq]);
    await this.db.query(
      `INSERT INTO custody_events (evidence_id, seq, action, from_holder, to_holder, location, note, actor, role) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [evidenceId, seq, e.action, e.fromHolder, e.toHolder, e.location, e.note, e.actor, e.role],
    );
  }

  async markPackaged(id: string, packageId: string): Promise<void> {
    await this.db.query("UPDATE evidence_items SET status = 'packaged', package_id = $2 WHERE id = $1", [id, packageId]);
  }

  async markHandedOver(id: string, holder: string): Promise<void> {
    await this.db.query("UPDATE evidence_items SET status = 'handed_over', holder = $2 WHERE id = $1", [id, holder]);
  }

  async setHolder(id: string, holder: string): Promise<void> {
    await this.db.query('UPDATE evidence_items SET holder = $2 WHERE id = $1', [id, holder]);
  }
}
