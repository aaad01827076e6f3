import { bundleWorkflowCode, NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { riskReviewDispatchTaskQueue } from '@workflows/risk-review.messages';
import type { DataSource } from 'typeorm';
import { withPathAliases } from '@libs/temporal/path-aliases';
import type { ContentStore } from '@libs/storage';
import { createActivities } from '@activities';
import type { NotifyBatcherOptions } from '@activities/notify-batcher';
import type { Mailer } from '@libs/mail';
import type { CheckpointSigner } from '@libs/transparency';
import { activeTracing, WORKFLOW_TRACING_MODULES, type Tracing } from '@libs/telemetry';

/** Interceptors and sinks that continue the client's trace into workflows and activities. */
export function tracingWorkerOptions(tracing: Tracing): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const otel = require('@temporalio/interceptors-opentelemetry/lib/worker') as typeof import('@temporalio/interceptors-opentelemetry/lib/worker');
  return {
    interceptors: {
      workflowModules: WORKFLOW_TRACING_MODULES,
      activity: [
        (ctx) => ({ inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx), outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx) }),
      ],
    },
    // The workflow's spans leave the sandbox through this sink into the process's batch processor.
    sinks: { exporter: otel.makeWorkflowExporter(tracing.processor, tracing.resource) },
  };
}

export interface AllegationWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: DataSource;
  store: ContentStore;
  /** signs the transparency log's checkpoints (the same key as the API's) */
  checkpointSigner: CheckpointSigner;
  maxConcurrentActivities?: number;
  /** workflows kept in memory between tasks (WORKER_MAX_CACHED_WORKFLOWS); unset: the SDK's default */
  maxCachedWorkflows?: number;
  /** percent of workflow-task polls for the shared queue rather than the sticky one (WORKER_NON_STICKY_POLL_PERCENT); unset: the SDK's 20 */
  nonStickyPollPercent?: number;
  /** how notifications are batched and digested (WORKER_NOTIFY_BATCH_SIZE, WORKER_NOTIFY_BATCH_WAIT_MS, WORKER_NOTIFY_DIGEST_WINDOW_MS) */
  notifyBatch?: NotifyBatcherOptions;
  /** most risk review notices sent in one transaction (WORKER_RISK_NOTICE_BATCH_SIZE) */
  riskNoticeBatch?: number;
  /** sends notifications by email too (libs/mail); null or absent means in-app only */
  mailer?: Mailer | null;
  /** a prebuilt bundle (tests build one per file); otherwise the workflows are bundled at start */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** OpenTelemetry tracing (libs/telemetry); absent: the process's tracing if started, else no interceptors, no sinks, no overhead */
  tracing?: Tracing;
}

/**
 * The worker's two Temporal workers, in one process, sharing the workflow bundle and the
 * activities: one on the deployment's task queue (every workflow), and one on the risk notice
 * dispatchers' own queue (riskReviewDispatchTaskQueue), with a small cache of its own. A
 * dispatcher's tasks then never wait behind a backlog of thousands of other workflows' tasks (as
 * when 10,000 risks are registered at once), and it is never evicted by them and replayed.
 */
export class CaseworkWorker {
  constructor(
    readonly main: Worker,
    readonly dispatch: Worker,
  ) {}

  get options(): Worker['options'] {
    return this.main.options;
  }

  getState(): ReturnType<Worker['getState']> {
    return this.main.getState();
  }

  /** Runs both until shut down; if either fails, the other is shut down and the failure is thrown. */
  async run(): Promise<void> {
    const runs = [this.main, this.dispatch].map((w) =>
      w.run().catch((error: unknown) => {
        this.shutdown();
        throw error;
      }),
    );
    const results = await Promise.allSettled(runs);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Runs both while `fn` runs, then shuts them down (Worker.runUntil). */
  runUntil<R>(fn: () => Promise<R>): Promise<R> {
    return this.main.runUntil(() => this.dispatch.runUntil(fn));
  }

  shutdown(): void {
    for (const w of [this.main, this.dispatch]) if (w.getState() === 'RUNNING') w.shutdown();
  }
}

/** Registers the allegation workflows and the activities built from their dependencies. */
export async function createAllegationWorker(options: AllegationWorkerOptions): Promise<CaseworkWorker> {
  const tracing = options.tracing ?? activeTracing();
  const workflowBundle =
    options.workflowBundle ?? (await bundleWorkflowCode({ workflowsPath: require.resolve('../../../workflows'), webpackConfigHook: withPathAliases }));
  const activities = createActivities({
    db: options.db,
    mailer: options.mailer,
    store: options.store,
    checkpointSigner: options.checkpointSigner,
    notifyBatch: options.notifyBatch,
    riskNoticeBatch: options.riskNoticeBatch,
  });
  const common = {
    connection: options.connection,
    namespace: options.namespace,
    workflowBundle,
    activities,
    shutdownGraceTime: '10 seconds',
    ...(tracing ? tracingWorkerOptions(tracing) : {}),
  } satisfies Partial<WorkerOptions>;
  const main = await Worker.create({
    ...common,
    taskQueue: options.taskQueue,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 50,
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    ...(options.nonStickyPollPercent !== undefined ? { nonStickyToStickyPollRatio: options.nonStickyPollPercent / 100 } : {}),
  });
  // One dispatcher per authority: a handful of workflows, each with one activity at a time.
  const dispatch = await Worker.create({
    ...common,
    taskQueue: riskReviewDispatchTaskQueue(options.taskQueue),
    maxCachedWorkflows: 20,
    maxConcurrentWorkflowTaskExecutions: 4,
    maxConcurrentActivityTaskExecutions: 10,
  });
  return new CaseworkWorker(main, dispatch);
}
