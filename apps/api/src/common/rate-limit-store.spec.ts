// The PostgreSQL store's sharing of round trips, against a table in memory that does what the
// upsert does (RateLimitsStore.add): two processes, each with its own store, on one table, must
// together hand out each place within the limit at most once, and never a place beyond it.
import type { DataSource } from 'typeorm';
import { MAX_LEASE, postgresRateLimitStore } from './rate-limit';

const WINDOW_MS = 60_000;

/** One table row per key, each upsert answered a tick later, one at a time (the row lock). */
function fakeTable(clock: () => number) {
  const rows = new Map<string, { start: number; count: number }>();
  let upserts = 0;
  let queue = Promise.resolve();
  const db = {
    query(sql: string, params: unknown[]) {
      if (sql.startsWith('DELETE')) return Promise.resolve([]);
      const [key, windowMs, slots] = params as [string, number, number];
      const answer = queue.then(
        () =>
          new Promise<{ count: number; retry_after_ms: number }[]>((resolve) =>
            setImmediate(() => {
              upserts += 1;
              const t = clock();
              const row = rows.get(key);
              const next = !row || row.start + windowMs <= t ? { start: t, count: slots } : { start: row.start, count: row.count + slots };
              rows.set(key, next);
              resolve([{ count: next.count, retry_after_ms: next.start + windowMs - t }]);
            }),
          ),
      );
      queue = answer.then(() => undefined);
      return answer;
    },
  };
  return { db: db as unknown as DataSource, rows, upserts: () => upserts };
}

/** Fires `n` concurrent hits alternating between the stores; the counts the admitted ones got. */
async function burst(stores: ReturnType<typeof postgresRateLimitStore>[], n: number, limit: number): Promise<number[]> {
  const counts = await Promise.all(Array.from({ length: n }, (_, i) => stores[i % stores.length].hit('user:a', WINDOW_MS, limit)));
  return counts.map((c) => c.count).filter((c) => c <= limit);
}

describe('postgresRateLimitStore', () => {
  it('with a small limit, counts every request in the row before it goes on, exactly as one upsert each would', async () => {
    const t = 1_000_000;
    const table = fakeTable(() => t);
    const stores = [postgresRateLimitStore(table.db, undefined, () => t), postgresRateLimitStore(table.db, undefined, () => t)];
    const admitted = await burst(stores, 30, 10);
    expect(admitted.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    admitted.push(...(await burst(stores, 2, 10)));
    expect(admitted).toHaveLength(10);
    expect(table.rows.get('user:a')!.count).toBe(32);
  });

  it('far from the limit, two processes share few upserts and still hand out each place at most once, none beyond the limit', async () => {
    const t = 1_000_000;
    const table = fakeTable(() => t);
    const stores = [postgresRateLimitStore(table.db, undefined, () => t), postgresRateLimitStore(table.db, undefined, () => t)];
    const limit = 2_000;
    const admitted: number[] = [];
    for (let round = 0; round < 40; round++) admitted.push(...(await burst(stores, 100, limit)));
    expect(new Set(admitted).size).toBe(admitted.length);
    expect(Math.max(...admitted)).toBeLessThanOrEqual(limit);
    // Leases left unused by either process are the only places lost.
    expect(admitted.length).toBeGreaterThanOrEqual(limit - 2 * MAX_LEASE);
    expect(table.upserts()).toBeLessThan(4_000 / 10);
  });

  it('stops using a lease when the window ends, and starts the next window with a round trip', async () => {
    let t = 1_000_000;
    const table = fakeTable(() => t);
    const store = postgresRateLimitStore(table.db, undefined, () => t);
    // One at a time: the first upsert takes no lease, the second one of MAX_LEASE, and so on.
    for (let i = 0; i < 10 * MAX_LEASE; i++) expect((await store.hit('user:a', WINDOW_MS, 10_000)).count).toBe(i + 1);
    const before = table.upserts();
    expect(before).toBeLessThanOrEqual(12);
    t += WINDOW_MS;
    expect(await store.hit('user:a', WINDOW_MS, 10_000)).toEqual({ count: 1, retryAfterMs: WINDOW_MS });
    expect(table.upserts()).toBe(before + 1);
  });

  it('passes a failed upsert to every request waiting for it, and the next request tries again', async () => {
    const t = 1_000_000;
    let fail = true;
    const table = fakeTable(() => t);
    const db = { query: (sql: string, params: unknown[]) => (fail ? Promise.reject(new Error('down')) : table.db.query(sql, params)) } as unknown as DataSource;
    const store = postgresRateLimitStore(db, undefined, () => t);
    const outcomes = await Promise.allSettled([store.hit('ip:x', WINDOW_MS, 5), store.hit('ip:x', WINDOW_MS, 5)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect((await store.hit('ip:x', WINDOW_MS, 5)).count).toBe(1);
  });
});
