import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ApiConfig } from '../../../../libs/config';
import { runInTenantScope } from '../../../../libs/persistence';
import type { AllegationWorkflowInput } from '../../../../workflows/messages';
import { LOGGER } from '../common/logger.provider';
import { AllegationWorkflowStarter } from './workflow-starter';

/**
 * Invariant 1: an allegation whose row committed always gets its workflow. If the process dies
 * (or Temporal fails) between the intake commit and the workflow start, the outbox row stays
 * unstarted; this sweep starts it. Rows are claimed with SKIP LOCKED so several API processes
 * can sweep side by side.
 */
@Injectable()
export class IntakeRecoveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(AllegationWorkflowStarter) private readonly starter: AllegationWorkflowStarter,
    @Inject(ApiConfig) private readonly config: ApiConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), this.config.OUTBOX_SWEEP_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Starts the workflows of committed allegations that have none yet; returns how many it started. */
  sweep(graceMs = this.config.OUTBOX_GRACE_MS): Promise<number> {
    if (this.running) return this.running;
    // Every authority's outbox: the one piece of the API that is cross-tenant by design.
    this.running = runInTenantScope({ system: true }, () => this.sweepOnce(graceMs)).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweepOnce(graceMs: number): Promise<number> {
    let started = 0;
    await this.db.transaction(async (m) => {
      const rows: { allegation_id: string; workflow_id: string; input: AllegationWorkflowInput }[] = await m.query(
        `SELECT allegation_id, workflow_id, input FROM workflow_starts
         WHERE started_at IS NULL AND created_at < now() - ($1::int * interval '1 millisecond')
         ORDER BY created_at LIMIT 100 FOR UPDATE SKIP LOCKED`,
        [graceMs],
      );
      for (const row of rows) {
        try {
          await this.starter.start(row.allegation_id, row.workflow_id, row.input, m);
          started += 1;
        } catch (error) {
          this.log.warn({ allegationId: row.allegation_id, err: (error as Error).message }, 'intake recovery: workflow start failed; will retry');
        }
      }
    });
    if (started > 0) this.log.info({ started }, 'intake recovery: started workflows of committed allegations');
    return started;
  }
}
