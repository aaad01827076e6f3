// The notifications page in Chromium against the real stack: each notification links to the page
// of what it is about (a risk's reminder and escalation from its review workflow, to the risk; a
// case's, to the case), unread ones are tagged and can be shown alone, and marked read one at a
// time or all at once. axe-core checks the page at WCAG 2.2 AA in each state.
import { randomUUID } from 'node:crypto';
import { findDemoUser } from '@libs/auth';
import { BrowserStack, expectAccessible, startBrowserStack, textOf } from './support/browser';
import { allegationBody, eventually, TestStack } from './support/stack';

jest.setTimeout(240_000);

let web: BrowserStack;
let stack: TestStack;
let base: string;

beforeAll(async () => {
  web = await startBrowserStack({ policy: { riskReviewGrace: 'PT2S' } });
  ({ stack, base } = web);
});
afterAll(() => web?.close());

const bearer = async (user: string) => `Bearer ${await stack.token(user)}`;
const ro = findDemoUser('returning_officer@northshire')!;

test('each notification links to its subject, and is marked read alone or with the rest', async () => {
  const title = `Ballot boxes left unsealed ${randomUUID().slice(0, 8)}`;
  const risk = (
    await stack.http
      .post('/risks')
      .set('Authorization', await bearer('returning_officer@northshire'))
      .send({ title, category: 'ballot_paper_security', likelihood: 2, impact: 5, ownerId: ro.id, mitigations: [], reviewEvery: 'PT2S' })
      .expect(201)
  ).body;
  // The review workflow reminds the owner when the review falls due, and escalates to the RO (the same person here).
  await eventually(
    'the reminder and the escalation',
    async () => {
      const rows = await stack.db.query('SELECT kind FROM notifications WHERE recipient_id = $1 AND about_type = $2 AND about_id = $3', [
        ro.id,
        'risk',
        risk.id,
      ]);
      return rows.length === 2;
    },
    60_000,
  );
  // And one about a case, as the allegation workflow writes them.
  const c = (
    await stack.http
      .post('/allegations')
      .set('Authorization', await bearer('staff@northshire'))
      .send(allegationBody())
      .expect(201)
  ).body;
  await stack.db.query(
    `INSERT INTO notifications (id, recipient_id, case_id, kind, subject, body, due_key, about_type, about_id)
     VALUES (gen_random_uuid(), $1, $2, 'triage_escalation', $3, 'Triage is overdue.', $4, 'allegation', $2)`,
    [ro.id, c.id, `Triage overdue: ${c.reference}`, `${c.id}:triage:web-test:escalation`],
  );

  const page = await web.as('returning_officer@northshire');
  // The button's name ends with the notification's subject, in visually hidden text (Chromium puts a space before it).
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const markAsRead = (subject: string) => page.getByRole('button', { name: new RegExp(`^Mark as read\\s*: “${escape(subject)}”$`) });
  await page.goto(`${base}/my-notifications`);
  expect(await textOf(page, '#unread-count')).toBe('3 unread notifications');
  expect(await page.locator('#notifications .govuk-tag', { hasText: 'Unread' }).count()).toBe(3);
  await expectAccessible(page);

  // To the risk, from its reminder.
  await page.getByRole('link', { name: `View the risk for “Risk review due: ${title}”` }).click();
  await page.waitForURL(`${base}/risk-register/${risk.id}`);
  expect(await textOf(page, 'h1')).toBe(title);
  // To the case.
  await page.goto(`${base}/my-notifications`);
  await page.getByRole('link', { name: `View the case for “Triage overdue: ${c.reference}”` }).click();
  await page.waitForURL(`${base}/cases/${c.id}`);
  expect(await textOf(page, 'h1')).toContain(c.reference);

  // One marked read.
  await page.goto(`${base}/my-notifications`);
  await markAsRead(`Risk review overdue: ${title}`).click();
  expect(await textOf(page, '.govuk-notification-banner')).toContain('Notification marked as read.');
  expect(await textOf(page, '#unread-count')).toBe('2 unread notifications');
  expect(await markAsRead(`Risk review overdue: ${title}`).count()).toBe(0);
  await expectAccessible(page);

  // The unread ones alone.
  await page.getByRole('link', { name: 'Show unread notifications only' }).click();
  await page.waitForURL(`${base}/my-notifications?unread=true`);
  const unread = await textOf(page, '#notifications');
  expect(unread).toContain(`Risk review due: ${title}`);
  expect(unread).not.toContain(`Risk review overdue: ${title}`);
  await expectAccessible(page);

  // All of them.
  await page.getByRole('button', { name: 'Mark all as read' }).click();
  expect(await textOf(page, '.govuk-notification-banner')).toContain('All your notifications are marked as read.');
  expect(await textOf(page, '#unread-count')).toBe('0 unread notifications');
  expect(await page.locator('#notifications .govuk-tag', { hasText: 'Unread' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Mark all as read' }).count()).toBe(0);
  await expectAccessible(page);
  const api = await stack.http
    .get('/me/notifications?unread=true')
    .set('Authorization', await bearer('returning_officer@northshire'))
    .expect(200);
  expect(api.body).toEqual([]);
});
