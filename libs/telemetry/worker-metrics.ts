// The worker's own Prometheus metrics; the Temporal SDK's worker metrics are served beside them
// (libs/telemetry/metrics-server.ts).
import { Counter, Registry } from 'prom-client';

export const workerRegistry = new Registry();

/** in-app notifications written, once per recipient and due event (a retried activity adds none) */
export const notificationsSent = new Counter({
  name: 'casework_notifications_sent_total',
  help: 'In-app notifications written by the notify activity, by kind; a retried or replayed activity that tells nobody new adds nothing',
  labelNames: ['kind'] as const,
  registers: [workerRegistry],
});
