// Worker process: connects to PostgreSQL and Temporal, then polls the allegation task queue
// until SIGINT or SIGTERM, when it finishes in-flight tasks and exits.
import 'reflect-metadata';
import { DefaultLogger, LogLevel, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { CheckpointConfig, ConfigError, DatabaseConfig, EvidenceConfig, loadConfig, SmtpConfig, TemporalConfig, WorkerConfig } from '@libs/config';
import { createContentStore } from '@libs/storage';
import { ensureWorkerSchedules } from './schedules';
import { createLogger } from '@libs/logging';
import { createSmtpMailer, smtpTarget } from '@libs/mail';
import { createDataSource, WORKER_ROLE } from '@libs/persistence';
import { loadCheckpointSigner } from '@libs/transparency';
import { connectTemporalClient, describeTemporalConnection, TemporalConnectError } from '@libs/temporal';
import { connectTemporalWorker } from '@libs/temporal/native';
import { bundleWorkflowsInChild } from './bundle';
import { createAllegationWorker } from './worker';
import { wakeRiskDispatchers } from '@activities/risk-dispatch';
import { loadTelemetryConfig, serveWorkerMetrics, sdkMetricsOptions, startWorkerTelemetry } from './telemetry';

async function main(): Promise<void> {
  let configs;
  try {
    configs = {
      db: loadConfig(DatabaseConfig),
      temporal: loadConfig(TemporalConfig),
      worker: loadConfig(WorkerConfig),
      smtp: loadConfig(SmtpConfig),
      evidence: loadConfig(EvidenceConfig),
      checkpoint: loadConfig(CheckpointConfig),
      telemetry: loadTelemetryConfig(),
    };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`worker: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger('worker', configs.worker.LOG_LEVEL);
  // The SDK's own log lines go through pino too, so every line the worker prints is JSON.
  const sdkLevel: LogLevel = ['trace', 'debug', 'info', 'warn', 'error'].includes(configs.worker.LOG_LEVEL)
    ? (configs.worker.LOG_LEVEL.toUpperCase() as LogLevel)
    : 'ERROR';
  const sdkLog = log.child({ component: 'temporal-sdk' });
  const telemetry = await startWorkerTelemetry(configs.telemetry, log);
  Runtime.install({
    logger: new DefaultLogger(sdkLevel, ({ level, message, meta }) => {
      const method = level === 'TRACE' ? 'trace' : level === 'DEBUG' ? 'debug' : level === 'WARN' ? 'warn' : level === 'ERROR' ? 'error' : 'info';
      sdkLog[method](meta ?? {}, message);
    }),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) }, ...sdkMetricsOptions(telemetry) },
  });
  const metrics = await serveWorkerMetrics(telemetry, log);
  const mailer = createSmtpMailer(configs.smtp);
  if (configs.smtp.SMTP_URL) log.info({ smtp: smtpTarget(configs.smtp.SMTP_URL) }, 'notifications also go out by email through SMTP');
  else log.info('SMTP_URL not set: notifications are in-app only');
  const db = await createDataSource({
    url: configs.db.DATABASE_URL,
    poolSize: configs.db.DATABASE_POOL_SIZE,
    applicationName: 'casework-worker',
    role: WORKER_ROLE,
  }).initialize();
  // The client connection first: it checks the server and namespace and, failing, names the
  // setting to fix (TemporalConnectError); then the worker's own native connection.
  const clientConnection = await connectTemporalClient(configs.temporal);
  const connection = await connectTemporalWorker(configs.temporal);
  log.info({ temporal: describeTemporalConnection(configs.temporal) }, 'connected to Temporal');
  const store = createContentStore(configs.evidence);
  const checkpointSigner = loadCheckpointSigner(configs.checkpoint);
  log.info({ keyId: checkpointSigner.keyId }, 'checkpoints are signed with this key');
  const bundle = await bundleWorkflowsInChild();
  // Worker.create has read the bundle once it resolves; a SIGKILLed worker leaves no file behind.
  let worker;
  try {
    worker = await createAllegationWorker({
      workflowBundle: { codePath: bundle.codePath },
      connection,
      db,
      store,
      checkpointSigner,
      namespace: configs.temporal.TEMPORAL_NAMESPACE,
      taskQueue: configs.temporal.TEMPORAL_TASK_QUEUE,
      maxConcurrentActivities: configs.worker.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxCachedWorkflows: configs.worker.WORKER_MAX_CACHED_WORKFLOWS,
      nonStickyPollPercent: configs.worker.WORKER_NON_STICKY_POLL_PERCENT,
      notifyBatch: {
        maxBatch: configs.worker.WORKER_NOTIFY_BATCH_SIZE,
        waitMs: configs.worker.WORKER_NOTIFY_BATCH_WAIT_MS,
        digestWindowMs: configs.worker.WORKER_NOTIFY_DIGEST_WINDOW_MS,
      },
      riskNoticeBatch: configs.worker.WORKER_RISK_NOTICE_BATCH_SIZE,
      mailer,
    });
  } finally {
    bundle.remove();
  }
  const client = new Client({ connection: clientConnection, namespace: configs.temporal.TEMPORAL_NAMESPACE });
  await ensureWorkerSchedules(client, {
    taskQueue: configs.temporal.TEMPORAL_TASK_QUEUE,
    integrityEvery: configs.worker.EVIDENCE_INTEGRITY_EVERY,
    retentionReviewEvery: configs.worker.EVIDENCE_RETENTION_REVIEW_EVERY,
    emailRetryEvery: configs.worker.EMAIL_RETRY_EVERY,
    checkpointEvery: configs.worker.CHECKPOINT_EVERY,
  });
  // Each authority with a risk review notice to send has its dispatcher running, even one
  // stopped by hand: waking a running one only makes it look once.
  const dispatchers = await wakeRiskDispatchers(db, { client, taskQueue: configs.temporal.TEMPORAL_TASK_QUEUE });
  log.info({ dispatchers }, 'risk review notice dispatchers awake');
  await client.connection.close();
  log.info(
    {
      integrityEvery: configs.worker.EVIDENCE_INTEGRITY_EVERY,
      retentionReviewEvery: configs.worker.EVIDENCE_RETENTION_REVIEW_EVERY,
      emailRetryEvery: configs.worker.EMAIL_RETRY_EVERY,
      checkpointEvery: configs.worker.CHECKPOINT_EVERY,
    },
    'schedules in place',
  );
  log.info(
    {
      taskQueue: configs.temporal.TEMPORAL_TASK_QUEUE,
      namespace: configs.temporal.TEMPORAL_NAMESPACE,
      maxCachedWorkflows: worker.options.maxCachedWorkflows,
      nonStickyToStickyPollRatio: worker.options.nonStickyToStickyPollRatio,
    },
    'worker polling',
  );
  // The SDK shuts the worker down on SIGINT/SIGTERM; run() resolves once in-flight work is done.
  await worker.run();
  await connection.close();
  await db.destroy();
  await metrics?.close();
  await telemetry.tracing?.shutdown();
  log.info('worker stopped');
}

main().catch((error) => {
  if (error instanceof TemporalConnectError) process.stderr.write(`worker: ${error.message}\n`);
  else process.stderr.write(`worker: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
