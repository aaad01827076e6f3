// The web front end's evidence, risk register and legal pages, end to end in Chromium against
// the real stack: an upload with a progress bar that shows the SHA-256 (and the same without
// JavaScript), the custody log and a package sealed, handed over and acknowledged; a plan owner's review on the register with
// its 5 x 5 heat map; legal reading a history behind the access-reason prompt and exporting the
// court bundle as JSON and PDF. axe-core checks every page at WCAG 2.2 AA.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BrowserContextOptions } from 'playwright-core';
import { nameUuid } from '@libs/auth';
import { BrowserStack, expectAccessible, screenshot, startBrowserStack, textOf } from './support/browser';
import { allegationBody, eventually, TestStack } from './support/stack';

// A browser on a shared, loaded machine is slow: each journey gets four minutes.
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

const as = (username: string, options?: BrowserContextOptions) => web.as(username, options);

const text = textOf;
const bearer = async (user: string) => `Bearer ${await stack.token(user)}`;

async function loggedCase(): Promise<{ id: string; reference: string }> {
  return (
    await stack.http
      .post('/allegations')
      .set('Authorization', await bearer('staff@northshire'))
      .send(allegationBody())
      .expect(201)
  ).body;
}

test('evidence: an upload shows its progress and SHA-256, without JavaScript too; triage seals a package', async () => {
  const c = await loggedCase();
  const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(1024 * 1024, 7)]);
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  const staff = await as('staff@northshire');
  await staff.goto(`${base}/cases/${c.id}`);
  await staff.getByRole('link', { name: 'Evidence' }).click();
  await expectAccessible(staff);
  // With JavaScript: XHR with a progress bar, then the SHA-256 the server computed.
  await staff.getByLabel('What is it?').fill('Scan of the postal vote statement');
  await staff.getByLabel('The file').setInputFiles({ name: 'statement.pdf', mimeType: 'application/pdf', buffer: bytes });
  await staff.getByRole('button', { name: 'Upload the file' }).click();
  await staff.locator('#sha256').waitFor();
  expect(await text(staff, '#sha256')).toBe(sha256);
  expect(await staff.locator('#upload-progress').getAttribute('value')).toBe('100');
  expect(await text(staff, '[data-upload-status]')).toBe('Upload complete');
  // The list of items refreshes to show it.
  await staff.locator('#evidence-items table').waitFor();
  expect(await text(staff, '#evidence-items')).toContain(sha256);
  await expectAccessible(staff);
  await screenshot(staff, 'evidence-upload');

  // A file without a description: the API's 400 as an error summary.
  await staff.getByLabel('The file').setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('no description') });
  await staff.getByRole('button', { name: 'Upload the file' }).click();
  await staff.locator('.govuk-error-summary').waitFor();
  expect(await text(staff, '.govuk-error-summary')).toContain('Description is missing');

  // Without JavaScript: the multipart form, streamed through, lands on the item with its hash.
  const plain = await as('staff@northshire', { javaScriptEnabled: false });
  await plain.goto(`${base}/cases/${c.id}/evidence`);
  await plain.getByLabel('What is it?').fill('Photo of the leaflet');
  await plain.getByLabel('The file').setInputFiles({ name: 'leaflet.png', mimeType: 'image/png', buffer: Buffer.from('\x89PNG not really a picture') });
  await plain.getByRole('button', { name: 'Upload the file' }).click();
  await plain.waitForURL(/\/evidence\/[0-9a-f-]{36}\?uploaded=1$/);
  expect(await text(plain, '#sha256')).toBe(createHash('sha256').update(Buffer.from('\x89PNG not really a picture')).digest('hex'));
  expect(await text(plain, '.govuk-table')).toContain('Collected');
  // axe-core needs JavaScript: the same page, checked in the JavaScript-enabled browser.
  await staff.goto(plain.url());
  await expectAccessible(staff);
  await screenshot(staff, 'evidence-item-custody');

  // Tenancy: the case's evidence list is not visible to another authority.
  await stack.http
    .get(`/allegations/${c.id}/evidence`)
    .set('Authorization', await bearer('staff@southvale'))
    .expect(404);
  const listed = await stack.http
    .get(`/allegations/${c.id}/evidence`)
    .set('Authorization', await bearer('staff@northshire'))
    .expect(200);
  expect(listed.body.map((i: { sha256: string }) => i.sha256)).toContain(sha256);

  // Once referred, triage seals the items into a package and sees its manifest hash.
  await stack.http
    .post(`/allegations/${c.id}/triage`)
    .set('Authorization', await bearer('triage@northshire'))
    .send({ decision: 'refer', forceId: 'northshire-police', note: 'Refer' })
    .expect(200);
  const triage = await as('triage@northshire');
  await triage.goto(`${base}/cases/${c.id}/evidence`);
  await triage.getByLabel('Scan of the postal vote statement').check();
  await triage.getByRole('button', { name: 'Seal the package' }).click();
  const banner = await text(triage, '.govuk-notification-banner');
  const [pkg] = await stack.db.query('SELECT manifest_sha256 FROM evidence_packages WHERE case_id = $1', [c.id]);
  expect(banner).toContain(pkg.manifest_sha256);
  await expectAccessible(triage);
  await screenshot(triage, 'evidence-packages');

  // Triage hands it over; the other force's SPOC cannot acknowledge it, the right one does.
  await triage.getByRole('button', { name: 'Hand over to the police' }).click();
  expect(await text(triage, '.govuk-notification-banner')).toContain('The package was handed over to the police');
  expect(await text(triage, '#main-content')).toContain('Receipt due');
  expect(await triage.getByRole('button', { name: 'Hand over to the police' }).count()).toBe(0);
  await expectAccessible(triage);
  const other = await as('spoc@southvale-police');
  await other.goto(`${base}/cases/${c.id}/evidence`);
  expect(await text(other, 'h1')).toBe('Page not found');
  const spoc = await as('spoc@northshire-police');
  await spoc.goto(`${base}/cases/${c.id}/evidence`);
  await spoc.getByLabel('Note (optional)').fill('Booked into the force property store.');
  await spoc.getByRole('button', { name: 'Acknowledge receipt' }).click();
  expect(await text(spoc, '.govuk-notification-banner')).toContain('You acknowledged receipt of the package');
  expect(await text(spoc, '#main-content')).toContain('Receipt acknowledged');
  expect(await spoc.getByRole('button', { name: 'Acknowledge receipt' }).count()).toBe(0);
  await expectAccessible(spoc);
  const [done] = await stack.db.query('SELECT status FROM evidence_packages WHERE case_id = $1', [c.id]);
  expect(done.status).toBe('acknowledged');
  const actions = (await stack.db.query('SELECT action FROM audit_events WHERE case_id = $1 ORDER BY seq', [c.id])).map((r: { action: string }) => r.action);
  expect(actions).toEqual(expect.arrayContaining(['package.handed_over', 'package.acknowledged']));
});

test('risk register: the heat map, overdue reviews first, and the owner records a review', async () => {
  const owner = nameUuid('plan_owner@northshire');
  const create = async (body: Record<string, unknown>) =>
    (
      await stack.http
        .post('/risks')
        .set('Authorization', await bearer('plan_owner@northshire'))
        .send({ category: 'postal_voting', ownerId: owner, mitigations: [], ...body })
        .expect(201)
    ).body;
  const calm = await create({
    title: 'Ballot paper storage at the count venue',
    category: 'ballot_paper_security',
    likelihood: 2,
    impact: 4,
    reviewEvery: 'P30D',
  });
  const harvesting = await create({
    title: 'Postal vote harvesting in houses of multiple occupation',
    category: 'houses_of_multiple_occupation',
    likelihood: 4,
    impact: 5,
    reviewEvery: 'PT1S',
  });
  await eventually(
    'the short-cycle risk overdue',
    async () => (await stack.http.get('/risks?overdue=true').set('Authorization', await bearer('plan_owner@northshire'))).body.length === 1,
    30_000,
    500,
  );

  const page = await as('plan_owner@northshire');
  await page.goto(`${base}/risk-register`);
  expect(await text(page, '#main-content')).toContain('1 review is overdue');
  const rows = page.locator('#risks tbody tr');
  expect(await rows.nth(0).innerText()).toContain(harvesting.title);
  expect(await rows.nth(0).innerText()).toContain('Overdue');
  expect(await rows.nth(1).innerText()).toContain(calm.title);
  expect((await page.locator('#heat-map td[data-likelihood="4"][data-impact="5"]').innerText()).trim()).toMatch(/^1/);
  expect(await page.locator('#heat-map td[data-likelihood="4"][data-impact="5"]').getAttribute('class')).toContain('app-heat--very_high');
  expect((await page.locator('#heat-map td[data-likelihood="2"][data-impact="4"]').innerText()).trim()).toMatch(/^1/);
  await expectAccessible(page);
  await screenshot(page, 'risk-register');

  await page.getByRole('link', { name: harvesting.title }).click();
  await page.getByRole('button', { name: 'Record the review' }).click();
  expect(await text(page, '.govuk-error-summary')).toContain('What the review found');
  await expectAccessible(page);
  await page.getByLabel('What did the review find?').fill('Visited the twelve HMOs; two referred to the police.');
  await page.locator('#likelihood-3').check();
  await page.getByRole('button', { name: 'Record the review' }).click();
  expect(await text(page, '.govuk-notification-banner')).toContain('Your review was recorded');
  expect(await text(page, '#reviews')).toContain('Visited the twelve HMOs');
  await expectAccessible(page);
  await screenshot(page, 'risk-review');
  const [stored] = await stack.db.query('SELECT likelihood, impact FROM risks WHERE id = $1', [harvesting.id]);
  expect(stored).toEqual({ likelihood: 3, impact: 5 });

  // Staff may read the register but only the owner records a review.
  const staff = await as('staff@northshire');
  await staff.goto(`${base}/risk-register/${calm.id}`);
  expect(await text(staff, '#main-content')).toContain('Only the risk’s owner records its reviews');
});

test('legal: the history behind the access-reason prompt, verified, and the bundle as JSON and PDF', async () => {
  const c = await loggedCase();
  const legal = await as('legal@northshire');
  await legal.goto(`${base}/cases/${c.id}`);
  await legal.getByRole('link', { name: 'Case history and verification' }).click();
  await expectAccessible(legal);
  await legal.getByRole('button', { name: 'Show the history' }).click();
  expect(await text(legal, '.govuk-error-summary')).toContain('Enter why you are reading this case history');
  await expectAccessible(legal);
  await legal.getByLabel('Reason').fill('Preparing the file for the CPS charging decision');
  await legal.getByRole('button', { name: 'Show the history' }).click();
  expect(await text(legal, '#verification')).toContain('Verified');
  expect(await text(legal, '#events')).toContain('history.read');
  await expectAccessible(legal);
  await screenshot(legal, 'legal-history');
  const [read] = await stack.db.query("SELECT after FROM audit_events WHERE case_id = $1 AND action = 'history.read'", [c.id]);
  expect(read.after.reason).toBe('Preparing the file for the CPS charging decision');

  await legal.getByRole('link', { name: 'Export the court bundle' }).click();
  await legal.getByLabel('Reason').fill('Disclosure to the CPS');
  await legal.getByLabel('Who receives it (optional)').fill('Crown Prosecution Service');
  await legal.getByLabel('JSON').check();
  await expectAccessible(legal);
  await screenshot(legal, 'legal-bundle-export');
  const [jsonDownload] = await Promise.all([legal.waitForEvent('download'), legal.getByRole('button', { name: 'Export the bundle' }).click()]);
  const bundle = JSON.parse(readFileSync((await jsonDownload.path())!, 'utf8'));
  expect(bundle.case.reference).toBe(c.reference);
  expect(jsonDownload.suggestedFilename()).toBe(`${c.reference}-bundle.json`);

  await legal.getByLabel('PDF').check();
  const [pdfDownload] = await Promise.all([legal.waitForEvent('download'), legal.getByRole('button', { name: 'Export the bundle' }).click()]);
  expect(
    readFileSync((await pdfDownload.path())!)
      .subarray(0, 5)
      .toString(),
  ).toBe('%PDF-');
  const disclosures = await stack.db.query("SELECT after FROM audit_events WHERE case_id = $1 AND action LIKE '%export%' ORDER BY seq", [c.id]);
  expect(disclosures.length).toBeGreaterThanOrEqual(2);
});
