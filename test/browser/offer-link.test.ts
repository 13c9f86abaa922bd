/**
 * A person, not a script: headless Chromium opens the Accept link from the real offer email, reads
 * the decision, clicks the button, and the workflow moves on.
 */
import type { Browser } from 'playwright-core';
import { internshipStateQuery } from '../../workflows/definitions';
import { applyAs, newEmployer, newPosting, newStudent, waitForStatus } from '../helpers/actors';
import { launchChromium } from '../helpers/browser';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { waitForEmail } from '../helpers/inbox';

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

test('a student opens the Accept link in a browser, sees the decision, clicks, and the internship moves to Funding', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);
  const student = await newStudent(h, 'Rosa Diaz');
  const { body } = await applyAs(h, student, id);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: employer.token,
    body: { applicationIds: [body.applicationId] },
  });
  const email = await waitForEmail(student.email, /You have an offer/);
  const accept = /Accept: (\S+)/.exec(email.text)![1]!;

  const page = await browser.newPage();
  await page.goto(accept);
  expect(await page.locator('h1').textContent()).toBe('Accept the offer for "Clean a sales dataset"?');
  // Rendering the page (as a link scanner would) decided nothing.
  const handle = h.temporal.workflow.getHandle(`internship:${id}`);
  expect((await handle.query(internshipStateQuery)).status).toBe('Offered');

  await page.getByRole('button', { name: 'Accept the offer' }).click();
  await page.waitForLoadState();
  expect(await page.locator('h1').textContent()).toBe('Done');
  expect(await page.textContent('main')).toContain('You accepted the offer');

  // Funding, or already past it: the saved test card is charged at once.
  await waitForStatus(h, employer, id, ['Funding', 'InProgress']);
  expect((await handle.query(internshipStateQuery)).hiredStudentId).toBe(student.id);

  // Going back and clicking again changes nothing.
  await page.goBack();
  await page.reload();
  expect(await page.locator('h1').textContent()).toBe('Already done');
  await page.close();
});
