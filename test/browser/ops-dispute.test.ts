/**
 * Ops resolve a dispute in a real browser: a finance staff member signs in with the code from their
 * inbox, finds the dispute on the dashboard with its run in the Temporal UI and its audit trail,
 * asks for a share the API refuses (its message beside the field), then for 40%, confirms the
 * amounts the API states, and both sides read the outcome in their inbox. axe on every page.
 */
import type { Browser } from 'playwright-core';
import { codeFor, staffSession } from '../helpers/actors';
import { launchChromium } from '../helpers/browser';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { emailsTo, waitForEmail } from '../helpers/inbox';
import { disputeThroughApi } from '../helpers/journeys';
import { visited } from '../helpers/page-checks';

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

test('finance staff sign in with the emailed code, find the dispute with its Temporal UI and audit links, and resolve it at 40% after confirming the amounts', async () => {
  // Given a dispute (work rejected after two rounds of changes) and a finance staff member
  const { employer, student, id } = await disputeThroughApi(h, { studentName: 'Lena Fischer' });
  const email = `farah-${uniqueSuffix()}@ops.test`;
  const added = await call(h.baseUrl, 'POST', '/v1/admin/staff', {
    token: await staffSession(h, 'admin'),
    body: { email, name: 'Farah Haddad', role: 'finance' },
  });
  expect(added.status).toBe(201);
  await waitForEmail(email, /invited/);
  const context = await browser.newContext({
    timezoneId: 'America/Los_Angeles',
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();

  // The dashboard asks them to sign in first, by the code in their email, and comes back
  await page.goto(`${h.baseUrl}/app/ops`);
  await page.waitForURL(/\/app\/sign-in\?next=/);
  await page.getByLabel('Email address').fill(email);
  const before = (await emailsTo(email)).length;
  await page.getByRole('button', { name: 'Email me a sign-in code' }).click();
  await page.waitForURL(/\/app\/sign-in\/code/);
  // Not signed in since the invitation: the email sent now confirms the address, with a new code
  for (let i = 0; i < 150 && (await emailsTo(email)).length <= before; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await page.getByLabel('Code from the email').fill(await codeFor(email));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/app\/ops(\?|$)/);
  await page.reload(); // the browser's zone is known from here on
  await visited(page, 'ops-dashboard');

  // The dispute is listed with its fee, its run in the Temporal UI and its audit trail
  const workflowId = `internship:${id}`;
  const { runId } = await h.temporal.workflow.getHandle(workflowId).describe();
  const row = page.locator(`#openDisputes li[data-internship="${id}"]`);
  expect(await row.innerText()).toContain('$250.00');
  expect(await row.innerText()).toMatch(/\d{2}:\d{2} P[SD]T/);
  const temporal = await row.getByRole('link', { name: /Workflow in the Temporal UI/ }).getAttribute('href');
  expect(temporal).toContain(encodeURIComponent(workflowId));
  expect(temporal).toContain(`/${runId}/history`);
  expect(temporal!.startsWith(h.config.TEMPORAL_UI_URL.replace(/\/+$/, ''))).toBe(true);

  await row.getByRole('link', { name: /Audit trail/ }).click();
  await page.waitForURL(new RegExp(`/app/ops/internships/${id}$`));
  const trail = await page.locator('main').innerText();
  expect(trail).toContain('selectStudents');
  expect(trail.match(/\breview\b/g)?.length).toBeGreaterThanOrEqual(3);
  await visited(page, 'ops-audit');
  await page.getByRole('link', { name: 'Back to what waits on ops' }).click();

  // A share the API refuses: its message beside the field, nothing moved
  await row.getByLabel('Student’s share of the fee (%)').fill('150');
  await row.getByRole('button', { name: 'See the amounts' }).click();
  await page.waitForURL(/\/resolve\?studentSharePct=150/);
  const share = page.getByLabel('Student’s share of the fee (%)');
  await expect(share.getAttribute('aria-invalid')).resolves.toBe('true');
  expect(await page.locator('#f-studentSharePct-error').textContent()).toMatch(/100/);
  await visited(page, 'ops-resolve-error');

  // 40%: the confirmation states what each side gets, as the API computes it
  await share.fill('40');
  await page.getByRole('button', { name: 'See the amounts' }).click();
  await page.waitForURL(/\/resolve\?studentSharePct=40/);
  const confirm = page.locator('.confirm');
  expect(await confirm.locator('h2').textContent()).toContain('40% of the fee to the student');
  expect(await confirm.locator('.student-paid').textContent()).toBe('$90.00');
  expect(await confirm.locator('.employer-refund').textContent()).toBe('$150.00');
  await visited(page, 'ops-resolve-confirm');
  await page.getByRole('button', { name: 'Resolve the dispute' }).click();
  await page.waitForURL(/\/app\/ops\?notice=resolved/);
  expect(await page.locator('.notice').textContent()).toContain('The dispute is resolved');
  // The list is read from the read model, which the workflow updates a moment later
  const listed = page.locator(`#openDisputes li[data-internship="${id}"]`);
  for (let i = 0; i < 50 && (await listed.count()) > 0; i++) {
    await new Promise((r) => setTimeout(r, 200));
    await page.reload();
  }
  expect(await listed.count()).toBe(0);
  await visited(page, 'ops-resolved');

  // Both sides are told the outcome by email, with the amounts
  const toStudent = await waitForEmail(student.email, /dispute .* is resolved/, 30_000);
  const toEmployer = await waitForEmail(employer.email, /dispute .* is resolved/, 30_000);
  expect(toStudent.text).toContain('40%');
  expect(toEmployer.text).toContain('$150.00');

  // The audit trail names who resolved it, through the browser
  await page.goto(`${h.baseUrl}/app/ops/internships/${id}`);
  expect(await page.locator('main').innerText()).toMatch(
    /resolveDispute[\s\S]*ops \(finance\)[\s\S]*browser/,
  );
  await context.close();
});
