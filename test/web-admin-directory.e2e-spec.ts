// Administration in the browser: the national administrator adds a police force, an authority in
// its area and the authority's first admin; that admin signs in, adds a member of staff, changes
// their roles, deactivates them (who then cannot sign in), keeps an identity-provider mapping; an
// authority's admin reads its police force's SPOCs and FEOAs. axe-core on every page visited.
import type { Page } from 'playwright-core';
import { BrowserStack, expectAccessible, screenshot, startBrowserStack, textOf } from './support/browser';

jest.setTimeout(240_000);

let web: BrowserStack;
let base: string;

beforeAll(async () => {
  web = await startBrowserStack({ worker: 'none' });
  ({ base } = web);
});
afterAll(() => web?.close());
afterEach(() => web?.closePages());

/** Follows a link and checks the page it lands on. */
async function follow(page: Page, name: string): Promise<void> {
  await page.getByRole('link', { name, exact: true }).click();
  await page.waitForLoadState('load');
  await expectAccessible(page);
}

test('the national administrator adds a force, an authority in its area and its first admin', async () => {
  const national = await web.as('national_admin@national');
  await expectAccessible(national);
  expect(await textOf(national, 'main')).toContain('National administration');
  await follow(national, 'Authorities and police forces');

  // A bad identifier is refused beside its field.
  await national.getByLabel('Name of the force').fill('Westmoor Police');
  await national.getByLabel('Force identifier').fill('Westmoor Police');
  await national.getByRole('button', { name: 'Add the force' }).click();
  expect(await textOf(national, '.govuk-error-summary')).toContain('Force identifier must be 2 to 63 lower-case letters');
  await expectAccessible(national);
  await national.getByLabel('Force identifier').fill('westmoor-police');
  await national.getByRole('button', { name: 'Add the force' }).click();
  await national.waitForURL(/done=force/);
  expect(await textOf(national, '.govuk-notification-banner')).toContain('Westmoor Police was added');
  await expectAccessible(national);

  await national.getByLabel('Name of the authority').fill('Westmoor Borough Council');
  await national.getByLabel('Authority identifier').fill('westmoor');
  await national.getByLabel('Reference prefix').fill('NS');
  await national.getByLabel('Police force', { exact: true }).selectOption('westmoor-police');
  await national.getByRole('button', { name: 'Add the authority' }).click();
  // Northshire has NS already: a 409, said beside the prefix.
  expect(await textOf(national, '.govuk-error-summary')).toContain('Reference prefix is taken');
  await expectAccessible(national);
  await national.getByLabel('Reference prefix').fill('WM');
  await national.getByRole('button', { name: 'Add the authority' }).click();
  await national.waitForURL(/done=authority/);
  expect(await textOf(national, '#authorities')).toContain('Westmoor Borough Council');
  await screenshot(national, 'admin-authorities');

  await follow(national, 'Users of Westmoor Borough Council');
  expect(await textOf(national, '#users')).toContain('No users yet.');
  await national.getByLabel('Full name').fill('Wren Admin');
  await national.getByLabel('Username').fill('admin@westmoor');
  await national.getByLabel('Email address').fill('wren.admin@westmoor.example.gov.uk');
  await national.getByLabel('Administrator', { exact: true }).check();
  await national.getByRole('button', { name: 'Add the user' }).click();
  await national.waitForURL(/done=added/);
  expect(await textOf(national, '#users')).toContain('admin@westmoor');
  await expectAccessible(national);
});

test("the new authority's admin manages its users: adds, changes roles, deactivates", async () => {
  const admin = await web.as('admin@westmoor');
  expect(await textOf(admin, 'main')).toContain('Westmoor Borough Council');
  await follow(admin, 'Users and roles');
  // No role chosen: said beside the checkboxes.
  await admin.getByLabel('Full name').fill('Pat Clerk');
  await admin.getByLabel('Username').fill('clerk@westmoor');
  await admin.getByLabel('Email address').fill('pat.clerk@westmoor.example.gov.uk');
  await admin.getByRole('button', { name: 'Add the user' }).click();
  expect(await textOf(admin, '.govuk-error-summary')).toContain('Select at least one role');
  await expectAccessible(admin);
  await admin.getByLabel('Electoral staff', { exact: true }).check();
  await admin.getByRole('button', { name: 'Add the user' }).click();
  await admin.waitForURL(/done=added/);
  await expectAccessible(admin);
  await screenshot(admin, 'admin-users');

  await follow(admin, 'Pat Clerk');
  await admin.getByLabel('Triage', { exact: true }).check();
  await admin.getByRole('button', { name: 'Save the roles' }).click();
  await admin.waitForURL(/done=roles/);
  expect(await textOf(admin, '#person')).toContain('Electoral staff, Triage');
  await expectAccessible(admin);

  await admin.getByRole('button', { name: 'Deactivate Pat Clerk' }).click();
  expect(await textOf(admin, '.govuk-error-summary')).toContain('Confirm that this person should no longer be able to sign in');
  await expectAccessible(admin);
  await admin.getByLabel('I confirm that Pat Clerk should no longer be able to sign in').check();
  await admin.getByRole('button', { name: 'Deactivate Pat Clerk' }).click();
  await admin.waitForURL(/done=deactivated/);
  expect(await textOf(admin, '#person')).toContain('Deactivated on');
  await expectAccessible(admin);

  // The sign-in page no longer offers them.
  const signIn = await web.page();
  await signIn.goto(`${base}/sign-in`);
  expect(await signIn.locator('input[value="clerk@westmoor"]').count()).toBe(0);
  expect(await signIn.locator('input[value="admin@westmoor"]').count()).toBe(1);
});

test('an admin keeps identity-provider mappings and reads the police force, SPOCs and FEOAs', async () => {
  const admin = await web.as('admin@northshire');
  await follow(admin, 'Identity provider mappings');
  await admin.getByLabel('Claim name').fill('groups');
  await admin.getByLabel('Claim value').fill('northshire-electoral-triage');
  await admin.getByLabel('Triage', { exact: true }).check();
  await admin.getByRole('button', { name: 'Add the mapping' }).click();
  await admin.waitForURL(/done=added/);
  expect(await textOf(admin, '#mappings')).toContain('northshire-electoral-triage');
  await expectAccessible(admin);
  // The same again: the API's 409, shown beside the value.
  await admin.getByLabel('Claim name').fill('groups');
  await admin.getByLabel('Claim value').fill('northshire-electoral-triage');
  await admin.getByLabel('Legal team', { exact: true }).check();
  await admin.getByRole('button', { name: 'Add the mapping' }).click();
  expect(await textOf(admin, '.govuk-error-summary')).toContain('Claim value is mapped already');
  await expectAccessible(admin);
  await admin.getByRole('button', { name: 'Remove the mapping of groups northshire-electoral-triage' }).click();
  await admin.waitForURL(/done=removed/);
  expect(await textOf(admin, '#mappings')).toContain('No mappings yet.');
  await expectAccessible(admin);

  await admin.goto(`${base}/admin/directory`);
  await expectAccessible(admin);
  await follow(admin, 'Police force, SPOCs and FEOAs');
  expect(await textOf(admin, '#force-name')).toBe('Northshire Police');
  expect(await textOf(admin, '#spocs')).toContain('spoc-police@northshire-police.example.gov.uk'.replace('spoc-police', 'spoc'));
  expect(await textOf(admin, '#feoas')).toContain('feoa@northshire-police.example.gov.uk');
  await screenshot(admin, 'admin-police');

  // Someone without the admin role is refused the administration pages.
  const staff = await web.as('staff@northshire');
  await staff.goto(`${base}/admin/directory/users`);
  expect(await textOf(staff, 'h1')).toBe('You cannot do this');
  await expectAccessible(staff);
});
