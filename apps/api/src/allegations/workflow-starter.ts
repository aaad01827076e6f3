import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { TemporalConfig } from '@libs/config';
import type { Queryable } from '@libs/persistence';
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
    await this.markStarted(allegationId, manager);
  }

  async markStarted(allegationId: string, manager: Queryable = this.db): Promise<void> {
    await new WorkflowStartsStore(manager).markStarted(allegationId);
  }
}
