// Indicators, candidate contacts and the transparency log in Chromium, each journey walked by the
// people who do it, with axe-core on every page: the plan owner adds an indicator and changes its
// threshold, staff record an observation and upload a file of them (the page's checks and the
// API's refusals beside their fields, nothing recorded); staff keep a candidate's details and share
// them with the force's FEOA on a lawful basis, the FEOA reads them (the read logged), the
// Returning Officer and the legal team read the data-sharing record; the legal team signs a
// checkpoint on demand in Welsh, and a log that cannot be read whole is refused, nothing signed.
import type { Page } from 'playwright-core';
import { findDemoUser } from '@libs/auth';
import { BrowserStack, expectAccessible, screenshot, startBrowserStack, textOf } from './support/browser';
import { allegationBody } from './support/stack';

jest.setTimeout(300_000);

let web: BrowserStack;
let base: string;

beforeAll(async () => {
  web = await startBrowserStack();
  ({ base } = web);
});
afterAll(() => web?.close());
afterEach(() => web?.closePages());

const count = async (sql: string, params: unknown[] = []) => (await web.stack.db.query(sql, params))[0].n as number;
const idOf = (username: string) => findDemoUser(username)!.id;
/** A day `days` from today, as YYYY-MM-DD. */
const dayFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function refusedPage(page: Page, path: string): Promise<void> {
  const res = await page.goto(`${base}${path}`);
  expect(res?.status()).toBe(403);
  expect(await textOf(page, 'h1')).toBe('You cannot do this');
  await expectAccessible(page);
}

test('the plan owner adds an indicator; staff record observations one at a time and as a file; refusals shown beside their fields', async () => {
  const indicators = () => count("SELECT count(*)::int AS n FROM indicators WHERE authority_id = 'northshire'");
  const observations = () => count('SELECT count(*)::int AS n FROM indicator_observations');

  const owner = await web.as('plan_owner@northshire');
  await owner.getByRole('link', { name: 'Indicators', exact: true }).first().click();
  await owner.waitForURL(`${base}/monitoring`);
  expect(await textOf(owner, '#no-indicators')).toContain('The authority has no indicators yet.');
  await expectAccessible(owner);
  await owner.getByRole('button', { name: 'Add an indicator' }).click();
  await owner.waitForURL(`${base}/monitoring/new`);
  await expectAccessible(owner);

  // The page's own checks: no subject type, a threshold in words.
  await owner.getByLabel('Name').fill('Postal vote applications per address');
  await owner.getByLabel('Threshold').fill('six');
  await owner.getByRole('button', { name: 'Add the indicator' }).click();
  expect(await textOf(owner, '#subjectType-error')).toContain('Select what each observation is about');
  expect(await textOf(owner, '#threshold-error')).toContain('Enter the threshold as a number of zero or more');
  expect(await textOf(owner, '.govuk-error-summary')).toContain('Select what each observation is about');
  expect(await owner.getByLabel('Name').inputValue()).toBe('Postal vote applications per address');
  await expectAccessible(owner);
  expect(await indicators()).toBe(0);

  await owner.getByRole('radio', { name: 'An address' }).check();
  await owner.getByLabel('Threshold').fill('6');
  await owner.getByRole('button', { name: 'Add the indicator' }).click();
  await owner.waitForURL(/\/monitoring\/[0-9a-f-]{36}\?added=1$/);
  const indicatorPage = owner.url().replace(/\?.*$/, '');
  expect(await textOf(owner, '.govuk-notification-banner')).toContain('The indicator was added.');
  // The key, made from the name, is how an uploaded file names it.
  expect(await textOf(owner, '.govuk-summary-list')).toContain('postal_vote_applications_per_address');
  expect(await textOf(owner, '.govuk-summary-list')).toContain('An alert is raised when a value reaches 6');
  await expectAccessible(owner);

  // The API's refusal: the key is already the authority's (409), shown beside the key.
  await owner.goto(`${base}/monitoring/new`);
  await owner.getByLabel('Name').fill('Postal votes again');
  await owner.getByLabel('Key (optional)').fill('postal_vote_applications_per_address');
  await owner.getByRole('radio', { name: 'An address' }).check();
  await owner.getByLabel('Threshold').fill('3');
  await owner.getByRole('button', { name: 'Add the indicator' }).click();
  expect(await textOf(owner, '#key-error')).toContain('Key is already used');
  expect(await textOf(owner, '.govuk-error-summary')).toContain('Key is already used');
  await expectAccessible(owner);
  expect(await indicators()).toBe(1);

  // The plan owner lowers the threshold.
  await owner.goto(indicatorPage);
  await owner.getByRole('link', { name: 'Change the indicator' }).click();
  expect(await owner.getByLabel('Threshold').inputValue()).toBe('6');
  await expectAccessible(owner);
  await owner.getByLabel('Threshold').fill('5');
  await owner.getByRole('button', { name: 'Save the changes' }).click();
  await owner.waitForURL(`${indicatorPage}?changed=1`);
  expect(await textOf(owner, '.govuk-summary-list')).toContain('An alert is raised when a value reaches 5');

  // Staff record an observation: a value in words, then a date in the future (the API's refusal).
  const staff = await web.as('staff@northshire');
  await staff.goto(`${base}/monitoring`);
  expect(await staff.getByRole('button', { name: 'Add an indicator' }).count()).toBe(0);
  await staff.locator('#indicators').getByRole('link', { name: 'Postal vote applications per address' }).click();
  await staff.waitForURL(indicatorPage);
  expect(await staff.getByRole('link', { name: 'Change the indicator' }).count()).toBe(0);
  await expectAccessible(staff);
  await staff.getByLabel('Address').fill('12 High Street, Northtown');
  await staff.getByLabel('Value').fill('nine');
  await staff.getByRole('button', { name: 'Record the observation' }).click();
  expect(await textOf(staff, '#value-error')).toContain('Enter the value as a number of zero or more');
  await expectAccessible(staff);
  await staff.getByLabel('Value').fill('9');
  await staff.getByLabel('Date observed (leave blank for now)').fill(dayFromNow(3));
  await staff.getByRole('button', { name: 'Record the observation' }).click();
  expect(await textOf(staff, '#observedDate-error')).toContain('Date observed is in the future');
  expect(await staff.getByLabel('Address').inputValue()).toBe('12 High Street, Northtown');
  await expectAccessible(staff);
  expect(await observations()).toBe(0);
  await staff.getByLabel('Date observed (leave blank for now)').fill('');
  await staff.getByLabel('Note (optional)').fill('Nine applications in one week');
  await staff.getByRole('button', { name: 'Record the observation' }).click();
  await staff.waitForURL(`${indicatorPage}?recorded=raised`);
  expect(await textOf(staff, '.govuk-notification-banner')).toContain('It reached the threshold, so an alert was raised for triage.');
  expect(await textOf(staff, '#observations')).toContain('12 High Street, Northtown');
  expect(await textOf(staff, '#observations')).toMatch(/12 High Street, Northtown\s+9\s+Reached/);
  await expectAccessible(staff);
  await screenshot(staff, 'indicator-observations');

  // A file with two bad rows: each listed by line, nothing in it recorded.
  const key = 'postal_vote_applications_per_address';
  await staff.goto(`${base}/monitoring`);
  await staff.setInputFiles('#file', {
    name: 'week-16.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(
      `indicator,subject,value,observedAt\n${key},3 Mill Lane,2,2026-11-20\n${key},4 Mill Lane,many,2026-11-20\nno_such_thing,5 Mill Lane,1,2026-11-20\n`,
    ),
  });
  await staff.getByRole('button', { name: 'Upload the file' }).click();
  expect(await textOf(staff, '#file-error')).toContain('The file has 2 problems, so nothing in it was recorded.');
  const problems = await textOf(staff, '#problems');
  expect(problems).toMatch(/3\s+value\s+"many" is not a number/);
  expect(problems).toMatch(/4\s+indicator\s+"no_such_thing" is not an indicator of this authority/);
  await expectAccessible(staff);
  await screenshot(staff, 'indicator-upload-refused');
  expect(await observations()).toBe(1);
  expect(await count('SELECT count(*)::int AS n FROM indicator_uploads')).toBe(0);

  // Corrected, it is recorded whole; one address reaches the threshold.
  await staff.setInputFiles('#file', {
    name: 'week-16.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(
      `indicator,subject,value,observedAt\n${key},3 Mill Lane,2,2026-11-20\n${key},4 Mill Lane,7,2026-11-20\n${key},5 Mill Lane,1,2026-11-20\n`,
    ),
  });
  await staff.getByRole('button', { name: 'Upload the file' }).click();
  await staff.waitForURL(/\/monitoring\?uploaded=[0-9a-f-]{36}#upload-/);
  expect(await textOf(staff, '.govuk-notification-banner')).toContain('Observations recorded: 3. Alerts raised for triage: 1.');
  expect(await textOf(staff, '#uploads')).toContain('week-16.csv');
  await expectAccessible(staff);
  expect(await observations()).toBe(4);

  // Triage reads them and is told: the notification of the file leads to its row.
  const triage = await web.as('triage@northshire');
  await triage.goto(`${base}/alerts`);
  expect(await triage.locator('.govuk-summary-card').count()).toBe(2);
  await triage.getByRole('link', { name: 'The indicators, their thresholds and observations' }).click();
  await triage.waitForURL(`${base}/monitoring`);
  expect(await triage.locator('#file').count()).toBe(0);
  expect(await triage.getByRole('button', { name: 'Add an indicator' }).count()).toBe(0);
  await expectAccessible(triage);
  await triage.goto(`${base}/my-notifications`);
  await triage.getByRole('link', { name: 'View the file of observations' }).first().click();
  await triage.waitForURL(/\/monitoring#upload-[0-9a-f-]{36}$/);
  await expectAccessible(triage);

  // The page in Welsh, for the plan owner; then back to English.
  await owner.goto(`${indicatorPage}?lang=cy`);
  expect(await owner.getAttribute('html', 'lang')).toBe('cy');
  expect(await textOf(owner, '.govuk-summary-list')).toContain('Codir rhybudd pan fydd gwerth yn cyrraedd 5');
  expect(await owner.getByRole('heading', { name: 'Cofnodi arsylwad' }).count()).toBe(1);
  await expectAccessible(owner);
  await owner.goto(`${indicatorPage}?lang=en`);

  // Roles the API does not admit are refused the pages.
  await refusedPage(await web.as('national_admin@national'), '/monitoring');
  await refusedPage(staff, '/monitoring/new');
});

test('staff share a candidate’s details with the force’s FEOA; the FEOA reads them; the Returning Officer and legal read the record', async () => {
  const records = () => count("SELECT count(*)::int AS n FROM data_sharing_records WHERE authority_id = 'northshire'");
  const ro = await web.stack.token('returning_officer@northshire');
  await web.stack.http
    .put('/liaison/northshire-police')
    .set('Authorization', `Bearer ${ro}`)
    .send({ spocId: idOf('spoc@northshire-police'), feoaId: idOf('feoa@northshire-police'), contactEvery: 'P14D' })
    .expect(201);

  // Staff find the contacts from the agreement with the force, whose FEOA receives them.
  const staff = await web.as('staff@northshire');
  await staff.goto(`${base}/police-liaison/northshire-police`);
  await staff.getByRole('link', { name: 'Share a candidate’s or agent’s contact details with the force’s FEOA' }).click();
  await staff.waitForURL(`${base}/candidates`);
  expect(await textOf(staff, '#no-contacts')).toContain('No candidates or agents added yet.');
  await expectAccessible(staff);
  await staff.getByRole('button', { name: 'Add a candidate or agent' }).click();
  await staff.waitForURL(`${base}/candidates/new`);
  await expectAccessible(staff);

  // The page's checks: candidate or agent, and a way to reach them.
  await staff.getByLabel('Name', { exact: true }).fill('Jo Bloggs');
  await staff.getByRole('button', { name: 'Add the contact' }).click();
  expect(await textOf(staff, '#kind-error')).toContain('Select whether they are a candidate or an agent');
  expect(await textOf(staff, '#email-error')).toContain('Enter an email address or a telephone number');
  await expectAccessible(staff);
  // The API's: a name over its 200 characters.
  await staff.getByRole('radio', { name: 'Candidate' }).check();
  await staff.getByLabel('Email address').fill('jo.bloggs@example.com');
  await staff.getByLabel('Name', { exact: true }).fill('J'.repeat(201));
  await staff.getByRole('button', { name: 'Add the contact' }).click();
  expect(await textOf(staff, '#name-error')).toContain('Name must be shorter than or equal to 200 characters');
  await expectAccessible(staff);
  expect(await count("SELECT count(*)::int AS n FROM candidate_contacts WHERE authority_id = 'northshire'")).toBe(0);

  await staff.getByLabel('Name', { exact: true }).fill('Jo Bloggs');
  await staff.getByLabel('Electoral area (optional)').fill('Castle Ward');
  await staff.getByLabel('Party or description (optional)').fill('Northshire Independents');
  await staff.getByLabel('Telephone number').fill('07700 900123');
  await staff.getByLabel('Postal address (optional)').fill('1 Castle Street, Northtown');
  await staff.getByRole('button', { name: 'Add the contact' }).click();
  await staff.waitForURL(/\/candidates\/[0-9a-f-]{36}\?added=1$/);
  const contactPage = staff.url().replace(/\?.*$/, '');
  expect(await textOf(staff, '.govuk-notification-banner')).toContain('It has not been shared with anyone.');
  await expectAccessible(staff);

  // Sharing: no lawful basis nor purpose, then a purpose the API finds too short; nothing shared.
  await staff.locator('#forceId').selectOption('northshire-police');
  await staff.getByRole('button', { name: 'Share the details' }).click();
  expect(await textOf(staff, '#lawfulBasis-error')).toContain('Select the lawful basis for sharing the details');
  expect(await textOf(staff, '#purpose-error')).toContain('Enter why the details are shared');
  await expectAccessible(staff);
  await staff.getByRole('radio', { name: 'Public task' }).check();
  await staff.getByLabel('Purpose').fill('Security');
  await staff.getByRole('button', { name: 'Share the details' }).click();
  expect(await textOf(staff, '#purpose-error')).toContain('Purpose must say why the details are shared, in at least 10 characters');
  expect(await staff.getByRole('radio', { name: 'Public task' }).isChecked()).toBe(true);
  await expectAccessible(staff);
  expect(await records()).toBe(0);

  // Shared without the telephone number: the record says what went, and why.
  await staff.getByLabel('Purpose').fill('So the FEOA can give security advice after reports of intimidation at the count');
  await staff.getByRole('checkbox', { name: 'Telephone number' }).uncheck();
  expect(await staff.getByRole('checkbox', { name: 'Postal address' }).isChecked()).toBe(false);
  await staff.getByRole('button', { name: 'Share the details' }).click();
  await staff.waitForURL(`${contactPage}?shared=northshire-police#sharing`);
  expect(await textOf(staff, '.govuk-notification-banner')).toContain('The details were shared with the FEOA of Northshire Police');
  const sharing = await textOf(staff, '#sharing-records');
  expect(sharing).toContain('Public task');
  expect(sharing).toContain('Candidate or agent, Name, Electoral area, Email address');
  expect(sharing).not.toContain('Telephone number');
  await expectAccessible(staff);
  await screenshot(staff, 'candidate-contact-shared');
  expect(await records()).toBe(1);

  // The force's FEOA reads what was shared, and only that; the read is logged.
  const feoa = await web.as('feoa@northshire-police');
  await feoa.getByRole('link', { name: 'Candidates and agents' }).first().click();
  await feoa.waitForURL(`${base}/candidates`);
  const card = await textOf(feoa, '.govuk-summary-card');
  expect(card).toContain('Jo Bloggs');
  expect(card).toContain('jo.bloggs@example.com');
  expect(card).not.toContain('07700 900123');
  expect(card).not.toContain('1 Castle Street');
  expect(await textOf(feoa, '#reads-logged')).toContain('your reading is recorded');
  await expectAccessible(feoa);
  await screenshot(feoa, 'candidates-shared-feoa');
  expect(await count('SELECT count(*)::int AS n FROM data_sharing_reads')).toBe(1);

  // The Returning Officer follows the contact to its data-sharing record, with the FEOA's read.
  const returningOfficer = await web.as('returning_officer@northshire');
  await returningOfficer.goto(contactPage);
  await returningOfficer.getByRole('link', { name: 'The data-sharing records, with each read by the FEOA' }).click();
  await returningOfficer.waitForURL(/\/candidates\/data-sharing\?contactId=/);
  const record = await textOf(returningOfficer, '#records');
  expect(record).toContain('Jo Bloggs');
  expect(record).toMatch(/by .*feoa@northshire-police/);
  await expectAccessible(returningOfficer);

  // The legal team is taken to the records; they read no contact's details.
  const legal = await web.as('legal@northshire');
  await legal.getByRole('link', { name: 'Candidates and agents' }).first().click();
  await legal.waitForURL(`${base}/candidates/data-sharing`);
  expect(await textOf(legal, '#records')).toContain('So the FEOA can give security advice');
  expect(await textOf(legal, '#records')).not.toContain('Jo Bloggs');
  await expectAccessible(legal);
  await refusedPage(legal, contactPage.replace(base, ''));

  // Nor do the force's SPOC or triage.
  await refusedPage(await web.as('spoc@northshire-police'), '/candidates');
  await refusedPage(await web.as('triage@northshire'), '/candidates');
});

test('in Welsh, the legal team signs a checkpoint on demand; a log that cannot be read whole is refused and nothing is signed', async () => {
  const checkpoints = (authorityId: string) => count('SELECT count(*)::int AS n FROM transparency_checkpoints WHERE authority_id = $1', [authorityId]);

  const legal = await web.as('legal@northshire');
  await legal.goto(`${base}/?lang=cy`);
  await legal.getByRole('link', { name: 'Log tryloywder' }).first().click();
  await legal.waitForURL(`${base}/transparency-log`);
  expect(await legal.getAttribute('html', 'lang')).toBe('cy');
  expect(await textOf(legal, 'h1')).toBe('Log tryloywder');
  await expectAccessible(legal);
  const before = await checkpoints('northshire');
  await legal.getByRole('button', { name: 'Llofnodi pwynt gwirio nawr' }).click();
  await legal.waitForURL(/\/transparency-log\?signed=\d+$/);
  const size = Number(new URL(legal.url()).searchParams.get('signed'));
  expect(await textOf(legal, '.govuk-notification-banner')).toContain(`Llofnodwyd pwynt gwirio dros y log fel y mae nawr: ${size} o gofnodion.`);
  expect(await textOf(legal, '#checkpoints')).toContain(String(size));
  await expectAccessible(legal);
  await screenshot(legal, 'transparency-log-welsh');
  expect(await checkpoints('northshire')).toBeGreaterThan(before);
  expect(
    await count('SELECT count(*)::int AS n FROM transparency_checkpoints WHERE authority_id = $1 AND tree_size = $2', ['northshire', size]),
  ).toBeGreaterThan(0);

  // Staff may read the log but not sign; the national administrator has no authority's log.
  const staff = await web.as('staff@northshire');
  await staff.goto(`${base}/transparency-log`);
  expect(await staff.getByRole('button', { name: 'Sign a checkpoint now' }).count()).toBe(0);
  await expectAccessible(staff);
  await refusedPage(await web.as('national_admin@national'), '/transparency-log');

  // Southvale's log loses an entry in the middle, under the server.
  const southvaleStaff = await web.stack.token('staff@southvale');
  const first = (await web.stack.http.post('/allegations').set('Authorization', `Bearer ${southvaleStaff}`).send(allegationBody()).expect(201)).body;
  await web.stack.http.post('/allegations').set('Authorization', `Bearer ${southvaleStaff}`).send(allegationBody()).expect(201);
  await web.stack.db.query('DELETE FROM audit_events WHERE case_id = $1 AND seq = 1', [first.id]);
  const southvaleBefore = await checkpoints('southvale');

  const admin = await web.as('admin@southvale');
  await admin.goto(`${base}/transparency-log?lang=cy`);
  await admin.getByRole('button', { name: 'Llofnodi pwynt gwirio nawr' }).click();
  expect(await textOf(admin, '#sign-checkpoint-error')).toContain('Ni lofnodwyd pwynt gwirio');
  expect(await textOf(admin, '.govuk-error-summary')).toContain('Ni lofnodwyd pwynt gwirio');
  expect(await textOf(admin, '#log-broken')).toContain('Nid oes modd darllen y log yn gyfan');
  await expectAccessible(admin);
  expect(await checkpoints('southvale')).toBe(southvaleBefore);
});
