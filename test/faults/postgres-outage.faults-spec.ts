// PostgreSQL stopped for ten seconds under steady API load. While it is down every answer is a
// prompt 503 with Retry-After (no 500, no hang); afterwards the API and the worker carry on by
// themselves (neither is restarted), every allegation acknowledged with 201 is there with its
// workflow, a retry of every intake that got a 503 creates one case per Idempotency-Key, and the
// reminders that fell due during the outage are sent, once (invariants 1, 3 and 4).
import { allegationWorkflowId } from '@libs/domain';
import { getStateQuery } from '@workflows/allegation/messages';
import { allegationBody, eventually, startTestStack, TestStack } from '../support/stack';
import { acknowledgedAllegationsKept, casesWithout, duplicateNotifications } from './support/invariants';
import { Exchange, percentile, startLoad } from './support/load';
import { FaultServers, startFaultServers } from './support/servers';

const OUTAGE_MS = 10_000;
/** The answers during the outage: p99 and worst case (generous: a loaded 2-core machine). */
const P99_LIMIT_MS = 3_000;
const MAX_LIMIT_MS = 6_000;
/**
 * While frozen, answers come from timeouts (the 5 s query timeout set below, then the pool's 5 s
 * connect timeout): slower, but they come. The freeze far outlasts the limit, so a request that
 * waits for the thaw fails the test.
 */
const FROZEN_LIMIT_MS = 14_000;
const FREEZE_MS = 20_000;

let servers: FaultServers;
let stack: TestStack;

beforeAll(async () => {
  servers = await startFaultServers();
  stack = await startTestStack({
    apiErrorsToStderr: true,
    worker: 'none',
    // A query PostgreSQL does not answer gives up after 5 s (15 s by default).
    env: { OUTBOX_SWEEP_MS: '1000', OUTBOX_GRACE_MS: '1000', DATABASE_QUERY_TIMEOUT_MS: '5000' },
    // Reminders 8 s after intake, so those of the cases logged just before the outage fall due in it.
    policy: { triageDue: { routine: 'PT60S', urgent: 'PT60S', immediate: 'PT60S' }, remindBefore: ['PT52S'], workingDays: false },
  });
});
afterAll(async () => {
  await stack?.close();
  await servers?.close();
});

const summary = (xs: Exchange[]) => {
  const byStatus = new Map<number, number>();
  for (const x of xs) byStatus.set(x.status, (byStatus.get(x.status) ?? 0) + 1);
  return [...byStatus].map(([s, n]) => `${s}x${n}`).join(' ');
};

it('answers 503 promptly while PostgreSQL is down and recovers by itself, losing nothing', async () => {
  const t0 = Date.now();
  const step = (what: string) => process.stderr.write(`[faults] +${Date.now() - t0} ms: ${what}\n`);
  // The worker must be running before the outage (one that starts during it exits, as it should):
  // it answers a query once it has bundled its workflows and polls, which on a loaded machine
  // can take minutes. The cases logged in the seconds before the stop have reminders due in it.
  const worker = stack.spawnWorker();
  const first = await stack.http
    .post('/allegations')
    .set('Authorization', `Bearer ${await stack.token('staff@northshire')}`)
    .send(allegationBody())
    .expect(201);
  await eventually(
    'a worker to answer',
    () =>
      stack.temporal.workflow
        .getHandle(allegationWorkflowId(first.body.id))
        .query(getStateQuery)
        .catch(() => undefined),
    200_000,
    500,
  );
  const load = startLoad(stack, 2, 300);
  await new Promise((r) => setTimeout(r, 5_000));

  step('stopping PostgreSQL');
  const stopping = Date.now();
  await servers.postgres.stop();
  const down = Date.now();
  await new Promise((r) => setTimeout(r, OUTAGE_MS));
  const restarting = Date.now();
  await servers.postgres.start();
  const up = Date.now();

  // Recovered by itself: the API answers intake, reads and lists with 2xx again.
  await eventually(
    'the API to answer 2xx again',
    async () => {
      const after = load.exchanges.filter((x) => x.startedAt > up);
      return (['intake', 'read', 'list'] as const).every((kind) => after.some((x) => x.kind === kind && x.status < 300));
    },
    30_000,
    250,
  );
  const recovered = Date.now();
  step('API recovered');
  await new Promise((r) => setTimeout(r, 2_000));

  // 2. Frozen: connections stay open and nothing answers, as when the database host hangs or the
  //    network drops every packet. No error arrives by itself; only the API's timeouts answer.
  const freezing = Date.now();
  servers.postgres.freeze();
  await new Promise((r) => setTimeout(r, FREEZE_MS));
  const thawing = Date.now();
  servers.postgres.thaw();
  await eventually(
    'the API to answer 2xx after the freeze',
    async () => {
      const after = load.exchanges.filter((x) => x.startedAt > thawing);
      return (['intake', 'read', 'list'] as const).every((kind) => after.some((x) => x.kind === kind && x.status < 300));
    },
    60_000,
    250,
  );
  const thawed = Date.now();
  step('API recovered from the freeze');
  await new Promise((r) => setTimeout(r, 2_000));
  await load.stop();
  const exchanges = load.exchanges;
  const frozen = exchanges.filter((x) => x.endedAt >= freezing && x.startedAt <= thawing);
  const frozenLatencies = frozen.map((x) => x.endedAt - x.startedAt);
  process.stderr.write(
    `[faults] PostgreSQL frozen for ${FREEZE_MS} ms: API recovered ${thawed - thawing} ms after the thaw; ${frozen.length} requests during the freeze (${summary(frozen)}), ` +
      `p50 ${percentile(frozenLatencies, 50)} ms, max ${Math.max(...frozenLatencies)} ms\n`,
  );
  expect(frozen.length).toBeGreaterThan(0);
  expect(Math.max(...frozenLatencies)).toBeLessThan(FROZEN_LIMIT_MS);

  const during = exchanges.filter((x) => x.startedAt >= down && x.endedAt <= restarting);
  const latencies = during.map((x) => x.endedAt - x.startedAt);
  const p99 = percentile(latencies, 99);
  const worst = Math.max(...latencies);
  process.stderr.write(
    `[faults] PostgreSQL outage: stop took ${down - stopping} ms, restart ${up - restarting} ms, API recovered ${recovered - up} ms after; ` +
      `${exchanges.length} requests (${summary(exchanges)}); during the outage ${during.length} (${summary(during)}), p50 ${percentile(latencies, 50)} ms, p99 ${p99} ms, max ${worst} ms\n`,
  );
  expect(during.length).toBeGreaterThan(10);
  expect(during.filter((x) => x.status !== 503)).toEqual([]);
  expect(p99).toBeLessThan(P99_LIMIT_MS);
  expect(worst).toBeLessThan(MAX_LIMIT_MS);
  // Nothing but success or 503 at any time: no 500, no 4xx, no hang (status 0).
  expect(exchanges.filter((x) => x.status !== 503 && (x.status < 200 || x.status >= 300))).toEqual([]);
  // The requests after recovery all succeed.
  expect(exchanges.filter((x) => x.startedAt > recovered && x.status !== 503).length).toBeGreaterThan(0);
  expect(exchanges.filter((x) => x.startedAt > recovered + 1_000 && x.endedAt < freezing && x.status === 503)).toEqual([]);
  // The worker rode it out without a restart.
  expect(worker.child.exitCode).toBeNull();

  // Invariant 1: everything acknowledged is there with its workflow.
  const acknowledged = exchanges.filter((x) => x.kind === 'intake' && x.status === 201).map((x) => x.caseId!);
  expect(await acknowledgedAllegationsKept(stack, acknowledged)).toEqual({ missingRows: [], missingWorkflows: [] });
  step('acknowledged cases checked');
  // A client retries what got a 503 with the same key: one case per key, whether or not the
  // first attempt had committed.
  const staff = `Bearer ${await stack.token('staff@northshire')}`;
  const refused = exchanges.filter((e) => e.kind === 'intake' && e.status === 503);
  for (let i = 0; i < refused.length; i += 5) {
    await Promise.all(
      refused.slice(i, i + 5).map(async (x) => {
        // As a client would: again after a 503, a few times (the worker is catching up meanwhile).
        let retry = await stack.http.post('/allegations').set('Authorization', staff).set('Idempotency-Key', x.idempotencyKey!).send(allegationBody());
        for (let attempt = 1; retry.status === 503 && attempt < 4; attempt++) {
          const [start] = await stack.db.query('SELECT attempts, last_error FROM workflow_starts WHERE allegation_id = $1', [retry.body.id ?? null]);
          process.stderr.write(
            `[faults] retry of ${x.idempotencyKey} answered 503 after recovery: ${retry.body.message}; workflow start ${JSON.stringify(start ?? null)}\n`,
          );
          await new Promise((r) => setTimeout(r, 1_000));
          retry = await stack.http.post('/allegations').set('Authorization', staff).set('Idempotency-Key', x.idempotencyKey!).send(allegationBody());
        }
        expect({ status: retry.status, body: retry.body }).toMatchObject({ status: 201 });
        if (x.caseId) expect(retry.body.id).toBe(x.caseId);
      }),
    );
  }
  const keys = new Set(exchanges.filter((x) => x.kind === 'intake').map((x) => x.idempotencyKey!));
  const [counts] = await stack.db.query('SELECT (SELECT count(*)::int FROM allegations) AS cases, (SELECT count(*)::int FROM idempotency_keys) AS keys');
  expect(counts).toEqual({ cases: keys.size + 1, keys: keys.size }); // + the first case, logged without a key
  const ids: string[] = (await stack.db.query('SELECT id FROM allegations')).map((r: { id: string }) => r.id);
  expect(await acknowledgedAllegationsKept(stack, ids)).toEqual({ missingRows: [], missingWorkflows: [] });

  step('503s retried');
  // Invariants 3 and 4: the reminders that fell due before the API recovered (most of them
  // during the outage) were all sent, once each.
  const due: string[] = (await stack.db.query(`SELECT id FROM allegations WHERE triage_due_at - interval '52 seconds' < $1`, [new Date(up)])).map(
    (r: { id: string }) => r.id,
  );
  expect(due.length).toBeGreaterThan(0);
  await eventually('every reminder due to be sent', async () => (await casesWithout(stack, due, 'triage_reminder')).length === 0, 90_000, 500);
  expect(await duplicateNotifications(stack, ids)).toEqual([]);
});
