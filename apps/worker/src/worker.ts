import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import type { ContentStore } from '../../../libs/storage';
import { createActivities } from '../../../activities';
import type { NotifyBatcherOptions } from '../../../activities/notify-batcher';
import type { Mailer } from '../../../libs/mail';
import type { CheckpointSigner } from '../../../libs/transparency';

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
  /** how notifications are batched (WORKER_NOTIFY_BATCH_SIZE, WORKER_NOTIFY_BATCH_WAIT_MS) */
  notifyBatch?: NotifyBatcherOptions;
  /** sends notifications by email too (libs/mail); null or absent means in-app only */
  mailer?: Mailer | null;
  /** a prebuilt bundle (tests build one per file); otherwise the workflows are bundled at start */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Registers the allegation workflows and the activities built from their dependencies. */
export function createAllegationWorker(options: AllegationWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('../../../workflows') }),
    activities: createActivities({ db: options.db, mailer: options.mailer, store: options.store, checkpointSigner: options.checkpointSigner, notifyBatch: options.notifyBatch }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 50,
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    shutdownGraceTime: '10 seconds',
  });
}
