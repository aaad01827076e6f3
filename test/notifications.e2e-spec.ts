// A notification says what it is about as data (`about`: the record's type and id, and its case),
// for reminders that belong to no case too (a risk review), so a client can filter by it and link
// to it; the caller filters by unread and marks notifications read, one or all. Existing rows get
// `about` from their due keys when the migration runs.
import { randomUUID } from 'node:crypto';
import { findDemoUser } from '@libs/auth';
import { NotificationAbout1764928800000 } from '@libs/persistence/migrations/1764928800000-NotificationAbout';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  // Reminders within seconds; the escalation (to the returning officer) much later.
  stack = await startTestStack({ policy: { riskReviewGrace: 'PT1H' } });
});
afterAll(() => stack?.close());

type Json = Record<string, any>;
const as = async (username: string) => `Bearer ${await stack.token(username)}`;
const owner = findDemoUser('plan_owner@northshire')!;
const inbox = async (username: string, query = '') =>
  (
    await stack.http
      .get(`/me/notifications${query}`)
      .set('Authorization', await as(username))
      .expect(200)
  ).body as Json[];

async function riskWithReminder(): Promise<{ risk: Json; reminder: Json }> {
  const risk = (
    await stack.http
      .post('/risks')
      .set('Authorization', await as('plan_owner@northshire'))
      .send({
        title: `Leaflets with no imprint ${randomUUID().slice(0, 8)}`,
        category: 'other',
        likelihood: 2,
        impact: 2,
        ownerId: owner.id,
        mitigations: [],
        reviewEvery: 'PT2S',
      })
      .expect(201)
  ).body;
  const reminder = await eventually(
    'the risk review reminder',
    async () => (await inbox('plan_owner@northshire')).find((n) => n.kind === 'risk_review_reminder' && n.subject.includes(risk.title)),
    30_000,
  );
  return { risk, reminder };
}

describe('GET /me/notifications', () => {
  it('names the risk a review reminder is about, and filters by subject and by unread', async () => {
    const { risk, reminder } = await riskWithReminder();
    expect(reminder).toMatchObject({ caseId: null, about: { type: 'risk', id: risk.id, caseId: null }, readAt: null });
    const { risk: other } = await riskWithReminder();

    const aboutRisk = await inbox('plan_owner@northshire', `?aboutType=risk&aboutId=${risk.id}`);
    expect(aboutRisk.map((n) => n.id)).toEqual([reminder.id]);
    expect((await inbox('plan_owner@northshire', `?aboutId=${other.id}`)).every((n) => n.about.id === other.id)).toBe(true);
    expect(await inbox('plan_owner@northshire', `?aboutType=allegation&aboutId=${risk.id}`)).toEqual([]);
    expect((await inbox('plan_owner@northshire', '?aboutType=risk')).map((n) => n.about.id)).toEqual(expect.arrayContaining([risk.id, other.id]));
    expect((await inbox('plan_owner@northshire', '?unread=true')).map((n) => n.id)).toContain(reminder.id);
    expect((await inbox('plan_owner@northshire', '?unread=false')).map((n) => n.id)).not.toContain(reminder.id);
  });

  it('names the case of a case notification', async () => {
    const c = (
      await stack.http
        .post('/allegations')
        .set('Authorization', await as('staff@northshire'))
        .send(allegationBody({ safetyConcern: true }))
        .expect(201)
    ).body;
    const alert = await eventually(
      'the safety alert',
      async () => (await inbox('spoc@northshire-police')).find((n) => n.kind === 'safety_alert' && n.caseId === c.id),
      30_000,
    );
    expect(alert.about).toEqual({ type: 'allegation', id: c.id, caseId: c.id });
    expect((await inbox('spoc@northshire-police', `?aboutType=allegation&aboutId=${c.id}`)).map((n) => n.id)).toEqual([alert.id]);
  });

  it('refuses a filter that is not one, with 422 naming the field', async () => {
    const bad = await stack.http
      .get('/me/notifications?aboutType=planet&aboutId=nope&unread=maybe')
      .set('Authorization', await as('staff@northshire'))
      .expect(422);
    expect(bad.body.details.map((d: Json) => d.field).sort()).toEqual(['aboutId', 'aboutType', 'unread']);
  });
});

describe('marking notifications read', () => {
  it('marks one read, keeps its first readAt when marked again, and no one else can mark it', async () => {
    const { reminder } = await riskWithReminder();
    for (const other of ['returning_officer@northshire', 'plan_owner@southvale']) {
      const refused = await stack.http
        .post(`/me/notifications/${reminder.id}/read`)
        .set('Authorization', await as(other))
        .expect(404);
      expect(refused.body).toMatchObject({ statusCode: 404, message: 'notification not found' });
    }
    await stack.http
      .post('/me/notifications/not-a-uuid/read')
      .set('Authorization', await as('plan_owner@northshire'))
      .expect(404);
    expect((await inbox('plan_owner@northshire')).find((n) => n.id === reminder.id)?.readAt).toBeNull();

    const marked = (
      await stack.http
        .post(`/me/notifications/${reminder.id}/read`)
        .set('Authorization', await as('plan_owner@northshire'))
        .expect(200)
    ).body;
    expect(marked).toMatchObject({ id: reminder.id, about: reminder.about, readAt: expect.any(String) });
    const again = (
      await stack.http
        .post(`/me/notifications/${reminder.id}/read`)
        .set('Authorization', await as('plan_owner@northshire'))
        .expect(200)
    ).body;
    expect(again.readAt).toBe(marked.readAt);
    expect((await inbox('plan_owner@northshire', '?unread=true')).map((n) => n.id)).not.toContain(reminder.id);
    expect((await inbox('plan_owner@northshire', '?unread=false')).map((n) => n.id)).toContain(reminder.id);
  });

  it('marks all read, or all about one record, and says how many it marked', async () => {
    const { risk } = await riskWithReminder();
    await riskWithReminder();
    const unreadAbout = (await inbox('plan_owner@northshire', `?unread=true&aboutId=${risk.id}`)).length;
    expect(unreadAbout).toBeGreaterThan(0);
    const some = await stack.http
      .post(`/me/notifications/read?aboutType=risk&aboutId=${risk.id}`)
      .set('Authorization', await as('plan_owner@northshire'))
      .expect(200);
    expect(some.body).toEqual({ marked: unreadAbout });
    expect(await inbox('plan_owner@northshire', `?unread=true&aboutId=${risk.id}`)).toEqual([]);
    // Another risk's reminder is still unread (the review cycle may have sent more since).
    const stillUnread = await inbox('plan_owner@northshire', '?unread=true');
    expect(stillUnread.length).toBeGreaterThan(0);
    const all = await stack.http
      .post('/me/notifications/read')
      .set('Authorization', await as('plan_owner@northshire'))
      .expect(200);
    expect(all.body.marked).toBeGreaterThanOrEqual(stillUnread.length);
    // Nobody else's notifications were touched.
    const others = await stack.db.query('SELECT count(*)::int AS n FROM notifications WHERE recipient_id <> $1 AND read_at IS NOT NULL', [owner.id]);
    expect(others[0].n).toBe(0);
  });
});

describe('migration NotificationAbout', () => {
  it('fills in `about` for existing notifications from their due keys', async () => {
    const ids = {
      risk: randomUUID(),
      agreement: randomUUID(),
      item: randomUUID(),
      pkg: randomUUID(),
      alert: randomUUID(),
      upload: randomUUID(),
      caseId: randomUUID(),
    };
    const keys: [dueKey: string, caseId: string | null, expected: Json | null][] = [
      [`risk:${ids.risk}:2026-12-06T10:00:00.000Z:reminder`, null, { type: 'risk', id: ids.risk }],
      [`liaison:${ids.agreement}:2026-12-06T10:00:00.000Z:escalation`, null, { type: 'liaison', id: ids.agreement }],
      [`integrity:${ids.item}:missing`, ids.caseId, { type: 'evidence', id: ids.item }],
      [`disposal-review:${ids.item}:2026-12-06T10:00:00.000Z`, ids.caseId, { type: 'evidence', id: ids.item }],
      [`indicator-alert:${ids.alert}`, null, { type: 'indicator_alert', id: ids.alert }],
      [`indicator-upload:${ids.upload}`, null, { type: 'indicator_upload', id: ids.upload }],
      [`${ids.pkg}:acknowledge:escalation`, ids.caseId, { type: 'package', id: ids.pkg }],
      [`${ids.caseId}:triage:2026-12-06T10:00:00.000Z:escalation`, ids.caseId, { type: 'allegation', id: ids.caseId }],
      ['something-else:1', null, null],
    ];
    const runner = stack.db.createQueryRunner();
    const migration = new NotificationAbout1764928800000();
    try {
      await migration.down(runner);
      for (const [dueKey, caseId] of keys) {
        await runner.query(
          "INSERT INTO notifications (id, recipient_id, case_id, kind, subject, body, due_key) VALUES (gen_random_uuid(), $1, $2, 'old', 'old', 'old', $3)",
          [owner.id, caseId, dueKey],
        );
      }
      await migration.up(runner);
      const rows = await runner.query('SELECT due_key, about_type, about_id FROM notifications WHERE due_key = ANY($1)', [keys.map((k) => k[0])]);
      const got = new Map(rows.map((r: Json) => [r.due_key, r.about_type ? { type: r.about_type, id: r.about_id } : null]));
      for (const [dueKey, , expected] of keys) expect({ dueKey, about: got.get(dueKey) }).toEqual({ dueKey, about: expected });
    } finally {
      await runner.release();
    }
  });
});
