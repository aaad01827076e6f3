// API process: validates its configuration, then serves HTTP on PORT until SIGINT or SIGTERM.
import 'reflect-metadata';
import { loadTelemetryConfig, serveApiMetrics, startApiTracing } from './telemetry';
import { ConfigError } from '@libs/config';
import { createLogger } from '@libs/logging';
import { describeTemporalConnection, TemporalConnectError } from '@libs/temporal';
import { createApiApp, loadApiConfigs } from './app.factory';

async function main(): Promise<void> {
  let configs;
  let telemetry;
  try {
    configs = loadApiConfigs();
    telemetry = loadTelemetryConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`api: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger('api', configs.api.LOG_LEVEL);
  const tracing = startApiTracing(telemetry, log);
  const app = await createApiApp(configs, log);
  await app.listen(configs.api.PORT, configs.api.HOST);
  log.info({ temporal: describeTemporalConnection(configs.temporal) }, 'connected to Temporal');
  log.info(
    { url: `http://127.0.0.1:${configs.api.PORT}`, web: `http://127.0.0.1:${configs.api.PORT}/`, docs: `http://127.0.0.1:${configs.api.PORT}/docs` },
    'api listening',
  );
  await serveApiMetrics(app, telemetry, tracing, log);
}

main().catch((error) => {
  // A TemporalConnectError's one line names the setting to fix; its stack would only bury it.
  if (error instanceof TemporalConnectError) process.stderr.write(`api: ${error.message}\n`);
  else process.stderr.write(`api: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
