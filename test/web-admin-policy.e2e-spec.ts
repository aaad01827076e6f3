// The authority's administrator in the browser: the deadlines and reminders policy, every field
// with durations in words, a save the page cannot read and a save the API refuses each shown
// beside the field with nothing changed, then a save that is recorded in the audit log; the
// retention period on its own page; and the Returning Officer marking a security review action
// done, which the force then reads; the plan owner closing a risk. axe-core on every page.
import { findDemoUser } from '@libs/auth';
import { FIXTURE_BODIES } from './support/access-table';
import { BrowserStack, expectAccessible, screenshot, startBrowserStack, textOf } from './support/browser';
import { allegationBody } from './support/stack';

jest.setTimeout(240_000);

let web: BrowserStack;
let base: string;

beforeAll(async () => {
  web = await startBrowserStack();
  ({ base } = web);
});
afterAll(() => web?.close());
afterEach(() => web?.closePages());

const policyOf = async (authorityId: string) =>
  (
    await web.stack.http
      .get(`/admin/policies/${authorityId}`)
      .set('Authorization', `Bearer ${await web.stack.token(`admin@${authorityId}`)}`)
      .expect(200)
  ).body;
const policyEvents = (authorityId: string) =>
  web.stack.db.query("SELECT actor, before, after FROM audit_events WHERE authority_id = $1 AND action = 'policy.changed' ORDER BY id", [authorityId]);

test('the admin changes the policy: unreadable and refused values are shown beside their fields and change nothing', async () => {
  const before = await policyOf('northshire');
  const admin = await web.as('admin@northshire');
  await admin.getByRole('link', { name: 'Deadlines and reminders policy' }).first().click();
  await admin.waitForURL(`${base}/admin/policy`);
  await expectAccessible(admin);
  const routine = admin.getByRole('group', { name: 'Time to triage a new allegation' }).getByLabel('Routine');
  expect(await routine.inputValue()).toBe('2 days');
  expect(await admin.getByLabel('Keep evidence this long after its case closes').inputValue()).toBe('730 days');
  expect(await admin.getByLabel('Remind people this long before each deadline').inputValue()).toBe('2 hours');

  // A value the page cannot read: the message beside the field, nothing sent.
  await routine.fill('3 days');
  await admin.getByRole('group', { name: 'Time to triage a new allegation' }).getByLabel('Urgent').fill('soon');
  await admin.getByRole('button', { name: 'Save the policy' }).click();
  expect(await textOf(admin, '.govuk-error-summary')).toContain('Enter time to triage an urgent case in weeks, days, hours or minutes');
  expect(await textOf(admin, '#triageDue-urgent-error')).toContain('for example 2 days or 4 hours');
  expect(await routine.inputValue()).toBe('3 days');
  await expectAccessible(admin);

  // A value the API refuses: its message beside the field, and the stored policy unchanged.
  await admin.getByRole('group', { name: 'Time to triage a new allegation' }).getByLabel('Urgent').fill('4 hours');
  const months = admin.getByLabel('Months after the offence when the task to apply for an extension falls due');
  await months.fill('12');
  await admin.getByRole('button', { name: 'Save the policy' }).click();
  expect(await textOf(admin, '.govuk-error-summary')).toContain('must be a whole number of months from 1 to 11');
  expect(await textOf(admin, '#extensionTaskAfterMonths-error')).toContain('must be a whole number of months from 1 to 11');
  await admin.getByRole('link', { name: /must be a whole number of months/ }).click();
  expect(await admin.evaluate(() => (globalThis as unknown as { document: { activeElement?: { id: string } } }).document.activeElement?.id)).toBe(
    'extensionTaskAfterMonths',
  );
  await expectAccessible(admin);
  await screenshot(admin, 'admin-policy-refused');
  expect(await policyOf('northshire')).toEqual(before);
  expect(await policyEvents('northshire')).toEqual([]);

  await months.fill('9');
  await admin.getByLabel('Deadlines in the period are multiplied by').fill('0.5');
  await admin.getByRole('group', { name: 'Count whole days as working days only?' }).getByLabel('No').check();
  await admin.getByRole('button', { name: 'Save the policy' }).click();
  await admin.waitForURL(`${base}/admin/policy?saved=1`);
  expect(await textOf(admin, '.govuk-notification-banner')).toContain('The policy was saved');
  expect(await routine.inputValue()).toBe('3 days');
  await expectAccessible(admin);
  await screenshot(admin, 'admin-policy');
  const after = await policyOf('northshire');
  expect(after).toEqual({
    ...before,
    triageDue: { ...before.triageDue, routine: 'P3D' },
    extensionTaskAfterMonths: 9,
    workingDays: false,
    pollWindow: { ...before.pollWindow, scale: 0.5 },
  });
  const [event, ...more] = await policyEvents('northshire');
  expect(more).toEqual([]);
  expect(event).toEqual({
    actor: findDemoUser('admin@northshire')!.id,
    before: { triageDue: before.triageDue, extensionTaskAfterMonths: 10, workingDays: true, pollWindow: before.pollWindow },
    after: { triageDue: after.triageDue, extensionTaskAfterMonths: 9, workingDays: false, pollWindow: after.pollWindow },
  });

  // Others at the authority may read the policy, not change it; the police have no page here.
  const staff = await web.as('staff@northshire');
  await staff.goto(`${base}/admin/policy`);
  expect(await textOf(staff, 'main')).toContain('Only your authority’s administrator can change the policy.');
  expect(await staff.getByRole('button', { name: 'Save the policy' }).count()).toBe(0);
  await expectAccessible(staff);
  const spoc = await web.as('spoc@northshire-police');
  const refused = await spoc.goto(`${base}/admin/policy`);
  expect(refused?.status()).toBe(404);
  await expectAccessible(spoc);
});

test('the admin changes the retention period of evidence on its own page', async () => {
  const admin = await web.as('admin@southvale');
  await admin.getByRole('link', { name: 'Retention periods' }).first().click();
  await admin.waitForURL(`${base}/admin/retention`);
  expect(await textOf(admin, '.govuk-summary-list')).toContain('730 days after its case closes');
  await expectAccessible(admin);

  const field = admin.getByLabel('Keep evidence this long after its case closes');
  await field.fill('0 days');
  await admin.getByRole('button', { name: 'Save the retention period' }).click();
  expect(await textOf(admin, '#evidenceRetention-error')).toContain('Evidence retention period must be longer than zero, for example 2 days or 4 hours');
  await expectAccessible(admin);
  expect((await policyOf('southvale')).evidenceRetention).toBe('P730D');

  await field.fill('104 weeks');
  await admin.getByRole('button', { name: 'Save the retention period' }).click();
  await admin.waitForURL(`${base}/admin/retention?saved=1`);
  expect(await textOf(admin, '.govuk-summary-list')).toContain('104 weeks after its case closes');
  await expectAccessible(admin);
  await screenshot(admin, 'admin-retention');
  expect((await policyOf('southvale')).evidenceRetention).toBe('P104W');
  expect(await policyEvents('southvale')).toEqual([
    expect.objectContaining({ before: { evidenceRetention: 'P730D' }, after: { evidenceRetention: 'P104W', evidenceItemsRedated: 0 } }),
  ]);
});

test('the Returning Officer marks a security review action done; the force sees who and when', async () => {
  const token = await web.stack.token('returning_officer@northshire');
  const review = (
    await web.stack.http
      .post('/ballot-security-reviews')
      .set('Authorization', `Bearer ${token}`)
      .send({
        forceId: 'northshire-police',
        heldOn: '2026-11-01',
        attendees: ['Returning Officer', 'Election SPOC'],
        findings: 'No key log is kept at the depot.',
        actions: [
          { description: 'Keep a key log for the depot cage', owner: 'Electoral services', dueBy: '2027-04-01' },
          { description: 'Patrol the depot before the poll', owner: 'Northshire Police', dueBy: '2027-05-05' },
        ],
      })
      .expect(201)
  ).body;

  const ro = await web.as('returning_officer@northshire');
  await ro.goto(`${base}/ballot-security/reviews`);
  await expectAccessible(ro);
  const card = ro.locator(`#review-${review.id}`);
  await card.locator(`#note-${review.actions[0].id}`).fill('Key log started on 3 March');
  const button = card.locator(`#action-${review.actions[0].id}`).getByRole('button');
  expect(await button.textContent()).toMatch(/Mark done:\s*Keep a key log for the depot cage/);
  await button.click();
  await ro.waitForURL(/done=/);
  expect(await textOf(ro, '.govuk-notification-banner')).toContain('Marked done: Keep a key log for the depot cage');
  expect(await textOf(ro, `#action-${review.actions[0].id}`)).toMatch(
    /Done\s+Keep a key log for the depot cage[\s\S]*Done .* by returning_officer@northshire: Key log started on 3 March/,
  );
  // Offered only while the action is open: the other action still has its button.
  expect(await card.locator('button', { hasText: 'Mark done' }).count()).toBe(1);
  expect(await card.locator(`#action-${review.actions[1].id} button`).count()).toBe(1);
  await expectAccessible(ro);
  await screenshot(ro, 'ballot-security-review-action-done');

  const spoc = await web.as('spoc@northshire-police');
  await spoc.goto(`${base}/ballot-security/reviews`);
  expect(await textOf(spoc, `#action-${review.actions[0].id}`)).toContain('by returning_officer@northshire: Key log started on 3 March');
  expect(await textOf(spoc, `#action-${review.actions[1].id}`)).toContain('Open');
  expect(await spoc.locator('button', { hasText: 'Mark done' }).count()).toBe(0);
  await expectAccessible(spoc);
});

test('the plan owner closes a risk, saying why; its reviews stop being due', async () => {
  const token = await web.stack.token('plan_owner@northshire');
  const risk = (
    await web.stack.http
      .post('/risks')
      .set('Authorization', `Bearer ${token}`)
      .send({ ...FIXTURE_BODIES.risk(), title: 'Intimidation at the count' })
      .expect(201)
  ).body;

  const staff = await web.as('staff@northshire');
  await staff.goto(`${base}/risk-register/${risk.id}`);
  expect(await staff.getByRole('button', { name: 'Close the risk' }).count()).toBe(0);

  const owner = await web.as('plan_owner@northshire');
  await owner.goto(`${base}/risk-register/${risk.id}`);
  await owner.getByRole('button', { name: 'Close the risk' }).click();
  expect(await textOf(owner, '#closeNote-error')).toContain('Enter why the risk is closed');
  await expectAccessible(owner);
  await owner.getByLabel('Why is the risk closed?').fill('The count passed without incident.');
  await owner.getByRole('button', { name: 'Close the risk' }).click();
  await owner.waitForURL(/closed=1/);
  expect(await textOf(owner, '.govuk-notification-banner')).toContain('The risk was closed');
  expect(await textOf(owner, '#risk-closed')).toContain('This risk is closed');
  expect(await owner.getByRole('button', { name: 'Close the risk' }).count()).toBe(0);
  await expectAccessible(owner);
  const closed = (await web.stack.http.get(`/risks/${risk.id}`).set('Authorization', `Bearer ${token}`).expect(200)).body;
  expect(closed).toMatchObject({ status: 'closed', nextReviewDueAt: null });
});

test('triage decides an indicator alert: a wrong reference is refused beside the field, then the alert is linked to its case', async () => {
  const as = async (u: string) => `Bearer ${await web.stack.token(u)}`;
  const indicator = (
    await web.stack.http
      .post('/indicators')
      .set('Authorization', await as('plan_owner@northshire'))
      .send({ key: 'postal_votes_per_address', name: 'Postal votes per address', subjectType: 'address', threshold: 5 })
      .expect(201)
  ).body;
  const observed = (
    await web.stack.http
      .post(`/indicators/${indicator.id}/observations`)
      .set('Authorization', await as('staff@northshire'))
      .send({ subject: '14 Mill Lane', value: 11, observedAt: new Date().toISOString() })
      .expect(201)
  ).body;
  const alertId = observed.alertsRaised[0];
  const logged = (
    await web.stack.http
      .post('/allegations')
      .set('Authorization', await as('staff@northshire'))
      .send(allegationBody())
      .expect(201)
  ).body;

  const planOwner = await web.as('plan_owner@northshire');
  await planOwner.getByRole('link', { name: 'Indicator alerts' }).first().click();
  expect(await textOf(planOwner, `#alert-${alertId}`)).toContain('Reached 11 (threshold 5)');
  expect(await planOwner.getByRole('button', { name: /^Dismiss/ }).count()).toBe(0);
  await expectAccessible(planOwner);

  const triage = await web.as('triage@northshire');
  await triage.goto(`${base}/alerts`);
  await expectAccessible(triage);
  const card = triage.locator(`#alert-${alertId}`);
  await card.getByLabel('Case reference').fill('NS-1999-99999');
  await card.getByLabel('Why it belongs to that case').fill('Same address as the reported harvesting');
  await card.getByRole('button', { name: /^Link to the case/ }).click();
  expect(await textOf(triage, `#reference-${alertId}-error`)).toContain('Enter the reference of a case of this authority');
  await expectAccessible(triage);
  await triage.locator(`#reference-${alertId}`).fill(logged.reference);
  await triage.getByRole('button', { name: /^Link to the case/ }).click();
  await triage.waitForURL(`${base}/cases/${logged.id}`);
  await triage.goto(`${base}/alerts`);
  expect(await textOf(triage, '#decided')).toContain(logged.reference);
  expect(await triage.locator(`#alert-${alertId}`).count()).toBe(0);
  await expectAccessible(triage);
  const alert = (
    await web.stack.http
      .get(`/indicator-alerts/${alertId}`)
      .set('Authorization', await as('triage@northshire'))
      .expect(200)
  ).body;
  expect(alert).toMatchObject({ status: 'linked', allegation: { id: logged.id }, decisionNote: 'Same address as the reported harvesting' });
});
