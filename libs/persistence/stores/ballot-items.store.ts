// Ballot security: ballot paper batches and ballot boxes (`ballot_items`), each item's custody
// log (`ballot_custody_events`, appended, never changed) and the discrepancies a custody step
// finds (`ballot_discrepancies`). Written and read by the API's ballot-security service; the
// security reviews held with the police are in security-reviews.store.ts.
import type { BallotItemKind, BallotStatus, DiscrepancyKind } from '@libs/domain';
import type { Queryable } from './queryable';

export interface BallotItemRecord {
  id: string;
  authorityId: string;
  pollId: string | null;
  kind: BallotItemKind;
  label: string;
  quantity: number | null;
  serialFrom: string | null;
  serialTo: string | null;
  status: BallotStatus;
  location: string;
  sealNumber: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewBallotItem {
  id: string;
  authorityId: string;
  pollId: string | null;
  kind: BallotItemKind;
  label: string;
  quantity: number | null;
  serialFrom: string | null;
  serialTo: string | null;
  location: string;
  createdBy: string;
}

export interface BallotCustodyEvent {
  id: string;
  action: string;
  at: Date;
  recordedBy: string;
  location: string;
  sealNumber: string | null;
  sealNumberObserved: string | null;
  countObserved: number | null;
  accessBy: string[];
  note: string;
}

/** A step of the custody log to append, with the item's state after it. */
export interface NewBallotCustodyEvent {
  id: string;
  itemId: string;
  authorityId: string;
  action: string;
  at: Date;
  recordedBy: string;
  location: string;
  sealNumber: string | null;
  sealNumberObserved: string | null;
  countObserved: number | null;
  accessBy: string[];
  note: string;
}

export type DiscrepancyStatus = 'open' | 'allegation' | 'dismissed';

export interface BallotDiscrepancy {
  id: string;
  authorityId: string;
  itemId: string;
  /** the item's label, where the read joins the item (the authority's list of discrepancies) */
  itemLabel?: string;
  custodyEventId: string;
  kind: DiscrepancyKind;
  expected: string;
  observed: string;
  status: DiscrepancyStatus;
  allegationId: string | null;
  decisionNote: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  raisedAt: Date;
}

export interface NewBallotDiscrepancy {
  id: string;
  authorityId: string;
  itemId: string;
  custodyEventId: string;
  kind: DiscrepancyKind;
  expected: string;
  observed: string;
}

interface ItemRow {
  id: string;
  authority_id: string;
  poll_id: string | null;
  kind: BallotItemKind;
  label: string;
  quantity: number | null;
  serial_from: string | null;
  serial_to: string | null;
  status: BallotStatus;
  location: string;
  seal_number: string | null;
  created_at: Date;
  updated_at: Date;
}

interface CustodyRow {
  id: string;
  action: string;
  at: Date;
  recorded_by: string;
  location: string;
  seal_number: string | null;
  seal_number_observed: string | null;
  count_observed: number | null;
  access_by: string[];
  note: string;
}

interface DiscrepancyRow {
  id: string;
  authority_id: string;
  item_id: string;
  item_label?: string | null;
  custody_event_id: string;
  kind: DiscrepancyKind;
  expected: string;
  observed: string;
  status: DiscrepancyStatus;
  allegation_id: string | null;
  decision_note: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  raised_at: Date;
}

const toItem = (r: ItemRow): BallotItemRecord => ({
  id: r.id,
  authorityId: r.authority_id,
  pollId: r.poll_id,
  kind: r.kind,
  label: r.label,
  quantity: r.quantity,
  serialFrom: r.serial_from,
  serialTo: r.serial_to,
  status: r.status,
  location: r.location,
  sealNumber: r.seal_number,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toCustody = (e: CustodyRow): BallotCustodyEvent => ({
  id: e.id,
  action: e.action,
  at: e.at,
  recordedBy: e.recorded_by,
  location: e.location,
  sealNumber: e.seal_number,
  sealNumberObserved: e.seal_number_observed,
  countObserved: e.count_observed,
  accessBy: e.access_by,
  note: e.note,
});

const toDiscrepancy = (d: DiscrepancyRow): BallotDiscrepancy => ({
  id: d.id,
  authorityId: d.authority_id,
  itemId: d.item_id,
  ...(d.item_label != null ? { itemLabel: d.item_label } : {}),
  custodyEventId: d.custody_event_id,
  kind: d.kind,
  expected: d.expected,
  observed: d.observed,
  status: d.status,
  allegationId: d.allegation_id,
  decisionNote: d.decision_note,
  decidedBy: d.decided_by,
  decidedAt: d.decided_at,
  raisedAt: d.raised_at,
});

export class BallotItemsStore {
  constructor(private readonly db: Queryable) {}

  // Items

  /** Inserts the item, held; undefined when the authority has an item of its kind with its label. */
  async insertItem(i: NewBallotItem): Promise<BallotItemRecord | undefined> {
    const rows: ItemRow[] = await this.db.query(
      `INSERT INTO ballot_items (id, authority_id, poll_id, kind, label, quantity, serial_from, serial_to, status, location, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'held', $9, $10) ON CONFLICT (authority_id, kind, label) DO NOTHING RETURNING *`,
      [i.id, i.authorityId, i.pollId, i.kind, i.label, i.quantity, i.serialFrom, i.serialTo, i.location, i.createdBy],
    );
    return rows.length ? toItem(rows[0]) : undefined;
  }

  /** The authority's items, by kind and label; at most 1000. */
  async list(authorityId: string, filter: { pollId?: string; kind?: string }): Promise<BallotItemRecord[]> {
    const where = ['authority_id = $1'];
    const params: unknown[] = [authorityId];
    if (filter.pollId) where.push(`poll_id = $${params.push(filter.pollId)}`);
    if (filter.kind) where.push(`kind = $${params.push(filter.kind)}`);
    const rows: ItemRow[] = await this.db.query(`SELECT * FROM ballot_items WHERE ${where.join(' AND ')} ORDER BY kind, label LIMIT 1000`, params);
    return rows.map(toItem);
  }

  async find(id: string): Promise<BallotItemRecord | undefined> {
    const [row]: ItemRow[] = await this.db.query('SELECT * FROM ballot_items WHERE id = $1', [id]);
    return row ? toItem(row) : undefined;
  }

  /** One of the authority's items, or undefined; `lock` takes its row lock (`FOR UPDATE`), in a transaction. */
  async findForAuthority(id: string, authorityId: string, lock = false): Promise<BallotItemRecord | undefined> {
    const [row]: ItemRow[] = await this.db.query(`SELECT * FROM ballot_items WHERE id = $1 AND authority_id = $2 ${lock ? 'FOR UPDATE' : ''}`, [
      id,
      authorityId,
    ]);
    return row ? toItem(row) : undefined;
  }

  /** The item's state after a custody step. */
  async updateState(id: string, state: { status: BallotStatus; location: string; sealNumber: string | null }): Promise<void> {
    await this.db.query('UPDATE ballot_items SET status = $2, location = $3, seal_number = $4, updated_at = now() WHERE id = $1', [
      id,
      state.status,
      state.location,
      state.sealNumber,
    ]);
  }

  // The custody log

  /** The first step of a new item's log: received now, where it is held. */
  async recordReceipt(e: { id: string; itemId: string; authorityId: string; recordedBy: string; location: string; note: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO ballot_custody_events (id, item_id, authority_id, action, at, recorded_by, location, note) VALUES ($1, $2, $3, 'received', now(), $4, $5, $6)`,
      [e.id, e.itemId, e.authorityId, e.recordedBy, e.location, e.note],
    );
  }

  async insertCustodyEvent(e: NewBallotCustodyEvent): Promise<void> {
    await this.db.query(
      `INSERT INTO ballot_custody_events (id, item_id, authority_id, action, at, recorded_by, location, seal_number, seal_number_observed, count_observed, access_by, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [e.id, e.itemId, e.authorityId, e.action, e.at, e.recordedBy, e.location, e.sealNumber, e.sealNumberObserved, e.countObserved, e.accessBy, e.note],
    );
  }

  /** The item's custody log in order. */
  async custody(itemId: string): Promise<BallotCustodyEvent[]> {
    const rows: CustodyRow[] = await this.db.query('SELECT * FROM ballot_custody_events WHERE item_id = $1 ORDER BY at, id', [itemId]);
    return rows.map(toCustody);
  }

  // Discrepancies

  async insertDiscrepancy(d: NewBallotDiscrepancy): Promise<BallotDiscrepancy> {
    const [row]: DiscrepancyRow[] = await this.db.query(
      `INSERT INTO ballot_discrepancies (id, authority_id, item_id, custody_event_id, kind, expected, observed) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [d.id, d.authorityId, d.itemId, d.custodyEventId, d.kind, d.expected, d.observed],
    );
    return toDiscrepancy(row);
  }

  /** The item's discrepancies, oldest first. */
  async discrepanciesOf(itemId: string): Promise<BallotDiscrepancy[]> {
    const rows: DiscrepancyRow[] = await this.db.query('SELECT * FROM ballot_discrepancies WHERE item_id = $1 ORDER BY raised_at', [itemId]);
    return rows.map(toDiscrepancy);
  }

  /** The authority's discrepancies (with a status, or all), with their items' labels, newest first; at most 500. */
  async listDiscrepancies(authorityId: string, status?: string): Promise<BallotDiscrepancy[]> {
    const rows: DiscrepancyRow[] = await this.db.query(
      `SELECT d.*, i.label AS item_label FROM ballot_discrepancies d JOIN ballot_items i ON i.id = d.item_id
       WHERE d.authority_id = $1 ${status ? 'AND d.status = $2' : ''} ORDER BY d.raised_at DESC LIMIT 500`,
      status ? [authorityId, status] : [authorityId],
    );
    return rows.map(toDiscrepancy);
  }

  /** One of the authority's discrepancies under its row lock (`FOR UPDATE`), or undefined. Run in a transaction. */
  async lockDiscrepancy(id: string, authorityId: string): Promise<BallotDiscrepancy | undefined> {
    const [row]: DiscrepancyRow[] = await this.db.query('SELECT * FROM ballot_discrepancies WHERE id = $1 AND authority_id = $2 FOR UPDATE', [id, authorityId]);
    return row ? toDiscrepancy(row) : undefined;
  }

  async dismissDiscrepancy(id: string, reason: string, decidedBy: string): Promise<void> {
    await this.db.query("UPDATE ballot_discrepancies SET status = 'dismissed', decision_note = $2, decided_by = $3, decided_at = now() WHERE id = $1", [
      id,
      reason,
      decidedBy,
    ]);
  }

  /** Claims the discrepancy for an allegation, before the allegation is logged. */
  async claimForAllegation(id: string, decidedBy: string): Promise<void> {
    await this.db.query("UPDATE ballot_discrepancies SET status = 'allegation', decided_by = $2, decided_at = now() WHERE id = $1", [id, decidedBy]);
  }

  /** Gives back a claim whose allegation was not logged: open again, unless an allegation was linked meanwhile. */
  async releaseClaim(id: string): Promise<void> {
    await this.db.query("UPDATE ballot_discrepancies SET status = 'open', decided_by = NULL, decided_at = NULL WHERE id = $1 AND allegation_id IS NULL", [id]);
  }

  async linkAllegation(id: string, allegationId: string, decisionNote: string): Promise<void> {
    await this.db.query('UPDATE ballot_discrepancies SET allegation_id = $2, decision_note = $3 WHERE id = $1', [id, allegationId, decisionNote]);
  }
}
