// The web front end, end to end in Chromium against the real stack: sign-in, a member of staff
// logging an allegation through the question pages, triage referring it, the SPOC of the right
// force accepting it (the other force's SPOC cannot see it), a 409 when the state moved on,
// notifications, the police outcome, closure and withdrawal. axe-core checks every page at WCAG
// 2.2 AA.
import type { BrowserContextOptions, Page } from 'playwright-core';
import { BrowserStack, expectAccessible, screenshot, startBrowserStack, textOf } from './support/browser';
import { allegationBody, eventually, TestStack } from './support/stack';

// A browser on a shared, loaded machine is slow: each journey gets four minutes.
jest.setTimeout(240_000);

let web: BrowserStack;
let stack: TestStack;
let base: string;

beforeAll(async () => {
  // Urgent cases fall overdue at once, so the work queue has one to show.
  web = await startBrowserStack({ policy: { triageDue: { routine: 'P2D', urgent: 'PT2S', immediate: 'PT30M' } } });
  ({ stack, base } = web);
});

afterAll(() => web?.close());
afterEach(() => web?.closePages());

const as = (username: string, options?: BrowserContextOptions) => web.as(username, options);

const text = textOf;
const path = (page: Page) => new URL(page.url()).pathname;

/** Logs a case through the API, for journeys that start later in its life. */
async function loggedCase(overrides: Record<string, unknown> = {}): Promise<{ id: string; reference: string }> {
  const res = await stack.http
    .post('/allegations')
    .set('Authorization', `Bearer ${await stack.token('staff@northshire')}`)
    .send(allegationBody(overrides))
    .expect(201);
  return res.body;
}

test('sign-in lists the demo users, asks again when none is chosen, and returns to the page asked for', async () => {
  const page = await web.page();
  await page.goto(`${base}/cases`);
  expect(path(page)).toBe('/sign-in');
  expect(await page.getByRole('radio').count()).toBe(17);
  await expectAccessible(page);
  await screenshot(page, 'sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  expect(await text(page, '.govuk-error-summary')).toContain('Select who you are signing in as');
  await expectAccessible(page);
  await page.getByLabel('staff@northshire', { exact: true }).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/cases`);
  // A form post without the session's CSRF token is refused.
  const forged = await page.request.post(`${base}/cases/new`, { form: { _csrf: 'forged' }, maxRedirects: 0 });
  expect(forged.status()).toBe(403);
});

test('staff log an allegation through the question pages, with an error summary for a missing answer', async () => {
  const page = await as('staff@northshire');
  await page.goto(`${base}/cases/new`);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Start now' }).click();

  // Continuing without an answer: the error summary links to the question, which shows the error.
  await page.waitForURL(/\/category$/);
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await text(page, '.govuk-error-summary')).toContain('Select the kind of offence that is alleged');
  expect(await text(page, '#category-error')).toContain('Select the kind of offence that is alleged');
  expect(await page.title()).toMatch(/^Error: /);
  await expectAccessible(page);
  await screenshot(page, 'log-allegation-error');
  await page.getByLabel('Postal vote fraud').check();
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.waitForURL(/\/what-happened$/);
  await page.getByLabel('Describe what happened').fill('A canvasser was seen collecting completed postal votes at Elm Court care home.');
  await page.getByLabel('Day').fill('31');
  await page.getByLabel('Month').fill('2');
  await page.getByLabel('Year').fill('2026');
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await text(page, '.govuk-error-summary')).toContain('The date it happened must be a real date');
  await expectAccessible(page);
  await page.getByLabel('Day').fill('1');
  await page.getByLabel('Month').fill('11');
  await page.getByLabel('Time (optional)').fill('10:00');
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.waitForURL(/\/where$/);
  await expectAccessible(page);
  await page.getByLabel('Day').fill('6');
  await page.getByLabel('Month').fill('5');
  await page.getByLabel('Year').fill('2027');
  await page.getByLabel('Ward').fill('Castle Ward');
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.waitForURL(/\/reporter$/);
  await expectAccessible(page);
  await page.getByLabel('Their name').fill('A. Elector');
  await page.getByLabel('How to contact them').fill('a.elector@example.com');
  await page.getByLabel('Elector', { exact: true }).check();
  await page.getByLabel('People involved (optional)').fill('J. Canvasser, canvasser');
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.waitForURL(/\/urgency$/);
  await expectAccessible(page);
  await page.getByLabel('Routine').check();
  await page.getByLabel('No', { exact: true }).check();
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.waitForURL(/\/check-answers$/);
  const answers = await text(page, '.govuk-summary-list');
  expect(answers).toContain('Postal vote fraud');
  expect(answers).toContain('1 November 2026 at 10:00am');
  expect(answers).toContain('Castle Ward');
  expect(answers).toContain('J. Canvasser, canvasser');
  await expectAccessible(page);
  await screenshot(page, 'log-allegation-check-answers');
  const checkAnswers = page.url();
  const csrf = await page.locator('input[name=_csrf]').first().inputValue();
  await page.getByRole('button', { name: 'Log the allegation' }).click();

  await page.waitForURL(/\/cases\/[0-9a-f-]{36}\/confirmation$/);
  const panel = await text(page, '.govuk-panel');
  const reference = /NS-\d{4}-\d{5}/.exec(panel)?.[0];
  expect(reference).toBeDefined();
  await expectAccessible(page);
  await screenshot(page, 'log-allegation-confirmation');

  // Submitting the same answers again (a double click, a retry) logs nothing new.
  const again = await page.request.post(checkAnswers, { form: { _csrf: csrf } });
  expect(again.url()).toBe(page.url());
  const caseId = /cases\/([0-9a-f-]{36})/.exec(page.url())![1];
  const [row] = await stack.db.query('SELECT occurred_at, location, people_involved FROM allegations WHERE id = $1', [caseId]);
  expect(new Date(row.occurred_at).toISOString()).toBe('2026-11-01T10:00:00.000Z');
  expect(row.location).toEqual({ ward: 'Castle Ward' });

  // The case list finds it by a word of its description and by status.
  await page.goto(`${base}/cases`);
  await page.getByLabel('Search').fill('canvasser');
  await page.getByLabel('Status').selectOption('triage');
  await page.getByRole('button', { name: 'Find cases' }).click();
  expect(await text(page, '.govuk-table')).toContain(reference!);
  await expectAccessible(page);
  await screenshot(page, 'case-list');
  await page.getByRole('link', { name: reference! }).click();
  expect(await text(page, 'h1')).toBe(`Case ${reference}`);
  expect(await text(page, '#case-status')).toContain('Triage');
  expect(await text(page, '.app-timeline')).toContain('Allegation logged');
  await expectAccessible(page);
  expect((await stack.db.query('SELECT count(*)::int AS n FROM allegations'))[0].n).toBe(1);
});

test('triage refers from the work queue; the SPOC of that force accepts, the other force cannot see it', async () => {
  const overdue = await loggedCase({ description: 'Leaflets without an imprint', category: 'imprint', urgency: 'urgent' });
  const fresh = await loggedCase();

  const triage = await as('triage@northshire');
  await eventually(
    'the urgent case overdue in the work queue',
    async () => {
      await triage.goto(`${base}/work-queue`);
      return (await text(triage, '#main-content')).includes('1 case is overdue');
    },
    30_000,
    500,
  );
  // Ordered by deadline: the overdue case first, marked.
  const rows = triage.locator('table').first().locator('tbody tr');
  expect(await rows.nth(0).innerText()).toContain(overdue.reference);
  expect(await rows.nth(0).innerText()).toContain('Overdue');
  await expectAccessible(triage);
  await screenshot(triage, 'work-queue-triage');

  await triage.getByRole('link', { name: fresh.reference }).click();
  await triage.getByLabel('Refer to the police').check();
  await triage.getByLabel('Police force').selectOption('northshire-police');
  await triage.getByRole('button', { name: 'Record the decision' }).click();
  // The API's 422 (no note) as an error summary and an inline error.
  expect(await text(triage, '.govuk-error-summary')).toContain('Reason for the decision');
  expect(await text(triage, '#note-error')).toContain('should not be empty');
  await expectAccessible(triage);
  await triage.getByLabel('Refer to the police').check();
  await triage.getByLabel('Police force').selectOption('northshire-police');
  await triage.getByLabel('Reason for the decision').fill('Names a person and a care home: a police matter.');
  await triage.getByRole('button', { name: 'Record the decision' }).click();
  expect(await text(triage, '.govuk-notification-banner')).toContain('Your triage decision was recorded');
  expect(await text(triage, '#case-status')).toContain('Referred to police');
  await expectAccessible(triage);
  await screenshot(triage, 'case-referred');

  const other = await as('spoc@southvale-police');
  await other.goto(`${base}/cases/${fresh.id}`);
  expect(await text(other, 'h1')).toBe('Page not found');
  await other.goto(`${base}/work-queue`);
  expect(await text(other, '#main-content')).not.toContain(fresh.reference);

  const spoc = await as('spoc@northshire-police');
  await eventually(
    'the referral in the SPOC work queue',
    async () => {
      await spoc.goto(`${base}/work-queue`);
      return (await text(spoc, '#main-content')).includes(fresh.reference);
    },
    30_000,
    500,
  );
  await expectAccessible(spoc);
  await screenshot(spoc, 'work-queue-spoc');
  await spoc.getByRole('link', { name: fresh.reference }).click();
  await spoc.getByLabel('Police crime reference').fill('NP/2026/004512');
  await spoc.getByRole('button', { name: 'Accept the referral' }).click();
  expect(await text(spoc, '.govuk-notification-banner')).toContain('You accepted the referral');
  expect(await text(spoc, '#case-status')).toContain('Accepted by police');
  expect(await text(spoc, '.app-timeline')).toContain('crime reference NP/2026/004512');
  await expectAccessible(spoc);

  await spoc.goto(`${base}/my-notifications`);
  expect(await text(spoc, '#main-content')).toContain(fresh.reference);
  await expectAccessible(spoc);
  await screenshot(spoc, 'notifications');
});

test('a decision on a page that is out of date shows the 409 reason and the case as it now stands', async () => {
  const c = await loggedCase();
  const first = await as('triage@northshire');
  const second = await as('triage@northshire');
  await first.goto(`${base}/cases/${c.id}`);
  await second.goto(`${base}/cases/${c.id}`);

  await first.getByLabel('Resolve without referral').check();
  await first.getByLabel('Advice given').check();
  await first.getByLabel('Reason for the decision').fill('Advice given to the candidate’s agent.');
  await first.getByRole('button', { name: 'Record the decision' }).click();
  expect(await text(first, '#case-status')).toContain('Closed');

  await second.getByLabel('Refer to the police').check();
  await second.getByLabel('Police force').selectOption('northshire-police');
  await second.getByLabel('Reason for the decision').fill('Refer it.');
  const [response] = await Promise.all([
    second.waitForResponse((r) => r.request().method() === 'POST'),
    second.getByRole('button', { name: 'Record the decision' }).click(),
  ]);
  expect(response.status()).toBe(409);
  expect(await text(second, '.govuk-error-summary')).toContain('the case has moved on');
  expect(await text(second, '#case-status')).toContain('Closed');
  expect(await second.getByRole('button', { name: 'Record the decision' }).count()).toBe(0);
  await expectAccessible(second);
  await screenshot(second, 'decision-refused-409');
});

test('the SPOC records progress and the police outcome, triage closes the case, and staff withdraw another', async () => {
  const c = await loggedCase();
  const api = async (username: string, path: string, body: object) =>
    stack.http
      .post(`/allegations/${c.id}/${path}`)
      .set('Authorization', `Bearer ${await stack.token(username)}`)
      .send(body)
      .expect(200);
  await api('triage@northshire', 'triage', { decision: 'refer', forceId: 'northshire-police', note: 'for the police' });
  await api('spoc@northshire-police', 'referral/accept', { crimeReference: 'NP/2026/000777' });

  const spoc = await as('spoc@northshire-police');
  await spoc.goto(`${base}/cases/${c.id}`);
  await spoc.getByLabel('Progress note for the authority').fill('Witnesses at the care home interviewed.');
  await spoc.getByRole('button', { name: 'Record the progress note' }).click();
  expect(await text(spoc, '.govuk-notification-banner')).toContain('Your progress note was recorded');
  // No outcome chosen: the page's own check, in the error summary and beside the question.
  await spoc.getByRole('button', { name: 'Record the outcome' }).click();
  expect(await text(spoc, '.govuk-error-summary')).toContain('Select the outcome');
  await expectAccessible(spoc);
  await spoc.getByLabel('Caution', { exact: true }).check();
  await spoc.getByLabel('Note', { exact: true }).fill('The canvasser accepted a caution.');
  await spoc.getByRole('button', { name: 'Record the outcome' }).click();
  expect(await text(spoc, '.govuk-notification-banner')).toContain('The police outcome was recorded');
  expect(await text(spoc, '#police-outcome')).toContain('Caution');
  expect(await text(spoc, '.app-timeline')).toContain('Police outcome: Caution');
  await expectAccessible(spoc);
  // The SPOC does not close the case; the authority does.
  expect(await spoc.getByRole('button', { name: 'Close the case' }).count()).toBe(0);

  const triage = await as('triage@northshire');
  await triage.goto(`${base}/cases/${c.id}`);
  // The outcome the police recorded is the one offered.
  expect(await triage.getByLabel('Caution', { exact: true }).isChecked()).toBe(true);
  await triage.getByLabel('Reason for closing').fill('Police outcome recorded; nothing more for the authority to do.');
  await expectAccessible(triage);
  await screenshot(triage, 'case-close');
  await triage.getByRole('button', { name: 'Close the case' }).click();
  expect(await text(triage, '.govuk-notification-banner')).toContain('The case is closed');
  expect(await text(triage, '#case-status')).toContain('Closed');
  expect(await text(triage, '.app-timeline')).toContain('Closed: Caution');
  expect(await triage.getByRole('button', { name: 'Close the case' }).count()).toBe(0);
  const [row] = await stack.db.query('SELECT status, outcome FROM allegations WHERE id = $1', [c.id]);
  expect(row).toEqual({ status: 'closed', outcome: 'caution' });

  const withdrawn = await loggedCase();
  const staff = await as('staff@northshire');
  await staff.goto(`${base}/cases/${withdrawn.id}`);
  await staff.getByText('Withdraw this allegation').click();
  await staff.getByRole('button', { name: 'Withdraw the allegation' }).click();
  // The API's 422 (no reason), with the form left open to show it.
  expect(await text(staff, '.govuk-error-summary')).toContain('Why it is withdrawn');
  expect(await staff.getByLabel('Why it is withdrawn').isVisible()).toBe(true);
  await expectAccessible(staff);
  await staff.getByLabel('Why it is withdrawn').fill('The reporter asked for it to be withdrawn.');
  await staff.getByRole('button', { name: 'Withdraw the allegation' }).click();
  expect(await text(staff, '.govuk-notification-banner')).toContain('The allegation is withdrawn');
  expect(await text(staff, '#case-status')).toContain('Withdrawn');
  expect(await text(staff, '.app-timeline')).toContain('Allegation withdrawn');
  expect(await staff.getByText('Withdraw this allegation').count()).toBe(0);
});

test('triage closes a case as a duplicate by its reference, and staff record the reporter’s reply', async () => {
  const original = await loggedCase({ description: 'Postal votes collected at Elm Court care home' });
  const repeat = await loggedCase({ description: 'The same collection at Elm Court, reported again' });
  const triage = await as('triage@northshire');
  await triage.goto(`${base}/cases/${repeat.id}`);
  await triage.getByLabel('Close it as a duplicate of another case').check();
  await triage.getByLabel('Reference of the case it repeats').fill('NS-1999-99999');
  await triage.getByLabel('Reason for the decision').fill('Reported twice.');
  await triage.getByRole('button', { name: 'Record the decision' }).click();
  // No such case: the page says so beside the field, and nothing is decided.
  expect(await text(triage, '#duplicateOfReference-error')).toContain('Enter the reference of another case of this authority');
  expect(await text(triage, '#case-status')).toContain('Triage');
  await expectAccessible(triage);
  await triage.getByLabel('Close it as a duplicate of another case').check();
  await triage.getByLabel('Reference of the case it repeats').fill(original.reference.toLowerCase());
  await triage.getByRole('button', { name: 'Record the decision' }).click();
  expect(await text(triage, '.govuk-notification-banner')).toContain('Your triage decision was recorded');
  expect(await text(triage, '#case-status')).toContain('Closed');
  expect(await text(triage, '#duplicate-of')).toContain(original.reference);
  expect(await text(triage, '.app-timeline')).toContain('Closed as a duplicate of another case');
  const [row] = await stack.db.query('SELECT status, duplicate_of FROM allegations WHERE id = $1', [repeat.id]);
  expect(row).toEqual({ status: 'closed', duplicate_of: original.id });

  // The original is asked about; the reporter's reply is recorded by staff and it returns to triage.
  await stack.http
    .post(`/allegations/${original.id}/triage`)
    .set('Authorization', `Bearer ${await stack.token('triage@northshire')}`)
    .send({ decision: 'request_information', note: 'Which day was it?', question: 'Which day?' })
    .expect(200);
  const staff = await as('staff@northshire');
  await staff.goto(`${base}/cases/${original.id}`);
  expect(await text(staff, '#case-status')).toContain('Awaiting information');
  await staff.getByRole('button', { name: 'Record the reply' }).click();
  expect(await text(staff, '.govuk-error-summary')).toContain('The reporter’s reply');
  await expectAccessible(staff);
  await staff.getByLabel('What the reporter said').fill('It was Tuesday morning, about ten o’clock.');
  await staff.getByRole('button', { name: 'Record the reply' }).click();
  expect(await text(staff, '.govuk-notification-banner')).toContain('The case is back with triage');
  expect(await text(staff, '#case-status')).toContain('Triage');
  expect(await text(staff, '.app-timeline')).toContain('The reporter replied');
  await expectAccessible(staff);
});
