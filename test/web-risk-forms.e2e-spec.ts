// Adding and changing a risk on the register in Chromium, without the API by hand: the page's own
// checks and the API's refusal each shown beside the field with nothing saved, then the risk added
// with a mitigation and changed by the plan owner; staff may add but not change. axe-core on
// every page visited.
import { findDemoUser } from '@libs/auth';
import { BrowserStack, expectAccessible, screenshot, startBrowserStack, textOf } from './support/browser';

jest.setTimeout(240_000);

let web: BrowserStack;
let base: string;

beforeAll(async () => {
  web = await startBrowserStack();
  ({ base } = web);
});
afterAll(() => web?.close());
afterEach(() => web?.closePages());

const idOf = (username: string) => findDemoUser(username)!.id;
const risksNamed = (title: string) => web.stack.db.query('SELECT id FROM risks WHERE title = $1', [title]);
const riskEvents = (action: string) => web.stack.db.query('SELECT count(*)::int AS n FROM audit_events WHERE action = $1', [action]);
const readRisk = async (id: string) =>
  (
    await web.stack.http
      .get(`/risks/${id}`)
      .set('Authorization', `Bearer ${await web.stack.token('plan_owner@northshire')}`)
      .expect(200)
  ).body;

test('the plan owner adds a risk (refused saves shown beside their fields, nothing created) and changes it', async () => {
  const title = 'Intimidation of voters outside Castle Ward polling station';
  const createdBefore = await riskEvents('risk.created');
  const owner = await web.as('plan_owner@northshire');
  await owner.goto(`${base}/risk-register`);
  await owner.getByRole('button', { name: 'Add a risk' }).click();
  await owner.waitForURL(`${base}/risk-register/new`);
  await expectAccessible(owner);

  // The page's own checks: no category, and a mitigation without its owner.
  await owner.getByLabel('Title').fill(title);
  await owner
    .getByRole('group', { name: /^Likelihood/ })
    .getByLabel('4')
    .check();
  await owner
    .getByRole('group', { name: /^Impact/ })
    .getByLabel('3')
    .check();
  await owner.locator('#ownerId').selectOption(idOf('plan_owner@northshire'));
  await owner.getByLabel('How many').fill('2');
  await owner.getByRole('group', { name: 'Days, weeks or hours' }).getByLabel('Weeks').check();
  await owner.locator('#mitigation-0-description').fill('Police patrols past the polling station on polling day');
  await owner.locator('#mitigation-0-status').selectOption('planned');
  await owner.getByRole('button', { name: 'Add the risk' }).click();
  expect(await textOf(owner, '.govuk-error-summary')).toContain('Select the category of the risk');
  expect(await textOf(owner, '#category-error')).toContain('Select the category of the risk');
  expect(await textOf(owner, '#mitigation-0-owner-error')).toContain('Select who owns the mitigation');
  // What was typed is kept.
  expect(await owner.locator('#mitigation-0-description').inputValue()).toBe('Police patrols past the polling station on polling day');
  expect(await owner.getByLabel('How many').inputValue()).toBe('2');
  await expectAccessible(owner);

  // The API's refusal (a title over its 300 characters): its message beside the title.
  await owner.locator('#category').selectOption('candidate_safety');
  await owner.locator('#mitigation-0-owner').selectOption(idOf('returning_officer@northshire'));
  await owner.getByLabel('Title').fill('x'.repeat(301));
  await owner.getByRole('button', { name: 'Add the risk' }).click();
  expect(await textOf(owner, '#title-error')).toContain('Title must be shorter than or equal to 300 characters');
  expect(await textOf(owner, '.govuk-error-summary')).toContain('Title must be shorter than or equal to 300 characters');
  await expectAccessible(owner);
  await screenshot(owner, 'risk-add-refused');
  expect(await riskEvents('risk.created')).toEqual(createdBefore);

  // "Add another mitigation" adds a blank row and saves nothing; a blank row is not saved.
  await owner.getByLabel('Title').fill(title);
  await owner.getByRole('button', { name: 'Add another mitigation' }).click();
  expect(await owner.locator('#mitigation-1-description').count()).toBe(1);
  expect(await risksNamed(title)).toEqual([]);
  await owner.getByLabel('Poll date (optional)').fill('2027-05-06');
  await owner.getByRole('button', { name: 'Add the risk' }).click();
  await owner.waitForURL(/\/risk-register\/[0-9a-f-]{36}\?added=1$/);
  expect(await textOf(owner, '.govuk-notification-banner')).toContain('The risk was added to the register');
  await expectAccessible(owner);
  const [{ id }] = await risksNamed(title);
  expect(await readRisk(id)).toMatchObject({
    title,
    category: 'candidate_safety',
    likelihood: 4,
    impact: 3,
    ownerId: idOf('plan_owner@northshire'),
    reviewEvery: 'P2W',
    pollDate: expect.stringMatching(/^2027-05-06/),
    mitigations: [{ description: 'Police patrols past the polling station on polling day', ownerId: idOf('returning_officer@northshire'), status: 'planned' }],
  });

  // Change: the form holds the risk; a bad value is refused beside its field, then saved.
  await owner.getByRole('link', { name: 'Change the risk' }).click();
  await owner.waitForURL(`${base}/risk-register/${id}/change`);
  expect(await owner.getByLabel('Title').inputValue()).toBe(title);
  expect(await owner.getByLabel('How many').inputValue()).toBe('2');
  expect(await owner.getByLabel('Poll date (optional)').inputValue()).toBe('2027-05-06');
  expect(await owner.locator('#mitigation-0-status').inputValue()).toBe('planned');
  await expectAccessible(owner);
  await owner.getByLabel('How many').fill('none');
  await owner.getByRole('button', { name: 'Save the changes' }).click();
  expect(await textOf(owner, '#reviewEveryAmount-error')).toContain('Enter how often the risk is reviewed');
  await expectAccessible(owner);
  expect((await readRisk(id)).reviewEvery).toBe('P2W');

  await owner.getByLabel('How many').fill('5');
  await owner.getByRole('group', { name: 'Days, weeks or hours' }).getByLabel('Days').check();
  await owner
    .getByRole('group', { name: /^Likelihood/ })
    .getByLabel('2')
    .check();
  await owner.locator('#mitigation-0-status').selectOption('in_place');
  await owner.getByRole('button', { name: 'Save the changes' }).click();
  await owner.waitForURL(`${base}/risk-register/${id}?changed=1`);
  expect(await textOf(owner, '.govuk-notification-banner')).toContain('The risk was changed');
  await expectAccessible(owner);
  await screenshot(owner, 'risk-changed');
  const changed = await readRisk(id);
  expect(changed).toMatchObject({ likelihood: 2, impact: 3, reviewEvery: 'P5D', mitigations: [{ status: 'in_place' }] });
  expect(changed.mitigations).toHaveLength(1);

  // Staff may add a risk but not change one, as the API allows.
  const staff = await web.as('staff@northshire');
  await staff.goto(`${base}/risk-register/${id}`);
  expect(await staff.getByRole('link', { name: 'Change the risk' }).count()).toBe(0);
  await expectAccessible(staff);
  const refused = await staff.goto(`${base}/risk-register/${id}/change`);
  expect(refused?.status()).toBe(403);
  await expectAccessible(staff);
  await staff.goto(`${base}/risk-register`);
  expect(await staff.getByRole('button', { name: 'Add a risk' }).count()).toBe(1);

  // In Welsh, the same form.
  await owner.goto(`${base}/risk-register/new?lang=cy`);
  expect(await textOf(owner, 'h1')).toBe('Ychwanegu risg');
  await expectAccessible(owner);
});
