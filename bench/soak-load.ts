// The steady mixed load of `npm run bench:soak`: `clients` virtual users share one schedule of
// send times, `ratePerS` apart, and each takes the next slot when its last request has answered.
// So the load is paced (not as fast as possible), and when the API slows down the clients fall
// behind the schedule rather than piling up requests: the achieved rate and how far behind the
// schedule they fell are reported beside the latencies. Each request is one operation, drawn by
// weight with a seeded generator, so two runs send the same mix.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { HttpRequestSpec, HttpResult, send } from './support';

export interface SoakOperation {
  name: string;
  /** relative share of the requests */
  weight: number;
  expectStatus: number;
  /** the next request of this kind, or undefined when there is none to send (another kind is drawn) */
  request: () => HttpRequestSpec | undefined;
  /** called with each expected response; `answeredAt` is Date.now() when it arrived */
  onSuccess?: (result: HttpResult, answeredAt: number) => void;
}

export interface SoakSample {
  /** Date.now() when the request was sent */
  at: number;
  op: string;
  ms: number;
  ok: boolean;
}

export interface PacedLoadOptions {
  baseUrl: string;
  ratePerS: number;
  clients: number;
  durationMs: number;
  operations: SoakOperation[];
  shouldStop: () => boolean;
  seed?: number;
}

export interface PacedLoadResult {
  samples: SoakSample[];
  /** `<op> <status>` (0 = transport error) to count */
  failures: Record<string, number>;
  failureSamples: string[];
  startedAt: number;
  endedAt: number;
  /** how far the last send time fell behind the schedule, in ms (0 = kept up) */
  behindMs: number;
}

/** mulberry32: a small seeded generator, so the mix of operations is the same in every run */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runPacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const base = new URL(options.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.clients, maxFreeSockets: options.clients });
  const random = seeded(options.seed ?? 20_261_123);
  const totalWeight = options.operations.reduce((n, op) => n + op.weight, 0);
  const draw = (): SoakOperation => {
    let r = random() * totalWeight;
    for (const op of options.operations) if ((r -= op.weight) < 0) return op;
    return options.operations[options.operations.length - 1];
  };
  const interval = 1000 / options.ratePerS;
  const samples: SoakSample[] = [];
  const failures: Record<string, number> = {};
  const failureSamples: string[] = [];
  const startedAt = Date.now();
  const endAt = startedAt + options.durationMs;
  const origin = performance.now();
  let nextSlot = 0; // ms after origin
  let behindMs = 0;

  const client = async () => {
    for (;;) {
      const slot = nextSlot;
      nextSlot += interval;
      const wait = slot - (performance.now() - origin);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else behindMs = -wait;
      if (Date.now() >= endAt || options.shouldStop()) return;
      let op = draw();
      let spec = op.request();
      for (let tries = 0; !spec && tries < 20; tries++) spec = (op = draw()).request();
      if (!spec) continue;
      const at = Date.now();
      const result = await send(agent, base, spec);
      const ok = result.status === op.expectStatus;
      samples.push({ at, op: op.name, ms: result.ms, ok });
      if (ok) {
        op.onSuccess?.(result, Date.now());
      } else {
        const key = `${op.name} ${result.status}`;
        failures[key] = (failures[key] ?? 0) + 1;
        if (failureSamples.length < 5) failureSamples.push(`${key}: ${result.error ?? result.body.slice(0, 300)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  agent.destroy();
  return { samples, failures, failureSamples, startedAt, endedAt: Date.now(), behindMs };
}
