// The police liaison agreement and its contacts in Chromium: the Returning Officer sets up the
// agreement with the force (a refused save shown beside its field, nothing saved), staff record a
// contact, the force's SPOC reads the agreement and records one from the force's side, and only
// the authority's Returning Officer or administrator may change it. axe-core on every page.
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
const agreementOf = async () =>
  (await web.stack.http.get('/liaison/northshire-police').set('Authorization', `Bearer ${await web.stack.token('returning_officer@northshire')}`)).body;

test('the Returning Officer sets up the agreement with the force; both sides record contacts', async () => {
  const ro = await web.as('returning_officer@northshire');
  await ro.getByRole('link', { name: 'Police liaison' }).first().click();
  await ro.waitForURL(`${base}/police-liaison`);
  expect(await textOf(ro, '#no-agreements')).toContain('No liaison agreements yet.');
  await expectAccessible(ro);
  await ro.locator('#forceId').selectOption('northshire-police');
  await ro.getByRole('button', { name: 'Continue' }).click();
  await ro.waitForURL(`${base}/police-liaison/northshire-police/agreement`);
  await expectAccessible(ro);

  // Refused: no SPOC chosen, and a cadence of none; nothing saved.
  await ro.locator('#feoaId').selectOption(idOf('feoa@northshire-police'));
  await ro.getByLabel('How many').fill('0');
  await ro.getByRole('button', { name: 'Save the agreement' }).click();
  expect(await textOf(ro, '#spocId-error')).toContain('Select the force’s election SPOC');
  expect(await textOf(ro, '#contactEveryAmount-error')).toContain('Enter how often the two sides are in contact');
  expect(await textOf(ro, '.govuk-error-summary')).toContain('Select the force’s election SPOC');
  await expectAccessible(ro);
  expect((await agreementOf()).statusCode).toBe(404);

  await ro.locator('#spocId').selectOption(idOf('spoc@northshire-police'));
  await ro.getByLabel('How many').fill('2');
  await ro.getByRole('group', { name: 'Days, weeks or hours' }).getByLabel('Weeks').check();
  await ro.getByLabel('Notes (optional)').fill('SPOC attends the weekly planning meeting.');
  await ro.getByRole('button', { name: 'Save the agreement' }).click();
  await ro.waitForURL(`${base}/police-liaison/northshire-police?saved=1`);
  expect(await textOf(ro, '.govuk-notification-banner')).toContain('The agreement was saved');
  expect(await textOf(ro, '.govuk-summary-list')).toContain('Every 2 weeks');
  await expectAccessible(ro);
  await screenshot(ro, 'liaison-agreement');
  expect(await agreementOf()).toMatchObject({
    spoc: { id: idOf('spoc@northshire-police') },
    feoa: { id: idOf('feoa@northshire-police') },
    contactEvery: 'P2W',
    notes: 'SPOC attends the weekly planning meeting.',
    lead: null,
  });

  // Staff record a contact: a missing summary is shown beside its field, then recorded.
  const staff = await web.as('staff@northshire');
  await staff.goto(`${base}/police-liaison/northshire-police`);
  expect(await staff.getByRole('link', { name: 'Change the agreement' }).count()).toBe(0);
  await staff.getByLabel('Who made the contact').fill('Electoral services manager');
  await staff.getByLabel('With whom').fill('SPOC and FEOA');
  await staff.locator('#channel').selectOption('meeting');
  await staff.getByRole('button', { name: 'Record the contact' }).click();
  expect(await textOf(staff, '#summary-error')).toContain('Enter what was discussed');
  await expectAccessible(staff);
  expect((await agreementOf()).contacts).toEqual([]);
  await staff.getByLabel('What was discussed').fill('Reviewed the count plan.');
  await staff.getByRole('button', { name: 'Record the contact' }).click();
  await staff.waitForURL(`${base}/police-liaison/northshire-police?recorded=1`);
  expect(await textOf(staff, '#contacts')).toContain('Reviewed the count plan.');
  await expectAccessible(staff);
  const refused = await staff.goto(`${base}/police-liaison/northshire-police/agreement`);
  expect(refused?.status()).toBe(403);

  // The force's SPOC reads it from the list and records a contact from the force's side.
  const spoc = await web.as('spoc@northshire-police');
  await spoc.goto(`${base}/police-liaison`);
  await expectAccessible(spoc);
  await spoc.locator('#agreements').getByRole('link', { name: 'northshire' }).click();
  await spoc.waitForURL(`${base}/police-liaison/northshire-police?authorityId=northshire`);
  expect(await spoc.getByRole('link', { name: 'Change the agreement' }).count()).toBe(0);
  await spoc.getByLabel('Who made the contact').fill('Election SPOC');
  await spoc.getByLabel('With whom').fill('Returning Officer');
  await spoc.locator('#channel').selectOption('phone');
  await spoc.getByLabel('What was discussed').fill('Patrols on polling day agreed.');
  await spoc.getByRole('button', { name: 'Record the contact' }).click();
  await spoc.waitForURL(`${base}/police-liaison/northshire-police?authorityId=northshire&recorded=1`);
  expect(await textOf(spoc, '#contacts')).toContain('Patrols on polling day agreed.');
  await expectAccessible(spoc);
  expect((await agreementOf()).contacts.map((c: { summary: string }) => c.summary).sort()).toEqual([
    'Patrols on polling day agreed.',
    'Reviewed the count plan.',
  ]);

  // The Returning Officer changes the cadence; the form holds the agreement.
  await ro.getByRole('link', { name: 'Change the agreement' }).click();
  expect(await ro.getByLabel('How many').inputValue()).toBe('2');
  await expectAccessible(ro);
  await ro.getByLabel('How many').fill('10');
  await ro.getByRole('group', { name: 'Days, weeks or hours' }).getByLabel('Days').check();
  await ro.getByRole('button', { name: 'Save the agreement' }).click();
  await ro.waitForURL(`${base}/police-liaison/northshire-police?saved=1`);
  expect((await agreementOf()).contactEvery).toBe('P10D');

  await ro.goto(`${base}/police-liaison/northshire-police?lang=cy`);
  expect(await textOf(ro, '.govuk-summary-list')).toContain('Bob 10 diwrnod');
  await expectAccessible(ro);
});
