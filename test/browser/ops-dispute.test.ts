/**
 * Ops in a real browser. A finance staff member signs in with the code from their inbox, finds the
 * dispute on the dashboard with its run in the Temporal UI and its audit trail, asks for a share the
 * API refuses (its message beside the field), then for 40%, confirms the amounts the API states, and
 * both sides read the outcome in their inbox. Fees below the fair-pay floor: staff who sign in without
 * a page to go back to land on their dashboard; support staff (who only read) see the API's refusal
 * beside the fee; finance approves one (the posting opens) and declines another (the employer is
 * emailed); the audit page links the run in the Temporal UI. axe on every page.
 */
import type { Browser, Page } from 'playwright-core';
import type { StaffRole } from '../../db/accounts';
import {
  applyAs,
  codeFor,
  newEmployer,
  newStudent,
  samplePosting,
  staffSession,
  waitForStatus,
} from '../helpers/actors';
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

/** A staff member added by an admin, invited by email; their address. */
async function newStaff(role: StaffRole, name: string): Promise<string> {
  const email = `${role}-${uniqueSuffix()}@ops.test`;
  const added = await call(h.baseUrl, 'POST', '/v1/admin/staff', {
    token: await staffSession(h, 'admin'),
    body: { email, name, role },
  });
  expect(added.status).toBe(201);
  await waitForEmail(email, /invited/);
  return email;
}

/** On the sign-in page: asks for a code by email and signs in with it. */
async function signInWithCode(page: Page, email: string): Promise<void> {
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
}

const newPage = async (timezoneId: string) =>
  (await browser.newContext({ timezoneId, viewport: { width: 1280, height: 900 } })).newPage();

test('finance staff sign in with the emailed code, find the dispute with its Temporal UI and audit links, and resolve it at 40% after confirming the amounts', async () => {
  // Given a dispute (work rejected after two rounds of changes) and a finance staff member
  const { employer, student, id } = await disputeThroughApi(h, { studentName: 'Lena Fischer' });
  const email = await newStaff('finance', 'Farah Haddad');
  const page = await newPage('America/Los_Angeles');

  // The dashboard asks them to sign in first, by the code in their email, and comes back
  await page.goto(`${h.baseUrl}/app/ops`);
  await page.waitForURL(/\/app\/sign-in\?next=/);
  await signInWithCode(page, email);
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
  await page.context().close();
});

/** The dashboard, reloaded until the read model shows (or stops showing) the posting's row. */
async function dashboardRow(page: Page, id: string, present: boolean) {
  const row = page.locator(`#feeExceptions li[data-internship="${id}"]`);
  for (let i = 0; i < 50 && (await row.count()) > 0 !== present; i++) {
    await new Promise((r) => setTimeout(r, 200));
    await page.reload();
  }
  expect(await row.count()).toBe(present ? 1 : 0);
  return row;
}

test('staff land on their dashboard; support is refused beside the fee; finance approves one fee (the posting opens) and declines another (the employer is emailed); the audit page links the run in the Temporal UI', async () => {
  // Given an employer's two postings at $120.00 for 10 hours, each asking for an exception to the floor
  const employer = await newEmployer(h, 'Northwind Research');
  const post = async (title: string) => {
    const res = await call(h.baseUrl, 'POST', '/v1/internships', {
      token: employer.token,
      body: {
        ...samplePosting,
        title,
        feeCents: 12_000,
        feeException: true,
        screeningQuestions: ['Which tool would you use, and why?'],
      },
    });
    expect(res.body.status).toBe('AwaitingApproval');
    return res.body.id as string;
  };
  const toApprove = await post('Tag 300 survey answers');
  const toDecline = await post('Transcribe two interviews');
  const support = await newStaff('support', 'Sam Okafor');
  const finance = await newStaff('finance', 'Farah Haddad');

  // Support staff sign in with no page to go back to, and land on what waits on ops
  const asSupport = await newPage('Europe/Berlin');
  await asSupport.goto(`${h.baseUrl}/app/sign-in`);
  await signInWithCode(asSupport, support);
  await asSupport.waitForURL(/\/app\/ops\?notice=signed-in$/);
  const seen = await dashboardRow(asSupport, toApprove, true);
  expect(await seen.innerText()).toContain('$120.00');

  // They only read: the confirmation states the fee, and the API's refusal is shown beside it
  await seen.getByRole('link', { name: 'Approve the fee for Tag 300 survey answers' }).click();
  await asSupport.waitForURL(
    new RegExp(`/app/ops/internships/${toApprove}/fee-exception\\?decision=approve$`),
  );
  const confirm = asSupport.locator('.confirm');
  expect(await confirm.locator('.amount strong').textContent()).toBe('$120.00');
  expect(await confirm.innerText()).toMatch(/10 hours[\s\S]*\$12\.00/);
  await visited(asSupport, 'ops-fee-confirm');
  await asSupport.getByRole('button', { name: 'Approve the fee' }).click();
  await asSupport.waitForURL(new RegExp(`/app/ops/internships/${toApprove}/fee-exception$`));
  expect(await asSupport.locator('.error-summary').innerText()).toContain('finance');
  expect(await asSupport.locator('.confirm .amount strong').textContent()).toBe('$120.00');
  await visited(asSupport, 'ops-fee-refused');
  expect(
    (await call(h.baseUrl, 'GET', `/v1/internships/${toApprove}`, { token: employer.token })).body.status,
  ).toBe('AwaitingApproval');
  await asSupport.context().close();

  // Finance staff land on the dashboard too; each row links its run in the Temporal UI
  const page = await newPage('America/Los_Angeles');
  await page.goto(`${h.baseUrl}/app/sign-in`);
  await signInWithCode(page, finance);
  await page.waitForURL(/\/app\/ops\?notice=signed-in$/);
  await page.reload(); // the browser's zone is known from here on
  const row = await dashboardRow(page, toApprove, true);
  await dashboardRow(page, toDecline, true);
  const workflowId = `internship:${toApprove}`;
  const { runId } = await h.temporal.workflow.getHandle(workflowId).describe();
  const listed = await row.getByRole('link', { name: /Workflow in the Temporal UI/ }).getAttribute('href');
  expect(listed).toContain(`${encodeURIComponent(workflowId)}/${runId}/history`);
  await visited(page, 'ops-fee-dashboard');

  // Approving after the confirmation opens the posting: students can apply
  await row.getByRole('link', { name: 'Approve the fee for Tag 300 survey answers' }).click();
  expect(await page.locator('.confirm .amount strong').textContent()).toBe('$120.00');
  await page.getByRole('button', { name: 'Approve the fee' }).click();
  await page.waitForURL(/\/app\/ops\?notice=fee-approved$/);
  expect(await page.locator('.notice').textContent()).toContain('The fee is approved');
  await waitForStatus(h, employer, toApprove, 'Open', 30_000);
  const student = await newStudent(h, 'Ines Duarte');
  expect((await applyAs(h, student, toApprove)).status).toBe(201);
  await dashboardRow(page, toApprove, false);
  await visited(page, 'ops-fee-approved');

  // Declining the other cancels it, and its employer reads why in their inbox
  await (
    await dashboardRow(page, toDecline, true)
  )
    .getByRole('link', { name: 'Decline the fee for Transcribe two interviews' })
    .click();
  const declining = page.locator('.confirm');
  expect(await declining.locator('h2').textContent()).toContain('Decline this fee');
  expect(await declining.locator('.amount strong').textContent()).toBe('$120.00');
  expect(await declining.innerText()).toContain('the employer is told by email');
  await visited(page, 'ops-fee-decline-confirm');
  await page.getByRole('button', { name: 'Decline the fee' }).click();
  await page.waitForURL(/\/app\/ops\?notice=fee-declined$/);
  await waitForStatus(h, employer, toDecline, 'Cancelled', 30_000);
  const told = await waitForEmail(employer.email, /"Transcribe two interviews" was not approved/, 30_000);
  expect(told.text).toContain('$120.00');
  expect(told.text).toContain('Nothing was charged');

  // The audit page links the same run in the Temporal UI, and names who approved it, through the browser
  await page.goto(`${h.baseUrl}/app/ops/internships/${toApprove}`);
  const temporal = await page.getByRole('link', { name: /Workflow in the Temporal UI/ }).getAttribute('href');
  expect(temporal).toContain(encodeURIComponent(workflowId));
  expect(temporal).toContain(`/${runId}/history`);
  expect(temporal!.startsWith(h.config.TEMPORAL_UI_URL.replace(/\/+$/, ''))).toBe(true);
  expect(await page.locator('main').innerText()).toMatch(
    /decideFeeException[\s\S]*ops \(finance\)[\s\S]*browser/,
  );
  await visited(page, 'ops-fee-audit');
  await page.context().close();
});
