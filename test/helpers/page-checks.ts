/** What every page a browser test visits is held to: axe, phone width, and its screenshots on demand. */
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

const SCREENSHOT_DIR = join(__dirname, '..', '..', 'docs', 'screenshots');

/** No serious or critical accessibility violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);
}

/**
 * Checks the page with axe and at phone width (no sideways scroll); with SCREENSHOTS=1 saves it at
 * 390 and 1280 px wide into docs/screenshots/<name>-phone.png and -desktop.png (a page without a
 * name is checked only: its screenshots belong to another test).
 */
export async function visited(page: Page, name?: string): Promise<void> {
  await expectAccessible(page);
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  if (process.env.SCREENSHOTS === '1' && name) {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-phone.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-desktop.png`), fullPage: true });
  }
  await page.setViewportSize(size);
}
