// Invariant 3 and 4: a worker killed with SIGKILL mid-timer is replaced, the timer still fires,
// and the escalation is sent exactly once.
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    worker: 'none',
    policy: { triageDue: { routine: 'PT20S', urgent: 'PT20S', immediate: 'PT20S' }, remindBefore: ['PT15S'], workingDays: false },
  });
});
afterAll(() => stack?.close());

const inbox = async (username: string, caseId: string) => {
  const res = await stack.http
    .get('/me/notifications')
    .set('Authorization', `Bearer ${await stack.token(username)}`)
    .expect(200);
  return res.body.filter((n: { caseId: string }) => n.caseId === caseId);
};

it('escalates exactly once when the worker is killed and restarted mid-timer', async () => {
  const first = stack.spawnWorker();
  const created = await stack.http
    .post('/allegations')
    .set('Authorization', `Bearer ${await stack.token('staff@northshire')}`)
    .send(allegationBody())
    .expect(201);
  const id = created.body.id;
  // The reminder (at 5 s) proves the first worker ran the workflow and its timers are set; the
  // 15 s to the deadline leave room for a loaded machine to kill the worker before it passes.
  await eventually('the reminder from the first worker', async () => (await inbox('triage@northshire', id)).length === 1, 30_000);
  first.child.kill('SIGKILL');
  await first.exited;
  expect(await inbox('returning_officer@northshire', id)).toHaveLength(0);

  stack.spawnWorker();
  const escalations = await eventually(
    'the escalation from the second worker',
    async () => {
      const n = await inbox('returning_officer@northshire', id);
      return n.length > 0 && n;
    },
    60_000,
  );
  expect(escalations).toHaveLength(1);
  await new Promise((r) => setTimeout(r, 2_000));
  expect(await inbox('returning_officer@northshire', id)).toHaveLength(1);
  expect(await inbox('triage@northshire', id)).toHaveLength(1);
});
