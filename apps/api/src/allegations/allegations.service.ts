import { createHash, randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { instanceToPlain } from 'class-transformer';
import { DataSource } from 'typeorm';
import { hasRole, type Principal, type Role } from '@libs/auth/principal';
import {
  allegationWorkflowId,
  canonicalJson,
  effectiveUrgency,
  type Policy,
  toLondon,
  triageDueAt as triageDue,
  withPolicyDefaults,
  fieldProblem,
  problem,
} from '@libs/domain';
import { firstAuditEvent } from '@libs/persistence';
import { AllegationsStore, type Allegation } from '@libs/persistence/stores/allegations.store';
import { IntakeStore } from '@libs/persistence/stores/intake.store';
import { WorkflowStartsStore } from '@libs/persistence/stores/workflow-starts.store';
import type { AllegationWorkflowInput } from '@workflows/allegation/messages';
import { ApiError, conflict, notFound } from '../common/api-error';
import { noteIntakeReplay } from '../common/telemetry';
import { AllegationView, toAllegationView } from '@libs/views/allegation';
import { decodeCursor, encodeCursor } from './cursor';
import type { CreateAllegationDto } from './dto/create-allegation.dto';
import type { ListAllegationsQuery } from './dto/list-allegations.query';
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
    @Inject(AllegationWorkflowStarter) private readonly starter: AllegationWorkflowStarter,
  ) {}

  /**
   * Logs an allegation. One transaction (five round trips, IntakeStore) writes the case, its
   * idempotency key, its outbox row and its first audit event; the workflow is started after the commit. The 201 is sent only once
   * both exist; if the start fails, the outbox row makes the recovery sweep start it later.
   */
  async create(principal: Principal, dto: CreateAllegationDto, idempotencyKey?: string): Promise<IntakeReceipt> {
    const authorityId = principal.authorityId;
    if (!authorityId)
      throw new ApiError(HttpStatus.FORBIDDEN, 'only staff of an electoral authority log allegations', [
        { field: 'authorityId', problem: 'is missing from the token' },
      ]);
    const fields = instanceToPlain(dto) as Record<string, unknown>;
    const requestHash = createHash('sha256').update(canonicalJson(fields)).digest('hex');
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await this.db.transaction(async (m) => {
          const store = new IntakeStore(m);
          const id = randomUUID();
          const context = await store.begin(authorityId, idempotencyKey ? { key: idempotencyKey, requestHash } : undefined, id);
          if (!context.claimed) {
            // Another request with this key committed first (we waited for it if it was still running): its answer.
            const replay = await store.answer<IntakeReceipt>(authorityId, idempotencyKey!);
            if (!replay) throw new IdempotencyRace();
            return { replay };
          }
          const authority = context.authority;
          if (!authority) throw notFound('authority');
          const policy = withPolicyDefaults((context.policyDocument as Partial<Policy> | undefined) ?? {});
          const receivedAt = new Date();
          const pollDate = dto.pollDate ?? null;
          // The workflow sets its first triage deadline with the same function and input: no reconciling.
          const triageDueAt = new Date(triageDue(receivedAt.getTime(), effectiveUrgency(dto.urgency, dto.safetyConcern), policy, pollDate));
          const receipt: IntakeReceipt = { id, reference: '', status: 'triage', triageDueAt: triageDueAt.toISOString() };
          const occurredAt = new Date(dto.occurredAt);
          const workflowId = allegationWorkflowId(id);
          const input: AllegationWorkflowInput = {
            caseId: id,
            authorityId,
            forceId: authority.forceId,
            reference: '', // once record() has taken it
            category: dto.category,
            urgency: dto.urgency,
            safetyConcern: dto.safetyConcern,
            pollDate,
            occurredAt: occurredAt.toISOString(),
            receivedAt: receivedAt.toISOString(),
            policy,
          };
          // The reference, the case and the key's answer in one statement; the outbox row and the
          // audit log's lock for the append below in the next.
          receipt.reference = await store.record({
            id,
            authorityId,
            referencePrefix: authority.referencePrefix,
            year: Number(toLondon(receivedAt.getTime()).date.slice(0, 4)),
            category: dto.category,
            electionId: dto.electionId ?? null,
            pollDate,
            location: fields.location,
            occurredAt,
            reporter: fields.reporter,
            description: dto.description,
            urgency: dto.urgency,
            safetyConcern: dto.safetyConcern,
            peopleInvolved: fields.peopleInvolved ?? [],
            triageDueAt,
            createdBy: principal.sub,
            receivedAt,
            idempotency: idempotencyKey ? { key: idempotencyKey, response: receipt } : undefined,
          });
          input.reference = receipt.reference;
          // The case's chain starts here (seq 1), so its first event needs no read of the chain;
          // record() took the log lock, and this statement takes the next log index under it.
          await store.queueStartAndAudit(
            id,
            workflowId,
            input,
            firstAuditEvent({
              caseId: id,
              authorityId,
              actor: principal.sub,
              role: 'staff',
              action: 'allegation.created',
              at: receivedAt,
              after: { ...fields, reference: receipt.reference, status: 'triage', triageDueAt: receipt.triageDueAt, idempotencyKey: idempotencyKey ?? null },
            }),
          );
          return { created: { receipt, workflowId, input } };
        });
        if ('replay' in outcome && outcome.replay) {
          if (outcome.replay.requestHash !== requestHash) {
            throw conflict(problem('intake.key_reused'), [fieldProblem('Idempotency-Key', 'intake.key_reused_body')]);
          }
          await this.ensureStarted(outcome.replay.allegationId);
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
    const start = await new WorkflowStartsStore(this.db).find<AllegationWorkflowInput>(allegationId);
    if (start && !start.startedAt)
      await this.startOrExplain({ id: allegationId, reference: start.input.reference } as IntakeReceipt, start.workflowId, start.input);
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
    const rows = await new AllegationsStore(this.db).list(principal.authorityId ?? '', {
      status: query.status,
      category: query.category,
      text: query.q,
      before: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit,
    });
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
  async findVisible(principal: Principal, id: string, readers: Role[] = AUTHORITY_READERS): Promise<Allegation> {
    if (!UUID.test(id)) throw notFound('allegation');
    const allegation = await new AllegationsStore(this.db).find(id);
    if (!allegation) throw notFound('allegation');
    const ownAuthority = principal.authorityId === allegation.authorityId && hasRole(principal, readers);
    // A force keeps sight of a case it was ever referred: its SPOC may be asked about it later, and
    // a decision it makes after the case moved on is refused with the reason rather than hidden.
    const force = principal.forceId;
    const referredForce =
      Boolean(force) && hasRole(principal, ['spoc', 'feoa']) && (force === allegation.referredForceId || allegation.referralForceIds.includes(force!));
    if (!ownAuthority && !referredForce) throw notFound('allegation');
    return allegation;
  }

  async get(principal: Principal, id: string): Promise<AllegationView> {
    return toAllegationView(await this.findVisible(principal, id));
  }
}
