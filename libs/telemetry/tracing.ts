// OpenTelemetry tracing for the API and the worker. Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set,
// and then the SDK is not even loaded: with tracing off the API's and Temporal's calls run through
// no tracing code at all (the middleware and interceptors are only installed when this returns a
// Tracing).
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TelemetryConfig } from '@libs/config';

export interface Tracing {
  serviceName: string;
  /** the batch processor every span goes through, the worker's workflow spans (sinks) included */
  processor: SpanProcessor;
  resource: Resource;
  /** exports what is still buffered, then stops */
  shutdown(): Promise<void>;
}

export { WORKFLOW_TRACING_MODULES } from './tracing-modules';

let active: Tracing | undefined;

/** The tracing this process started, if any. */
export function activeTracing(): Tracing | undefined {
  return active;
}

/** `<endpoint>/v1/traces`, the OTLP/HTTP traces path under the collector's base URL. */
export function otlpTracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Registers a global tracer provider that batches spans to the OTLP/HTTP collector (JSON
 * encoding), with W3C trace-context propagation and an AsyncLocalStorage context manager.
 * Returns undefined, having loaded nothing, when no endpoint is configured. Call it once, before
 * the Temporal client or worker is created.
 */
export function startTracing(config: TelemetryConfig, defaultServiceName: string): Tracing | undefined {
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  if (active) return active;
  const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { Resource: ResourceClass } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const serviceName = config.OTEL_SERVICE_NAME ?? defaultServiceName;
  const resource = new ResourceClass({ 'service.name': serviceName });
  // Headers for the collector (OTEL_EXPORTER_OTLP_HEADERS) and the batch sizes and delays
  // (OTEL_BSP_*) are read from the environment by the SDK itself.
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl(config.OTEL_EXPORTER_OTLP_ENDPOINT) }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  active = {
    serviceName,
    processor,
    resource,
    shutdown: async () => {
      await provider.shutdown();
      active = undefined;
    },
  };
  return active;
}

/**
 * The Temporal client's interceptors with tracing on: each workflow start, signal, update and
 * query gets a span (StartWorkflow, …) under the caller's active span, and carries its context to
 * the workflow in the Temporal headers. Undefined with tracing off.
 */
export function temporalClientInterceptors(): { workflow: import('@temporalio/client').WorkflowClientInterceptor[] } | undefined {
  if (!active) return undefined;
  const { OpenTelemetryWorkflowClientInterceptor } =
    require('@temporalio/interceptors-opentelemetry/lib/client') as typeof import('@temporalio/interceptors-opentelemetry/lib/client');
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}
