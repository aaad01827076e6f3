import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { DataSource, EntityManager } from 'typeorm';
import { TemporalConfig } from '@libs/config';
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

  /** `manager`: the caller's transaction when it holds the outbox row locked (the recovery sweep). */
  async start(allegationId: string, workflowId: string, input: AllegationWorkflowInput, manager: EntityManager = this.db.manager): Promise<void> {
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
        await manager
          .query('UPDATE workflow_starts SET attempts = attempts + 1, last_error = $2 WHERE allegation_id = $1', [
            allegationId,
            String((error as Error).message).slice(0, 500),
          ])
          .catch(() => undefined);
        throw error;
      }
    }
    await this.markStarted(allegationId, manager);
  }

  async markStarted(allegationId: string, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query(
      'UPDATE workflow_starts SET started_at = now(), attempts = attempts + 1, last_error = NULL WHERE allegation_id = $1 AND started_at IS NULL',
      [allegationId],
    );
  }
}
