// Browser tests: playwright-core drives Debian's Chromium (`apt-get install chromium`; .ci/run
// installs it), headless, against the real stack listening on a loopback port. Every page a test
// visits is checked with axe-core at WCAG 2.2 AA, and the main pages are saved as screenshots.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { startTestStack, type TestStack, type TestStackOptions } from './stack';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = resolve(__dirname, '../../docs/screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}: install it with \`apt-get install chromium\` (or set CHROMIUM_PATH); the browser tests need it`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

// Evaluated through the DevTools protocol rather than added as a <script>: the pages' Content
// Security Policy (apps/api/src/common/hardening.ts) refuses inline scripts, and rightly so.
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[]; failureSummary: string }[];
}

/** Runs axe-core on the page as it stands; fails listing each violation at WCAG 2.2 AA. */
export async function expectAccessible(page: Page): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: tags } })).violations;
  }, TAGS)) as AxeViolation[];
  if (violations.length > 0) {
    const report = violations
      .map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}`).join('\n')}`)
      .join('\n');
    throw new Error(`axe-core found ${violations.length} WCAG 2.2 AA violation(s) on ${page.url()}:\n${report}`);
  }
}

/** A full-page screenshot under docs/screenshots/, for the README. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Signs in as a demo user through the sign-in page. */
export async function signIn(page: Page, base: string, username: string): Promise<void> {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel(username, { exact: true }).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
}

/** The real stack listening on a loopback port, and one browser whose pages a test opens. */
export interface BrowserStack {
  stack: TestStack;
  base: string;
  /** a page in a fresh browser context (no session), closed by closePages() */
  page(options?: BrowserContextOptions): Promise<Page>;
  /** a fresh page signed in as a demo user */
  as(username: string, options?: BrowserContextOptions): Promise<Page>;
  closePages(): Promise<void>;
  close(): Promise<void>;
}

export async function startBrowserStack(options: TestStackOptions = {}): Promise<BrowserStack> {
  const stack = await startTestStack(options);
  await stack.app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(stack.app.getHttpServer().address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  const contexts: BrowserContext[] = [];
  const page = async (contextOptions: BrowserContextOptions = {}) => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...contextOptions });
    contexts.push(context);
    return context.newPage();
  };
  return {
    stack,
    base,
    page,
    as: async (username, contextOptions) => {
      const signedIn = await page(contextOptions);
      await signIn(signedIn, base, username);
      return signedIn;
    },
    closePages: async () => {
      for (const c of contexts.splice(0)) await c.close();
    },
    close: async () => {
      await browser.close();
      await stack.close();
    },
  };
}

/** The text of the first element `selector` matches. */
export const textOf = (page: Page, selector: string) => page.locator(selector).first().innerText();
