// Triage deadlines from policy, with seconds-long durations: reminders before, exactly one
// escalation when the deadline passes, safety alerts at once, and policy changes.
import { findDemoUser } from '@libs/auth';
import { DEFAULT_POLICY } from '@libs/domain';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    policy: { triageDue: { routine: 'PT4S', urgent: 'PT4S', immediate: 'PT3S' }, remindBefore: ['PT2S'], workingDays: false },
  });
});
afterAll(() => stack?.close());

type Notification = { kind: string; caseId: string; subject: string };
const inbox = async (username: string, caseId: string): Promise<Notification[]> => {
  const res = await stack.http
    .get('/me/notifications')
    .set('Authorization', `Bearer ${await stack.token(username)}`)
    .expect(200);
  return res.body.filter((n: Notification) => n.caseId === caseId);
};

describe('the triage deadline', () => {
  it('reminds the triage team, then escalates to the Returning Officer exactly once', async () => {
    const staff = await stack.token('staff@northshire');
    const created = await stack.http.post('/allegations').set('Authorization', `Bearer ${staff}`).send(allegationBody()).expect(201);
    const id = created.body.id;
    const due = Date.parse(created.body.triageDueAt);
    expect(due - Date.now()).toBeLessThanOrEqual(4_000);

    const reminders = await eventually('the triage reminder', async () => {
      const n = await inbox('triage@northshire', id);
      return n.length > 0 && n;
    });
    expect(reminders).toEqual([expect.objectContaining({ kind: 'triage_reminder' })]);
    expect(Date.now()).toBeLessThan(due + 1_000);

    const escalations = await eventually('the escalation', async () => {
      const n = await inbox('returning_officer@northshire', id);
      return n.length > 0 && n;
    });
    expect(escalations).toEqual([expect.objectContaining({ kind: 'triage_escalation' })]);
    expect(Date.now()).toBeGreaterThanOrEqual(due);

    const got = await stack.http.get(`/allegations/${id}`).set('Authorization', `Bearer ${staff}`).expect(200);
    expect(got.body.escalatedAt).not.toBeNull();
    // Nobody else was told, and nothing repeats.
    expect(await inbox('returning_officer@southvale', id)).toEqual([]);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await inbox('triage@northshire', id)).toHaveLength(1);
    expect(await inbox('returning_officer@northshire', id)).toHaveLength(1);

    const legal = await stack.token('legal@northshire');
    const history = await stack.http
      .get(`/allegations/${id}/history`)
      .set('Authorization', `Bearer ${legal}`)
      .set('X-Access-Reason', 'deadline test')
      .expect(200);
    expect(history.body.map((e: { action: string }) => e.action)).toEqual([
      'allegation.created',
      'notification.triage_reminder',
      'notification.triage_escalation',
      'history.read',
    ]);
  });

  it('tells the force SPOC and FEOA at once of a safety concern, and takes the shortest deadline', async () => {
    const staff = await stack.token('staff@southvale');
    const created = await stack.http
      .post('/allegations')
      .set('Authorization', `Bearer ${staff}`)
      .send(allegationBody({ safetyConcern: true, urgency: 'routine', category: 'undue_influence' }))
      .expect(201);
    expect(Date.parse(created.body.triageDueAt) - Date.now()).toBeLessThanOrEqual(3_000);
    for (const user of ['spoc@southvale-police', 'feoa@southvale-police']) {
      const alerts = await eventually(`the safety alert to ${user}`, async () => {
        const n = await inbox(user, created.body.id);
        return n.length > 0 && n;
      });
      expect(alerts).toEqual([expect.objectContaining({ kind: 'safety_alert' })]);
      expect(alerts[0].subject).toContain(created.body.reference);
    }
    expect(await inbox('spoc@northshire-police', created.body.id)).toEqual([]);
    const got = await stack.http.get(`/allegations/${created.body.id}`).set('Authorization', `Bearer ${staff}`).expect(200);
    expect(got.body).toMatchObject({ safetyConcern: true, operationFord: true });
  });
});

describe('policy', () => {
  it('GET returns the whole policy; PATCH merges, validates and applies to new cases', async () => {
    const admin = await stack.token('admin@southvale');
    const current = await stack.http.get('/admin/policies/southvale').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(Object.keys(current.body).sort()).toEqual(Object.keys(DEFAULT_POLICY).sort());

    const bad = await stack.http
      .patch('/admin/policies/southvale')
      .set('Authorization', `Bearer ${admin}`)
      .send({ triageDue: { routine: 'two days' }, pollWindow: { scale: 3 } })
      .expect(422);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['pollWindow.scale', 'triageDue.routine']);
    const unchanged = await stack.http.get('/admin/policies/southvale').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(unchanged.body).toEqual(current.body);

    const policyEvents = () =>
      stack.db.query(
        "SELECT actor, role, before, after, log_index FROM audit_events WHERE authority_id = 'southvale' AND action = 'policy.changed' ORDER BY id",
      );
    // The refused document above changed nothing, and so recorded nothing.
    expect(await policyEvents()).toEqual([]);

    const patched = await stack.http
      .patch('/admin/policies/southvale')
      .set('Authorization', `Bearer ${admin}`)
      .send({ triageDue: { routine: 'PT1H' } })
      .expect(200);
    expect(patched.body.triageDue).toEqual({ ...current.body.triageDue, routine: 'PT1H' });
    expect(patched.body.remindBefore).toEqual(current.body.remindBefore);
    // The change is an audit event naming the field's old and new value, by the admin, in the authority's Merkle log.
    const [event, ...more] = await policyEvents();
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      actor: findDemoUser('admin@southvale')!.id,
      role: 'admin',
      before: { triageDue: current.body.triageDue },
      after: { triageDue: patched.body.triageDue },
    });
    expect(event.log_index).not.toBeNull();
    // Saving the same values again changes nothing and records nothing.
    await stack.http
      .patch('/admin/policies/southvale')
      .set('Authorization', `Bearer ${admin}`)
      .send({ triageDue: { routine: 'PT1H' } })
      .expect(200);
    expect(await policyEvents()).toHaveLength(1);

    const created = await stack.http
      .post('/allegations')
      .set('Authorization', `Bearer ${await stack.token('staff@southvale')}`)
      .send(allegationBody())
      .expect(201);
    const hour = Date.parse(created.body.triageDueAt) - Date.now();
    expect(hour).toBeGreaterThan(3_590_000);
    expect(hour).toBeLessThanOrEqual(3_600_000);
  });

  it('refuses a policy document with unknown fields', async () => {
    const admin = await stack.token('admin@northshire');
    const res = await stack.http.patch('/admin/policies/northshire').set('Authorization', `Bearer ${admin}`).send({ triageDeadline: 'P1D' }).expect(422);
    expect(res.body.details).toEqual([{ field: 'triageDeadline', problem: 'is not a policy field', code: 'policy.unknown_field', values: {} }]);
  });
});
