import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../../../libs/auth/principal';
import { appendAuditEvent } from '../../../../libs/persistence';
import { notFound, unprocessable } from '../common/api-error';
import {
  DEFAULT_SHARED_FIELDS,
  LAWFUL_BASES,
  SHAREABLE_FIELDS,
  type CandidateContactDto,
  type DataSharingQuery,
  type LawfulBasis,
  type ShareableField,
  type ShareContactDto,
} from './dto/candidate-contact.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
/** node-postgres reads a `date` as local midnight; give it back as the calendar date it was. */
const day = (d: Date | string | null) => (d instanceof Date ? `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}` : d);

interface ContactRow {
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
  fields: ShareableField[];
  disclosed: Record<string, string>;
  lawful_basis: LawfulBasis;
  purpose: string;
  shared_by: string;
  shared_at: Date;
}

function contactFields(c: ContactRow): Record<ShareableField, string | null> {
  return { kind: c.kind, name: c.name, electoralArea: c.electoral_area, party: c.party, email: c.email, phone: c.phone, address: c.address, actsFor: c.acts_for };
}

function toContactView(c: ContactRow) {
  return { id: c.id, authorityId: c.authority_id, ...contactFields(c), electionId: c.election_id, pollDate: day(c.poll_date), createdBy: c.created_by, createdAt: iso(c.created_at) };
}

/** The data-sharing record: who shared, what, with whom, when, why, and on which lawful basis. */
function toRecordView(r: RecordRow) {
  return {
    id: r.id,
    authorityId: r.authority_id,
    contactId: r.contact_id,
    sharedWith: { forceId: r.force_id, role: r.recipient_role },
    fields: r.fields,
    lawfulBasis: r.lawful_basis,
    lawfulBasisText: LAWFUL_BASES[r.lawful_basis] ?? null,
    purpose: r.purpose,
    sharedBy: r.shared_by,
    sharedAt: iso(r.shared_at),
  };
}

/**
 * Candidates' and agents' contact details, kept by the authority and shared with a force's FEOA
 * only on a recorded lawful basis and purpose (the guidance's data-protection paragraph). Each
 * disclosure is a data-sharing record, and each time the FEOA reads what was shared is logged.
 */
@Injectable()
export class CandidateContactsService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async create(principal: Principal, dto: CandidateContactDto) {
    if (!dto.email && !dto.phone) throw unprocessable('a contact needs an email address or a telephone number', [{ field: 'email', problem: 'give an email address or a telephone number' }]);
    const authorityId = principal.authorityId!;
    const id = randomUUID();
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO candidate_contacts (id, authority_id, kind, name, electoral_area, party, email, phone, address, acts_for, election_id, poll_date, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [id, authorityId, dto.kind, dto.name, dto.electoralArea ?? null, dto.party ?? null, dto.email ?? null, dto.phone ?? null, dto.address ?? null, dto.actsFor ?? null, dto.electionId ?? null, dto.pollDate ?? null, principal.sub],
      );
      // The chain records that a contact was added, not the personal data itself.
      await this.audit(m, principal, id, authorityId, 'candidate_contact.created', null, { kind: dto.kind, fields: Object.keys(dto) });
    });
    return toContactView(await this.row(id));
  }

  async list(principal: Principal) {
    const rows: (ContactRow & { shared_with: string[] })[] = await this.db.query(
      `SELECT c.*, coalesce((SELECT array_agg(DISTINCT r.force_id) FROM data_sharing_records r WHERE r.contact_id = c.id), '{}') AS shared_with
       FROM candidate_contacts c WHERE c.authority_id = $1 ORDER BY c.created_at DESC LIMIT 1000`,
      [principal.authorityId ?? ''],
    );
    return rows.map((r) => ({ ...toContactView(r), sharedWith: r.shared_with }));
  }

  async get(principal: Principal, id: string) {
    const contact = await this.visible(principal, id);
    const records: RecordRow[] = await this.db.query('SELECT * FROM data_sharing_records WHERE contact_id = $1 ORDER BY shared_at DESC', [id]);
    return { ...toContactView(contact), sharing: records.map(toRecordView) };
  }

  /**
   * Shares the contact with a force's FEOA. The lawful basis and purpose are validated before
   * anything is written; the disclosure and its record are one transaction.
   */
  async share(principal: Principal, id: string, dto: ShareContactDto) {
    const contact = await this.visible(principal, id);
    const [agreement] = await this.db.query('SELECT id FROM liaison_agreements WHERE authority_id = $1 AND force_id = $2', [contact.authority_id, dto.forceId]);
    if (!agreement) throw unprocessable(`there is no liaison agreement with ${dto.forceId}, so it has no FEOA to share with`, [{ field: 'forceId', problem: 'has no liaison agreement with this authority' }]);
    const values = contactFields(contact);
    const wanted = new Set<ShareableField>(['kind', 'name', ...(dto.fields ?? DEFAULT_SHARED_FIELDS)]);
    // Only fields that hold something are disclosed, and so recorded.
    const fields = SHAREABLE_FIELDS.filter((f) => wanted.has(f) && values[f] !== null);
    const disclosed = Object.fromEntries(fields.map((f) => [f, values[f]]));
    const recordId = randomUUID();
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO data_sharing_records (id, authority_id, contact_id, force_id, recipient_role, fields, disclosed, lawful_basis, purpose, shared_by)
         VALUES ($1, $2, $3, $4, 'feoa', $5, $6, $7, $8, $9)`,
        [recordId, contact.authority_id, contact.id, dto.forceId, fields, JSON.stringify(disclosed), dto.lawfulBasis, dto.purpose, principal.sub],
      );
      await this.audit(m, principal, contact.id, contact.authority_id, 'candidate_contact.shared', null, { recordId, forceId: dto.forceId, recipientRole: 'feoa', fields, lawfulBasis: dto.lawfulBasis, purpose: dto.purpose });
    });
    const [record] = await this.db.query('SELECT * FROM data_sharing_records WHERE id = $1', [recordId]);
    return toRecordView(record);
  }

  /**
   * What the authorities shared with the caller's force, as shared (the latest disclosure of each
   * contact). Only the force's FEOA reads this, and each read is logged against every record it
   * disclosed and in each contact's audit chain.
   */
  async shared(principal: Principal) {
    const forceId = principal.forceId ?? '';
    return this.db.transaction(async (m) => {
      const records: RecordRow[] = await m.query(
        `SELECT DISTINCT ON (contact_id) * FROM data_sharing_records WHERE force_id = $1 ORDER BY contact_id, shared_at DESC, id`,
        [forceId],
      );
      for (const r of records) {
        await m.query('INSERT INTO data_sharing_reads (id, record_id, reader_id, force_id) VALUES ($1, $2, $3, $4)', [randomUUID(), r.id, principal.sub, forceId]);
        await this.audit(m, principal, r.contact_id, r.authority_id, 'candidate_contact.read_by_recipient', null, { recordId: r.id, forceId });
      }
      return records
        .sort((a, b) => new Date(b.shared_at).getTime() - new Date(a.shared_at).getTime())
        .map((r) => ({ contactId: r.contact_id, authorityId: r.authority_id, ...r.disclosed, recordId: r.id, lawfulBasis: r.lawful_basis, purpose: r.purpose, sharedAt: iso(r.shared_at) }));
    });
  }

  /** The authority's data-sharing records, newest first, each with the reads by its recipient. */
  async records(principal: Principal, query: DataSharingQuery) {
    const where = ['r.authority_id = $1'];
    const params: unknown[] = [principal.authorityId ?? ''];
    if (query.contactId) where.push(`r.contact_id = $${params.push(query.contactId)}`);
    if (query.forceId) where.push(`r.force_id = $${params.push(query.forceId)}`);
    const rows: (RecordRow & { reads: { readerId: string; readAt: string }[] })[] = await this.db.query(
      `SELECT r.*, coalesce((SELECT json_agg(json_build_object('readerId', d.reader_id, 'readAt', d.read_at) ORDER BY d.read_at)
                             FROM data_sharing_reads d WHERE d.record_id = r.id), '[]') AS reads
       FROM data_sharing_records r WHERE ${where.join(' AND ')} ORDER BY r.shared_at DESC LIMIT 1000`,
      params,
    );
    return rows.map((r) => ({ ...toRecordView(r), reads: r.reads.map((d) => ({ readerId: d.readerId, readAt: iso(d.readAt) })) }));
  }

  private async row(id: string): Promise<ContactRow> {
    const [row] = await this.db.query('SELECT * FROM candidate_contacts WHERE id = $1', [id]);
    if (!row) throw notFound('candidate contact');
    return row;
  }

  private async visible(principal: Principal, id: string): Promise<ContactRow> {
    if (!UUID.test(id)) throw notFound('candidate contact');
    const row = await this.row(id);
    if (row.authority_id !== principal.authorityId) throw notFound('candidate contact');
    return row;
  }

  /** Each contact has its own hash-chained history: created, each disclosure, each read by a recipient. */
  private audit(m: EntityManager, principal: Principal, contactId: string, authorityId: string, action: string, before: unknown, after: unknown) {
    const role = (['returning_officer', 'staff', 'feoa'] as const).find((r) => principal.roles.includes(r)) ?? principal.roles[0];
    return appendAuditEvent(m, { caseId: contactId, authorityId, actor: principal.sub, role, action, before, after });
  }
}
