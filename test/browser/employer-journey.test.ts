/**
 * An employer in a real browser, through the web app only: signs in with the emailed code, posts
 * (a fee under the fair-pay floor refused beside the field first), saves a card through Stripe
 * Checkout in setup mode, reviews the applicants blind, ranks a shortlist, sees the first accept,
 * approves the submitted work after a confirmation stating the fee, gives feedback and makes a
 * hiring offer that the student accepts. The students act through the API. Every page visited is
 * checked with axe and at phone width; SCREENSHOTS=1 saves each into docs/screenshots/.
 */
import type { Browser } from 'playwright-core';
import { launchChromium, signInAsEmployer } from '../helpers/browser';
import {
  deliverStripeEvent,
  newEmployer,
  newStudent,
  payoutAccountReady,
  waitForStatus,
  type Actor,
} from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
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

/** Stripe reports a card saved through Checkout in setup mode (a signed webhook). */
async function cardSavedByStripe(employerId: string) {
  const res = await deliverStripeEvent(h, {
    id: `evt_setup_${employerId.replace(/-/g, '')}`,
    object: 'event',
    type: 'setup_intent.succeeded',
    data: {
      object: {
        id: `seti_${employerId.slice(0, 8)}`,
        payment_method: 'pm_card_visa',
        metadata: { employerId },
      },
    },
  });
  expect(res.status).toBe(200);
}

const PITCHES = [
  'I have cleaned survey data for two research projects and document every step I take.',
  'Three years of spreadsheets for my family shop; I love finding the duplicates nobody saw.',
  'I build small dashboards in my data club and explain every figure in plain words.',
];

test('an employer signs in, posts, saves a card, reviews blind, ranks a shortlist, approves the work, gives feedback and sees the hiring offer accepted', async () => {
  const employer = await newEmployer(h, 'Northwind Analytics');
  const context = await browser.newContext({
    timezoneId: 'Europe/Berlin',
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();

  // Signs in from the emailed code and lands on their postings
  await signInAsEmployer(page, h.baseUrl, employer.email);
  expect(await page.locator('.notice').textContent()).toContain('You are signed in');
  await visited(page, 'employer-postings-empty');

  // Posts: a fee under the fair-pay floor is refused beside the fee, what was typed stays
  await page.getByRole('link', { name: 'Post', exact: true }).click();
  await page.waitForURL(/\/postings\/new$/);
  await page.getByLabel('Title').fill('Clean a survey dataset');
  await page
    .getByLabel('The project')
    .fill('Our customer survey has 4,000 rows with duplicates and typos to fix.');
  await page.getByLabel('What the student delivers').fill('A cleaned CSV and a one-page note.');
  await page.getByLabel('Skills').fill('Excel, data cleaning');
  await page.getByLabel('Estimated hours').fill('10');
  // With the script, the floor for the hours typed is shown as they type
  await expect(page.locator('.fair-pay').textContent()).resolves.toContain('$200.00');
  await page.getByLabel('Fee in US dollars').fill('150');
  await page.getByLabel('Questions for applicants (optional)').fill('Which tool would you use, and why?');
  await visited(page, 'employer-post');
  await page.getByRole('button', { name: 'Post it' }).click();
  const fee = page.getByLabel('Fee in US dollars');
  await expect(fee.getAttribute('aria-invalid')).resolves.toBe('true');
  expect(await page.locator('#f-feeCents-error').textContent()).toMatch(/20000 cents for 10 hours/);
  expect(await page.getByLabel('Title').inputValue()).toBe('Clean a survey dataset');
  await visited(page, 'employer-post-under-floor');
  await fee.fill('250');
  await page.getByRole('button', { name: 'Post it' }).click();
  await page.waitForURL(/\/app\/employer\/postings\/[0-9a-f-]{36}\?notice=posted/);
  const id = /postings\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  expect(await page.locator('.status').textContent()).toContain('Open for applications');
  await visited(page, 'employer-posting-open');

  // Funding: a card saved through Stripe Checkout in setup mode (Stripe's page stands in here)
  await page.route('https://checkout.stripe.com/**', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><title>Stripe Checkout</title><main>Stripe</main>',
    }),
  );
  await page.getByRole('link', { name: 'Funding' }).click();
  expect(await page.locator('.card-status').textContent()).toContain('No card is saved yet');
  await visited(page, 'employer-funding');
  await page.getByRole('button', { name: 'Save a card' }).click();
  await visited(page, 'employer-card-setup');
  await page.getByRole('link', { name: 'Continue to Stripe' }).click();
  await page.waitForURL(/^https:\/\/checkout\.stripe\.com\//);
  await cardSavedByStripe(employer.id);
  await page.goto(`${h.baseUrl}/app/employer/funding?card=saved`);
  expect(await page.locator('.card-status').textContent()).toContain('A card is saved');

  // Three students apply (through the API)
  const students: Actor[] = [];
  const applications: string[] = [];
  for (const [i, name] of ['Maya Chen', 'Omar Haddad', 'Lena Vogel'].entries()) {
    const student = await newStudent(h, name);
    const applied = await call(h.baseUrl, 'POST', `/v1/internships/${id}/applications`, {
      token: student.token,
      body: { pitch: PITCHES[i], answers: ['Excel: pivot tables'] },
    });
    expect(applied.status).toBe(201);
    students.push(student);
    applications.push(applied.body.label as string);
  }

  // The blind review: labels, pitches, answers and skills, no names or schools
  await page.goto(`${h.baseUrl}/app/employer/postings/${id}`);
  await page.getByRole('link', { name: 'Review applicants and choose' }).click();
  const main = (await page.locator('main').textContent())!;
  for (const pitch of PITCHES) expect(main).toContain(pitch);
  expect(main).toContain('Which tool would you use, and why?');
  expect(main).not.toMatch(/Maya|Omar|Lena|Lakeside/);
  await visited(page, 'employer-applicants');

  // Ranks a shortlist: the second applicant first, then the first
  await page.getByLabel(`Rank ${applications[1]}`).selectOption('1');
  await page.getByLabel(`Rank ${applications[0]}`).selectOption('2');
  await page.getByRole('button', { name: 'Offer to my shortlist' }).click();
  await page.waitForURL(/notice=shortlisted/);
  await waitForStatus(h, employer, id, 'Offered', 30_000);
  await page.reload();
  const shortlist = page.locator('ol.shortlist');
  expect(await shortlist.textContent()).toMatch(new RegExp(`${applications[1]}\\s*: Offered`));
  expect(await shortlist.textContent()).toMatch(new RegExp(`${applications[0]}\\s*: next on the shortlist`));
  await visited(page, 'employer-posting-offered');

  // The first on the shortlist accepts: the saved card is charged, the name is revealed
  const hired = students[1]!;
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: hired.token,
    body: { accept: true },
  });
  await waitForStatus(h, employer, id, 'InProgress', 30_000);
  await page.reload();
  expect(await shortlist.textContent()).toContain('Omar Haddad');
  expect(await page.locator('main').textContent()).toContain('kill fee of $62.50');
  await visited(page, 'employer-posting-in-progress');

  // The work comes in: approving states the fee first
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, {
    token: hired.token,
    body: { url: 'https://example.com/cleaned.csv', notes: 'The cleaned file and a one-page note.' },
  });
  await waitForStatus(h, employer, id, 'InReview', 30_000);
  await page.reload();
  expect(await page.locator('main').textContent()).toContain('https://example.com/cleaned.csv');
  await visited(page, 'employer-review');
  await page.getByRole('button', { name: 'Approve the work' }).click();
  expect(await page.locator('.confirm').textContent()).toContain('$250.00');
  await visited(page, 'employer-approve-confirm');
  await page.getByRole('button', { name: 'Approve and release the fee' }).click();
  await page.waitForURL(/notice=work-approved/);
  await waitForStatus(h, employer, id, ['Paying', 'Completed'], 30_000);
  await waitForPayoutReady(hired);
  await waitForStatus(h, employer, id, 'Completed', 30_000);

  // Feedback, then the hiring offer
  await page.goto(`${h.baseUrl}/app/employer/postings/${id}`);
  await visited(page, 'employer-completed');
  await page.getByLabel('Rating').selectOption('5');
  await page.getByLabel('Your feedback').fill('Careful, fast and clear about every change.');
  await page.getByRole('button', { name: 'Send feedback' }).click();
  await page.waitForURL(/notice=feedback-given/);
  await page.getByLabel('Role').fill('Junior data analyst');
  await page.getByLabel('Kind of job').selectOption('full_time');
  await page.getByLabel('Pay in US dollars').fill('52000');
  await page.getByLabel('Per').selectOption('year');
  await page.getByLabel('Start date').fill('2027-02-01');
  const expires = new Date(Date.now() + 10 * 86_400_000)
    .toLocaleString('sv-SE', { timeZone: 'Europe/Berlin' })
    .replace(' ', 'T')
    .slice(0, 16);
  await page.getByLabel('The offer is open until').fill(expires);
  await page.getByRole('button', { name: 'Send the offer' }).click();
  await page.waitForURL(/notice=hiring-offer-sent/);
  expect(await page.locator('.hiring-status').textContent()).toContain("Waiting for the student's answer");
  await visited(page, 'employer-hiring-offer');

  // The student accepts: the page shows it accepted
  const answered = await call(h.baseUrl, 'POST', `/v1/internships/${id}/hiring-offer/response`, {
    token: hired.token,
    body: { accept: true },
  });
  expect(answered.status).toBe(200);
  await waitForStatus(h, employer, id, 'Closed', 30_000);
  await page.reload();
  expect(await page.locator('.hiring-status').textContent()).toContain('The student accepted your offer.');
  await visited(page, 'employer-hiring-accepted');

  // The team: invite someone, then remove them
  await page.getByRole('link', { name: 'Team' }).click();
  await page.getByLabel('Email address').fill(`analyst-${id.slice(0, 8)}@northwind.test`);
  await page.getByLabel('Name (optional)').fill('Grace Hopper');
  await page.getByRole('button', { name: 'Send the invitation' }).click();
  await page.waitForURL(/notice=invited/);
  expect(await page.locator('main').textContent()).toContain('Grace Hopper');
  await visited(page, 'employer-team');
  await page.getByRole('button', { name: 'Remove Grace Hopper' }).click();
  await page.waitForURL(/notice=member-removed/);
  expect(await page.locator('main').textContent()).not.toContain('Grace Hopper');
  await context.close();
});

test('a form sent after the session ended does nothing, says so, gives back what was written and leads back after sign-in', async () => {
  const employer = await newEmployer(h, 'Fabrikam Research');
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAsEmployer(page, h.baseUrl, employer.email);
  await page.getByRole('link', { name: 'Post', exact: true }).click();
  await page.waitForURL(/\/postings\/new$/);
  const project = 'Our field notes from 40 interviews need coding into themes, with a short memo on each.';
  await page.getByLabel('Title').fill('Code interview notes');
  await page.getByLabel('The project').fill(project);

  // Meanwhile the session ends: signed out in another tab with the same cookie
  const other = await browser.newContext();
  await other.addCookies(await context.cookies());
  const tab = await other.newPage();
  await tab.goto(`${h.baseUrl}/app/employer/postings`);
  await tab.getByRole('button', { name: 'Sign out' }).click();
  await tab.waitForURL(/notice=signed-out/);
  await other.close();

  const answer = page.waitForResponse((r) => r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Post it' }).click();
  expect((await answer).status()).toBe(401);
  expect(await page.locator('h1').textContent()).toContain('You were signed out');
  expect(
    await page
      .locator('textarea[readonly]')
      .evaluateAll((areas) => areas.map((a) => (a as unknown as { value: string }).value)),
  ).toEqual(expect.arrayContaining(['Code interview notes', project]));
  const mine = await call(h.baseUrl, 'GET', '/v1/internships?limit=100', { token: employer.token });
  expect(mine.body.items).toEqual([]);
  await visited(page, 'session-ended');

  // Sign-in from there leads back to the form
  const signIn = page.getByRole('link', { name: 'Sign in' }).last();
  expect(await signIn.getAttribute('href')).toBe(
    `/app/sign-in?next=${encodeURIComponent('/app/employer/postings/new')}`,
  );
  await context.close();
});

/** The student's payout account is created when the payout first waits; then Stripe reports it ready. */
async function waitForPayoutReady(student: Actor): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await h.db.query('SELECT stripe_account_id FROM students WHERE id = $1', [student.id]);
    if (rows[0]?.stripe_account_id) {
      expect((await payoutAccountReady(h, student)).status).toBe(200);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no payout account was made');
}
