// Elections in the browser: the Returning Officer adds a poll, a plan owner adds the count and
// fills in its safety and security plan, names the police contact and links a risk from the
// register until the plan is complete; the force's SPOC reads the plan. axe-core on every page.
import { findDemoUser } from '@libs/auth';
import { BrowserStack, expectAccessible, screenshot, startBrowserStack, textOf } from './support/browser';
import type { TestStack } from './support/stack';

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

test('a poll, its count and the count’s safety and security plan, from empty to complete', async () => {
  const owner = findDemoUser('plan_owner@northshire')!;
  const risk = (
    await stack.http
      .post('/risks')
      .set('Authorization', `Bearer ${await stack.token('plan_owner@northshire')}`)
      .send({
        title: 'Ballot boxes interfered with on the way to the count',
        category: 'count_security',
        likelihood: 2,
        impact: 5,
        ownerId: owner.id,
        mitigations: [],
        reviewEvery: 'P7D',
      })
      .expect(201)
  ).body;

  const ro = await web.as('returning_officer@northshire');
  await ro.goto(`${base}/elections`);
  await expectAccessible(ro);
  // A bad identifier is refused beside its field, and nothing is added.
  await ro.getByLabel('Name of the poll').fill('Northshire County Council elections');
  await ro.getByLabel('Election identifier').fill('Northshire 2027');
  await ro.getByLabel('Polling day').fill('2027-05-06');
  await ro.getByRole('button', { name: 'Add the poll' }).click();
  expect(await textOf(ro, '.govuk-error-summary')).toContain('Election identifier must be lower-case letters');
  await expectAccessible(ro);
  await ro.getByLabel('Election identifier').fill('local.northshire.2027-05-06');
  await ro.getByRole('button', { name: 'Add the poll' }).click();
  await ro.waitForURL(/\/elections\/[0-9a-f-]{36}$/);
  const pollUrl = ro.url();
  expect(await textOf(ro, 'h1')).toBe('Northshire County Council elections');
  await expectAccessible(ro);

  const planner = await web.as('plan_owner@northshire');
  await planner.goto(pollUrl);
  await planner.getByLabel('Count', { exact: true }).check();
  await planner.getByLabel('Name', { exact: true }).fill('Count at Northshire Leisure Centre');
  await planner.locator('#startsDate').fill('2027-05-06');
  await planner.locator('#startsTime').fill('22:00');
  await planner.locator('#endsDate').fill('2027-05-06');
  await planner.locator('#endsTime').fill('21:00');
  await planner.getByRole('button', { name: 'Add the event' }).click();
  // The API's refusal of an end before the start, shown beside the end.
  expect(await textOf(planner, '.govuk-error-summary')).toContain('End must be after startsAt');
  await expectAccessible(planner);
  await planner.locator('#endsDate').fill('2027-05-07');
  await planner.locator('#endsTime').fill('06:00');
  await planner.getByRole('button', { name: 'Add the event' }).click();
  await planner.waitForURL(/\/elections\/events\/[0-9a-f-]{36}$/);
  const eventUrl = planner.url();
  expect(await textOf(planner, '#plan-gaps')).toContain('No police liaison contact is named');
  expect(await textOf(planner, 'main')).toContain('6 May 2027 at 10:00pm');
  await expectAccessible(planner);

  await planner.getByText('Change the plan').click();
  await planner.getByLabel('Venue').fill('Northshire Leisure Centre, Castle Road');
  await planner.getByLabel('What the plan covers').fill('Accredited entry only; ballot boxes escorted from every station.');
  await planner
    .getByLabel('Security measures')
    .fill('Accreditation checked at the single public entrance\nBallot boxes logged on arrival against the seal register');
  await planner.getByLabel('Police liaison contact').selectOption(findDemoUser('spoc@northshire-police')!.id);
  await planner.getByRole('button', { name: 'Save the plan' }).click();
  await planner.waitForURL(/done=plan/);
  expect(await textOf(planner, '#plan-gaps')).toBe('No risk from the register is linked to the verification or count');
  await planner.getByLabel('Link an open risk from the register').selectOption(risk.id);
  await planner.getByRole('button', { name: 'Link the risk' }).click();
  await planner.waitForURL(/done=linked/);
  expect(await textOf(planner, '#plan-status')).toBe('Complete');
  expect(await textOf(planner, '#event-risks')).toContain('Ballot boxes interfered with on the way to the count');
  await expectAccessible(planner);
  await screenshot(planner, 'election-event-plan');

  // The named force's SPOC reads the plan and cannot change it.
  const spoc = await web.as('spoc@northshire-police');
  await spoc.goto(eventUrl);
  expect(await textOf(spoc, '#plan-measures')).toContain('Ballot boxes logged on arrival');
  expect(await spoc.getByText('Change the plan').count()).toBe(0);
  await expectAccessible(spoc);
  // Another authority's user finds nothing there.
  const other = await web.as('plan_owner@southvale');
  const res = await other.goto(eventUrl);
  expect(res?.status()).toBe(404);
});
