// Invariant 4 by email: each reminder and escalation reaches a real SMTP server exactly once per due
// event, across refused deliveries (the retry Schedule) and a worker killed in the middle of a send.
import { ensureWorkerSchedules, workerScheduleIds } from '@apps/worker/src/schedules';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';
import { ReceivedMail, startTestSmtpServer, TestSmtpServer } from './support/smtp';

const TRIAGE = 'triage@northshire.example.gov.uk';
const RETURNING_OFFICER = 'returning-officer@northshire.example.gov.uk';

type Row = {
  id: string;
  kind: string;
  username: string;
  email: string;
  emailed_at: Date | null;
  email_message_id: string | null;
  email_attempts: number;
  email_last_error: string | null;
};
const rowsOf = (stack: TestStack, caseId: string): Promise<Row[]> =>
  stack.db.query(
    `SELECT n.id, n.kind, u.username, u.email, n.emailed_at, n.email_message_id, n.email_attempts, n.email_last_error
     FROM notifications n JOIN users u ON u.id = n.recipient_id WHERE n.case_id = $1 ORDER BY n.created_at, u.username`,
    [caseId],
  );
const mailsFor = (smtp: TestSmtpServer, reference: string, recipient?: string): ReceivedMail[] =>
  smtp.received.filter((m) => m.text.includes(`Case reference: ${reference}`) && (!recipient || m.rcptTo.includes(recipient)));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every notification of the case was emailed exactly once, under its own Message-ID. */
async function expectEachEmailedOnce(stack: TestStack, smtp: TestSmtpServer, caseId: string, reference: string): Promise<Row[]> {
  const rows = await rowsOf(stack, caseId);
  const mails = mailsFor(smtp, reference);
  expect(mails.map((m) => m.messageId).sort()).toEqual(rows.map((r) => `<notification.${r.id}@election-casework>`).sort());
  for (const row of rows) {
    expect(row.emailed_at).not.toBeNull();
    expect(row.email_message_id).toBe(`<notification.${row.id}@election-casework>`);
    expect(mails.filter((m) => m.messageId === row.email_message_id).map((m) => m.rcptTo)).toEqual([[row.email]]);
  }
  return rows;
}

describe('with the worker in this process', () => {
  let stack: TestStack;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    stack = await startTestStack({
      smtpUrl: smtp.url,
      policy: { triageDue: { routine: 'PT4S', urgent: 'PT4S', immediate: 'PT4S' }, remindBefore: ['PT2S'], workingDays: false },
    });
    // Failed sends are retried by the email retry Schedule, here every second.
    await ensureWorkerSchedules(stack.temporal, { taskQueue: stack.taskQueue, integrityEvery: 'P1D', retentionReviewEvery: 'P1D', emailRetryEvery: 'PT1S' });
  });
  afterAll(async () => {
    for (const id of Object.values(workerScheduleIds(stack.taskQueue)))
      await stack.temporal.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    await stack?.close();
    await smtp?.close();
  });

  it('emails the triage reminder and the escalation exactly once each', async () => {
    const created = await stack.http
      .post('/allegations')
      .set('Authorization', `Bearer ${await stack.token('staff@northshire')}`)
      .send(allegationBody())
      .expect(201);
    const { id, reference } = created.body;

    const [reminder] = await eventually('the reminder email', async () => mailsFor(smtp, reference, TRIAGE).length > 0 && mailsFor(smtp, reference, TRIAGE));
    await eventually('the escalation email', async () => mailsFor(smtp, reference, RETURNING_OFFICER).length > 0);
    await pause(2_500); // a little past: nothing repeats
    expect(mailsFor(smtp, reference, TRIAGE)).toHaveLength(1);
    expect(mailsFor(smtp, reference, RETURNING_OFFICER)).toHaveLength(1);
    expect(mailsFor(smtp, reference)).toHaveLength(2);

    const rows = await expectEachEmailedOnce(stack, smtp, id, reference);
    expect(rows.map((r) => [r.username, r.kind, r.email_attempts, r.email_last_error])).toEqual([
      ['triage@northshire', 'triage_reminder', 1, null],
      ['returning_officer@northshire', 'triage_escalation', 1, null],
    ]);
    // The message is the in-app notification plus the case reference, from SMTP_FROM's default.
    const [inApp] = (
      await stack.http
        .get('/me/notifications')
        .set('Authorization', `Bearer ${await stack.token('triage@northshire')}`)
        .expect(200)
    ).body.filter((n: { caseId: string }) => n.caseId === id);
    expect(reminder.subject).toBe(inApp.subject);
    expect(reminder.text).toContain(inApp.body);
    expect(reminder.from).toBe('"Election casework" <casework@localhost>');
    expect(reminder.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('sends each message once when the server refuses the first attempts, without holding the case up', async () => {
    // A safety concern alerts the SPOC and the FEOA in one activity. The SPOC's address is refused
    // four times (451): the FEOA's message went out on the first attempt and must not be sent
    // again, and the case's own timeline (the reminder two seconds on) must not wait for the
    // SPOC's email, which the retry Schedule delivers later.
    const spoc = 'spoc@southvale-police.example.gov.uk';
    const feoa = 'feoa@southvale-police.example.gov.uk';
    smtp.refuse(spoc, 4);
    const created = await stack.http
      .post('/allegations')
      .set('Authorization', `Bearer ${await stack.token('staff@southvale')}`)
      .send(allegationBody({ safetyConcern: true }))
      .expect(201);
    const { id, reference } = created.body;

    await eventually('the reminder email', async () => mailsFor(smtp, reference, 'triage@southvale.example.gov.uk').length > 0, 30_000);
    expect(mailsFor(smtp, reference, spoc)).toHaveLength(0);
    await eventually('the safety alert to the SPOC', async () => mailsFor(smtp, reference, spoc).length > 0, 30_000);
    await eventually('the escalation email', async () => mailsFor(smtp, reference, 'returning-officer@southvale.example.gov.uk').length > 0, 30_000);
    await pause(2_500);
    expect(smtp.refusals.get(spoc)).toBe(4);
    expect(mailsFor(smtp, reference, spoc)).toHaveLength(1);
    expect(mailsFor(smtp, reference, feoa)).toHaveLength(1);

    const rows = await expectEachEmailedOnce(stack, smtp, id, reference);
    const byUser = new Map(rows.map((r) => [`${r.username} ${r.kind}`, r]));
    expect([...byUser.keys()].sort()).toEqual([
      'feoa@southvale-police safety_alert',
      'returning_officer@southvale triage_escalation',
      'spoc@southvale-police safety_alert',
      'triage@southvale triage_reminder',
    ]);
    expect(byUser.get('spoc@southvale-police safety_alert')).toMatchObject({ email_attempts: 5, email_last_error: expect.stringContaining('451') });
    expect(byUser.get('feoa@southvale-police safety_alert')).toMatchObject({ email_attempts: 1, email_last_error: null });
  });
});

describe('with a worker process killed in the middle of a send', () => {
  let stack: TestStack;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    stack = await startTestStack({
      worker: 'none',
      smtpUrl: smtp.url,
      policy: { triageDue: { routine: 'PT8S', urgent: 'PT8S', immediate: 'PT8S' }, remindBefore: ['PT5S'], workingDays: false },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await smtp?.close();
  });

  it('still emails the reminder and the escalation exactly once after a restart', async () => {
    const first = stack.spawnWorker();
    // The server reads the escalation and never answers, so the first worker is mid-send when killed.
    const escalationArrived = smtp.hold(RETURNING_OFFICER);
    const created = await stack.http
      .post('/allegations')
      .set('Authorization', `Bearer ${await stack.token('staff@northshire')}`)
      .send(allegationBody())
      .expect(201);
    const { id, reference } = created.body;

    await eventually('the reminder email from the first worker', async () => mailsFor(smtp, reference, TRIAGE).length > 0, 30_000);
    await escalationArrived;
    first.child.kill('SIGKILL');
    await first.exited;
    const [reminderRow, escalationRow] = await rowsOf(stack, id);
    expect(reminderRow).toMatchObject({ kind: 'triage_reminder', email_attempts: 1 });
    expect(reminderRow.emailed_at).not.toBeNull();
    // The in-app escalation was committed before the send; its email was not.
    expect(escalationRow).toMatchObject({ kind: 'triage_escalation', emailed_at: null, email_attempts: 0 });
    expect(mailsFor(smtp, reference, RETURNING_OFFICER)).toHaveLength(0);

    // Temporal retries the lost attempt on the new worker once its start-to-close timeout (30 s) passes.
    stack.spawnWorker();
    await eventually('the escalation email from the second worker', async () => mailsFor(smtp, reference, RETURNING_OFFICER).length > 0, 75_000);
    await pause(2_500);
    expect(mailsFor(smtp, reference, TRIAGE)).toHaveLength(1);
    expect(mailsFor(smtp, reference, RETURNING_OFFICER)).toHaveLength(1);
    const rows = await expectEachEmailedOnce(stack, smtp, id, reference);
    expect(rows.map((r) => [r.kind, r.email_attempts])).toEqual([
      ['triage_reminder', 1],
      ['triage_escalation', 1],
    ]);
  }, 120_000);
});
