// Ballot security in the browser: staff record a delivery of ballot papers, store, seal and move
// it, reading off a seal that does not match; triage finds the discrepancy, is told what a dismissal
// needs, and logs an allegation from it; the Returning Officer records the security review with the
// police, which the force's SPOC then reads. axe-core on every page.
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

test('a batch from the printer to a seal that does not match, to an allegation; a review with the police', async () => {
  const staff = await web.as('staff@northshire');
  await staff.goto(`${base}/ballot-security`);
  await expectAccessible(staff);
  await staff.getByLabel('Batch of ballot papers').check();
  await staff.getByLabel('Label').fill('Castle Ward batch 1');
  await staff.getByLabel('Papers (optional)').fill('five hundred');
  await staff.getByLabel('Received from').fill('Acme Election Print');
  await staff.getByLabel('Where it is now').fill('Town Hall strong room');
  await staff.getByRole('button', { name: 'Record the delivery' }).click();
  expect(await textOf(staff, '.govuk-error-summary')).toContain('Enter the number of papers as a whole number');
  await expectAccessible(staff);
  await staff.getByLabel('Papers (optional)').fill('500');
  await staff.getByRole('button', { name: 'Record the delivery' }).click();
  await staff.waitForURL(/\/ballot-security\/items\/[0-9a-f-]{36}$/);

  const record = async (action: string, fields: Record<string, string>) => {
    await staff.getByLabel(action, { exact: true }).check();
    for (const [label, value] of Object.entries(fields)) await staff.getByLabel(label, { exact: true }).fill(value);
    await staff.getByRole('button', { name: 'Record the step' }).click();
    await staff.waitForURL(/recorded=/);
  };
  await record('Stored', { Location: 'Depot cage 2', 'Who has access to the store': 'Electoral services manager\nDepot supervisor' });
  await record('Sealed', { 'Seal number applied': 'S-100' });
  // Moving a sealed batch without reading its seal is refused beside the field.
  await staff.getByLabel('Moved', { exact: true }).check();
  await staff.getByLabel('Location', { exact: true }).fill('Polling station CW3');
  await staff.getByRole('button', { name: 'Record the step' }).click();
  expect(await textOf(staff, '.govuk-error-summary')).toContain('record the seal number read off it');
  await expectAccessible(staff);
  await record('Moved', { Location: 'Polling station CW3', 'Seal number read off it': 'S-109' });
  expect(await textOf(staff, '.govuk-notification-banner')).toContain('sent to triage');
  expect(await textOf(staff, '#custody')).toContain('Access: Electoral services manager, Depot supervisor');
  expect(await textOf(staff, '#item-discrepancies')).toContain('expected S-100, found S-109');
  await expectAccessible(staff);
  await screenshot(staff, 'ballot-security-item');

  const triage = await web.as('triage@northshire');
  await triage.goto(`${base}/ballot-security/discrepancies`);
  await expectAccessible(triage);
  await triage.getByRole('button', { name: 'Dismiss' }).click();
  expect(await textOf(triage, '.govuk-error-summary')).toContain('Enter why the discrepancy is dismissed');
  await expectAccessible(triage);
  await triage.getByLabel('Polling station or count venue it concerns').fill('Polling station CW3');
  await triage.getByLabel('Polling day (YYYY-MM-DD)').fill('2027-05-06');
  await triage.getByRole('button', { name: 'Log an allegation' }).click();
  await triage.waitForURL(/\/cases\/[0-9a-f-]{36}$/);
  expect(await textOf(triage, 'main')).toContain('the seal number on Castle Ward batch 1 did not match the record');
  await triage.goto(`${base}/ballot-security/discrepancies`);
  expect(await textOf(triage, '#none-open')).toBe('Nothing to decide.');
  expect(await textOf(triage, '#decided')).toContain('Allegation logged');

  const ro = await web.as('returning_officer@northshire');
  await ro.goto(`${base}/ballot-security/reviews`);
  await ro.getByLabel('Police force').fill('northshire-police');
  await ro.getByLabel('Date held (YYYY-MM-DD)').fill('2026-11-01');
  await ro.getByLabel('Who attended').fill('Returning Officer\nPC A. Officer, election SPOC');
  await ro.getByLabel('Findings').fill('The depot cage is shared with the recycling team; no key log is kept.');
  await ro.getByLabel('Actions').fill('Keep a key log for the depot cage');
  await ro.getByRole('button', { name: 'Record the review' }).click();
  expect(await textOf(ro, '.govuk-error-summary')).toContain('what | who | due date');
  await expectAccessible(ro);
  await ro.getByLabel('Actions').fill('Keep a key log for the depot cage | Electoral services | 2027-04-01');
  await ro.getByRole('button', { name: 'Record the review' }).click();
  await ro.waitForURL(/recorded=1/);
  await expectAccessible(ro);

  const spoc = await web.as('spoc@northshire-police');
  await spoc.goto(`${base}/ballot-security/reviews`);
  expect(await textOf(spoc, 'main')).toContain('Keep a key log for the depot cage: Electoral services, by 1 April 2027');
  await expectAccessible(spoc);
});
