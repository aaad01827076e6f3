import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
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

/** Registers the allegation workflows and the activities built from their dependencies. */
export function createAllegationWorker(options: AllegationWorkerOptions): Promise<Worker> {
  const tracing = options.tracing ?? activeTracing();
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('../../../workflows'), bundlerOptions: { webpackConfigHook: withPathAliases } }),
    activities: createActivities({
      db: options.db,
      mailer: options.mailer,
      store: options.store,
      checkpointSigner: options.checkpointSigner,
      notifyBatch: options.notifyBatch,
      riskNoticeBatch: options.riskNoticeBatch,
    }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 50,
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    shutdownGraceTime: '10 seconds',
    ...(tracing ? tracingWorkerOptions(tracing) : {}),
  });
}
