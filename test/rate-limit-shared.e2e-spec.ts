// Two API instances on one database together allow one limit: the rate-limit windows are counted
// in PostgreSQL (rate_limit_windows), not in each process's memory, where two would allow twice
// the limit. (test/faults/scale-out.faults-spec.ts shows the same with two API processes.)
import type { INestApplication } from '@nestjs/common';
import pino from 'pino';
import request from 'supertest';
import { createApiApp, loadApiConfigs } from '@apps/api/src/app.factory';
import { startTestStack, TestStack } from './support/stack';

const PER_USER = 10;
const PER_IP = 6;
let stack: TestStack;
let second: INestApplication;

beforeAll(async () => {
  stack = await startTestStack({
    worker: 'none',
    env: { RATE_LIMIT_PER_USER: String(PER_USER), RATE_LIMIT_PER_IP: String(PER_IP), RATE_LIMIT_WINDOW_MS: '600000' },
  });
  second = await createApiApp(loadApiConfigs(stack.env), pino({ level: 'silent' }));
  await second.init();
});
afterAll(async () => {
  await second?.close();
  await stack?.close();
});

it('a user gets the limit across both instances, not the limit from each', async () => {
  const auth = `Bearer ${await stack.token('staff@northshire')}`;
  const apis = [stack.http, request(second.getHttpServer())];
  const statuses: number[] = [];
  // Concurrent, alternating between the two: 3x the limit in all.
  await Promise.all(
    Array.from({ length: PER_USER * 3 }, async (_, i) => statuses.push((await apis[i % 2].get('/allegations?limit=1').set('Authorization', auth)).status)),
  );
  expect(statuses.filter((s) => s === 200)).toHaveLength(PER_USER);
  expect(statuses.filter((s) => s === 429)).toHaveLength(PER_USER * 2);
  // Each instance refuses the next one, and says when to come back.
  for (const api of apis) {
    const over = await api.get('/allegations?limit=1').set('Authorization', auth);
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(500);
  }
  const [row] = await stack.db.query("SELECT count FROM rate_limit_windows WHERE key LIKE 'user:%'");
  expect(row.count).toBe(PER_USER * 3 + 2);
});

it('an address without a token gets the limit across both instances', async () => {
  const apis = [stack.http, request(second.getHttpServer())];
  const statuses: number[] = [];
  for (let i = 0; i < PER_IP * 2; i++)
    statuses.push((await apis[i % 2].get('/transparency/northshire/checkpoints').set('X-Forwarded-For', '203.0.113.50')).status);
  expect(statuses).toEqual([...Array(PER_IP).fill(200), ...Array(PER_IP).fill(429)]);
});
