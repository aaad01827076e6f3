// API process: validates its configuration, then serves HTTP on PORT until SIGINT or SIGTERM.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig, TelemetryConfig } from '../../../libs/config';
import { createLogger } from '../../../libs/logging';
import { runInTenantScope } from '../../../libs/persistence';
import { startMetricsServer, startTracing } from '../../../libs/telemetry';
import { apiRegistry, setOutboxProbe } from '../../../libs/telemetry/api-metrics';
import { createApiApp, loadApiConfigs } from './app.factory';

async function main(): Promise<void> {
  let configs;
  let telemetry: TelemetryConfig;
  try {
    configs = loadApiConfigs();
    telemetry = loadConfig(TelemetryConfig);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`api: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger('api', configs.api.LOG_LEVEL);
  // Before the app (and its Temporal client) is built: the request middleware and the client's
  // interceptors are only installed when tracing is on.
  const tracing = startTracing(telemetry, 'casework-api');
  if (tracing) log.info({ serviceName: tracing.serviceName, endpoint: telemetry.OTEL_EXPORTER_OTLP_ENDPOINT }, 'tracing: spans exported by OTLP/HTTP');
  const app = await createApiApp(configs, log);
  await app.listen(configs.api.PORT, process.env.HOST ?? '127.0.0.1');
  log.info({ url: `http://127.0.0.1:${configs.api.PORT}`, web: `http://127.0.0.1:${configs.api.PORT}/`, docs: `http://127.0.0.1:${configs.api.PORT}/docs` }, 'api listening');
  if (telemetry.METRICS_PORT) {
    const db = app.get(DataSource);
    // The outbox is every authority's: read in the system scope, as the recovery sweep does.
    setOutboxProbe(async () => {
      const [row] = await runInTenantScope({ system: true }, () =>
        db.query(`SELECT count(*)::int AS pending, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest FROM workflow_starts WHERE started_at IS NULL`),
      );
      return { pending: Number(row.pending), oldestSeconds: Number(row.oldest) };
    });
    const metrics = await startMetricsServer({ host: telemetry.METRICS_HOST, port: telemetry.METRICS_PORT, registry: apiRegistry });
    log.info({ url: metrics.url }, 'metrics listening');
    app.getHttpServer().once('close', () => void metrics.close());
  }
  if (tracing) {
    // Nest's shutdown hooks close the app on SIGTERM; the buffered spans go out after it.
    app.getHttpServer().once('close', () => void tracing.shutdown());
  }
}

main().catch((error) => {
  process.stderr.write(`api: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
