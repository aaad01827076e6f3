import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { ApiConfig, TemporalConfig } from '@libs/config';
import { fieldProblem, firstRiskReviewDue, problem } from '@libs/domain';
import { appendAuditEvent } from '@libs/persistence';
import { closeRiskSignal, riskChangedSignal, riskReviewedUpdate, riskReviewWorkflowId, type RiskReviewInput } from '@workflows/risk-review.messages';
import { RisksStore, type Mitigation, type Risk } from '@libs/persistence/stores/risks.store';
import { RiskReviewDispatchersStore } from '@libs/persistence/stores/risk-review-dispatchers.store';
import { mustWakeDispatcher, wakeRiskDispatcher } from '@libs/temporal/risk-dispatch';
import { toRiskReviewView, toRiskView } from '@libs/views/risk';
import { ApiError, conflict, notFound, unprocessable } from '../common/api-error';
import { LOGGER } from '../common/logger.provider';
import { PoliciesService } from '../policies/policies.service';
import type { CreateRiskDto, ListRisksQuery, MitigationDto, RecordReviewDto, UpdateRiskDto } from './dto/risk.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The risk register. Each open risk has a review-cycle workflow, which alone sets its due date. */
@Injectable()
export class RisksService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(Client) private readonly temporal: Client,
    @Inject(TemporalConfig) private readonly temporalConfig: TemporalConfig,
    @Inject(ApiConfig) private readonly config: ApiConfig,
    @Inject(PoliciesService) private readonly policies: PoliciesService,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.risks = new RisksStore(db);
  }

  private readonly risks: RisksStore;

  async create(principal: Principal, dto: CreateRiskDto) {
    const authorityId = principal.authorityId!;
    await this.checkUsers(authorityId, dto.ownerId, dto.mitigations);
    const id = randomUUID();
    const now = new Date();
    const mitigations = dto.mitigations.map((m) => ({ ...m, id: m.id ?? randomUUID() }));
    const policy = await this.policies.current(authorityId);
    // The first review's due dates, as the review workflow computes them (libs/domain/risks.ts),
    // written with the risk: the authority's dispatcher sends the reminder from them, however far
    // behind the worker is with starting review workflows (as when thousands are registered at once).
    const firstDue = firstRiskReviewDue(now, { every: dto.reviewEvery, pollDate: dto.pollDate ?? null }, policy);
    const wakeDispatcher = await this.db.transaction(async (m) => {
      await new RisksStore(m).insert({
        id,
        authorityId,
        electionId: dto.electionId ?? null,
        pollDate: dto.pollDate ?? null,
        title: dto.title,
        category: dto.category,
        likelihood: dto.likelihood,
        impact: dto.impact,
        ownerId: dto.ownerId,
        mitigations: mitigations as Mitigation[],
        reviewEvery: dto.reviewEvery,
        createdBy: principal.sub,
        createdAt: now,
      });
      await this.audit(m, principal, id, authorityId, 'risk.created', null, { ...dto, mitigations });
      await new RisksStore(m).projectDispatchedDue(id, firstDue.reviewDueAt, firstDue.escalationDueAt);
      return mustWakeDispatcher(await new RiskReviewDispatchersStore(m).lockWakeAt(authorityId, true), firstDue.reviewDueAt);
    });
    const input: RiskReviewInput = {
      riskId: id,
      authorityId,
      title: dto.title,
      ownerId: dto.ownerId,
      reviewEvery: dto.reviewEvery,
      pollDate: dto.pollDate ?? null,
      lastReviewedAt: now.toISOString(),
      policy,
      projectedDueAt: firstDue.reviewDueAt,
    };
    try {
      await this.temporal.workflow.start('riskReviewWorkflow', {
        workflowId: riskReviewWorkflowId(id),
        taskQueue: this.temporalConfig.TEMPORAL_TASK_QUEUE,
        args: [input],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) {
        // No risk without its review cycle: take the row back out and say so. Its audit events
        // stay, with the abandonment recorded: they are leaves of the authority's append-only log.
        await this.db.transaction(async (m) => {
          await new RisksStore(m).delete(id);
          await this.audit(m, principal, id, authorityId, 'risk.registration_abandoned', null, { reason: 'the review workflow could not be started' });
        });
        this.log.warn({ riskId: id, err: (error as Error).message }, 'risk review workflow did not start');
        throw new ApiError(
          HttpStatus.SERVICE_UNAVAILABLE,
          'the risk could not be registered because its review cycle could not be started; nothing was saved, try again',
          [{ field: 'temporal', problem: 'workflow start failed' }],
        );
      }
    }
    if (wakeDispatcher) {
      // The risk stands without it: its workflow's first task projects the same date and wakes the dispatcher.
      await wakeRiskDispatcher({ client: this.temporal, taskQueue: this.temporalConfig.TEMPORAL_TASK_QUEUE }, authorityId, firstDue.reviewDueAt).catch(
        (error: unknown) => this.log.warn({ riskId: id, err: (error as Error).message }, 'risk review dispatcher not woken; the review workflow will'),
      );
    }
    return toRiskView(await this.row(id));
  }

  async list(principal: Principal, query: ListRisksQuery) {
    const rows = await this.risks.list(principal.authorityId ?? '', { status: query.status, category: query.category, overdue: query.overdue });
    return rows.map(toRiskView);
  }

  async get(principal: Principal, id: string) {
    const risk = await this.visible(principal, id);
    const reviews = await this.risks.reviews(id);
    return {
      ...toRiskView(risk),
      reviews: reviews.map(toRiskReviewView),
    };
  }

  /** Changes apply at once: the review workflow is told of a new owner, cadence or poll date. */
  async update(principal: Principal, id: string, dto: UpdateRiskDto) {
    const risk = await this.visible(principal, id);
    if (risk.status === 'closed') throw conflict(problem('risk.closed'), [fieldProblem('status', 'risk.status_closed')]);
    if (dto.ownerId || dto.mitigations) await this.checkUsers(risk.authorityId, dto.ownerId ?? risk.ownerId, dto.mitigations ?? []);
    const mitigations = dto.mitigations?.map((m) => ({ ...m, id: m.id ?? randomUUID() }));
    const next = {
      title: dto.title ?? risk.title,
      category: dto.category ?? risk.category,
      likelihood: dto.likelihood ?? risk.likelihood,
      impact: dto.impact ?? risk.impact,
      ownerId: dto.ownerId ?? risk.ownerId,
      mitigations: (mitigations as Mitigation[] | undefined) ?? risk.mitigations,
      reviewEvery: dto.reviewEvery ?? risk.reviewEvery,
      pollDate: dto.pollDate ?? risk.pollDate,
      electionId: dto.electionId ?? risk.electionId,
    };
    await this.db.transaction(async (m) => {
      // closed since it was read above
      if (!(await new RisksStore(m).updateOpen(id, next))) throw conflict(problem('risk.closed'), [fieldProblem('status', 'risk.status_closed')]);
      await this.audit(m, principal, id, risk.authorityId, 'risk.updated', pick(toRiskView(risk), Object.keys(dto)), {
        ...dto,
        ...(mitigations ? { mitigations } : {}),
      });
    });
    if (dto.ownerId || dto.reviewEvery || dto.pollDate || dto.title) {
      await this.temporal.workflow
        .getHandle(riskReviewWorkflowId(id))
        .signal(riskChangedSignal, { ownerId: dto.ownerId, reviewEvery: dto.reviewEvery, pollDate: dto.pollDate, title: dto.title });
    }
    return toRiskView(await this.row(id));
  }

  /**
   * The owner records a review: ratings and mitigations are updated and the cycle restarts. The
   * review row commits only if the workflow took it, so a review is never recorded without its
   * cycle restarting.
   */
  async review(principal: Principal, id: string, dto: RecordReviewDto) {
    const risk = await this.visible(principal, id);
    if (risk.ownerId !== principal.sub)
      throw new ApiError(HttpStatus.FORBIDDEN, "only the risk's owner records its reviews", [
        { field: 'ownerId', problem: 'you are not the owner of this risk' },
      ]);
    if (risk.status === 'closed') throw conflict(problem('risk.closed_no_cycle'), [fieldProblem('status', 'risk.status_closed')]);
    if (dto.mitigations) await this.checkUsers(risk.authorityId, risk.ownerId, dto.mitigations);
    const reviewId = randomUUID();
    const reviewedAt = new Date();
    const likelihood = dto.likelihood ?? risk.likelihood;
    const impact = dto.impact ?? risk.impact;
    const mitigations = (dto.mitigations?.map((m) => ({ ...m, id: m.id ?? randomUUID() })) as Mitigation[] | undefined) ?? risk.mitigations;
    await this.db.transaction(async (m) => {
      const store = new RisksStore(m);
      await store.insertReview(id, { id: reviewId, reviewedBy: principal.sub, notes: dto.notes, likelihood, impact, mitigations, reviewedAt });
      try {
        await this.temporal.withDeadline(Date.now() + this.config.DECISION_TIMEOUT_MS, () =>
          this.temporal.workflow.getHandle(riskReviewWorkflowId(id)).executeUpdate(riskReviewedUpdate, { args: [{ reviewedAt: reviewedAt.toISOString() }] }),
        );
      } catch (error) {
        this.log.warn({ riskId: id, err: (error as Error).message }, 'risk review not taken by its workflow');
        throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, "the risk's review cycle did not answer; the review was not recorded, try again", [
          { field: 'temporal', problem: 'update failed' },
        ]);
      }
      await store.applyReview(id, { likelihood, impact, mitigations, reviewedAt });
      await this.audit(
        m,
        principal,
        id,
        risk.authorityId,
        'risk.reviewed',
        { likelihood: risk.likelihood, impact: risk.impact, mitigations: risk.mitigations },
        { reviewId, notes: dto.notes, likelihood, impact, mitigations },
      );
    });
    return {
      review: { id: reviewId, reviewedAt: reviewedAt.toISOString(), notes: dto.notes, likelihood, impact, mitigations },
      risk: toRiskView(await this.row(id)),
    };
  }

  async close(principal: Principal, id: string, note: string) {
    const risk = await this.visible(principal, id);
    if (risk.status === 'closed') throw conflict(problem('risk.already_closed'), [fieldProblem('status', 'risk.status_closed')]);
    await this.db.transaction(async (m) => {
      // Only the open risk is closed: of two closes at once, the second finds it closed (409)
      // rather than writing a second risk.closed event.
      if (!(await new RisksStore(m).closeOpen(id))) throw conflict(problem('risk.already_closed'), [fieldProblem('status', 'risk.status_closed')]);
      await this.audit(m, principal, id, risk.authorityId, 'risk.closed', { status: 'open' }, { status: 'closed', note });
    });
    await this.temporal.workflow.getHandle(riskReviewWorkflowId(id)).signal(closeRiskSignal);
    return toRiskView(await this.row(id));
  }

  private async checkUsers(authorityId: string, ownerId: string, mitigations: MitigationDto[]) {
    const ids = [...new Set([ownerId, ...mitigations.map((m) => m.ownerId)])];
    const known = await this.risks.usersOfAuthority(authorityId, ids);
    const problems = [
      ...(known.has(ownerId) ? [] : [fieldProblem('ownerId', 'field.not_user_of_authority')]),
      ...mitigations.flatMap((m, i) => (known.has(m.ownerId) ? [] : [fieldProblem(`mitigations[${i}].ownerId`, 'field.not_user_of_authority')])),
    ];
    if (problems.length > 0) throw unprocessable(problem('risk.owners_not_users'), problems);
  }

  private async row(id: string): Promise<Risk> {
    const row = await this.risks.find(id);
    if (!row) throw notFound('risk');
    return row;
  }

  private async visible(principal: Principal, id: string): Promise<Risk> {
    if (!UUID.test(id)) throw notFound('risk');
    const row = await this.row(id);
    if (row.authorityId !== principal.authorityId) throw notFound('risk');
    return row;
  }

  /** Each risk has its own hash-chained history, kept like a case's (keyed by the risk id). */
  private audit(m: EntityManager, principal: Principal, riskId: string, authorityId: string, action: string, before: unknown, after: unknown) {
    const role = (['plan_owner', 'returning_officer', 'staff'] as const).find((r) => principal.roles.includes(r)) ?? principal.roles[0];
    return appendAuditEvent(m, { caseId: riskId, authorityId, actor: principal.sub, role, action, before, after });
  }
}

function pick(view: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in view).map((k) => [k, view[k]]));
}
