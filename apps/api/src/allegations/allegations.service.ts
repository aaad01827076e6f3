import { createHash, randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { instanceToPlain } from 'class-transformer';
import { DataSource } from 'typeorm';
import { hasRole, type Principal, type Role } from '../../../../libs/auth/principal';
import { allegationWorkflowId, canonicalJson, effectiveUrgency, toLondon, triageDueAt as triageDue } from '../../../../libs/domain';
import { AllegationEntity, appendAuditEvent } from '../../../../libs/persistence';
import type { AllegationWorkflowInput } from '../../../../workflows/allegation/messages';
import { ApiError, conflict, notFound } from '../common/api-error';
import { noteIntakeReplay } from '../common/telemetry';
import { PoliciesService } from '../policies/policies.service';
import { AllegationView, toAllegationView } from './allegation.view';
import { decodeCursor, encodeCursor } from './cursor';
import type { CreateAllegationDto } from './dto/create-allegation.dto';
import type { ListAllegationsQuery } from './dto/list-allegations.query';
import { nextReference } from './reference';
import { AllegationWorkflowStarter } from './workflow-starter';

export interface IntakeReceipt {
  id: string;
  reference: string;
  status: 'triage';
  triageDueAt: string;
}

/** Roles that see every case of their own authority. */
const AUTHORITY_READERS: Role[] = ['staff', 'triage', 'returning_officer', 'legal'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class IdempotencyRace extends Error {}

@Injectable()
export class AllegationsService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(PoliciesService) private readonly policies: PoliciesService,
    @Inject(AllegationWorkflowStarter) private readonly starter: AllegationWorkflowStarter,
  ) {}

  /**
   * Logs an allegation. One transaction writes the case, its idempotency key, its outbox row and
   * its first audit event; the workflow is started after the commit. The 201 is sent only once
   * both exist; if the start fails, the outbox row makes the recovery sweep start it later.
   */
  async create(principal: Principal, dto: CreateAllegationDto, idempotencyKey?: string): Promise<IntakeReceipt> {
    const authorityId = principal.authorityId;
    if (!authorityId) throw new ApiError(HttpStatus.FORBIDDEN, 'only staff of an electoral authority log allegations', [{ field: 'authorityId', problem: 'is missing from the token' }]);
    const fields = instanceToPlain(dto) as Record<string, unknown>;
    const requestHash = createHash('sha256').update(canonicalJson(fields)).digest('hex');
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await this.db.transaction(async (m) => {
          if (idempotencyKey) {
            const [existing] = await m.query('SELECT request_hash, allegation_id, response FROM idempotency_keys WHERE authority_id = $1 AND key = $2', [authorityId, idempotencyKey]);
            if (existing) return { replay: existing as { request_hash: string; allegation_id: string; response: IntakeReceipt } };
          }
          const [authority] = await m.query('SELECT reference_prefix, force_id FROM authorities WHERE id = $1', [authorityId]);
          if (!authority) throw notFound('authority');
          const policy = await this.policies.current(authorityId, m);
          const receivedAt = new Date();
          const pollDate = dto.pollDate ?? null;
          // The workflow sets its first triage deadline with the same function and input: no reconciling.
          const triageDueAt = new Date(triageDue(receivedAt.getTime(), effectiveUrgency(dto.urgency, dto.safetyConcern), policy, pollDate));
          const id = randomUUID();
          const receipt: IntakeReceipt = { id, reference: '', status: 'triage', triageDueAt: triageDueAt.toISOString() };
          if (idempotencyKey) {
            const claimed = await m.query(
              `INSERT INTO idempotency_keys (authority_id, key, request_hash, allegation_id, response) VALUES ($1, $2, $3, $4, '{}')
               ON CONFLICT DO NOTHING RETURNING key`,
              [authorityId, idempotencyKey, requestHash, id],
            );
            // Another request with this key committed while we waited for its row: read its answer.
            if (claimed.length === 0) throw new IdempotencyRace();
          }
          receipt.reference = await nextReference(m, authorityId, authority.reference_prefix, Number(toLondon(receivedAt.getTime()).date.slice(0, 4)));
          if (idempotencyKey) await m.query('UPDATE idempotency_keys SET response = $3 WHERE authority_id = $1 AND key = $2', [authorityId, idempotencyKey, JSON.stringify(receipt)]);
          const occurredAt = new Date(dto.occurredAt);
          await m.query(
            `INSERT INTO allegations (id, authority_id, reference, category, election_id, poll_date, location, occurred_at, reporter, description,
               urgency, safety_concern, people_involved, status, triage_due_at, next_due_at, operation_ford, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'triage', $14, $14, $12 OR $11 = 'immediate', $15, $16, $16)`,
            [id, authorityId, receipt.reference, dto.category, dto.electionId ?? null, pollDate, JSON.stringify(fields.location), occurredAt, JSON.stringify(fields.reporter),
              dto.description, dto.urgency, dto.safetyConcern, JSON.stringify(fields.peopleInvolved ?? []), triageDueAt, principal.sub, receivedAt],
          );
          const workflowId = allegationWorkflowId(id);
          const input: AllegationWorkflowInput = {
            caseId: id,
            authorityId,
            forceId: authority.force_id,
            reference: receipt.reference,
            category: dto.category,
            urgency: dto.urgency,
            safetyConcern: dto.safetyConcern,
            pollDate,
            occurredAt: occurredAt.toISOString(),
            receivedAt: receivedAt.toISOString(),
            policy,
          };
          await m.query('INSERT INTO workflow_starts (allegation_id, workflow_id, input) VALUES ($1, $2, $3)', [id, workflowId, JSON.stringify(input)]);
          await appendAuditEvent(m, {
            caseId: id,
            authorityId,
            actor: principal.sub,
            role: 'staff',
            action: 'allegation.created',
            at: receivedAt,
            after: { ...fields, reference: receipt.reference, status: 'triage', triageDueAt: receipt.triageDueAt, idempotencyKey: idempotencyKey ?? null },
          });
          return { created: { receipt, workflowId, input } };
        });
        if ('replay' in outcome && outcome.replay) {
          if (outcome.replay.request_hash !== requestHash) {
            throw conflict('this Idempotency-Key was already used with a different request body', [{ field: 'Idempotency-Key', problem: 'reused with a different body' }]);
          }
          await this.ensureStarted(outcome.replay.allegation_id);
          noteIntakeReplay();
          return outcome.replay.response;
        }
        const { receipt, workflowId, input } = outcome.created!;
        await this.startOrExplain(receipt, workflowId, input);
        return receipt;
      } catch (error) {
        if (error instanceof IdempotencyRace && attempt < 3) continue;
        throw error;
      }
    }
  }

  private async ensureStarted(allegationId: string): Promise<void> {
    const [row] = await this.db.query('SELECT workflow_id, input, started_at FROM workflow_starts WHERE allegation_id = $1', [allegationId]);
    if (row && !row.started_at) await this.startOrExplain({ id: allegationId, reference: row.input.reference } as IntakeReceipt, row.workflow_id, row.input);
  }

  private async startOrExplain(receipt: IntakeReceipt, workflowId: string, input: AllegationWorkflowInput): Promise<void> {
    try {
      await this.starter.start(receipt.id, workflowId, input);
    } catch {
      // Whatever failed, the committed outbox row guarantees the start; say so, with the case id.
      throw new ApiError(
        HttpStatus.SERVICE_UNAVAILABLE,
        `allegation ${receipt.reference} is recorded, but its workflow could not be started yet; it will be started automatically, and a retry with the same Idempotency-Key confirms it`,
        [{ field: 'temporal', problem: 'workflow start failed' }],
        { id: receipt.id, reference: receipt.reference },
      );
    }
  }

  async list(principal: Principal, query: ListAllegationsQuery): Promise<{ items: AllegationView[]; nextCursor: string | null }> {
    const limit = query.limit ?? 20;
    const qb = this.db
      .getRepository(AllegationEntity)
      .createQueryBuilder('a')
      .where('a.authority_id = :authorityId', { authorityId: principal.authorityId ?? '' })
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .take(limit + 1);
    if (query.status) qb.andWhere('a.status = :status', { status: query.status });
    if (query.category) qb.andWhere('a.category = :category', { category: query.category });
    if (query.q) {
      const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere('(a.reference ILIKE :like OR a.description ILIKE :like OR a.location::text ILIKE :like)', { like });
    }
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      qb.andWhere('(a.created_at, a.id) < (:createdAt, :id)', { createdAt: cursor.createdAt, id: cursor.id });
    }
    const rows = await qb.getMany();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toAllegationView),
      nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null,
    };
  }

  /**
   * The case if the caller may see it: staff roles of its authority, or the SPOC and FEOA of the
   * force it is referred to. Anyone else gets 404, so another tenant's case is not disclosed.
   */
  async findVisible(principal: Principal, id: string, readers: Role[] = AUTHORITY_READERS): Promise<AllegationEntity> {
    if (!UUID.test(id)) throw notFound('allegation');
    const allegation = await this.db.getRepository(AllegationEntity).findOne({ where: { id } });
    if (!allegation) throw notFound('allegation');
    const ownAuthority = principal.authorityId === allegation.authorityId && hasRole(principal, readers);
    // A force keeps sight of a case it was ever referred: its SPOC may be asked about it later, and
    // a decision it makes after the case moved on is refused with the reason rather than hidden.
    const force = principal.forceId;
    const referredForce = Boolean(force) && hasRole(principal, ['spoc', 'feoa']) && (force === allegation.referredForceId || allegation.referralForceIds.includes(force!));
    if (!ownAuthority && !referredForce) throw notFound('allegation');
    return allegation;
  }

  async get(principal: Principal, id: string): Promise<AllegationView> {
    return toAllegationView(await this.findVisible(principal, id));
  }
}
