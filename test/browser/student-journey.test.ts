/**
 * A student in a real browser, through the web app only: signs up, reads the code from the email,
 * signs in, browses by skill, opens a posting, applies, and sees the application listed. Every page
 * visited is checked with axe (no serious or critical violations); SCREENSHOTS=1 saves each page at
 * desktop and phone width into docs/screenshots/.
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { startApiHarness, type ApiHarness } from '../helpers/harness';

const SCREENSHOT_DIR = join(__dirname, '..', '..', 'docs', 'screenshots');
let h: ApiHarness;
let browser: Browser;

beforeAll(async () => {
  h = await startApiHarness();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

/** No serious or critical accessibility violation on the page as it is now. */
async function expectAccessible(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);
}

/** Checks the page with axe, and with SCREENSHOTS=1 saves it at 1280 and 390 px wide. */
async function visited(page: Page, name: string): Promise<void> {
  await expectAccessible(page);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(page.viewportSize()!.width);
  if (process.env.SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const size = page.viewportSize()!;
  for (const [label, w] of [
    ['desktop', 1280],
    ['phone', 390],
  ] as const) {
    await page.setViewportSize({ width: w, height: 900 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(size);
}

test('the pages keep the strict Content-Security-Policy of the API, and their assets load under it', async () => {
  const api = await fetch(`${h.baseUrl}/healthz`);
  const page = await fetch(`${h.baseUrl}/app/sign-in`);
  const csp = page.headers.get('content-security-policy')!;
  expect(csp).toBe(api.headers.get('content-security-policy'));
  const scriptSrc = /script-src ([^;]*)/.exec(csp)![1]!;
  expect(scriptSrc.trim()).toBe("'self'");
  expect(csp).toContain("script-src-attr 'none'");

  const home = await fetch(`${h.baseUrl}/`, { redirect: 'manual' });
  expect(home.headers.get('location')).toBe('/app');
  const html = await page.text();
  expect(html).not.toMatch(/<script>|<script [^>]*>[^<]|\sstyle="|\son\w+="/);
  const css = /href="(\/assets\/app\.css\?v=\w+)"/.exec(html)![1]!;
  const asset = await fetch(`${h.baseUrl}${css}`);
  expect(asset.status).toBe(200);
  expect(asset.headers.get('cache-control')).toContain('immutable');
});

test('in the browser, the stylesheet and script load under that policy and the browser tells its time zone', async () => {
  const context = await browser.newContext({ timezoneId: 'America/Chicago' });
  const page = await context.newPage();
  const refused: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
  });
  await page.goto(`${h.baseUrl}/app/sign-in`);
  await visited(page, 'sign-in');
  expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toContain('system-ui');
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === 'tz')?.value).toBe(encodeURIComponent('America/Chicago'));
  expect(refused).toEqual([]);
  await context.close();
});
