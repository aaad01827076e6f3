// Workers killed with SIGKILL, once in the middle of an activity (an email half-sent) and once
// while every case waits on a timer, with cases logged throughout, some while no worker runs.
// Afterwards, over every case: nothing acknowledged is lost (invariant 1), every due reminder and
// escalation fired, some of them after falling due while no worker ran (3), and each person was
// told of each event once, in-app and by email (4).
// test/email.e2e-spec.ts and test/worker-restart.e2e-spec.ts show each kill on one case; this puts
// both into one flow on servers of its own and checks every case at the end.
import { allegationWorkflowId } from '@libs/domain';
import { getStateQuery } from '@workflows/allegation/messages';
import { startTestSmtpServer, TestSmtpServer } from '../support/smtp';
import { allegationBody, eventually, startTestStack, TestStack } from '../support/stack';
import { acknowledgedAllegationsKept, casesWithout, duplicateNotifications, emailProblems } from './support/invariants';
import { FaultServers, startFaultServers } from './support/servers';

const TRIAGE_EMAIL = 'triage@northshire.example.gov.uk';
// Reminders 7 s after intake, escalations 30 s after. Each step waits for evidence (a worker
// answering, a notification written) rather than for the clock, because a worker takes anything
// from 5 to 60 s to start on a loaded machine; the 23 s between a reminder and its escalation is
// the one margin the flow relies on.
const TRIAGE_DUE_S = 30;
const REMIND_BEFORE_S = 23;

let servers: FaultServers;
let smtp: TestSmtpServer;
let stack: TestStack;

beforeAll(async () => {
  servers = await startFaultServers();
  smtp = await startTestSmtpServer();
  stack = await startTestStack({
    apiErrorsToStderr: true,
    worker: 'none',
    smtpUrl: smtp.url,
    policy: {
      triageDue: { routine: `PT${TRIAGE_DUE_S}S`, urgent: `PT${TRIAGE_DUE_S}S`, immediate: `PT${TRIAGE_DUE_S}S` },
      remindBefore: [`PT${REMIND_BEFORE_S}S`],
      workingDays: false,
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await smtp?.close();
  await servers?.close();
});

const acknowledged: { id: string; reference: string; triageDueAt: string }[] = [];
async function logAllegation(): Promise<string> {
  const res = await stack.http
    .post('/allegations')
    .set('Authorization', `Bearer ${await stack.token('staff@northshire')}`)
    .send(allegationBody())
    .expect(201);
  acknowledged.push(res.body);
  return res.body.id;
}
const kinds = async (id: string): Promise<string[]> =>
  (await stack.db.query('SELECT DISTINCT kind FROM notifications WHERE case_id = $1', [id])).map((r: { kind: string }) => r.kind);
const unemailed = async (ids: string[]): Promise<number> =>
  (
    await stack.db.query(
      `SELECT count(*)::int AS n FROM notifications n JOIN users u ON u.id = n.recipient_id WHERE n.case_id = ANY($1::uuid[]) AND n.emailed_at IS NULL AND u.email <> ''`,
      [ids],
    )
  )[0].n;
/** A query is answered only by a running worker: this one has bundled its workflows and polls. */
const runningWorkerAnswers = (id: string) =>
  eventually(
    'a worker to answer for the case',
    () =>
      stack.temporal.workflow
        .getHandle(allegationWorkflowId(id))
        .query(getStateQuery)
        .catch(() => undefined),
    200_000,
    500,
  );

it('loses nothing and repeats nothing when workers are killed mid-activity and mid-timer', async () => {
  // 1. Killed during an activity: the SMTP server reads the first case's reminder email and never
  //    answers, so the first worker is inside the notification activity when it dies.
  const first = stack.spawnWorker();
  const reminderHeld = smtp.hold(TRIAGE_EMAIL);
  const heldCase = await logAllegation();
  await reminderHeld;
  first.child.kill('SIGKILL');
  await first.exited;
  expect(await kinds(heldCase)).toEqual(['triage_reminder']); // in-app committed before the send

  // 2. Killed during timers: once a second worker runs, three new cases are logged; when their
  //    reminders are out, every case is waiting on a timer (or, the held one, on Temporal's retry
  //    of its lost activity after the 30 s start-to-close timeout), and the worker is killed.
  const second = stack.spawnWorker();
  await runningWorkerAnswers(heldCase);
  const batch = [await logAllegation(), await logAllegation(), await logAllegation()];
  await eventually(
    "the new cases' reminders, emailed",
    async () => (await casesWithout(stack, batch, 'triage_reminder')).length === 0 && (await unemailed(batch)) === 0,
    60_000,
    250,
  );
  second.child.kill('SIGKILL');
  await second.exited;

  // 3. No worker: cases are still acknowledged, and the batch's escalations fall due.
  await logAllegation();
  await logAllegation();
  const batchDue = Math.max(...acknowledged.filter((a) => batch.includes(a.id)).map((a) => Date.parse(a.triageDueAt)));
  await eventually("the batch's escalations to fall due with no worker running", async () => Date.now() > batchDue + 1_000, 60_000, 250);
  expect(await casesWithout(stack, batch, 'triage_escalation')).toEqual(batch);

  // 4. A third worker catches up on everything.
  stack.spawnWorker();
  const ids = acknowledged.map((a) => a.id);
  await eventually('every case to be escalated', async () => (await casesWithout(stack, ids, 'triage_escalation')).length === 0, 240_000, 500);
  await eventually('every email to be out', async () => (await unemailed(ids)) === 0, 60_000, 500);
  await new Promise((r) => setTimeout(r, 2_500)); // would any repeat still arrive?

  expect(await acknowledgedAllegationsKept(stack, ids)).toEqual({ missingRows: [], missingWorkflows: [] });
  expect(await casesWithout(stack, ids, 'triage_reminder')).toEqual([]);
  expect(await duplicateNotifications(stack, ids)).toEqual([]);
  expect(await emailProblems(stack, smtp, ids)).toEqual([]);

  // How late the escalations fired, for the record; the batch's fell due with no worker running.
  const lateness: { id: string; late_ms: number }[] = await stack.db.query(
    `SELECT a.id, (extract(epoch FROM min(n.created_at) - a.triage_due_at) * 1000)::int AS late_ms
     FROM allegations a JOIN notifications n ON n.case_id = a.id AND n.kind = 'triage_escalation' WHERE a.id = ANY($1::uuid[]) GROUP BY a.id`,
    [ids],
  );
  const label = (id: string) => (id === heldCase ? 'held ' : batch.includes(id) ? 'due while down ' : '');
  process.stderr.write(
    `[faults] worker kills: ${ids.length} cases; escalations late by (ms) ${lateness.map((l) => `${label(l.id)}${l.late_ms}`).join(', ')}\n`,
  );
  for (const l of lateness) expect(l.late_ms).toBeGreaterThanOrEqual(0);
});
