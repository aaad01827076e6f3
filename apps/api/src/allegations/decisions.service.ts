import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { Principal, Role } from '@libs/auth/principal';
import { allegationWorkflowId, isOpen, isProblemCode, problem, type Problem, type ProblemValues } from '@libs/domain';
import { appendAuditEvent } from '@libs/persistence';
import { AllegationsStore, type Allegation } from '@libs/persistence/stores/allegations.store';
import type { AllegationState } from '@workflows/allegation/messages';
import { DECISION_REFUSED, type Actor, type Refusal } from '@workflows/shared/types';
import { ApiError, conflict } from '../common/api-error';
import { LOGGER } from '../common/logger.provider';
import { ApiConfig } from '@libs/config';
import { toAllegationView, type AllegationView } from '@libs/views/allegation';
import { AllegationsService } from './allegations.service';

export interface Decision<P, R = AllegationState> {
  /** the name recorded in the audit log when the decision is refused */
  name: string;
  update: UpdateDefinition<R, [P, Actor]>;
  payload: P;
  /** roles that may see the case for this decision (404 for anyone else) */
  readers: Role[];
}

/**
 * Asks the case's workflow to make a human decision. The workflow is the only judge of whether
 * the state allows it: its Update validator refuses, and the refusal (which leaves no trace in
 * Temporal's history) is written here to the case's audit chain before the 409 goes back.
 */
@Injectable()
export class DecisionsService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(Client) private readonly temporal: Client,
    @Inject(AllegationsService) private readonly allegations: AllegationsService,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(ApiConfig) private readonly config: ApiConfig,
  ) {}

  async decide<P>(principal: Principal, caseId: string, decision: Decision<P>, check?: (allegation: Allegation) => Promise<void>): Promise<AllegationView> {
    const allegation = await this.allegations.findVisible(principal, caseId, decision.readers);
    await check?.(allegation);
    await this.ask(principal, allegation, decision, allegationWorkflowId(allegation.id));
    return toAllegationView(await this.reload(allegation.id));
  }

  /**
   * Sends a decision to a workflow of the case (the allegation's own, or a child's such as an
   * evidence package) and gives back the Update's result; refusals become an audited 409.
   */
  async ask<R, P>(principal: Principal, allegation: Allegation, decision: Decision<P, R>, workflowId: string): Promise<R> {
    const actor: Actor = {
      userId: principal.sub,
      username: principal.name,
      roles: principal.roles,
      authorityId: principal.authorityId,
      forceId: principal.forceId,
    };
    const handle = this.temporal.workflow.getHandle(workflowId);
    try {
      return await this.temporal.withDeadline(Date.now() + this.config.DECISION_TIMEOUT_MS, () =>
        handle.executeUpdate(decision.update, { args: [decision.payload, actor] }),
      );
    } catch (error) {
      if (isDeadlineExceeded(error)) {
        this.log.warn({ caseId: allegation.id, workflowId, decision: decision.name }, 'decision timed out waiting for the workflow');
        throw new ApiError(
          HttpStatus.SERVICE_UNAVAILABLE,
          `the case's workflow did not answer within ${this.config.DECISION_TIMEOUT_MS / 1000} s (is the worker running?); the decision is not confirmed: read the case before trying again`,
          [{ field: 'temporal', problem: 'update timed out' }],
        );
      }
      const refusal = refusalOf(error);
      if (refusal) throw await this.refused(principal, allegation, decision, refusal.rule, refusal);
      if (error instanceof WorkflowNotFoundError || /already completed|not found/i.test((error as Error).message ?? '')) {
        const current = await this.reload(allegation.id);
        if (!isOpen(current.status) || workflowId !== allegationWorkflowId(allegation.id)) {
          throw await this.refused(
            principal,
            current,
            decision,
            'state',
            workflowId === allegationWorkflowId(allegation.id)
              ? problem('decision.workflow_finished', { status: current.status })
              : problem('decision.step_finished'),
          );
        }
        throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'the case workflow is not running yet; it is started automatically, retry shortly', [
          { field: 'temporal', problem: 'workflow not found' },
        ]);
      }
      throw error;
    }
  }

  /** Records a refused decision in the case's chain and gives the 409 to throw: its code and values, and the rule as its detail's field. */
  async refused<P, R>(principal: Principal, allegation: Allegation, decision: Decision<P, R>, rule: string, why: Problem): Promise<ApiError> {
    const { message, code, values } = why;
    const current = await this.reload(allegation.id);
    const role = decision.readers.find((r) => principal.roles.includes(r)) ?? principal.roles[0];
    await this.db.transaction((m) =>
      appendAuditEvent(m, {
        caseId: allegation.id,
        authorityId: allegation.authorityId,
        actor: principal.sub,
        role,
        action: 'decision.refused',
        before: { status: current.status },
        after: { decision: decision.name, rule, reason: message, request: decision.payload as unknown },
      }),
    );
    this.log.info({ caseId: allegation.id, decision: decision.name, rule, by: principal.sub }, 'decision refused');
    return conflict(why, [{ field: rule, problem: message, code, values }], { state: toAllegationView(current) });
  }

  private async reload(id: string): Promise<Allegation> {
    const allegation = await new AllegationsStore(this.db).find(id);
    if (!allegation) throw new Error(`allegation ${id} is gone`);
    return allegation;
  }
}

function refusalOf(error: unknown): Refusal | null {
  if (!(error instanceof WorkflowUpdateFailedError)) return null;
  // A validator's refusal is the update's cause; an activity's (sealing a package) is one level deeper.
  for (let cause = error.cause, depth = 0; cause && depth < 3; cause = (cause as Error & { cause?: Error }).cause, depth++) {
    if (cause instanceof ApplicationFailure && cause.type === DECISION_REFUSED) {
      const [detail] = (cause.details ?? []) as { rule?: string; code?: unknown; values?: ProblemValues }[];
      // A refusal from a worker older than the codes has none: its message stands alone.
      const code = isProblemCode(detail?.code) ? detail.code : 'decision.uncoded';
      return {
        rule: detail?.rule ?? 'state',
        message: cause.message,
        code,
        values: code === 'decision.uncoded' ? { reason: cause.message } : (detail?.values ?? {}),
      };
    }
  }
  return null;
}

function isDeadlineExceeded(error: unknown): boolean {
  // gRPC DEADLINE_EXCEEDED (4), however deep the SDK wrapped it
  for (let e = error as { code?: number; cause?: unknown; name?: string } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === 4 || e.name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return true;
  }
  return false;
}
