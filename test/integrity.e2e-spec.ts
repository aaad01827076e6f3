// The integrity check is a Temporal Schedule that re-hashes stored evidence: a file altered on
// disk is found, and its alert (notification and audit event) is raised once, not once per run.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureWorkerSchedules, workerScheduleIds } from '@apps/worker/src/schedules';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  const ids = workerScheduleIds(stack.taskQueue);
  for (const id of Object.values(ids))
    await stack.temporal.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  await stack?.close();
});

const as = async (username: string) => `Bearer ${await stack.token(username)}`;

it('finds a file altered on disk and alerts once', async () => {
  const caseId = (
    await stack.http
      .post('/allegations')
      .set('Authorization', await as('staff@northshire'))
      .send(allegationBody())
      .expect(201)
  ).body.id;
  const upload = async (text: string) =>
    (
      await stack.http
        .post(`/allegations/${caseId}/evidence`)
        .set('Authorization', await as('staff@northshire'))
        .set('Content-Type', 'text/plain')
        .set('X-Description', text)
        .send(Buffer.from(`${text} ${caseId}`))
        .expect(201)
    ).body;
  const intact = await upload('intact statement');
  const tampered = await upload('tampered statement');

  const path = join(stack.dataDir, 'evidence', 'sha256', tampered.sha256.slice(0, 2), tampered.sha256.slice(2, 4), tampered.sha256);
  chmodSync(path, 0o644);
  writeFileSync(path, 'someone edited this file');

  await ensureWorkerSchedules(stack.temporal, { taskQueue: stack.taskQueue, integrityEvery: 'PT1S', retentionReviewEvery: 'P1D' });
  const alerts = async () =>
    stack.db.query(
      "SELECT u.username FROM notifications n JOIN users u ON u.id = n.recipient_id WHERE n.kind = 'integrity_alert' AND n.case_id = $1 ORDER BY u.username",
      [caseId],
    );
  await eventually('the integrity alert', async () => (await alerts()).length > 0, 30_000);
  // Let the schedule run a few more times: the alert is not repeated.
  const runs = async () => (await stack.temporal.schedule.getHandle(workerScheduleIds(stack.taskQueue).integrity).describe()).info.numActionsTaken;
  const before = await runs();
  await eventually('two more scheduled runs', async () => (await runs()) >= before + 2, 30_000);
  expect((await alerts()).map((r: { username: string }) => r.username)).toEqual(['returning_officer@northshire', 'triage@northshire']);

  const view = async (id: string) =>
    (
      await stack.http
        .get(`/evidence/${id}`)
        .set('Authorization', await as('legal@northshire'))
        .expect(200)
    ).body;
  expect((await view(tampered.id)).integrity).toEqual({ checkedAt: expect.any(String), ok: false });
  expect((await view(intact.id)).integrity).toEqual({ checkedAt: expect.any(String), ok: true });
  const failures = await stack.db.query("SELECT after FROM audit_events WHERE case_id = $1 AND action = 'evidence.integrity_failed'", [caseId]);
  expect(failures).toEqual([{ after: expect.objectContaining({ evidenceId: tampered.id, expected: tampered.sha256 }) }]);
});
