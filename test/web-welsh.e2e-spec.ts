// The service in Welsh, in Chromium against the real stack: "Cymraeg" in the header switches the
// page, the choice is remembered from page to page, through sign-in and in another browser (the
// user's language is stored), and one journey in each main area is walked in Welsh with axe-core
// on every page: logging an allegation, triage referring it, evidence, the risk register,
// elections, ballot security, notifications and administration, and a refusal from the API (a 409,
// a 422) said in Welsh by its code. Every page carries <html lang="cy">.
import type { Page } from 'playwright-core';
import { BrowserStack, expectAccessible, screenshot, startBrowserStack, textOf } from './support/browser';
import { allegationBody, TestStack } from './support/stack';

jest.setTimeout(300_000);

let web: BrowserStack;
let stack: TestStack;
let base: string;

beforeAll(async () => {
  web = await startBrowserStack();
  ({ stack, base } = web);
});
afterAll(() => web?.close());
afterEach(() => web?.closePages());

/** The page is Welsh and passes axe-core. */
async function welshAndAccessible(page: Page): Promise<void> {
  expect(await page.getAttribute('html', 'lang')).toBe('cy');
  expect(await page.locator('#language-switch').innerText()).toBe('English');
  await expectAccessible(page);
}

/** Signs in from the sign-in page, choosing Cymraeg first. */
async function inWelsh(username: string): Promise<Page> {
  const page = await web.page();
  await page.goto(`${base}/sign-in`);
  await page.getByRole('link', { name: 'Cymraeg' }).click();
  await page.waitForURL(/lang=cy/);
  await page.getByLabel(username, { exact: true }).check();
  await page.getByRole('button', { name: 'Mewngofnodi' }).click();
  await page.waitForURL(`${base}/`);
  return page;
}

async function loggedCase(): Promise<{ id: string; reference: string }> {
  const res = await stack.http
    .post('/allegations')
    .set('Authorization', `Bearer ${await stack.token('staff@northshire')}`)
    .send(allegationBody())
    .expect(201);
  return res.body;
}

test('Cymraeg is chosen in the header and remembered across pages, sign-in and browsers', async () => {
  const page = await web.page();
  await page.goto(`${base}/sign-in`);
  expect(await page.getAttribute('html', 'lang')).toBe('en');
  await page.getByRole('link', { name: 'Cymraeg' }).click();
  await page.waitForURL(/lang=cy/);
  await welshAndAccessible(page);
  expect(await textOf(page, 'h1')).toBe('Mewngofnodi');
  await screenshot(page, 'sign-in-welsh');
  // An unanswered sign-in: the error in Welsh.
  await page.getByRole('button', { name: 'Mewngofnodi' }).click();
  expect(await textOf(page, '.govuk-error-summary')).toContain('Dewiswch fel pwy rydych yn mewngofnodi');
  expect(await page.title()).toMatch(/^Gwall: /);
  await welshAndAccessible(page);
  await page.getByLabel('plan_owner@northshire', { exact: true }).check();
  await page.getByRole('button', { name: 'Mewngofnodi' }).click();
  await page.waitForURL(`${base}/`);
  expect(await textOf(page, 'h1')).toBe('Eich gwaith achos');
  await welshAndAccessible(page);
  await page.getByRole('link', { name: 'Cofrestr risgiau' }).first().click();
  await page.waitForURL(`${base}/risk-register`);
  expect(await textOf(page, 'h1')).toBe('Cofrestr risgiau');
  await welshAndAccessible(page);

  // Chosen while signed in, the language is the user's: a new browser signs in to Welsh.
  const [row] = await stack.db.query(`SELECT language FROM users WHERE username = 'plan_owner@northshire'`);
  expect(row.language).toBe('cy');
  const elsewhere = await web.page();
  await elsewhere.goto(`${base}/sign-in`);
  await elsewhere.getByLabel('plan_owner@northshire', { exact: true }).check();
  await elsewhere.getByRole('button', { name: 'Sign in' }).click();
  await elsewhere.waitForURL(`${base}/`);
  await welshAndAccessible(elsewhere);

  // And back to English, which is stored too.
  await elsewhere.getByRole('link', { name: 'English' }).click();
  await elsewhere.waitForURL(/lang=en/);
  expect(await elsewhere.getAttribute('html', 'lang')).toBe('en');
  expect(await textOf(elsewhere, 'h1')).toBe('Your casework');
  const [after] = await stack.db.query(`SELECT language FROM users WHERE username = 'plan_owner@northshire'`);
  expect(after.language).toBe('en');
});

test('staff log an allegation through the question pages in Welsh', async () => {
  const page = await inWelsh('staff@northshire');
  await page.goto(`${base}/cases/new`);
  await welshAndAccessible(page);
  await page.getByRole('button', { name: 'Dechrau nawr' }).click();
  await page.waitForURL(/\/category$/);
  await page.getByRole('button', { name: 'Parhau' }).click();
  expect(await textOf(page, '.govuk-error-summary')).toContain('Dewiswch y math o drosedd a honnir');
  await welshAndAccessible(page);
  await page.getByLabel('Twyll pleidleisio drwy’r post').check();
  await page.getByRole('button', { name: 'Parhau' }).click();
  await page.waitForURL(/\/what-happened$/);
  await welshAndAccessible(page);
  await page.getByLabel('Disgrifiwch beth ddigwyddodd').fill('Gwelwyd canfasiwr yn casglu pleidleisiau post yng nghartref gofal Elm Court.');
  await page.getByLabel('Diwrnod').fill('2');
  await page.getByLabel('Mis').fill('5');
  await page.getByLabel('Blwyddyn').fill('2026');
  await page.getByRole('button', { name: 'Parhau' }).click();
  await page.waitForURL(/\/where$/);
  await welshAndAccessible(page);
  await page.getByLabel('Diwrnod').fill('6');
  await page.getByLabel('Mis').fill('5');
  await page.getByLabel('Blwyddyn').fill('2027');
  await page.getByLabel('Ward').fill('Castle');
  await page.getByRole('button', { name: 'Parhau' }).click();
  await page.waitForURL(/\/reporter$/);
  await welshAndAccessible(page);
  await page.getByLabel('Ei enw').fill('Siân Jones');
  await page.getByLabel('Sut i gysylltu ag ef').fill('sian@example.org');
  await page.getByLabel('Etholwr').check();
  await page.getByRole('button', { name: 'Parhau' }).click();
  await page.waitForURL(/\/urgency$/);
  await welshAndAccessible(page);
  await page.getByLabel('Arferol', { exact: true }).check();
  await page.getByLabel('Nac ydy').check();
  await page.getByRole('button', { name: 'Parhau' }).click();
  await page.waitForURL(/\/check-answers$/);
  await welshAndAccessible(page);
  expect(await textOf(page, '.govuk-summary-list')).toContain('Twyll pleidleisio drwy’r post');
  await page.getByRole('button', { name: 'Cofnodi’r honiad' }).click();
  await page.waitForURL(/\/confirmation$/);
  expect(await textOf(page, '.govuk-panel')).toContain('Honiad wedi’i gofnodi');
  // Dates in Welsh: "erbyn 6 Mai 2027 am 9:05yb".
  expect(await textOf(page, 'main')).toMatch(
    /erbyn \d{1,2} (Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr) \d{4} am \d{1,2}:\d{2}y[bh]/,
  );
  await welshAndAccessible(page);
  await screenshot(page, 'log-allegation-welsh');
});

test('triage refers a case from the work queue, and reads its evidence page, in Welsh', async () => {
  const { id, reference } = await loggedCase();
  const page = await inWelsh('triage@northshire');
  await page.getByRole('link', { name: 'Ciw gwaith' }).first().click();
  await page.waitForURL(`${base}/work-queue`);
  await welshAndAccessible(page);
  await page.getByRole('link', { name: reference }).click();
  await page.waitForURL(`${base}/cases/${id}`);
  expect(await textOf(page, 'h1')).toBe(`Achos ${reference}`);
  await welshAndAccessible(page);
  await page.getByRole('button', { name: 'Cofnodi’r penderfyniad' }).click();
  expect(await textOf(page, '.govuk-error-summary')).toContain('Dewiswch benderfyniad');
  await welshAndAccessible(page);
  await page.getByLabel('Ei atgyfeirio at yr heddlu').check();
  await page.getByLabel('Heddlu', { exact: true }).selectOption('northshire-police');
  await page.getByLabel('Y rheswm dros y penderfyniad').fill('Mae angen i’r heddlu ymchwilio.');
  await page.getByRole('button', { name: 'Cofnodi’r penderfyniad' }).click();
  await page.waitForURL(/done=/);
  expect(await textOf(page, '.govuk-notification-banner')).toContain('Cafodd eich penderfyniad brysbennu ei gofnodi.');
  expect(await textOf(page, '#case-status')).toContain('Wedi’i atgyfeirio at yr heddlu');
  await welshAndAccessible(page);
  await page.getByRole('link', { name: 'Tystiolaeth', exact: true }).click();
  await page.waitForURL(`${base}/cases/${id}/evidence`);
  expect(await textOf(page, 'h1')).toBe('Tystiolaeth');
  await welshAndAccessible(page);
});

test('elections, ballot security and notifications in Welsh', async () => {
  const ro = await inWelsh('returning_officer@northshire');
  await ro.goto(`${base}/elections`);
  await welshAndAccessible(ro);
  await ro.getByLabel('Enw’r etholiad').fill('Etholiadau Cyngor Sir Northshire');
  await ro.getByLabel('Dynodydd yr etholiad').fill('local.northshire.2027-05-06');
  await ro.getByLabel('Diwrnod pleidleisio').fill('2027-05-06');
  await ro.getByRole('button', { name: 'Ychwanegu’r etholiad' }).click();
  await ro.waitForURL(/\/elections\/[0-9a-f-]{36}$/);
  await welshAndAccessible(ro);

  await ro.goto(`${base}/ballot-security`);
  await welshAndAccessible(ro);
  await ro.getByLabel('Swp o bapurau pleidleisio').check();
  await ro.getByLabel('Label', { exact: true }).fill('Ward y Castell swp 1');
  await ro.getByLabel('Papurau (dewisol)').fill('pum cant');
  await ro.getByLabel('Wedi’i dderbyn gan').fill('Argraffwyr Acme');
  await ro.getByLabel('Ble mae nawr').fill('Ystafell ddiogel Neuadd y Dref');
  await ro.getByRole('button', { name: 'Cofnodi’r danfoniad' }).click();
  expect(await textOf(ro, '.govuk-error-summary')).toContain('Rhowch nifer y papurau fel rhif cyfan');
  await welshAndAccessible(ro);
  await ro.getByLabel('Papurau (dewisol)').fill('500');
  await ro.getByRole('button', { name: 'Cofnodi’r danfoniad' }).click();
  await ro.waitForURL(/\/ballot-security\/items\/[0-9a-f-]{36}$/);
  expect(await textOf(ro, '.govuk-summary-list')).toContain('Heb ei selio');
  await welshAndAccessible(ro);
  await screenshot(ro, 'ballot-security-item-welsh');

  await ro.getByRole('link', { name: 'Hysbysiadau' }).first().click();
  await ro.waitForURL(`${base}/my-notifications`);
  expect(await textOf(ro, 'h1')).toBe('Hysbysiadau');
  await welshAndAccessible(ro);
});

test('the administrator reads the policy and the users in Welsh, and a refused value is explained in Welsh', async () => {
  const page = await inWelsh('admin@northshire');
  await page.getByRole('link', { name: 'Polisi terfynau amser a nodiadau atgoffa' }).first().click();
  await page.waitForURL(`${base}/admin/policy`);
  expect(await textOf(page, 'h1')).toBe('Polisi terfynau amser a nodiadau atgoffa');
  const triage = page.getByRole('group', { name: 'Amser i frysbennu honiad newydd' });
  expect(await triage.getByLabel('Arferol', { exact: true }).inputValue()).not.toBe('');
  await welshAndAccessible(page);
  await triage.getByLabel('Brys', { exact: true }).fill('cyn bo hir');
  await page.getByRole('button', { name: 'Cadw’r polisi' }).click();
  expect(await textOf(page, '.govuk-error-summary')).toContain('Rhowch amser i frysbennu achos brys mewn wythnosau, dyddiau, oriau neu funudau');
  expect(await page.title()).toMatch(/^Gwall: /);
  await welshAndAccessible(page);

  await page.getByRole('link', { name: 'Gweinyddu' }).first().click();
  await page.waitForURL(`${base}/admin/directory`);
  expect(await textOf(page, 'h1')).toBe('Gweinyddu');
  await welshAndAccessible(page);
  await page.getByRole('link', { name: 'Defnyddwyr a rolau' }).click();
  await page.waitForURL(`${base}/admin/directory/users`);
  expect(await textOf(page, 'h1')).toBe('Defnyddwyr a rolau');
  expect(await textOf(page, '#users')).toContain('Gweinyddwr');
  await welshAndAccessible(page);
  await screenshot(page, 'admin-users-welsh');
});

test('a refusal from the API is said in Welsh: a 409 when the case has moved on, a 422 beside its field', async () => {
  // The case is resolved by someone else while the page is open: the decision is refused (409).
  const { id } = await loggedCase();
  const page = await inWelsh('triage@northshire');
  await page.goto(`${base}/cases/${id}`);
  await welshAndAccessible(page);
  await stack.http
    .post(`/allegations/${id}/triage`)
    .set('Authorization', `Bearer ${await stack.token('triage@northshire')}`)
    .send({ decision: 'resolve', resolution: 'advice', note: 'Advice given to the candidate’s agent.' })
    .expect(200);
  await page.getByLabel('Ei atgyfeirio at yr heddlu').check();
  await page.getByLabel('Heddlu', { exact: true }).selectOption('northshire-police');
  await page.getByLabel('Y rheswm dros y penderfyniad').fill('Mae angen i’r heddlu ymchwilio.');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Cofnodi’r penderfyniad' }).click(),
  ]);
  expect(response.status()).toBe(409);
  const refused = await textOf(page, '.govuk-error-summary');
  // The API's reason by its code: the status as its Welsh label, nothing left in English.
  expect(refused).toContain('Ni chofnodwyd y penderfyniad hwn oherwydd bod yr achos wedi symud ymlaen: statws yr achos yw ‘Ar gau’;');
  expect(refused).not.toMatch(/the case is|no longer|no further/);
  expect(await textOf(page, '#case-status')).toContain('Ar gau');
  await welshAndAccessible(page);
  await screenshot(page, 'decision-refused-409-welsh');

  // A value the page accepts and the API refuses (422): its problem beside the field, in Welsh.
  const admin = await inWelsh('admin@northshire');
  await admin.goto(`${base}/admin/policy`);
  await admin.getByLabel('Misoedd ar ôl y drosedd pan fydd y dasg i wneud cais am estyniad yn ddyledus').fill('12');
  const [saved] = await Promise.all([
    admin.waitForResponse((r) => r.request().method() === 'POST'),
    admin.getByRole('button', { name: 'Cadw’r polisi' }).click(),
  ]);
  expect(saved.status()).toBe(422);
  expect(await textOf(admin, '.govuk-error-summary')).toContain(
    'Misoedd ar ôl y drosedd i wneud cais am estyniad: rhaid iddo fod yn nifer cyfan o fisoedd o 1 i 11 (rhaid gwneud y cais o fewn y flwyddyn gyntaf)',
  );
  expect(await textOf(admin, '#extensionTaskAfterMonths-error')).toContain('rhaid iddo fod yn nifer cyfan o fisoedd o 1 i 11');
  expect(await textOf(admin, '.govuk-error-summary')).not.toMatch(/must be/);
  await welshAndAccessible(admin);
});
