import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ApiConfig } from '@libs/config';
import { runInTenantScope } from '@libs/persistence';
import { WorkflowStartsStore } from '@libs/persistence/stores/workflow-starts.store';
import type { AllegationWorkflowInput } from '@workflows/allegation/messages';
import { isTemporalUnavailable } from '../common/dependency-errors';
import { LOGGER } from '../common/logger.provider';
import { AllegationWorkflowStarter } from './workflow-starter';

/** How long a sweep's claim on an outbox row keeps other sweeps off it: longer than a sweep takes. */
const CLAIM_MS = 2 * 60_000;

/**
 * Invariant 1: an allegation whose row committed always gets its workflow. If the process dies
 * (or Temporal fails) between the intake commit and the workflow start, the outbox row stays
 * unstarted; this sweep starts it. Rows are claimed (SKIP LOCKED, then a claim that lapses) so
 * several API processes can sweep side by side.
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
    // Claimed in one short statement and committed at once: no lock is held while Temporal is
    // called, so a client retrying one of these intakes records its start without waiting. A claim
    // that outlives a crashed sweep lapses; a row started twice meets Temporal's duplicate check.
    const starts = new WorkflowStartsStore(this.db);
    const rows = await starts.claimDue<AllegationWorkflowInput>(graceMs, CLAIM_MS);
    let started = 0;
    for (const [i, row] of rows.entries()) {
      try {
        await this.starter.start(row.allegationId, row.workflowId, row.input);
        started += 1;
      } catch (error) {
        this.log.warn({ allegationId: row.allegationId, err: (error as Error).message }, 'intake recovery: workflow start failed; will retry');
        // The next sweep tries this row again. With Temporal down, the rest would each wait out the
        // start deadline first, so they are left to the next sweep too.
        const down = isTemporalUnavailable(error);
        await starts.release((down ? rows.slice(i) : [row]).map((r) => r.allegationId));
        if (down) break;
      }
    }
    if (started > 0) this.log.info({ started }, 'intake recovery: started workflows of committed allegations');
    return started;
  }
}
