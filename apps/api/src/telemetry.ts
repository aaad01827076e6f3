// The API process's telemetry (docs/operators/telemetry.md): tracing, started before the app is
// built so that the request middleware and the Temporal client's interceptors are installed, and
// the Prometheus endpoint on METRICS_PORT, started once the app listens.
import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { loadConfig, TelemetryConfig } from '@libs/config';
import { runInTenantScope } from '@libs/persistence';
import { WorkflowStartsStore } from '@libs/persistence/stores/workflow-starts.store';
import { startMetricsServer, startTracing, type Tracing } from '@libs/telemetry';
import { apiRegistry, setOutboxProbe } from '@libs/telemetry/api-metrics';

/** Throws ConfigError naming the first bad setting. */
export function loadTelemetryConfig(env?: NodeJS.ProcessEnv): TelemetryConfig {
  return loadConfig(TelemetryConfig, env);
}

/** Tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set; call before createApiApp. */
export function startApiTracing(config: TelemetryConfig, log: Logger): Tracing | undefined {
  const tracing = startTracing(config, 'casework-api');
  if (tracing) log.info({ serviceName: tracing.serviceName, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT }, 'tracing: spans exported by OTLP/HTTP');
  return tracing;
}

/** GET /metrics on METRICS_HOST:METRICS_PORT when set; both it and tracing stop with the app. */
export async function serveApiMetrics(app: INestApplication, config: TelemetryConfig, tracing: Tracing | undefined, log: Logger): Promise<void> {
  // Nest's shutdown hooks close the app on SIGTERM; the buffered spans go out after it.
  if (tracing) app.getHttpServer().once('close', () => void tracing.shutdown());
  if (!config.METRICS_PORT) return;
  const starts = new WorkflowStartsStore(app.get(DataSource));
  // The outbox is every authority's: read in the system scope, as the recovery sweep does.
  setOutboxProbe(() => runInTenantScope({ system: true }, () => starts.backlog()));
  const metrics = await startMetricsServer({ host: config.METRICS_HOST, port: config.METRICS_PORT, registry: apiRegistry });
  app.getHttpServer().once('close', () => void metrics.close());
  log.info({ url: metrics.url }, 'metrics listening');
}
