// The API's Prometheus metrics. They are recorded whether or not METRICS_PORT is set (a counter
// increment each); only the endpoint that serves them is optional.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const apiRegistry = new Registry();

/** every answer, by the route's pattern (never the raw URL, which would carry ids) */
export const httpRequestDuration = new Histogram({
  name: 'casework_http_request_duration_seconds',
  help: 'API requests by method, route pattern and status, and how long they took to answer',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [apiRegistry],
});

export type IntakeOutcome = 'created' | 'replay' | 'refused' | 'unavailable' | 'error';

/** POST /allegations by outcome: created, idempotent replay, refused (4xx), unavailable (503), error (other 5xx) */
export const intakeRequests = new Counter({
  name: 'casework_intake_requests_total',
  help: 'Allegation intake requests (POST /allegations) by outcome: created, replay (same Idempotency-Key), refused (4xx), unavailable (503), error',
  labelNames: ['outcome'] as const,
  registers: [apiRegistry],
});

export interface OutboxBacklog {
  /** committed allegations whose workflow has not started */
  pending: number;
  /** age of the oldest of them, in seconds; 0 when there are none */
  oldestSeconds: number;
}

let outboxProbe: (() => Promise<OutboxBacklog>) | undefined;
let inFlight: Promise<OutboxBacklog | undefined> | undefined;

/** One read of the workflow_starts table per scrape, shared by both gauges. */
function readOutbox(): Promise<OutboxBacklog | undefined> {
  if (!outboxProbe) return Promise.resolve(undefined);
  inFlight ??= outboxProbe()
    .catch(() => undefined)
    .finally(() => setImmediate(() => (inFlight = undefined)));
  return inFlight;
}

/** How the gauges read the outbox (the API's main wires it to PostgreSQL). */
export function setOutboxProbe(probe: (() => Promise<OutboxBacklog>) | undefined): void {
  outboxProbe = probe;
}

new Gauge({
  name: 'casework_outbox_pending',
  help: 'Committed allegations whose workflow has not started yet (workflow_starts rows with no started_at), read at each scrape; the recovery sweep starts them',
  registers: [apiRegistry],
  async collect() {
    const backlog = await readOutbox();
    if (backlog) this.set(backlog.pending);
  },
});

new Gauge({
  name: 'casework_outbox_oldest_pending_seconds',
  help: 'Age of the oldest allegation still waiting for its workflow to start, in seconds (0 when none)',
  registers: [apiRegistry],
  async collect() {
    const backlog = await readOutbox();
    if (backlog) this.set(backlog.oldestSeconds);
  },
});
