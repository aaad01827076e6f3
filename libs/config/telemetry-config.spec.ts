import { ConfigError, loadConfig, TelemetryConfig } from '.';
import { activeTracing, otlpTracesUrl, startTracing } from '@libs/telemetry';

describe('TelemetryConfig', () => {
  it('defaults: no metrics endpoints, no tracing, loopback when a port is set', () => {
    const config = loadConfig(TelemetryConfig, {});
    expect(config).toMatchObject({ METRICS_HOST: '127.0.0.1' });
    expect(config.METRICS_PORT).toBeUndefined();
    expect(config.WORKER_METRICS_PORT).toBeUndefined();
    expect(config.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    // empty means unset, as elsewhere
    expect(loadConfig(TelemetryConfig, { METRICS_PORT: '', OTEL_EXPORTER_OTLP_ENDPOINT: '' }).METRICS_PORT).toBeUndefined();
    expect(
      loadConfig(TelemetryConfig, {
        METRICS_PORT: '9464',
        WORKER_METRICS_PORT: '9465',
        METRICS_HOST: '0.0.0.0',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_SERVICE_NAME: 'casework-api-eu',
      }),
    ).toMatchObject({
      METRICS_PORT: 9464,
      WORKER_METRICS_PORT: 9465,
      METRICS_HOST: '0.0.0.0',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_SERVICE_NAME: 'casework-api-eu',
    });
  });

  it.each([
    ['METRICS_PORT', '0'],
    ['METRICS_PORT', '70000'],
    ['WORKER_METRICS_PORT', 'ninety'],
    ['TEMPORAL_SDK_METRICS_PORT', '-1'],
    ['METRICS_HOST', 'a host'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'grpc://collector:4317'],
    ['OTEL_SERVICE_NAME', 'casework api'],
  ])('refuses %s=%s at start-up, naming it', (name, value) => {
    expect(() => loadConfig(TelemetryConfig, { [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig(TelemetryConfig, { [name]: value })).toThrow(new RegExp(`^configuration error: ${name} `));
    if (name.endsWith('_PORT')) expect(() => loadConfig(TelemetryConfig, { [name]: value })).toThrow(`${name} must be a port number (1-65535)`);
  });

  it('starts no tracing without an endpoint', () => {
    expect(startTracing(loadConfig(TelemetryConfig, {}), 'casework-api')).toBeUndefined();
    expect(activeTracing()).toBeUndefined();
  });

  it('sends traces to the OTLP/HTTP traces path under the endpoint', () => {
    expect(otlpTracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('https://otel.example.gov.uk/ingest/')).toBe('https://otel.example.gov.uk/ingest/v1/traces');
  });
});
