import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { TemporalConfig } from '@libs/config';
import { currentTenantScope, runInTenantScope, type Queryable, type TenantScope } from '@libs/persistence';
import { WorkflowStartsStore } from '@libs/persistence/stores/workflow-starts.store';
import type { allegationWorkflow } from '@workflows';
import type { AllegationWorkflowInput } from '@workflows/allegation/messages';

/**
 * How long a start may wait for Temporal. A server that accepts the connection but does not
 * answer (overloaded, half-dead) would otherwise hold the intake request open indefinitely; the
 * outbox row makes a start that timed out happen later anyway.
 */
const START_DEADLINE_MS = 5_000;

/**
 * Starts an allegation's workflow from its outbox row and records that it started. The workflow
 * id comes from the case id and a duplicate start is refused by Temporal, so starting twice
 * (a retried request, the recovery sweep) can never create a second workflow.
 */
@Injectable()
export class AllegationWorkflowStarter {
  constructor(
    @Inject(Client) private readonly client: Client,
    @Inject(TemporalConfig) private readonly config: TemporalConfig,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  /** `manager`: the caller's transaction when it holds the outbox row locked. */
  async start(allegationId: string, workflowId: string, input: AllegationWorkflowInput, manager: Queryable = this.db): Promise<void> {
    try {
      await this.client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.client.workflow.start<typeof allegationWorkflow>('allegationWorkflow', {
          workflowId,
          taskQueue: this.config.TEMPORAL_TASK_QUEUE,
          args: [input],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        }),
      );
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) {
        await new WorkflowStartsStore(manager).recordFailure(allegationId, String((error as Error).message)).catch(() => undefined);
        throw error;
      }
    }
    await this.markStarted(allegationId, manager === this.db ? undefined : manager);
  }

  /**
   * Records the start. With the caller's transaction (`manager`), in it; otherwise as one of the
   * marks of its tenant that are waiting: concurrent intakes of an authority share one statement
   * (and its BEGIN and COMMIT) instead of three round trips each. A mark goes at once when none
   * of its tenant's is in flight, and resolves when its statement has committed.
   */
  async markStarted(allegationId: string, manager?: Queryable): Promise<void> {
    if (manager) return new WorkflowStartsStore(manager).markStarted(allegationId);
    const scope = currentTenantScope();
    const key = scope?.system ? 'system' : `${scope?.authorityId ?? ''}\u0000${scope?.forceId ?? ''}`;
    let marks = this.marks.get(key);
    if (!marks) {
      marks = { waiting: [], inFlight: false };
      this.marks.set(key, marks);
    }
    const marked = new Promise<void>((resolve, reject) => marks.waiting.push({ allegationId, resolve, reject }));
    if (!marks.inFlight) this.sendMarks(key, marks, scope);
    return marked;
  }

  private readonly marks = new Map<string, PendingMarks>();

  /** One statement for every mark waiting under `key`, in the scope they were made in; then the next. */
  private sendMarks(key: string, marks: PendingMarks, scope: TenantScope | undefined): void {
    const batch = marks.waiting;
    marks.waiting = [];
    marks.inFlight = true;
    const ids = batch.map((m) => m.allegationId);
    // Only the tenant: the rows are this authority's (or force's) cases, whatever user made each.
    const tenant: TenantScope | undefined = scope && (scope.system ? { system: true } : { authorityId: scope.authorityId, forceId: scope.forceId });
    const write = () => new WorkflowStartsStore(this.db).markAllStarted(ids);
    (tenant ? runInTenantScope(tenant, write) : write())
      .then(
        () => batch.forEach((m) => m.resolve()),
        (error: Error) => batch.forEach((m) => m.reject(error)),
      )
      .finally(() => {
        marks.inFlight = false;
        if (marks.waiting.length > 0) this.sendMarks(key, marks, scope);
        else this.marks.delete(key);
      });
  }
}

interface PendingMarks {
  waiting: { allegationId: string; resolve: () => void; reject: (error: Error) => void }[];
  inFlight: boolean;
}
