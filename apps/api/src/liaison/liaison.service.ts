import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { ApiConfig, TemporalConfig } from '@libs/config';
import { durationMs, parseDuration, fieldProblem, problem, type FieldProblem } from '@libs/domain';
import { appendAuditEvent } from '@libs/persistence';
import { liaisonChangedSignal, liaisonContactUpdate, liaisonWorkflowId, type LiaisonChange, type LiaisonInput } from '@workflows/liaison.messages';
import { LiaisonStore, type Agreement, type LiaisonContact } from '@libs/persistence/stores/liaison.store';
import { ApiError, notFound, unprocessable } from '../common/api-error';
import { invalidRequest } from '../common/validation';
import { LOGGER } from '../common/logger.provider';
import type { AgreementQuery, LiaisonAgreementDto, RecordContactDto } from './dto/liaison.dto';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
/** A contact may be recorded this far ahead of the server's clock (clock skew), no further. */
const FUTURE_SKEW_MS = 5 * 60_000;

/** The due date is a pure function of the last contact and the cadence; the workflow computes the same. */
function dueAt(agreement: Pick<Agreement, 'lastContactAt' | 'contactEvery'>): Date {
  return new Date(new Date(agreement.lastContactAt).getTime() + durationMs(parseDuration(agreement.contactEvery)));
}

function toAgreementView(r: Agreement) {
  const due = dueAt(r);
  return {
    id: r.id,
    authorityId: r.authorityId,
    forceId: r.forceId,
    lead: r.leadId ? { id: r.leadId, name: r.leadName ?? null } : null,
    spoc: { id: r.spocId, name: r.spocName ?? null },
    feoa: { id: r.feoaId, name: r.feoaName ?? null },
    contactEvery: r.contactEvery,
    notes: r.notes,
    lastContactAt: iso(r.lastContactAt),
    nextContactDueAt: due.toISOString(),
    overdue: due.getTime() < Date.now(),
    escalatedAt: iso(r.escalatedAt),
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

function toContactView(c: LiaisonContact) {
  return {
    id: c.id,
    at: iso(c.at),
    by: c.madeBy,
    with: c.madeWith,
    channel: c.channel,
    summary: c.summary,
    recordedBy: c.recordedBy,
    recordedAt: iso(c.recordedAt),
  };
}

/**
 * Police liaison: one agreement per (authority, force) naming the force's SPOC and FEOA and the
 * agreed contact cadence, and the record of each contact. Each agreement has a liaison workflow
 * that reminds both sides when contact falls due and escalates once to the Returning Officer.
 */
@Injectable()
export class LiaisonService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(Client) private readonly temporal: Client,
    @Inject(TemporalConfig) private readonly temporalConfig: TemporalConfig,
    @Inject(ApiConfig) private readonly config: ApiConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.liaison = new LiaisonStore(db);
  }

  private readonly liaison: LiaisonStore;

  /** Authority users see their authority's agreements; a force's SPOC and FEOA see those with their force. */
  async list(principal: Principal) {
    const rows = principal.authorityId
      ? await this.liaison.agreements('authority_id', principal.authorityId)
      : await this.liaison.agreements('force_id', principal.forceId ?? '');
    return rows.map(toAgreementView).sort((a, b) => Date.parse(a.nextContactDueAt) - Date.parse(b.nextContactDueAt));
  }

  async get(principal: Principal, forceId: string, query: AgreementQuery) {
    const agreement = await this.visible(principal, forceId, query.authorityId);
    const contacts = await this.liaison.contacts(agreement.id);
    return { ...toAgreementView(agreement), contacts: contacts.map(toContactView) };
  }

  /**
   * Makes or replaces the authority's agreement with a force. The workflow is started, or told of
   * the change, inside the transaction: if Temporal refuses, nothing is saved. A new cadence
   * applies at once, counted from the last contact.
   */
  async put(principal: Principal, forceId: string, dto: LiaisonAgreementDto): Promise<{ created: boolean; agreement: ReturnType<typeof toAgreementView> }> {
    const authorityId = principal.authorityId;
    if (!authorityId) throw new ApiError(HttpStatus.FORBIDDEN, "an authority's Returning Officer or administrator sets its liaison agreements");
    if (!(await this.liaison.forceExists(forceId))) throw notFound('police force');
    await this.checkPeople(authorityId, forceId, dto);
    const leadId = dto.leadId ?? null;
    const notes = dto.notes ?? '';
    const result = await this.db.transaction(async (m) => {
      const now = new Date();
      const store = new LiaisonStore(m);
      const wanted = { leadId, spocId: dto.spocId, feoaId: dto.feoaId, contactEvery: dto.contactEvery, notes };
      const inserted = await store.insertAgreement({
        ...wanted,
        id: randomUUID(),
        authorityId,
        forceId,
        now,
        nextContactDueAt: dueAt({ lastContactAt: now, contactEvery: dto.contactEvery }),
        createdBy: principal.sub,
      });
      const created = inserted !== undefined;
      let agreement: Agreement;
      let before: Agreement | null = null;
      if (inserted) {
        agreement = inserted;
      } else {
        before = await store.lockAgreement(authorityId, forceId);
        // The due date is written here as well as by the workflow, which may project before this commits.
        agreement = await store.changeTerms(before.id, wanted, dueAt({ lastContactAt: before.lastContactAt, contactEvery: dto.contactEvery }));
      }
      const terms = (r: Agreement) => ({ leadId: r.leadId, spocId: r.spocId, feoaId: r.feoaId, contactEvery: r.contactEvery, notes: r.notes });
      await this.audit(m, principal, agreement, created ? 'liaison.agreed' : 'liaison.changed', before && terms(before), terms(agreement));
      const input: LiaisonInput = {
        agreementId: agreement.id,
        authorityId,
        forceId,
        leadId,
        spocId: dto.spocId,
        feoaId: dto.feoaId,
        contactEvery: dto.contactEvery,
        lastContactAt: new Date(agreement.lastContactAt).toISOString(),
      };
      const change: LiaisonChange = { leadId, spocId: dto.spocId, feoaId: dto.feoaId, contactEvery: dto.contactEvery };
      try {
        // Starts the agreement's workflow if it is not running (the first PUT), else signals it.
        await this.temporal.workflow.signalWithStart('liaisonWorkflow', {
          workflowId: liaisonWorkflowId(agreement.id),
          taskQueue: this.temporalConfig.TEMPORAL_TASK_QUEUE,
          args: [input],
          signal: liaisonChangedSignal,
          signalArgs: [change],
        });
      } catch (error) {
        this.log.warn({ agreementId: agreement.id, err: (error as Error).message }, 'liaison workflow not started or told');
        throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, "the liaison agreement's contact cycle could not be started or told; nothing was saved, try again", [
          { field: 'temporal', problem: 'signal failed' },
        ]);
      }
      return { created, id: agreement.id };
    });
    return { created: result.created, agreement: toAgreementView(await this.row(result.id)) };
  }

  /**
   * Records a contact and restarts the cycle. The contact commits only once the workflow has
   * taken it, so a contact is never recorded without its cycle restarting.
   */
  async recordContact(principal: Principal, forceId: string, dto: RecordContactDto) {
    const agreement = await this.visible(principal, forceId, dto.authorityId);
    const at = dto.at ? new Date(dto.at) : new Date();
    if (at.getTime() > Date.now() + FUTURE_SKEW_MS) throw unprocessable(problem('liaison.contact_in_future'), [fieldProblem('at', 'field.in_future')]);
    const contactId = randomUUID();
    await this.db.transaction(async (m) => {
      const store = new LiaisonStore(m);
      await store.insertContact(agreement.id, {
        id: contactId,
        at,
        madeBy: dto.by,
        madeWith: dto.with,
        channel: dto.channel,
        summary: dto.summary,
        recordedBy: principal.sub,
      });
      try {
        await this.temporal.withDeadline(Date.now() + this.config.DECISION_TIMEOUT_MS, () =>
          this.temporal.workflow.getHandle(liaisonWorkflowId(agreement.id)).executeUpdate(liaisonContactUpdate, { args: [{ at: at.toISOString() }] }),
        );
      } catch (error) {
        this.log.warn({ agreementId: agreement.id, err: (error as Error).message }, 'liaison contact not taken by its workflow');
        throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, "the liaison agreement's contact cycle did not answer; the contact was not recorded, try again", [
          { field: 'temporal', problem: 'update failed' },
        ]);
      }
      await store.contactMade(agreement.id, at);
      await this.audit(
        m,
        principal,
        agreement,
        'liaison.contact_recorded',
        { lastContactAt: iso(agreement.lastContactAt) },
        { contactId, at: at.toISOString(), by: dto.by, with: dto.with, channel: dto.channel, summary: dto.summary },
      );
    });
    const contact = await this.liaison.contact(contactId);
    return { contact: toContactView(contact!), agreement: toAgreementView(await this.row(agreement.id)) };
  }

  /** The force's SPOC and FEOA must be users of that force with those roles; the lead, of the authority. */
  private async checkPeople(authorityId: string, forceId: string, dto: LiaisonAgreementDto) {
    const ids = [dto.spocId, dto.feoaId, ...(dto.leadId ? [dto.leadId] : [])];
    const users = await this.liaison.people(ids);
    const user = (id: string) => users.find((u) => u.id === id);
    const problems: FieldProblem[] = [];
    const spoc = user(dto.spocId);
    if (!spoc || spoc.forceId !== forceId || !spoc.roles.includes('spoc')) problems.push(fieldProblem('spocId', 'liaison.not_spoc_of', { forceId }));
    const feoa = user(dto.feoaId);
    if (!feoa || feoa.forceId !== forceId || !feoa.roles.includes('feoa')) problems.push(fieldProblem('feoaId', 'liaison.not_feoa_of', { forceId }));
    if (dto.leadId && user(dto.leadId)?.authorityId !== authorityId) problems.push(fieldProblem('leadId', 'field.not_user_of_authority'));
    if (problems.length > 0) throw invalidRequest(problems);
  }

  private async row(id: string): Promise<Agreement> {
    const row = await this.liaison.agreement(id);
    if (!row) throw notFound('liaison agreement');
    return row;
  }

  /**
   * The agreement the caller may see: their own authority's with `forceId`, or, for a force's
   * SPOC or FEOA, their own force's with the authority they name. Anything else is a 404.
   */
  private async visible(principal: Principal, forceId: string, authorityId?: string): Promise<Agreement> {
    let tenant: string;
    if (principal.authorityId) {
      if (authorityId !== undefined && authorityId !== principal.authorityId) throw notFound('liaison agreement');
      tenant = principal.authorityId;
    } else {
      if (principal.forceId !== forceId) throw notFound('liaison agreement');
      if (authorityId === undefined) throw unprocessable(problem('liaison.authority_needed'), [fieldProblem('authorityId', 'liaison.authority_required')]);
      tenant = authorityId;
    }
    const row = await this.liaison.agreementBetween(tenant, forceId);
    if (!row) throw notFound('liaison agreement');
    return row;
  }

  /** Each agreement has its own hash-chained history in audit_events, keyed by its id. */
  private audit(m: EntityManager, principal: Principal, agreement: Agreement, action: string, before: unknown, after: unknown) {
    const role = (['returning_officer', 'admin', 'staff', 'spoc', 'feoa'] as const).find((r) => principal.roles.includes(r)) ?? principal.roles[0];
    return appendAuditEvent(m, { caseId: agreement.id, authorityId: agreement.authorityId, actor: principal.sub, role, action, before, after });
  }
}
