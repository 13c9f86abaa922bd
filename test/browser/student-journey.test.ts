/**
 * A student in a real browser, through the web app: signs up, reads the code from the email, signs
 * in, browses by skill, applies, accepts the offer, works, is paid once payouts are set up with Stripe
 * (its webhook stands in for finishing onboarding), gives feedback, and shares a credential from her
 * credentials page that anyone opens signed out and sees verified; the employer acts through the API.
 * Every page visited is checked with axe (no serious or critical violations); SCREENSHOTS=1 saves
 * each page at desktop and phone width into docs/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import {
  applyAs,
  newEmployer,
  newPosting,
  newStudent,
  payoutAccountReady,
  waitForStatus,
} from '../helpers/actors';
import { MAX_APPLICANTS } from '../../workflows/durations';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { waitForEmail } from '../helpers/inbox';
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
  expect(await page.evaluate<string>('getComputedStyle(document.body).fontFamily')).toContain('system-ui');
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === 'tz')?.value).toBe(encodeURIComponent('America/Chicago'));
  expect(refused).toEqual([]);
  await context.close();
});

const PITCH = 'I have cleaned survey data for two research projects and document every step I take.';

test('a student signs up, signs in with the emailed code, finds a posting by skill, applies, accepts the offer, asks for time, submits, reads the change requested, is paid once payouts are set up, gives feedback and shares a credential anyone can see verified', async () => {
  // Given an employer's open posting that needs a skill no other test uses
  const employer = await newEmployer(h);
  const skill = `sheets-${uniqueSuffix()}`;
  const id = await newPosting(h, employer, { skills: ['Excel', skill] });
  const email = `maya-${uniqueSuffix()}@students.test`;
  const context = await browser.newContext({
    timezoneId: 'America/New_York',
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();

  // The home page leads to signing up (the script learns the browser's time zone on the way).
  await page.goto(`${h.baseUrl}/`);
  await visited(page, 'home');
  await page.getByRole('link', { name: 'Sign up as a student' }).click();
  await visited(page, 'student-sign-up');
  await page.getByLabel('Full name').fill('Maya Chen');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('School (optional)').fill('Lakeside State University');
  await page.getByLabel('Major').fill('Statistics');
  await page.getByLabel('Graduation year').fill('1900');
  await page.getByLabel('Skills').fill(`Excel, SQL, ${skill}`);
  await page.getByRole('button', { name: 'Sign up' }).click();

  // A bad value: the API's message beside the field, and in the summary at the top
  const year = page.getByLabel('Graduation year');
  await expect(year.getAttribute('aria-invalid')).resolves.toBe('true');
  const yearError = await page.locator('#f-graduationYear-error').textContent();
  expect(yearError).toMatch(/1950/);
  expect(await page.locator('.error-summary').textContent()).toContain('Graduation year');
  expect(await page.getByLabel('Full name').inputValue()).toBe('Maya Chen');
  await visited(page, 'student-sign-up-error');
  await year.fill('2027');
  await page.getByRole('button', { name: 'Sign up' }).click();

  // The code from the confirmation email signs the student in
  await page.waitForURL(/\/app\/sign-in\/code/);
  expect(await page.locator('.notice').textContent()).toContain('Check your email');
  await visited(page, 'sign-in-code');
  const confirm = await waitForEmail(email, /Confirm your email/);
  const code = /code (\d{6})/.exec(confirm.text)![1]!;
  await page.getByLabel('Code from the email').fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/app\/postings/);
  expect(await page.locator('.notice').textContent()).toContain('You are signed in');
  await visited(page, 'student-browse');

  // Browse by skill: the posting with its fee, hours, due window and dates in New York time
  await page.getByRole('searchbox', { name: 'Skill' }).fill(skill);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/skill=/);
  const cards = page.locator('ul.cards > li');
  await expect(cards.count()).resolves.toBe(1);
  const card = await cards.first().textContent();
  expect(card).toContain('Clean a sales dataset');
  expect(card).toContain('$250.00');
  expect(card).toMatch(/about 10/);
  expect(card).toMatch(/14 days after you accept/);
  expect(card).toMatch(/\d{2}:\d{2} E[SD]T/);
  await visited(page, 'student-browse-by-skill');

  await page.getByRole('link', { name: 'Clean a sales dataset' }).click();
  await page.waitForURL(new RegExp(`/app/postings/${id}$`));
  await visited(page, 'student-posting');

  // A pitch too short: the API's message beside it; what was typed stays
  await page.getByLabel('Your pitch').fill('I like data.');
  await page.getByLabel('Which tool would you use, and why?').fill('Excel: pivot tables');
  await page.getByRole('button', { name: 'Send my application' }).click();
  expect(await page.locator('#f-pitch-error').textContent()).toMatch(/20/);
  expect(await page.getByLabel('Which tool would you use, and why?').inputValue()).toBe(
    'Excel: pivot tables',
  );
  await visited(page, 'student-apply-error');
  const pitch = page.getByLabel('Your pitch');
  await pitch.fill(PITCH);
  await page.getByRole('button', { name: 'Send my application' }).click();

  // The application is listed, and the employer has it, once
  await page.waitForURL(/\/app\/applications/);
  expect(await page.locator('.notice').textContent()).toContain('Your application was sent');
  expect(await page.locator('main').textContent()).toContain('Clean a sales dataset');
  expect(await page.locator('main').textContent()).toContain('Sent; waiting for the employer');
  await visited(page, 'student-applications');
  const list = await call(h.baseUrl, 'GET', `/v1/internships/${id}/applications`, { token: employer.token });
  expect(list.body.items.map((a: any) => a.pitch)).toEqual([PITCH]);

  // The employer chooses Maya: the offer page states the fee before she accepts
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: employer.token,
    body: { applicationIds: [list.body.items[0].applicationId] },
  });
  await waitForStatus(h, employer, id, 'Offered');
  await page.reload();
  await page.getByRole('link', { name: 'Answer the offer' }).click();
  await page.waitForURL(/\/offer$/);
  expect(await page.locator('.confirm').textContent()).toContain('$250.00');
  await visited(page, 'student-offer');
  await page.getByRole('button', { name: 'Accept the offer' }).click();
  await page.waitForURL(/\/app\/applications/);
  expect(await page.locator('.notice').textContent()).toContain('You accepted the offer');
  const started = await waitForStatus(h, employer, id, 'InProgress', 30_000);

  // The work page: the due date, more time asked for, the API's refusal shown, then the work sent
  await page.getByRole('link', { name: 'Your work' }).first().click();
  await page.waitForURL(/\/work$/);
  await visited(page, 'student-work');
  await page.getByLabel('New due date and time').fill('2020-01-01T10:00');
  await page.getByLabel('Why you need it').fill('Exams this week.');
  await page.getByRole('button', { name: 'Ask for more time' }).click();
  expect(await page.locator('.error-summary').first().textContent()).toMatch(/\w/);
  const later = new Date(Date.parse(started.deadlines.due) + 2 * 86_400_000)
    .toLocaleString('sv-SE', { timeZone: 'America/New_York' })
    .replace(' ', 'T')
    .slice(0, 16);
  await page.getByLabel('New due date and time').fill(later);
  await page.getByLabel('Why you need it').fill('Exams this week.');
  await page.getByRole('button', { name: 'Ask for more time' }).click();
  await page.waitForURL(/notice=extension-asked/);

  await page.getByLabel('Link to your deliverable').fill('my google drive');
  await page.getByLabel('Notes for the employer').fill('The CSV and the summary.');
  await page.getByRole('button', { name: 'Submit my work' }).click();
  await expect(page.getByLabel('Link to your deliverable').getAttribute('aria-invalid')).resolves.toBe(
    'true',
  );
  expect(await page.locator('#f-url-error').textContent()).toMatch(/\w/);
  await page.getByLabel('Link to your deliverable').fill('https://example.com/cleaned.csv');
  await page.getByRole('button', { name: 'Submit my work' }).click();
  await page.waitForURL(/notice=submitted/);
  await waitForStatus(h, employer, id, 'InReview', 30_000);

  // The employer asks for changes: the student reads them on the work page
  const review = await call(h.baseUrl, 'POST', `/v1/internships/${id}/review`, {
    token: employer.token,
    body: { decision: 'request_changes', comments: 'Please add the one-page summary.' },
  });
  expect(review.status).toBe(200);
  await waitForStatus(h, employer, id, 'InProgress', 30_000);
  await page.goto(`${h.baseUrl}/app/postings/${id}/work`);
  expect(await page.locator('main').textContent()).toContain('Please add the one-page summary.');
  await visited(page, 'student-work-changes');

  // She sends the work again; the employer approves it, and the email asks her to set up payouts
  await page.getByLabel('Link to your deliverable').fill('https://example.com/cleaned-with-summary.zip');
  await page.getByLabel('Notes for the employer').fill('The CSV and the one-page summary.');
  await page.getByRole('button', { name: 'Submit my work' }).click();
  await page.waitForURL(/notice=submitted/);
  await waitForStatus(h, employer, id, 'InReview', 30_000);
  const approved = await call(h.baseUrl, 'POST', `/v1/internships/${id}/review`, {
    token: employer.token,
    body: { decision: 'approve', comments: 'Exactly what we needed.' },
  });
  expect(approved.status).toBe(200);
  const setUp = await waitForEmail(email, /Set up payouts/, 30_000);
  expect(setUp.text).toMatch(/Stripe/);

  // The payouts page: what she is paid, after the platform's share, and the step to Stripe
  await page.goto(`${h.baseUrl}/app/applications`);
  await page.getByRole('link', { name: 'Payouts' }).first().click();
  await page.waitForURL(/\/payouts$/);
  const money = await page.locator('dl.facts').textContent();
  expect(money).toContain('$250.00');
  expect(money).toMatch(/Platform share \(10%\)\s*\$25\.00/);
  expect(money).toMatch(/You are paid\s*\$225\.00/);
  expect(await page.locator('.payout-stage').textContent()).toMatch(/waits for your payout account/);
  await visited(page, 'student-payouts');
  await page.getByRole('button', { name: 'Set up payouts with Stripe' }).click();
  const toStripe = page.getByRole('link', { name: 'Continue to Stripe' });
  const stripeUrl = (await toStripe.getAttribute('href'))!;
  expect(stripeUrl).toMatch(/^https:\/\//);
  await visited(page, 'student-payouts-onboarding');
  // Stripe's own page is not ours to test: a stand-in answers in its place
  await page.route(stripeUrl, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<title>Stripe</title>' }),
  );
  await toStripe.click();
  await page.waitForURL(stripeUrl);

  // Stripe reports the account ready (its signed webhook); back on the page, she is paid
  const { rows } = await h.db.query<{ id: string }>('SELECT id FROM accounts WHERE email = $1', [email]);
  expect((await payoutAccountReady(h, { id: rows[0]!.id, token: '', email })).status).toBe(200);
  await waitForStatus(h, employer, id, 'Completed', 30_000);
  await page.goto(`${h.baseUrl}/app/postings/${id}/payouts?onboarding=back`);
  const paid = await page.locator('.payout-stage').textContent();
  expect(paid).toMatch(/Paid: \$225\.00 was sent/);
  expect(paid).toMatch(/\d{2}:\d{2} E[SD]T/);
  await visited(page, 'student-payouts-paid');
  expect((await waitForEmail(email, /You have been paid/, 30_000)).text).toContain('$225.00');

  // Feedback: the API's messages beside the fields, then her rating of the employer, double-blind
  await page.getByRole('link', { name: 'Feedback' }).click();
  await page.waitForURL(/\/feedback$/);
  await visited(page, 'student-feedback');
  await page.getByRole('button', { name: 'Send my feedback' }).click();
  expect(await page.locator('.error-summary').textContent()).toContain('Your rating of the employer');
  expect(await page.locator('#f-rating-error').textContent()).toMatch(/\w/);
  await visited(page, 'student-feedback-error');
  await page.getByLabel('5: excellent').check();
  await page.getByLabel('How it went').fill('Clear brief, quick answers, kind review.');
  await page.getByRole('checkbox', { name: /^excel$/i }).check();
  await page.getByLabel('Other skills you practised').fill('pivot tables');
  await page.getByLabel('Show the employer’s rating of my work on my credential').check();
  await page.getByRole('button', { name: 'Send my feedback' }).click();
  await page.waitForURL(/given=yes/);
  expect(await page.locator('main').textContent()).toMatch(/Hidden for now/);

  // The employer gives theirs: both are in, so each side sees the other's
  const theirs = await call(h.baseUrl, 'POST', `/v1/internships/${id}/feedback`, {
    token: employer.token,
    body: { rating: 4, comment: 'Careful work, well documented.', endorsedSkills: ['excel'] },
  });
  expect(theirs.status).toBe(201);
  await waitForEmail(email, /Feedback on .* is now visible/, 30_000);
  await page.goto(`${h.baseUrl}/app/postings/${id}/feedback`);
  const shown = await page.locator('main').textContent();
  expect(shown).toContain('5 out of 5');
  expect(shown).toContain('Careful work, well documented.');
  expect(shown).toContain('pivot tables');
  await visited(page, 'student-feedback-revealed');

  // Her credential, from its email: private until she shares it by link from her credentials page
  expect((await waitForEmail(email, /Your credential/)).subject).toContain('Clean a sales dataset');
  await page.getByRole('link', { name: 'your credentials', exact: true }).click();
  await page.waitForURL(/\/app\/portfolio$/);
  const mine = page.locator('ul.cards > li');
  await expect(mine.count()).resolves.toBe(1);
  expect(await mine.first().textContent()).toMatch(/Clean a sales dataset[\s\S]*Who sees it\s*private/);
  expect(await mine.first().textContent()).toMatch(/\d{2}:\d{2} E[SD]T/);
  expect(await page.getByRole('link', { name: /Download the badge/ }).count()).toBe(0);
  await visited(page, 'student-portfolio');
  // A choice the API does not know (a tampered form): its message beside the choice, nothing changed
  const sharing = (await page.locator('form[action$="/sharing"]').getAttribute('action'))!;
  const refused = await context.request.post(`${h.baseUrl}${sharing}`, {
    form: { _csrf: await page.locator('input[name=_csrf]').first().inputValue(), visibility: 'everyone' },
  });
  expect(refused.status()).toBe(422);
  const refusal = await refused.text();
  expect(refusal).toContain('There is a problem');
  expect(refusal).toMatch(/id="f-visibility-[0-9a-f-]{36}-error"/);
  await page.getByLabel(/^link:/).check();
  await page.getByRole('button', { name: 'Save who sees it' }).click();
  await page.waitForURL(/notice=credential-link/);
  expect(await page.locator('.notice').textContent()).toContain('Your credential is shared');
  expect(await mine.first().textContent()).toMatch(/Who sees it\s*link/);
  const address = (await page.getByRole('link', { name: /\/c\// }).getAttribute('href'))!;
  const credentialId = /\/c\/([0-9a-f-]{36})$/.exec(address)![1]!;
  const badge = page.getByRole('link', { name: /Download the badge/ });
  expect(await badge.getAttribute('href')).toMatch(new RegExp(`/v1/credentials/${credentialId}/badge$`));
  // Shared by link only: no public portfolio to point to yet
  expect(await page.locator('main').textContent()).not.toContain('Your public portfolio');
  await visited(page, 'student-portfolio-shared');
  // Listed in her portfolio too: its public page is named on hers
  await page.getByLabel(/^portfolio:/).check();
  await page.getByRole('button', { name: 'Save who sees it' }).click();
  await page.waitForURL(/notice=credential-portfolio/);
  const portfolio = (await page.getByRole('link', { name: /\/p\// }).getAttribute('href'))!;
  await page.getByRole('link', { name: address }).click();
  await page.waitForURL(new RegExp(`/c/${credentialId}$`));
  await context.close();

  // Anyone, signed out, opens the credential's public page and sees it verified
  const visitor = await browser.newContext({ timezoneId: 'Europe/Paris' });
  const publicPage = await visitor.newPage();
  await publicPage.goto(`${h.baseUrl}/c/${credentialId}`);
  const credential = await publicPage.locator('main').textContent();
  expect(credential).toContain('Verified.');
  expect(credential).toContain('Maya Chen');
  expect(credential).toContain('Clean a sales dataset');
  expect(credential).toMatch(/The employer’s rating\s*4 out of 5/);
  expect(credential).toMatch(/Skills the student practised\s*.*pivot tables/s);
  await visited(publicPage);
  // Her portfolio's page: the credential, verified, linking to its own page
  await publicPage.goto(portfolio);
  expect(await publicPage.locator('h1').textContent()).toContain('Maya Chen');
  expect(await publicPage.locator('main').textContent()).toMatch(/Clean a sales dataset[\s\S]*Verified/);
  await visited(publicPage, 'public-portfolio');
  await publicPage.getByRole('link', { name: 'Clean a sales dataset' }).click();
  await publicPage.waitForURL(new RegExp(`/c/${credentialId}$`));
  await visitor.close();
});

/** A student signs up on the web app and signs in with the code from the confirmation email. */
async function signUpInBrowser(page: Page, email: string): Promise<void> {
  await page.goto(`${h.baseUrl}/app/sign-up`);
  await page.getByLabel('Full name').fill('Sam Okafor');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Major').fill('History');
  await page.getByLabel('Graduation year').fill('2026');
  await page.getByLabel('Skills').fill('Excel');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/app\/sign-in\/code/);
  const code = /code (\d{6})/.exec((await waitForEmail(email, /Confirm your email/)).text)![1]!;
  await page.getByLabel('Code from the email').fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/app\/postings/);
}

test('an application sent after the posting filled up is refused with the reason, and the pitch is given back', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer, { maxApplicants: MAX_APPLICANTS.min });
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUpInBrowser(page, `late-${uniqueSuffix()}@students.test`);
  await page.goto(`${h.baseUrl}/app/postings/${id}`);
  await page.getByLabel('Your pitch').fill(PITCH);
  await page.getByLabel('Which tool would you use, and why?').fill('Excel: pivot tables');

  // Meanwhile others fill the posting, which closes its applications
  for (let i = 0; i < MAX_APPLICANTS.min; i++) {
    expect((await applyAs(h, await newStudent(h, `Early ${i}`), id)).status).toBe(201);
  }
  await waitForStatus(h, employer, id, 'Selecting');

  const answer = page.waitForResponse((r) => r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Send my application' }).click();
  expect((await answer).status()).toBe(409);
  expect(await page.locator('.error-summary').textContent()).toMatch(/There is a problem\s*\S+/);
  const given = await page
    .locator('.written-back textarea')
    .evaluateAll((areas) => areas.map((a) => (a as unknown as { value: string }).value));
  expect(given).toEqual([PITCH, 'Excel: pivot tables']);
  expect(await page.getByRole('button', { name: 'Send my application' }).count()).toBe(0);
  await visited(page, 'student-apply-closed');
  await context.close();
});

test('a form posted with the session cookie but without the CSRF token is refused and changes nothing', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);
  const email = `csrf-${uniqueSuffix()}@students.test`;
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUpInBrowser(page, email);

  // Another site's form would send the cookie (a top-level POST) but cannot know the token
  const form = { pitch: PITCH, answers: 'Excel: pivot tables', _key: `k-${uniqueSuffix()}` };
  const without = await context.request.post(`${h.baseUrl}/app/postings/${id}/apply`, { form });
  expect(without.status()).toBe(403);
  expect(await without.text()).toContain('This form was not sent from our page');
  const wrong = await context.request.post(`${h.baseUrl}/app/postings/${id}/apply`, {
    form: { ...form, _csrf: 'not-the-token' },
  });
  expect(wrong.status()).toBe(403);
  const list = await call(h.baseUrl, 'GET', `/v1/internships/${id}/applications`, { token: employer.token });
  expect(list.body.items).toEqual([]);

  // The same form sent twice from the page (one rendered Idempotency-Key) applies once
  await page.goto(`${h.baseUrl}/app/postings/${id}`);
  const csrf = await page.locator('input[name=_csrf]').first().inputValue();
  const key = await page.locator('input[name=_key]').inputValue();
  const twice = { ...form, _csrf: csrf, _key: key };
  const first = await context.request.post(`${h.baseUrl}/app/postings/${id}/apply`, { form: twice });
  const second = await context.request.post(`${h.baseUrl}/app/postings/${id}/apply`, { form: twice });
  expect([first.status(), second.status()]).toEqual([200, 200]);
  expect(second.url()).toMatch(/\/app\/applications/);
  const after = await call(h.baseUrl, 'GET', `/v1/internships/${id}/applications`, { token: employer.token });
  expect(after.body.items).toHaveLength(1);
  await context.close();
});
