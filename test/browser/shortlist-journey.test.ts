/**
 * The offer moving down the shortlist, as the employer sees it in the browser: the first declines,
 * the second lets the window run out, the third accepts; then the work is not delivered, and the
 * employer re-selects from the applicants left. Windows run on a 5-second day (HUMAN_DAY_SECONDS):
 * the 24-hour offer window lasts 5 s, the 3-day work 15 s, the 48-hour grace 10 s.
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium, signInAsEmployer } from '../helpers/browser';
import { applyAs, newEmployer, newPosting, newStudent, waitForStatus, type Actor } from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { visited } from '../helpers/page-checks';

let h: ApiHarness;
let browser: Browser;

beforeAll(async () => {
  h = await startApiHarness({ config: { HUMAN_DAY_SECONDS: '5' } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

/** Polls until `check` holds of the posting's progress as the API tells the employer. */
async function progressUntil(employer: Actor, id: string, check: (p: any) => boolean, timeoutMs = 40_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(h.baseUrl, 'GET', `/v1/internships/${id}/progress`, { token: employer.token });
    if (res.status === 200 && check(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`progress never matched: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function shortlistText(page: Page): Promise<string> {
  await page.reload();
  return (await page.locator('ol.shortlist').textContent()) ?? '';
}

test('a decline and a lapse move the offer down the shortlist; a missed deadline ends in re-selection', async () => {
  const employer = await newEmployer(h, 'Fabrikam Research');
  const id = await newPosting(h, employer, { acceptWindowHours: 24, workDurationDays: 3 });
  const students: Actor[] = [];
  const labels: string[] = [];
  for (const name of ['Ana Lima', 'Ben Okoro', 'Chen Wei', 'Dara Kelly']) {
    const student = await newStudent(h, name);
    const applied = await applyAs(h, student, id);
    expect(applied.status).toBe(201);
    students.push(student);
    labels.push(applied.body.label as string);
  }
  const [ana, , chen] = students as [Actor, Actor, Actor, Actor];

  // The employer signs in and ranks three of the four
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInAsEmployer(page, h.baseUrl, employer.email);
  await page.goto(`${h.baseUrl}/app/employer/postings/${id}/applicants`);
  for (const [i, rank] of ['1', '2', '3'].entries()) {
    await page.getByLabel(`Rank ${labels[i]}`).selectOption(rank);
  }
  await page.getByRole('button', { name: 'Offer to my shortlist' }).click();
  await page.waitForURL(/notice=shortlisted/);

  // The first declines: the offer passes to the second
  await waitForStatus(h, employer, id, 'Offered', 30_000);
  const declined = await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: ana.token,
    body: { accept: false },
  });
  expect(declined.status).toBe(200);
  await progressUntil(employer, id, (p) => p.offer !== null && p.shortlist.length === 1);
  const afterDecline = await shortlistText(page);
  expect(afterDecline).toMatch(new RegExp(`${labels[0]}\\s*: Declined`));
  expect(afterDecline).toMatch(new RegExp(`${labels[1]}\\s*: Offered`));
  await visited(page, 'employer-shortlist-declined');

  // The second does not answer within the window: the offer lapses to the third
  await progressUntil(employer, id, (p) => p.offer !== null && p.shortlist.length === 0);
  const afterLapse = await shortlistText(page);
  expect(afterLapse).toMatch(new RegExp(`${labels[1]}\\s*: Did not answer in time`));
  expect(afterLapse).toMatch(new RegExp(`${labels[2]}\\s*: Offered`));
  await visited(page, 'employer-shortlist-lapsed');

  // The third accepts, then misses the due date: the employer chooses to re-select
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: chen.token,
    body: { accept: true },
  });
  await waitForStatus(h, employer, id, 'InProgress', 30_000);
  await progressUntil(employer, id, (p) => p.missedDeadline !== null, 60_000);
  await page.reload();
  expect(await page.locator('main').textContent()).toContain('The due date passed without the work');
  await visited(page, 'employer-missed-deadline');
  await page.getByRole('button', { name: 'Choose another applicant' }).click();
  await page.waitForURL(/notice=recovery-decided/);
  await waitForStatus(h, employer, id, 'Selecting', 30_000);

  // The one applicant left is offered the work
  await page.goto(`${h.baseUrl}/app/employer/postings/${id}/applicants`);
  await page.getByLabel(`Rank ${labels[3]}`).selectOption('1');
  await page.getByRole('button', { name: 'Offer to my shortlist' }).click();
  await page.waitForURL(/notice=shortlisted/);
  await waitForStatus(h, employer, id, 'Offered', 30_000);
  expect(await shortlistText(page)).toMatch(new RegExp(`${labels[3]}\\s*: Offered`));
  await context.close();
});
