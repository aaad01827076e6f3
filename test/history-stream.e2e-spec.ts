// The history route's answer, each event's text as stored when it was appended (rendered by
// PostgreSQL's audit_event_json), streamed a chunk at a time (libs/persistence
// streamAuditEventsJson), parses to exactly what loadAuditEvents gives: strings
// that need escaping, nested and unicode JSON, chunk boundaries, and an empty history alike.
import { randomUUID } from 'node:crypto';
import { allegationBody, startTestStack, TestStack } from './support/stack';
import { appendAuditEvent, loadAuditEvents, streamAuditEventsJson } from '@libs/persistence';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ worker: 'none' });
});
afterAll(() => stack?.close());

async function streamed(caseId: string, chunkEvents: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  await streamAuditEventsJson(stack.db, caseId, (chunk) => void chunks.push(chunk), chunkEvents);
  return chunks;
}

it('streams the events as loadAuditEvents has them, whatever they hold, across chunk boundaries', async () => {
  const staff = await stack.token('staff@northshire');
  const created = await stack.http.post('/allegations').set('Authorization', `Bearer ${staff}`).send(allegationBody()).expect(201);
  const caseId = created.body.id as string;
  const odd = [
    { actor: 'sub "quoted" \\ back\\slash', after: { note: 'line\nbreak\ttab \u0001 control', nested: { list: [1, 2.5, -3e-7, true, null], empty: {} } } },
    { actor: 'Zoë Ångström 🗳', before: { status: 'triage', 'odd key "q"': 'é' }, after: 'a bare string' },
    { actor: 'plain', before: [1, [2, [3]]], after: 12345678901234 },
  ];
  await stack.db.transaction(async (m) => {
    for (let i = 0; i < 7; i++) {
      const e = odd[i % odd.length];
      await appendAuditEvent(m, {
        caseId,
        authorityId: 'northshire',
        actor: e.actor,
        role: 'triage',
        action: `test.event_${i}`,
        before: e.before,
        after: e.after,
        at: new Date(Date.UTC(2026, 4, 1, 9, 0, 0, i)),
      });
    }
  });
  const expected = await loadAuditEvents(stack.db.manager, caseId);
  expect(expected.length).toBeGreaterThanOrEqual(8);
  for (const size of [1, 3, expected.length, expected.length + 5]) {
    const chunks = await streamed(caseId, size);
    expect(chunks.length).toBe(Math.floor(expected.length / size) + 1);
    expect(JSON.parse(chunks.join(''))).toEqual(expected);
  }

  const legal = await stack.token('legal@northshire');
  const answer = await stack.http
    .get(`/allegations/${caseId}/history`)
    .set('Authorization', `Bearer ${legal}`)
    .set('X-Access-Reason', 'checking the stream')
    .expect(200);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  const after = await loadAuditEvents(stack.db.manager, caseId);
  expect(answer.body).toEqual(after);
  expect(after.at(-1)).toMatchObject({ action: 'history.read', after: { reason: 'checking the stream' } });
});

it('streams an empty array for a case with no events', async () => {
  expect((await streamed(randomUUID(), 4)).join('')).toBe('[]');
});
