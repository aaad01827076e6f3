// Telemetry as an operator sees it: the built API and worker run as processes of their own with
// their metrics ports and an OTLP endpoint set (docs/operators/telemetry.md). A tiny OTLP/HTTP
// collector in this process receives their spans (the exporter's JSON encoding); the test logs an
// allegation with a W3C traceparent and follows that one trace from the API's request span
// through the Temporal client's StartWorkflow into the worker's RunWorkflow and an activity. Then
// it scrapes both /metrics endpoints and finds the route histogram, the intake outcomes, the
// outbox backlog, the notifications counter and the Temporal SDK's own worker metrics.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { freePort, isPortOpen, ManagedProcess, runNodeService } from '@libs/infra';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
interface OtlpTraceRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { spans?: (Omit<CollectedSpan, 'service' | 'attributes'> & { attributes?: OtlpKeyValue[] })[] }[];
  }[];
}

const valueOf = (v: OtlpAnyValue) => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue));
const attributesOf = (list: OtlpKeyValue[] = []) => Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

/** An OTLP/HTTP receiver for traces, JSON encoding (what @opentelemetry/exporter-trace-otlp-http sends). */
async function startOtlpCollector(): Promise<{ endpoint: string; spans: CollectedSpan[]; requests: () => number; close(): Promise<void> }> {
  const spans: CollectedSpan[] = [];
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
      if (!String(req.headers['content-type']).startsWith('application/json')) return void res.writeHead(415).end();
      requests += 1;
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const payload = JSON.parse(body.toString('utf8')) as OtlpTraceRequest;
      for (const rs of payload.resourceSpans ?? []) {
        const service = String(attributesOf(rs.resource?.attributes)['service.name']);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? [])
            spans.push({
              service,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              kind: s.kind,
              attributes: attributesOf(s.attributes),
            });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, spans, requests: () => requests, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

let stack: TestStack;
let collector: Awaited<ReturnType<typeof startOtlpCollector>>;
const children: ManagedProcess[] = [];
const output: string[] = [];
let apiUrl: string;
let ports: { api: number; apiMetrics: number; workerMetrics: number };
let apiMetricsUrl: string;
let workerMetricsUrl: string;

function spawn(name: 'api' | 'worker', env: NodeJS.ProcessEnv): ManagedProcess {
  const entry = resolve(__dirname, `../dist/apps/${name}/src/main.js`);
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run the tests through \`npm test\`, which builds dist/ first`);
  const child = runNodeService(name, entry, env, 'pipe');
  const keep = (chunk: Buffer) => output.push(`[${name}] ${chunk.toString('utf8').trimEnd()}`);
  child.child.stdout?.on('data', keep);
  child.child.stderr?.on('data', keep);
  children.push(child);
  return child;
}

/** Polls with a deadline; on failure says what the processes printed. */
async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 90_000): Promise<T> {
  try {
    return await eventually(what, probe, timeoutMs, 250);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- api and worker output ---\n${output.slice(-40).join('\n')}`);
  }
}

async function text(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url);
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

/** The value of one sample in Prometheus text, `name{labels} value`; labels given in order of appearance. */
function sample(metrics: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

beforeAll(async () => {
  collector = await startOtlpCollector();
  stack = await startTestStack({ worker: 'none' });
  const [apiPort, apiMetricsPort, workerMetricsPort] = [await freePort(), await freePort(), await freePort()];
  ports = { api: apiPort, apiMetrics: apiMetricsPort, workerMetrics: workerMetricsPort };
  const telemetry = {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    // spans leave within a fraction of a second rather than the default 5 s
    OTEL_BSP_SCHEDULE_DELAY: '200',
    METRICS_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  spawn('worker', { ...stack.env, ...telemetry, WORKER_METRICS_PORT: String(workerMetricsPort) });
  spawn('api', { ...stack.env, ...telemetry, PORT: String(apiPort), METRICS_PORT: String(apiMetricsPort) });
  apiUrl = `http://127.0.0.1:${apiPort}`;
  apiMetricsUrl = `http://127.0.0.1:${apiMetricsPort}/metrics`;
  workerMetricsUrl = `http://127.0.0.1:${workerMetricsPort}/metrics`;
  await until('the API answers /health', async () => (await fetch(`${apiUrl}/health`).catch(() => undefined))?.ok);
  // The worker bundles the workflows (with the tracing interceptors) before it polls: the SDK's
  // poller gauge for this task queue says it is ready.
  await until(
    'the worker polls its task queue',
    async () => {
      const m = await text(workerMetricsUrl);
      return m && (sample(m, 'temporal_num_pollers', { task_queue: stack.taskQueue, poller_type: 'workflow_task' }) ?? 0) > 0;
    },
    150_000,
  );
}, 240_000);

afterAll(async () => {
  for (const child of children) await child.stop(10_000);
  await stack?.close();
  await collector?.close();
});

async function post(
  path: string,
  username: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await stack.token(username)}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

let caseId: string;

describe('one trace follows an allegation from the API request into the workflow and its activities', () => {
  it("links the request span, StartWorkflow, RunWorkflow and an activity span under the caller's trace id", async () => {
    // The caller's own trace: the API continues it rather than starting another.
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const intake = await post('/allegations', 'staff@northshire', allegationBody({ safetyConcern: true }), {
      traceparent: `00-${traceId}-${callerSpanId}-01`,
      'idempotency-key': `telemetry-${randomUUID()}`,
    });
    expect(intake.status).toBe(201);
    caseId = String(intake.body.id);
    // RunWorkflow ends when the workflow does: resolve the case so that the workflow completes.
    const resolved = await post(`/allegations/${caseId}/triage`, 'triage@northshire', {
      decision: 'resolve',
      resolution: 'advice',
      note: 'advice given; nothing further',
    });
    expect(resolved.status).toBe(200);

    const inTrace = () => collector.spans.filter((s) => s.traceId === traceId);
    const spans = await until('the trace reaches the collector: request, StartWorkflow, RunWorkflow and an activity', async () => {
      const found = inTrace();
      const names = found.map((s) => s.name);
      return (
        names.includes('POST /allegations') &&
        names.includes('StartWorkflow:allegationWorkflow') &&
        names.includes('RunWorkflow:allegationWorkflow') &&
        names.includes('RunActivity:notify') &&
        found
      );
    });

    const request = spans.find((s) => s.name === 'POST /allegations')!;
    expect(request).toMatchObject({
      service: 'casework-api',
      parentSpanId: callerSpanId,
      kind: 2 /* SERVER */,
      attributes: expect.objectContaining({ 'http.route': '/allegations', 'http.response.status_code': 201 }),
    });
    const start = spans.find((s) => s.name === 'StartWorkflow:allegationWorkflow')!;
    expect(start).toMatchObject({ service: 'casework-api', parentSpanId: request.spanId });
    const run = spans.find((s) => s.name === 'RunWorkflow:allegationWorkflow')!;
    expect(run).toMatchObject({ service: 'casework-worker', parentSpanId: start.spanId });
    // The activity's span hangs under the workflow's (through its StartActivity span).
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const activity = spans.find((s) => s.name === 'RunActivity:notify')!;
    expect(activity).toMatchObject({ service: 'casework-worker' });
    const ancestors: string[] = [];
    for (let s = byId.get(activity.parentSpanId); s; s = byId.get(s.parentSpanId)) ancestors.push(s.name);
    expect(ancestors).toEqual(
      expect.arrayContaining(['StartActivity:notify', 'RunWorkflow:allegationWorkflow', 'StartWorkflow:allegationWorkflow', 'POST /allegations']),
    );

    // The resolve decision is a trace of its own, not mixed into the intake's.
    const decision = await until(
      "the decision request's span reaches the collector",
      async () => collector.spans.find((s) => s.name === 'POST /allegations/:id/triage'),
      20_000,
    );
    expect(decision.traceId).not.toBe(traceId);
  });
});

describe('/metrics on the API and worker ports', () => {
  it('serves the route histogram, the intake outcomes and the outbox backlog on the API, and nothing on the API port', async () => {
    // one replay (same key, same body) and one refusal, beside the created case above
    const key = `telemetry-${randomUUID()}`;
    expect((await post('/allegations', 'staff@northshire', allegationBody(), { 'idempotency-key': key })).status).toBe(201);
    expect((await post('/allegations', 'staff@northshire', allegationBody(), { 'idempotency-key': key })).status).toBe(201);
    expect((await post('/allegations', 'staff@northshire', { ...allegationBody(), category: 'not-a-category' })).status).toBe(422);
    await fetch(`${apiUrl}/allegations/${caseId}`, { headers: { authorization: `Bearer ${await stack.token('staff@northshire')}` } });

    const metrics = await until('the API metrics show the requests', async () => {
      const m = await text(apiMetricsUrl);
      return m && (sample(m, 'casework_intake_requests_total', { outcome: 'refused' }) ?? 0) >= 1 && m;
    });
    // by route pattern, never the raw URL with its case id
    expect(sample(metrics, 'casework_http_request_duration_seconds_count', { method: 'POST', route: '/allegations', status: '201' })).toBe(3);
    expect(sample(metrics, 'casework_http_request_duration_seconds_count', { method: 'GET', route: '/allegations/:id', status: '200' })).toBe(1);
    expect(sample(metrics, 'casework_http_request_duration_seconds_bucket', { method: 'POST', route: '/allegations', status: '201', le: '+Inf' })).toBe(3);
    expect(metrics).not.toContain(caseId);
    expect(sample(metrics, 'casework_intake_requests_total', { outcome: 'created' })).toBe(2);
    expect(sample(metrics, 'casework_intake_requests_total', { outcome: 'replay' })).toBe(1);
    expect(sample(metrics, 'casework_intake_requests_total', { outcome: 'refused' })).toBe(1);
    // every workflow started: nothing waits in the outbox
    expect(sample(metrics, 'casework_outbox_pending')).toBe(0);
    expect(sample(metrics, 'process_cpu_seconds_total')).toBeGreaterThan(0);

    // The API's own port does not serve them.
    expect((await fetch(`${apiUrl}/metrics`)).status).toBe(404);
  });

  it("serves the worker's notifications counter and the Temporal SDK's worker metrics on the worker port", async () => {
    const metrics = await until('the worker metrics show the notification and the SDK metrics', async () => {
      const m = await text(workerMetricsUrl);
      return m && (sample(m, 'casework_notifications_sent_total', { kind: 'safety_alert' }) ?? 0) >= 1 && /^temporal_workflow_completed_total/m.test(m) && m;
    });
    // the safety alert went to the force's SPOC and FEOA
    expect(sample(metrics, 'casework_notifications_sent_total', { kind: 'safety_alert' })).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'casework_temporal_sdk_metrics_up')).toBe(1);
    // the SDK's own metrics, for this worker's task queue
    expect(sample(metrics, 'temporal_workflow_completed_total', { task_queue: stack.taskQueue, workflow_type: 'allegationWorkflow' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(metrics).toMatch(/^temporal_activity_execution_latency_seconds_count\{[^}]*activity_type="notify"/m);
    expect(sample(metrics, 'temporal_worker_task_slots_available', { task_queue: stack.taskQueue, worker_type: 'ActivityWorker' })).toBeGreaterThan(0);
  });
});

describe('shutdown', () => {
  it('stops the API and the worker on SIGTERM, metrics endpoints and all, without waiting for SIGKILL', async () => {
    for (const child of children) {
      const started = Date.now();
      // stop() sends SIGTERM and SIGKILLs only after 20 s
      await child.stop(20_000);
      expect({ process: child.name, stoppedWithinMs: Date.now() - started < 15_000 }).toEqual({ process: child.name, stoppedWithinMs: true });
    }
    expect(await isPortOpen(ports.apiMetrics)).toBe(false);
    expect(await isPortOpen(ports.workerMetrics)).toBe(false);
    expect(await isPortOpen(ports.api)).toBe(false);
  });
});
