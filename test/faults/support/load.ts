// Steady API traffic for the fault suites: a few clients, each logging an allegation (with an
// Idempotency-Key, as a careful client does), reading it back and listing cases, over and over,
// recording every answer with its timing so that a suite can ask what happened during a fault.
import { allegationBody, TestStack } from '../../support/stack';

export interface Exchange {
  kind: 'intake' | 'read' | 'list';
  startedAt: number;
  endedAt: number;
  /** the HTTP status; 0 if no answer came within the client's patience (a hang) */
  status: number;
  idempotencyKey?: string;
  /** intake only: the case id, when the API gave one (201, or 503 "recorded, not started") */
  caseId?: string;
}

/** Longer than any answer the API should take; a request still open then counts as a hang. */
const PATIENCE_MS = 20_000;

export function startLoad(stack: TestStack, clients = 3, pauseMs = 100): { exchanges: Exchange[]; stop(): Promise<void> } {
  const exchanges: Exchange[] = [];
  let running = true;
  let serial = 0;
  const send = async (
    kind: Exchange['kind'],
    call: (auth: string) => Promise<{ status: number; body: { id?: string } }>,
    idempotencyKey?: string,
  ): Promise<Exchange> => {
    const auth = `Bearer ${await stack.token(kind === 'intake' ? 'staff@northshire' : 'triage@northshire')}`;
    const startedAt = Date.now();
    let status = 0;
    let caseId: string | undefined;
    try {
      const res = await call(auth);
      status = res.status;
      caseId = kind === 'intake' ? res.body?.id : undefined;
    } catch (error) {
      // supertest's timeout: no answer in time
      if (!/timeout/i.test((error as Error).message)) throw error;
    }
    const exchange: Exchange = { kind, startedAt, endedAt: Date.now(), status, idempotencyKey, caseId };
    exchanges.push(exchange);
    return exchange;
  };
  const client = async (n: number) => {
    while (running) {
      const key = `load-${n}-${serial++}`;
      const intake = await send(
        'intake',
        (auth) => stack.http.post('/allegations').set('Authorization', auth).set('Idempotency-Key', key).timeout(PATIENCE_MS).send(allegationBody()),
        key,
      );
      if (intake.status === 201) await send('read', (auth) => stack.http.get(`/allegations/${intake.caseId}`).set('Authorization', auth).timeout(PATIENCE_MS));
      await send('list', (auth) => stack.http.get('/allegations?limit=5').set('Authorization', auth).timeout(PATIENCE_MS));
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
  return {
    exchanges,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
