// Police liaison: `liaison_agreements` (one per authority and force) and their `liaison_contacts`;
// candidates' and agents' `candidate_contacts`, the `data_sharing_records` of what was shared
// with a force's FEOA, and the `data_sharing_reads` of each time the FEOA read it. Written by the
// API's liaison and candidate-contacts services and by the liaison workflow's projection.
import type { Queryable } from './queryable';

export interface Agreement {
  id: string;
  authorityId: string;
  forceId: string;
  leadId: string | null;
  spocId: string;
  feoaId: string;
  contactEvery: string;
  notes: string;
  lastContactAt: Date;
  escalatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** display names, where the read joins them */
  leadName?: string | null;
  spocName?: string;
  feoaName?: string;
}

export type AgreementTerms = Pick<Agreement, 'leadId' | 'spocId' | 'feoaId' | 'contactEvery' | 'notes'>;

export interface LiaisonContact {
  id: string;
  at: Date;
  madeBy: string;
  madeWith: string;
  channel: string;
  summary: string;
  recordedBy: string;
  recordedAt: Date;
}

/** Directory facts the agreement's people are checked against. */
export interface PersonOnRecord {
  id: string;
  roles: string[];
  authorityId: string | null;
  forceId: string | null;
}

export interface CandidateContact {
  id: string;
  authorityId: string;
  kind: 'candidate' | 'agent';
  name: string;
  electoralArea: string | null;
  party: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  actsFor: string | null;
  electionId: string | null;
  /** a calendar date, YYYY-MM-DD */
  pollDate: string | null;
  createdBy: string;
  createdAt: Date;
}

export type NewCandidateContact = Omit<CandidateContact, 'createdAt'>;

export interface SharingRecord {
  id: string;
  authorityId: string;
  contactId: string;
  forceId: string;
  recipientRole: string;
  fields: string[];
  disclosed: Record<string, string>;
  lawfulBasis: string;
  purpose: string;
  sharedBy: string;
  sharedAt: Date;
}

interface AgreementRow {
  id: string;
  authority_id: string;
  force_id: string;
  lead_id: string | null;
  spoc_id: string;
  feoa_id: string;
  contact_every: string;
  notes: string;
  last_contact_at: Date;
  escalated_at: Date | null;
  created_at: Date;
  updated_at: Date;
  lead_name?: string | null;
  spoc_name?: string;
  feoa_name?: string;
}

interface ContactRow {
  id: string;
  at: Date;
  made_by: string;
  made_with: string;
  channel: string;
  summary: string;
  recorded_by: string;
  recorded_at: Date;
}

interface CandidateContactRow {
  id: string;
  authority_id: string;
  kind: 'candidate' | 'agent';
  name: string;
  electoral_area: string | null;
  party: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  acts_for: string | null;
  election_id: string | null;
  poll_date: Date | string | null;
  created_by: string;
  created_at: Date;
}

interface RecordRow {
  id: string;
  authority_id: string;
  contact_id: string;
  force_id: string;
  recipient_role: string;
  fields: string[];
  disclosed: Record<string, string>;
  lawful_basis: string;
  purpose: string;
  shared_by: string;
  shared_at: Date;
}

const toAgreement = (r: AgreementRow): Agreement => ({
  id: r.id,
  authorityId: r.authority_id,
  forceId: r.force_id,
  leadId: r.lead_id,
  spocId: r.spoc_id,
  feoaId: r.feoa_id,
  contactEvery: r.contact_every,
  notes: r.notes,
  lastContactAt: r.last_contact_at,
  escalatedAt: r.escalated_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  ...('spoc_name' in r ? { leadName: r.lead_name ?? null, spocName: r.spoc_name, feoaName: r.feoa_name } : {}),
});

const toContact = (c: ContactRow): LiaisonContact => ({
  id: c.id,
  at: c.at,
  madeBy: c.made_by,
  madeWith: c.made_with,
  channel: c.channel,
  summary: c.summary,
  recordedBy: c.recorded_by,
  recordedAt: c.recorded_at,
});

/** node-postgres reads a `date` as local midnight; give it back as the calendar date it was. */
const day = (d: Date | string | null) =>
  d instanceof Date ? `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}` : d;

const toCandidateContact = (c: CandidateContactRow): CandidateContact => ({
  id: c.id,
  authorityId: c.authority_id,
  kind: c.kind,
  name: c.name,
  electoralArea: c.electoral_area,
  party: c.party,
  email: c.email,
  phone: c.phone,
  address: c.address,
  actsFor: c.acts_for,
  electionId: c.election_id,
  pollDate: day(c.poll_date),
  createdBy: c.created_by,
  createdAt: c.created_at,
});

const toRecord = (r: RecordRow): SharingRecord => ({
  id: r.id,
  authorityId: r.authority_id,
  contactId: r.contact_id,
  forceId: r.force_id,
  recipientRole: r.recipient_role,
  fields: r.fields,
  disclosed: r.disclosed,
  lawfulBasis: r.lawful_basis,
  purpose: r.purpose,
  sharedBy: r.shared_by,
  sharedAt: r.shared_at,
});

const AGREEMENT_SELECT = `SELECT a.*, l.display_name AS lead_name, s.display_name AS spoc_name, f.display_name AS feoa_name
  FROM liaison_agreements a JOIN users s ON s.id = a.spoc_id JOIN users f ON f.id = a.feoa_id LEFT JOIN users l ON l.id = a.lead_id`;

export class LiaisonStore {
  constructor(private readonly db: Queryable) {}

  /** Agreements of an authority (`authority_id`) or with a force (`force_id`), with their people's names. */
  async agreements(column: 'authority_id' | 'force_id', tenant: string): Promise<Agreement[]> {
    const rows: AgreementRow[] = await this.db.query(`${AGREEMENT_SELECT} WHERE a.${column} = $1`, [tenant]);
    return rows.map(toAgreement);
  }

  async agreement(id: string): Promise<Agreement | undefined> {
    const [row] = await this.db.query(`${AGREEMENT_SELECT} WHERE a.id = $1`, [id]);
    return row ? toAgreement(row) : undefined;
  }

  async agreementBetween(authorityId: string, forceId: string): Promise<Agreement | undefined> {
    const [row] = await this.db.query(`${AGREEMENT_SELECT} WHERE a.authority_id = $1 AND a.force_id = $2`, [authorityId, forceId]);
    return row ? toAgreement(row) : undefined;
  }

  /** Whether the authority has an agreement with the force (without its people). */
  async hasAgreement(authorityId: string, forceId: string): Promise<boolean> {
    const [agreement] = await this.db.query('SELECT id FROM liaison_agreements WHERE authority_id = $1 AND force_id = $2', [authorityId, forceId]);
    return Boolean(agreement);
  }

  /** A new agreement; undefined when the authority and force have one already. */
  async insertAgreement(
    a: AgreementTerms & { id: string; authorityId: string; forceId: string; now: Date; nextContactDueAt: Date; createdBy: string },
  ): Promise<Agreement | undefined> {
    const inserted: AgreementRow[] = await this.db.query(
      `INSERT INTO liaison_agreements (id, authority_id, force_id, lead_id, spoc_id, feoa_id, contact_every, notes, last_contact_at, next_contact_due_at, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $9, $9) ON CONFLICT (authority_id, force_id) DO NOTHING RETURNING *`,
      [a.id, a.authorityId, a.forceId, a.leadId, a.spocId, a.feoaId, a.contactEvery, a.notes, a.now, a.nextContactDueAt, a.createdBy],
    );
    return inserted.length > 0 ? toAgreement(inserted[0]) : undefined;
  }

  /** The agreement, held (FOR UPDATE) for the rest of the transaction. */
  async lockAgreement(authorityId: string, forceId: string): Promise<Agreement> {
    const [before] = await this.db.query('SELECT * FROM liaison_agreements WHERE authority_id = $1 AND force_id = $2 FOR UPDATE', [authorityId, forceId]);
    return toAgreement(before);
  }

  async changeTerms(id: string, terms: AgreementTerms, nextContactDueAt: Date): Promise<Agreement> {
    await this.db.query(
      'UPDATE liaison_agreements SET lead_id = $2, spoc_id = $3, feoa_id = $4, contact_every = $5, notes = $6, next_contact_due_at = $7, updated_at = now() WHERE id = $1',
      [id, terms.leadId, terms.spocId, terms.feoaId, terms.contactEvery, terms.notes, nextContactDueAt],
    );
    const [agreement] = await this.db.query('SELECT * FROM liaison_agreements WHERE id = $1', [id]);
    return toAgreement(agreement);
  }

  /** The liaison workflow's projection of the next contact due date, which `GET /liaison` reads. */
  async projectDue(id: string, nextContactDueAt: string, escalated: boolean): Promise<void> {
    await this.db.query(
      `UPDATE liaison_agreements SET next_contact_due_at = $2, escalated_at = CASE WHEN $3 THEN COALESCE(escalated_at, now()) ELSE NULL END WHERE id = $1`,
      [id, nextContactDueAt, escalated],
    );
  }

  /** The latest 200 contacts of the agreement, newest first. */
  async contacts(agreementId: string): Promise<LiaisonContact[]> {
    const rows: ContactRow[] = await this.db.query('SELECT * FROM liaison_contacts WHERE agreement_id = $1 ORDER BY at DESC, recorded_at DESC LIMIT 200', [
      agreementId,
    ]);
    return rows.map(toContact);
  }

  async contact(id: string): Promise<LiaisonContact | undefined> {
    const [row] = await this.db.query('SELECT * FROM liaison_contacts WHERE id = $1', [id]);
    return row ? toContact(row) : undefined;
  }

  async insertContact(agreementId: string, c: Omit<LiaisonContact, 'recordedAt'>): Promise<void> {
    await this.db.query(
      'INSERT INTO liaison_contacts (id, agreement_id, at, made_by, made_with, channel, summary, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [c.id, agreementId, c.at, c.madeBy, c.madeWith, c.channel, c.summary, c.recordedBy],
    );
  }

  /** A contact restarts the cycle: the later of the two contacts counts, and any escalation ends. */
  async contactMade(agreementId: string, at: Date): Promise<void> {
    await this.db.query(
      'UPDATE liaison_agreements SET last_contact_at = GREATEST(last_contact_at, $2), escalated_at = NULL, updated_at = now() WHERE id = $1',
      [agreementId, at],
    );
  }

  /** Whether a force exists (a read of the directory's police_forces). */
  async forceExists(forceId: string): Promise<boolean> {
    const [force] = await this.db.query('SELECT id FROM police_forces WHERE id = $1', [forceId]);
    return Boolean(force);
  }

  /** The users named, with their roles and tenancy (a read of the directory's users). */
  async people(ids: string[]): Promise<PersonOnRecord[]> {
    const users: { id: string; roles: string[]; authority_id: string | null; force_id: string | null }[] = await this.db.query(
      'SELECT id, roles, authority_id, force_id FROM users WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return users.map((u) => ({ id: u.id, roles: u.roles, authorityId: u.authority_id, forceId: u.force_id }));
  }

  async insertCandidateContact(c: NewCandidateContact): Promise<void> {
    await this.db.query(
      `INSERT INTO candidate_contacts (id, authority_id, kind, name, electoral_area, party, email, phone, address, acts_for, election_id, poll_date, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [c.id, c.authorityId, c.kind, c.name, c.electoralArea, c.party, c.email, c.phone, c.address, c.actsFor, c.electionId, c.pollDate, c.createdBy],
    );
  }

  async candidateContact(id: string): Promise<CandidateContact | undefined> {
    const [row] = await this.db.query('SELECT * FROM candidate_contacts WHERE id = $1', [id]);
    return row ? toCandidateContact(row) : undefined;
  }

  /** The authority's latest 1000 contacts, each with the forces it was shared with. */
  async candidateContacts(authorityId: string): Promise<(CandidateContact & { sharedWith: string[] })[]> {
    const rows: (CandidateContactRow & { shared_with: string[] })[] = await this.db.query(
      `SELECT c.*, coalesce((SELECT array_agg(DISTINCT r.force_id) FROM data_sharing_records r WHERE r.contact_id = c.id), '{}') AS shared_with
       FROM candidate_contacts c WHERE c.authority_id = $1 ORDER BY c.created_at DESC LIMIT 1000`,
      [authorityId],
    );
    return rows.map((r) => ({ ...toCandidateContact(r), sharedWith: r.shared_with }));
  }

  async sharingRecordsOf(contactId: string): Promise<SharingRecord[]> {
    const rows: RecordRow[] = await this.db.query('SELECT * FROM data_sharing_records WHERE contact_id = $1 ORDER BY shared_at DESC', [contactId]);
    return rows.map(toRecord);
  }

  async sharingRecord(id: string): Promise<SharingRecord | undefined> {
    const [row] = await this.db.query('SELECT * FROM data_sharing_records WHERE id = $1', [id]);
    return row ? toRecord(row) : undefined;
  }

  /** A disclosure to a force's FEOA. */
  async insertSharingRecord(r: Omit<SharingRecord, 'recipientRole' | 'sharedAt'>): Promise<void> {
    await this.db.query(
      `INSERT INTO data_sharing_records (id, authority_id, contact_id, force_id, recipient_role, fields, disclosed, lawful_basis, purpose, shared_by)
         VALUES ($1, $2, $3, $4, 'feoa', $5, $6, $7, $8, $9)`,
      [r.id, r.authorityId, r.contactId, r.forceId, r.fields, JSON.stringify(r.disclosed), r.lawfulBasis, r.purpose, r.sharedBy],
    );
  }

  /** The latest disclosure of each contact shared with the force. */
  async latestSharedWith(forceId: string): Promise<SharingRecord[]> {
    const rows: RecordRow[] = await this.db.query(
      `SELECT DISTINCT ON (contact_id) * FROM data_sharing_records WHERE force_id = $1 ORDER BY contact_id, shared_at DESC, id`,
      [forceId],
    );
    return rows.map(toRecord);
  }

  async insertSharingRead(r: { id: string; recordId: string; readerId: string; forceId: string }): Promise<void> {
    await this.db.query('INSERT INTO data_sharing_reads (id, record_id, reader_id, force_id) VALUES ($1, $2, $3, $4)', [
      r.id,
      r.recordId,
      r.readerId,
      r.forceId,
    ]);
  }

  /** The authority's latest 1000 records, newest first, each with its reads in order. */
  async sharingRecords(
    authorityId: string,
    filter: { contactId?: string; forceId?: string },
  ): Promise<(SharingRecord & { reads: { readerId: string; readAt: string }[] })[]> {
    const where = ['r.authority_id = $1'];
    const params: unknown[] = [authorityId];
    if (filter.contactId) where.push(`r.contact_id = $${params.push(filter.contactId)}`);
    if (filter.forceId) where.push(`r.force_id = $${params.push(filter.forceId)}`);
    const rows: (RecordRow & { reads: { readerId: string; readAt: string }[] })[] = await this.db.query(
      `SELECT r.*, coalesce((SELECT json_agg(json_build_object('readerId', d.reader_id, 'readAt', d.read_at) ORDER BY d.read_at)
                             FROM data_sharing_reads d WHERE d.record_id = r.id), '[]') AS reads
       FROM data_sharing_records r WHERE ${where.join(' AND ')} ORDER BY r.shared_at DESC LIMIT 1000`,
      params,
    );
    return rows.map((r) => ({ ...toRecord(r), reads: r.reads }));
  }
}
