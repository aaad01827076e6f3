// GET /metrics on a port of its own (METRICS_PORT, WORKER_METRICS_PORT), never on the API's
// port: operators expose it to their scraper only. Anything else on that port is a 404.
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, type Registry } from 'prom-client';

export interface MetricsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /**
   * More Prometheus text to serve after the registry's (the Temporal SDK's worker metrics); its
   * failure is reported as a comment and in casework_temporal_sdk_metrics_up, never as a failed scrape.
   */
  temporalSdkMetrics?: () => Promise<string>;
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** The Temporal SDK's Prometheus exporter, read over loopback with a short deadline. */
export function fetchPrometheusText(url: string, timeoutMs = 2_000): () => Promise<string> {
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return response.text();
  };
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  // Process metrics (CPU, memory, event loop lag, GC) only once an endpoint will serve them.
  collectDefaultMetrics({ register: options.registry });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    void render(options).then(
      (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(error as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host.replace(/^\[(.*)\]$/, '$1'), () => {
      server.off('error', reject);
      resolve();
    });
  });
  const host = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${options.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function render(options: MetricsServerOptions): Promise<string> {
  const own = await options.registry.metrics();
  if (!options.temporalSdkMetrics) return own;
  let extra: string;
  let up = 1;
  try {
    extra = await options.temporalSdkMetrics();
  } catch (error) {
    up = 0;
    extra = `# the Temporal SDK's metrics could not be read: ${String((error as Error).message).replace(/\s+/g, ' ')}\n`;
  }
  const gauge =
    "# HELP casework_temporal_sdk_metrics_up 1 when the Temporal SDK's worker metrics were read for this scrape, else 0\n# TYPE casework_temporal_sdk_metrics_up gauge\n" +
    `casework_temporal_sdk_metrics_up ${up}\n`;
  return `${own.endsWith('\n') ? own : `${own}\n`}${gauge}${extra.endsWith('\n') ? extra : `${extra}\n`}`;
}
