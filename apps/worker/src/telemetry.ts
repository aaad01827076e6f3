// The worker process's telemetry (docs/operators/telemetry.md): tracing, the Temporal SDK's own
// Prometheus exporter on loopback, and GET /metrics on WORKER_METRICS_PORT serving the worker's
// metrics with the SDK's.
import type { RuntimeOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { loadConfig, TelemetryConfig } from '@libs/config';
import { freePort } from '@libs/infra/ports';
import { fetchPrometheusText, startMetricsServer, startTracing, type MetricsServer, type Tracing } from '@libs/telemetry';
import { workerRegistry } from '@libs/telemetry/worker-metrics';

export interface WorkerTelemetry {
  config: TelemetryConfig;
  tracing: Tracing | undefined;
  /** where the SDK's Prometheus exporter listens, when WORKER_METRICS_PORT is set */
  sdkMetricsPort: number | undefined;
}

/** Throws ConfigError naming the first bad setting. */
export function loadTelemetryConfig(env?: NodeJS.ProcessEnv): TelemetryConfig {
  return loadConfig(TelemetryConfig, env);
}

/** Tracing and the SDK metrics port; before Runtime.install and before the worker is created. */
export async function startWorkerTelemetry(config: TelemetryConfig, log: Logger): Promise<WorkerTelemetry> {
  const tracing = startTracing(config, 'casework-worker');
  if (tracing) log.info({ serviceName: tracing.serviceName, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT }, 'tracing: spans exported by OTLP/HTTP');
  const sdkMetricsPort = config.WORKER_METRICS_PORT ? (config.TEMPORAL_SDK_METRICS_PORT ?? (await freePort())) : undefined;
  return { config, tracing, sdkMetricsPort };
}

/**
 * The SDK's Prometheus exporter on 127.0.0.1 (the Runtime's telemetryOptions.metrics), with
 * counters ending in _total and durations in seconds; none without WORKER_METRICS_PORT.
 */
export function sdkMetricsOptions(telemetry: WorkerTelemetry): Pick<NonNullable<RuntimeOptions['telemetryOptions']>, 'metrics'> {
  if (!telemetry.sdkMetricsPort) return {};
  return {
    metrics: {
      prometheus: { bindAddress: `127.0.0.1:${telemetry.sdkMetricsPort}`, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
    },
  };
}

/** GET /metrics on METRICS_HOST:WORKER_METRICS_PORT when set. */
export async function serveWorkerMetrics(telemetry: WorkerTelemetry, log: Logger): Promise<MetricsServer | undefined> {
  const { config, sdkMetricsPort } = telemetry;
  if (!config.WORKER_METRICS_PORT) return undefined;
  const metrics = await startMetricsServer({
    host: config.METRICS_HOST,
    port: config.WORKER_METRICS_PORT,
    registry: workerRegistry,
    temporalSdkMetrics: fetchPrometheusText(`http://127.0.0.1:${sdkMetricsPort}/metrics`),
  });
  log.info({ url: metrics.url, temporalSdkMetrics: `127.0.0.1:${sdkMetricsPort}` }, 'metrics listening');
  return metrics;
}
