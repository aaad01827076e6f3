import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../../../libs/auth/principal';
import { ApiConfig, TemporalConfig } from '../../../../libs/config';
import { durationMs, parseDuration } from '../../../../libs/domain';
import { appendAuditEvent } from '../../../../libs/persistence';
import { liaisonChangedSignal, liaisonContactUpdate, liaisonWorkflowId, type LiaisonChange, type LiaisonInput } from '../../../../workflows/liaison.messages';
import { ApiError, notFound, unprocessable } from '../common/api-error';
import { LOGGER } from '../common/logger.provider';
import type { AgreementQuery, LiaisonAgreementDto, RecordContactDto } from './dto/liaison.dto';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
/** A contact may be recorded this far ahead of the server's clock (clock skew), no further. */
const FUTURE_SKEW_MS = 5 * 60_000;

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

const AGREEMENT_SELECT = `SELECT a.*, l.display_name AS lead_name, s.display_name AS spoc_name, f.display_name AS feoa_name
  FROM liaison_agreements a JOIN users s ON s.id = a.spoc_id JOIN users f ON f.id = a.feoa_id LEFT JOIN users l ON l.id = a.lead_id`;

/** The due date is a pure function of the last contact and the cadence; the workflow computes the same. */
function dueAt(row: Pick<AgreementRow, 'last_contact_at' | 'contact_every'>): Date {
  return new Date(new Date(row.last_contact_at).getTime() + durationMs(parseDuration(row.contact_every)));
}

function toAgreementView(r: AgreementRow) {
  const due = dueAt(r);
  return {
    id: r.id,
    authorityId: r.authority_id,
    forceId: r.force_id,
    lead: r.lead_id ? { id: r.lead_id, name: r.lead_name ?? null } : null,
    spoc: { id: r.spoc_id, name: r.spoc_name ?? null },
    feoa: { id: r.feoa_id, name: r.feoa_name ?? null },
    contactEvery: r.contact_every,
    notes: r.notes,
    lastContactAt: iso(r.last_contact_at),
    nextContactDueAt: due.toISOString(),
    overdue: due.getTime() < Date.now(),
    escalatedAt: iso(r.escalated_at),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

function toContactView(c: Record<string, any>) {
  return { id: c.id, at: iso(c.at), by: c.made_by, with: c.made_with, channel: c.channel, summary: c.summary, recordedBy: c.recorded_by, recordedAt: iso(c.recorded_at) };
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
  ) {}

  /** Authority users see their authority's agreements; a force's SPOC and FEOA see those with their force. */
  async list(principal: Principal) {
    const [column, tenant] = principal.authorityId ? ['authority_id', principal.authorityId] : ['force_id', principal.forceId ?? ''];
    const rows: AgreementRow[] = await this.db.query(`${AGREEMENT_SELECT} WHERE a.${column} = $1`, [tenant]);
    return rows.map(toAgreementView).sort((a, b) => Date.parse(a.nextContactDueAt) - Date.parse(b.nextContactDueAt));
  }

  async get(principal: Principal, forceId: string, query: AgreementQuery) {
    const agreement = await this.visible(principal, forceId, query.authorityId);
    const contacts = await this.db.query('SELECT * FROM liaison_contacts WHERE agreement_id = $1 ORDER BY at DESC, recorded_at DESC LIMIT 200', [agreement.id]);
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
    const [force] = await this.db.query('SELECT id FROM police_forces WHERE id = $1', [forceId]);
    if (!force) throw notFound('police force');
    await this.checkPeople(authorityId, forceId, dto);
    const leadId = dto.leadId ?? null;
    const notes = dto.notes ?? '';
    const result = await this.db.transaction(async (m) => {
      const now = new Date();
      const inserted: AgreementRow[] = await m.query(
        `INSERT INTO liaison_agreements (id, authority_id, force_id, lead_id, spoc_id, feoa_id, contact_every, notes, last_contact_at, next_contact_due_at, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $9, $9) ON CONFLICT (authority_id, force_id) DO NOTHING RETURNING *`,
        [randomUUID(), authorityId, forceId, leadId, dto.spocId, dto.feoaId, dto.contactEvery, notes, now, dueAt({ last_contact_at: now, contact_every: dto.contactEvery }), principal.sub],
      );
      const created = inserted.length > 0;
      let agreement: AgreementRow;
      let before: AgreementRow | null = null;
      if (created) {
        agreement = inserted[0];
      } else {
        [before] = await m.query('SELECT * FROM liaison_agreements WHERE authority_id = $1 AND force_id = $2 FOR UPDATE', [authorityId, forceId]);
        // The due date is written here as well as by the workflow, which may project before this commits.
        await m.query('UPDATE liaison_agreements SET lead_id = $2, spoc_id = $3, feoa_id = $4, contact_every = $5, notes = $6, next_contact_due_at = $7, updated_at = now() WHERE id = $1', [
          before!.id, leadId, dto.spocId, dto.feoaId, dto.contactEvery, notes, dueAt({ last_contact_at: before!.last_contact_at, contact_every: dto.contactEvery }),
        ]);
        [agreement] = await m.query('SELECT * FROM liaison_agreements WHERE id = $1', [before!.id]);
      }
      const terms = (r: AgreementRow) => ({ leadId: r.lead_id, spocId: r.spoc_id, feoaId: r.feoa_id, contactEvery: r.contact_every, notes: r.notes });
      await this.audit(m, principal, agreement, created ? 'liaison.agreed' : 'liaison.changed', before && terms(before), terms(agreement));
      const input: LiaisonInput = {
        agreementId: agreement.id,
        authorityId,
        forceId,
        leadId,
        spocId: dto.spocId,
        feoaId: dto.feoaId,
        contactEvery: dto.contactEvery,
        lastContactAt: new Date(agreement.last_contact_at).toISOString(),
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
        throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, "the liaison agreement's contact cycle could not be started or told; nothing was saved, try again", [{ field: 'temporal', problem: 'signal failed' }]);
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
    if (at.getTime() > Date.now() + FUTURE_SKEW_MS) throw unprocessable('at must not be in the future', [{ field: 'at', problem: 'is in the future' }]);
    const contactId = randomUUID();
    await this.db.transaction(async (m) => {
      await m.query(
        'INSERT INTO liaison_contacts (id, agreement_id, at, made_by, made_with, channel, summary, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [contactId, agreement.id, at, dto.by, dto.with, dto.channel, dto.summary, principal.sub],
      );
      try {
        await this.temporal.withDeadline(Date.now() + this.config.DECISION_TIMEOUT_MS, () =>
          this.temporal.workflow.getHandle(liaisonWorkflowId(agreement.id)).executeUpdate(liaisonContactUpdate, { args: [{ at: at.toISOString() }] }),
        );
      } catch (error) {
        this.log.warn({ agreementId: agreement.id, err: (error as Error).message }, 'liaison contact not taken by its workflow');
        throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, "the liaison agreement's contact cycle did not answer; the contact was not recorded, try again", [{ field: 'temporal', problem: 'update failed' }]);
      }
      await m.query('UPDATE liaison_agreements SET last_contact_at = GREATEST(last_contact_at, $2), escalated_at = NULL, updated_at = now() WHERE id = $1', [agreement.id, at]);
      await this.audit(m, principal, agreement, 'liaison.contact_recorded', { lastContactAt: iso(agreement.last_contact_at) }, { contactId, at: at.toISOString(), by: dto.by, with: dto.with, channel: dto.channel, summary: dto.summary });
    });
    const [contact] = await this.db.query('SELECT * FROM liaison_contacts WHERE id = $1', [contactId]);
    return { contact: toContactView(contact), agreement: toAgreementView(await this.row(agreement.id)) };
  }

  /** The force's SPOC and FEOA must be users of that force with those roles; the lead, of the authority. */
  private async checkPeople(authorityId: string, forceId: string, dto: LiaisonAgreementDto) {
    const ids = [dto.spocId, dto.feoaId, ...(dto.leadId ? [dto.leadId] : [])];
    const users: { id: string; roles: string[]; authority_id: string | null; force_id: string | null }[] = await this.db.query('SELECT id, roles, authority_id, force_id FROM users WHERE id = ANY($1::uuid[])', [ids]);
    const user = (id: string) => users.find((u) => u.id === id);
    const problems = [];
    const spoc = user(dto.spocId);
    if (!spoc || spoc.force_id !== forceId || !spoc.roles.includes('spoc')) problems.push({ field: 'spocId', problem: `is not a SPOC of ${forceId}` });
    const feoa = user(dto.feoaId);
    if (!feoa || feoa.force_id !== forceId || !feoa.roles.includes('feoa')) problems.push({ field: 'feoaId', problem: `is not an FEOA of ${forceId}` });
    if (dto.leadId && user(dto.leadId)?.authority_id !== authorityId) problems.push({ field: 'leadId', problem: 'is not a user of this authority' });
    if (problems.length > 0) throw unprocessable(problems.map((p) => `${p.field} ${p.problem}`).join('; '), problems);
  }

  private async row(id: string): Promise<AgreementRow> {
    const [row] = await this.db.query(`${AGREEMENT_SELECT} WHERE a.id = $1`, [id]);
    if (!row) throw notFound('liaison agreement');
    return row;
  }

  /**
   * The agreement the caller may see: their own authority's with `forceId`, or, for a force's
   * SPOC or FEOA, their own force's with the authority they name. Anything else is a 404.
   */
  private async visible(principal: Principal, forceId: string, authorityId?: string): Promise<AgreementRow> {
    let tenant: string;
    if (principal.authorityId) {
      if (authorityId !== undefined && authorityId !== principal.authorityId) throw notFound('liaison agreement');
      tenant = principal.authorityId;
    } else {
      if (principal.forceId !== forceId) throw notFound('liaison agreement');
      if (authorityId === undefined) throw unprocessable('authorityId is required from a police force: which authority', [{ field: 'authorityId', problem: 'is required from a police force' }]);
      tenant = authorityId;
    }
    const [row] = await this.db.query(`${AGREEMENT_SELECT} WHERE a.authority_id = $1 AND a.force_id = $2`, [tenant, forceId]);
    if (!row) throw notFound('liaison agreement');
    return row;
  }

  /** Each agreement has its own hash-chained history in audit_events, keyed by its id. */
  private audit(m: EntityManager, principal: Principal, agreement: AgreementRow, action: string, before: unknown, after: unknown) {
    const role = (['returning_officer', 'admin', 'staff', 'spoc', 'feoa'] as const).find((r) => principal.roles.includes(r)) ?? principal.roles[0];
    return appendAuditEvent(m, { caseId: agreement.id, authorityId: agreement.authority_id, actor: principal.sub, role, action, before, after });
  }
}
