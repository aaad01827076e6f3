import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { appendAuditEvent } from '@libs/persistence';
import { LiaisonStore, type CandidateContact, type SharingRecord } from '@libs/persistence/stores/liaison.store';
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
import { fieldProblem, problem } from '@libs/domain';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
function contactFields(c: CandidateContact): Record<ShareableField, string | null> {
  return { kind: c.kind, name: c.name, electoralArea: c.electoralArea, party: c.party, email: c.email, phone: c.phone, address: c.address, actsFor: c.actsFor };
}

function toContactView(c: CandidateContact) {
  return {
    id: c.id,
    authorityId: c.authorityId,
    ...contactFields(c),
    electionId: c.electionId,
    pollDate: c.pollDate,
    createdBy: c.createdBy,
    createdAt: iso(c.createdAt),
  };
}

/** The data-sharing record: who shared, what, with whom, when, why, and on which lawful basis. */
function toRecordView(r: SharingRecord) {
  return {
    id: r.id,
    authorityId: r.authorityId,
    contactId: r.contactId,
    sharedWith: { forceId: r.forceId, role: r.recipientRole },
    fields: r.fields as ShareableField[],
    lawfulBasis: r.lawfulBasis as LawfulBasis,
    lawfulBasisText: LAWFUL_BASES[r.lawfulBasis as LawfulBasis] ?? null,
    purpose: r.purpose,
    sharedBy: r.sharedBy,
    sharedAt: iso(r.sharedAt),
  };
}

/**
 * Candidates' and agents' contact details, kept by the authority and shared with a force's FEOA
 * only on a recorded lawful basis and purpose (the guidance's data-protection paragraph). Each
 * disclosure is a data-sharing record, and each time the FEOA reads what was shared is logged.
 */
@Injectable()
export class CandidateContactsService {
  private readonly liaison: LiaisonStore;

  constructor(@Inject(DataSource) private readonly db: DataSource) {
    this.liaison = new LiaisonStore(db);
  }

  async create(principal: Principal, dto: CandidateContactDto) {
    if (!dto.email && !dto.phone) throw unprocessable(problem('contact.email_or_phone'), [fieldProblem('email', 'contact.give_email_or_phone')]);
    const authorityId = principal.authorityId!;
    const id = randomUUID();
    await this.db.transaction(async (m) => {
      await new LiaisonStore(m).insertCandidateContact({
        id,
        authorityId,
        kind: dto.kind,
        name: dto.name,
        electoralArea: dto.electoralArea ?? null,
        party: dto.party ?? null,
        email: dto.email ?? null,
        phone: dto.phone ?? null,
        address: dto.address ?? null,
        actsFor: dto.actsFor ?? null,
        electionId: dto.electionId ?? null,
        pollDate: dto.pollDate ?? null,
        createdBy: principal.sub,
      });
      // The chain records that a contact was added, not the personal data itself.
      await this.audit(m, principal, id, authorityId, 'candidate_contact.created', null, { kind: dto.kind, fields: Object.keys(dto) });
    });
    return toContactView(await this.row(id));
  }

  async list(principal: Principal) {
    const rows = await this.liaison.candidateContacts(principal.authorityId ?? '');
    return rows.map((r) => ({ ...toContactView(r), sharedWith: r.sharedWith }));
  }

  async get(principal: Principal, id: string) {
    const contact = await this.visible(principal, id);
    const records = await this.liaison.sharingRecordsOf(id);
    return { ...toContactView(contact), sharing: records.map(toRecordView) };
  }

  /**
   * Shares the contact with a force's FEOA. The lawful basis and purpose are validated before
   * anything is written; the disclosure and its record are one transaction.
   */
  async share(principal: Principal, id: string, dto: ShareContactDto) {
    const contact = await this.visible(principal, id);
    if (!(await this.liaison.hasAgreement(contact.authorityId, dto.forceId)))
      throw unprocessable(problem('contact.no_agreement', { forceId: dto.forceId }), [fieldProblem('forceId', 'contact.force_no_agreement')]);
    const values = contactFields(contact);
    const wanted = new Set<ShareableField>(['kind', 'name', ...(dto.fields ?? DEFAULT_SHARED_FIELDS)]);
    // Only fields that hold something are disclosed, and so recorded.
    const fields = SHAREABLE_FIELDS.filter((f) => wanted.has(f) && values[f] !== null);
    const disclosed = Object.fromEntries(fields.map((f) => [f, values[f]]));
    const recordId = randomUUID();
    await this.db.transaction(async (m) => {
      await new LiaisonStore(m).insertSharingRecord({
        id: recordId,
        authorityId: contact.authorityId,
        contactId: contact.id,
        forceId: dto.forceId,
        fields,
        disclosed: disclosed as Record<string, string>,
        lawfulBasis: dto.lawfulBasis,
        purpose: dto.purpose,
        sharedBy: principal.sub,
      });
      await this.audit(m, principal, contact.id, contact.authorityId, 'candidate_contact.shared', null, {
        recordId,
        forceId: dto.forceId,
        recipientRole: 'feoa',
        fields,
        lawfulBasis: dto.lawfulBasis,
        purpose: dto.purpose,
      });
    });
    return toRecordView((await this.liaison.sharingRecord(recordId))!);
  }

  /**
   * What the authorities shared with the caller's force, as shared (the latest disclosure of each
   * contact). Only the force's FEOA reads this, and each read is logged against every record it
   * disclosed and in each contact's audit chain.
   */
  async shared(principal: Principal) {
    const forceId = principal.forceId ?? '';
    return this.db.transaction(async (m) => {
      const store = new LiaisonStore(m);
      const records = await store.latestSharedWith(forceId);
      for (const r of records) {
        await store.insertSharingRead({ id: randomUUID(), recordId: r.id, readerId: principal.sub, forceId });
        await this.audit(m, principal, r.contactId, r.authorityId, 'candidate_contact.read_by_recipient', null, { recordId: r.id, forceId });
      }
      return records
        .sort((a, b) => new Date(b.sharedAt).getTime() - new Date(a.sharedAt).getTime())
        .map((r) => ({
          contactId: r.contactId,
          authorityId: r.authorityId,
          ...r.disclosed,
          recordId: r.id,
          lawfulBasis: r.lawfulBasis,
          purpose: r.purpose,
          sharedAt: iso(r.sharedAt),
        }));
    });
  }

  /** The authority's data-sharing records, newest first, each with the reads by its recipient. */
  async records(principal: Principal, query: DataSharingQuery) {
    const rows = await this.liaison.sharingRecords(principal.authorityId ?? '', { contactId: query.contactId, forceId: query.forceId });
    return rows.map((r) => ({ ...toRecordView(r), reads: r.reads.map((d) => ({ readerId: d.readerId, readAt: iso(d.readAt) })) }));
  }

  private async row(id: string): Promise<CandidateContact> {
    const row = await this.liaison.candidateContact(id);
    if (!row) throw notFound('candidate contact');
    return row;
  }

  private async visible(principal: Principal, id: string): Promise<CandidateContact> {
    if (!UUID.test(id)) throw notFound('candidate contact');
    const row = await this.row(id);
    if (row.authorityId !== principal.authorityId) throw notFound('candidate contact');
    return row;
  }

  /** Each contact has its own hash-chained history: created, each disclosure, each read by a recipient. */
  private audit(m: EntityManager, principal: Principal, contactId: string, authorityId: string, action: string, before: unknown, after: unknown) {
    const role = (['returning_officer', 'staff', 'feoa'] as const).find((r) => principal.roles.includes(r)) ?? principal.roles[0];
    return appendAuditEvent(m, { caseId: contactId, authorityId, actor: principal.sub, role, action, before, after });
  }
}
