// The rarer evidence decisions in the browser, each offered only when the item allows it: a
// custody step (seal, transfer) with the refusal shown beside its field, legal placing and lifting
// a hold, and the Returning Officer disposing of an item whose retention has passed once no hold
// applies. axe-core on every page.
import { BrowserStack, expectAccessible, screenshot, startBrowserStack, textOf } from './support/browser';
import { allegationBody, TestStack } from './support/stack';

jest.setTimeout(240_000);

let web: BrowserStack;
let stack: TestStack;
let base: string;

beforeAll(async () => {
  web = await startBrowserStack();
  ({ stack, base } = web);
});
afterAll(() => web?.close());
afterEach(() => web?.closePages());

const bearer = async (user: string) => `Bearer ${await stack.token(user)}`;

test('custody steps, a legal hold placed and lifted, and disposal after retention', async () => {
  const c = (
    await stack.http
      .post('/allegations')
      .set('Authorization', await bearer('staff@northshire'))
      .send(allegationBody())
      .expect(201)
  ).body;
  const item = (
    await stack.http
      .post(`/allegations/${c.id}/evidence`)
      .set('Authorization', await bearer('staff@northshire'))
      .send({ kind: 'physical', description: 'Postal vote statement', sealNumber: 'NS-SEAL-1', location: 'Town Hall strong room' })
      .expect(201)
  ).body;
  const url = `${base}/cases/${c.id}/evidence/${item.id}`;

  const staff = await web.as('staff@northshire');
  await staff.goto(url);
  await expectAccessible(staff);
  // Sealing without a seal number: the custody rules' refusal, beside the field.
  await staff.getByLabel('Sealed', { exact: true }).check();
  await staff.getByRole('button', { name: 'Record the step' }).click();
  expect(await textOf(staff, '.govuk-error-summary')).toContain('sealing needs the seal number');
  await expectAccessible(staff);
  // A new seal on a sealed item is a reseal, with the reason the seal was broken.
  await staff.getByLabel('Resealed', { exact: true }).check();
  await staff.getByLabel('Seal number').fill('NS-SEAL-77');
  await staff.getByLabel('Note').fill('Opened to photograph the statement');
  await staff.getByRole('button', { name: 'Record the step' }).click();
  await staff.waitForURL(/done=custody/);
  await staff.getByLabel('Transferred', { exact: true }).check();
  await staff.getByLabel('To (who receives it)').fill('triage@northshire');
  await staff.getByLabel('Where it is now (optional)').fill('Evidence safe, room 2');
  await staff.getByRole('button', { name: 'Record the step' }).click();
  await staff.waitForURL(/done=custody/);
  const log = await textOf(staff, 'main');
  expect(log).toContain('NS-SEAL-77');
  expect(log).toContain('Evidence safe, room 2');
  // Staff neither hold nor dispose.
  expect(await staff.getByRole('button', { name: 'Place the hold' }).count()).toBe(0);

  const legal = await web.as('legal@northshire');
  await legal.goto(url);
  await legal.getByRole('button', { name: 'Place the hold' }).click();
  expect(await textOf(legal, '.govuk-error-summary')).toContain('Enter the reason');
  await legal.getByLabel('Why').fill('An election petition was lodged');
  await legal.getByRole('button', { name: 'Place the hold' }).click();
  await legal.waitForURL(/done=held/);
  expect(await textOf(legal, 'main')).toContain('Yes: An election petition was lodged');
  await expectAccessible(legal);

  // Retention passes; the hold still stops the Returning Officer.
  await stack.db.query("UPDATE evidence_items SET retention_until = now() - interval '1 day' WHERE id = $1", [item.id]);
  const ro = await web.as('returning_officer@northshire');
  await ro.goto(url);
  expect(await ro.getByRole('button', { name: 'Dispose of the item' }).count()).toBe(0);
  await legal.goto(url);
  await legal.getByLabel('Why').fill('The petition was withdrawn');
  await legal.getByRole('button', { name: 'Lift the hold' }).click();
  await legal.waitForURL(/done=released/);

  await ro.goto(url);
  await ro.getByLabel('The review that decided it').fill('Retention ended; reviewed with the legal team');
  await ro.getByRole('button', { name: 'Dispose of the item' }).click();
  await ro.waitForURL(/done=disposed/);
  expect(await textOf(ro, '.govuk-notification-banner')).toContain('The item was disposed of');
  await expectAccessible(ro);
  await screenshot(ro, 'evidence-item-disposed');
  const after = (
    await stack.http
      .get(`/evidence/${item.id}`)
      .set('Authorization', await bearer('legal@northshire'))
      .expect(200)
  ).body;
  expect(after.status).toBe('destroyed');
  expect(after.custody.map((e: { action: string }) => e.action)).toEqual(['collected', 'resealed', 'transferred', 'destroyed']);
});

test('triage records an application to extend the statutory time limit, once', async () => {
  const c = (
    await stack.http
      .post('/allegations')
      .set('Authorization', await bearer('staff@northshire'))
      .send(allegationBody())
      .expect(201)
  ).body;
  const triage = await web.as('triage@northshire');
  await triage.goto(`${base}/cases/${c.id}`);
  await triage.locator('#statutory-limit').waitFor();
  expect(await textOf(triage, '#statutory-limit')).toContain('one year from the offence');
  await triage.getByRole('button', { name: 'Record the application' }).click();
  expect(await textOf(triage, '.govuk-error-summary')).toContain('The application');
  await expectAccessible(triage);
  await triage.getByLabel('The application for an extension').fill('Applied to Northshire Magistrates’ Court on behalf of the Returning Officer');
  await triage.getByRole('button', { name: 'Record the application' }).click();
  await triage.waitForURL(/done=statutory-extension/);
  expect(await textOf(triage, '#statutory-limit')).toContain('An extension of the time limit was applied for');
  expect(await triage.getByRole('button', { name: 'Record the application' }).count()).toBe(0);
  await expectAccessible(triage);
});
