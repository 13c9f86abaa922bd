import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { codeFor } from './actors';

/** Debian's Chromium, headless, with nothing of its own going to the network. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: apt-get install chromium (or set CHROMIUM_PATH)`,
    );
  }
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Signs an employer in as a person does: the address, then the code from the newest sign-in email. */
export async function signInAsEmployer(page: Page, baseUrl: string, email: string): Promise<void> {
  await page.goto(`${baseUrl}/app/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in code' }).click();
  await page.waitForURL(/\/app\/sign-in\/code/);
  await page.getByLabel('Code from the email').fill(await codeFor(email, /sign-in code/));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/app\/employer\/postings/);
}
