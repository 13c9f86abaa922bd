/**
 * The employer's money and work decisions in a real browser, through the web app only (the student
 * acts through the API): paying after the saved card was declined, approving an extension, cancelling
 * funded work with the kill fee, and asking for changes twice before rejecting (a dispute). Each
 * reads its emails from the inbox as a person would; every page visited is checked with axe and at
 * phone width.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { forPeople } from '../../lib/dates';
import {
  deliverStripeEvent,
  newEmployer,
  offerThroughApi,
  staffSession,
  samplePosting,
  waitForStatus,
  type Actor,
} from '../helpers/actors';
import { launchChromium, signInAsEmployer } from '../helpers/browser';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { emailsTo, waitForEmail } from '../helpers/inbox';
import { visited } from '../helpers/page-checks';

let h: ApiHarness;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  h = await startApiHarness();
  browser = await launchChromium();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const TITLE = samplePosting.title;

/** A posting whose one applicant was chosen and accepts; the fee is charged to the employer's card. */
async function hired(options: { declineCard?: boolean } = {}) {
  const offer = await offerThroughApi(h, options);
  const accepted = await call(h.baseUrl, 'POST', `/v1/internships/${offer.id}/offer-response`, {
    token: offer.student.token,
    body: { accept: true },
  });
  expect(accepted.status).toBe(200);
  await waitForStatus(h, offer.employer, offer.id, options.declineCard ? 'Funding' : 'InProgress', 30_000);
  return offer;
}

/** The employer signs in with the emailed code and opens the posting. */
async function postingPage(employer: Actor, id: string): Promise<Page> {
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInAsEmployer(page, h.baseUrl, employer.email);
  await page.goto(`${h.baseUrl}/app/employer/postings/${id}`);
  return page;
}

/** Polls until `check` gives something. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The email to `address` whose subject matches and whose text says `words`. */
const emailSaying = (address: string, subject: RegExp, words: string) =>
  until(`an email to ${address} matching ${subject} saying "${words}"`, async () =>
    (await emailsTo(address)).find((e) => subject.test(e.subject) && e.text.includes(words)),
  );

/** What a person reads in an element: its text, with the spaces the markup's lines leave made single. */
const read = async (element: Locator) => ((await element.textContent()) ?? '').replace(/\s+/g, ' ').trim();
const statusOf = (page: Page) => read(page.locator('p.status'));
const mainText = (page: Page) => read(page.locator('main'));

test('a declined card: the employer opens the emailed pay link, then pays from the posting, each stating the fee', async () => {
  const { employer, id } = await hired({ declineCard: true });

  // The pay-link email states the fee; its link opens a page that states it again
  const email = await waitForEmail(employer.email, /Action needed: pay/);
  expect(email.subject).toBe(`Action needed: pay $250.00 for "${TITLE}"`);
  const link = /Pay now: (\S+)/.exec(email.text)![1]!;
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const linkPage = await context.newPage();
  await linkPage.goto(link);
  expect(await read(linkPage.locator('h1'))).toBe(`Pay the fee for "${TITLE}"`);
  expect(await mainText(linkPage)).toContain('The fee of $250.00 is held until the work is approved');
  expect(await linkPage.getByRole('button', { name: 'Continue to secure payment' }).count()).toBe(1);
  await visited(linkPage);
  await context.close();

  // In the web app: the posting waits for the fee; paying states the amount before Stripe's page
  const page = await postingPage(employer, id);
  expect(await statusOf(page)).toBe('Waiting for the fee to be paid');
  expect(await mainText(page)).toContain('The charge to your saved card failed.');
  await visited(page);
  await page.getByRole('button', { name: 'Pay $250.00 now' }).click();
  expect(await read(page.locator('.confirm .amount'))).toMatch(
    /Charged now and held until you approve the work:\s*\$250\.00/,
  );
  await visited(page);
  await page.getByRole('button', { name: 'Continue to secure payment' }).click();
  const toStripe = page.getByRole('link', { name: 'Continue to Stripe' });
  expect(await toStripe.getAttribute('href')).toMatch(/^https:\/\/checkout\.stripe\.com\//);
  expect(await mainText(page)).toContain('Stripe takes the payment of $250.00');
  await visited(page);

  // Stripe reports the payment (a signed webhook): the posting shows the work started
  const paid = await deliverStripeEvent(h, {
    id: `evt_paid_${id.replace(/-/g, '')}`,
    object: 'event',
    type: 'payment_intent.succeeded',
    data: { object: { id: `pi_${id.slice(0, 8)}`, amount: 25_000, metadata: { internshipId: id } } },
  });
  expect(paid.status).toBe(200);
  await waitForStatus(h, employer, id, 'InProgress', 30_000);
  await page.goto(`${h.baseUrl}/app/employer/postings/${id}`);
  expect(await statusOf(page)).toBe('Work in progress');
  expect(await page.getByRole('button', { name: /^Pay / }).count()).toBe(0);
});

test('an extension: the employer gives more time on the posting, the new due date is shown and the student is emailed it', async () => {
  const { employer, student, id } = await hired();
  const before = (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: employer.token })).body;
  const newDueAt = new Date(Date.parse(before.deadlines.due) + 3 * 86_400_000).toISOString();
  const asked = await call(h.baseUrl, 'POST', `/v1/internships/${id}/extension-requests`, {
    token: student.token,
    body: { newDueAt, reason: 'The survey export arrived two days late.' },
  });
  expect(asked.status).toBe(202);

  const page = await postingPage(employer, id);
  const due = page.locator('dt:text-is("Due") + dd time');
  expect(await due.getAttribute('datetime')).toBe(before.deadlines.due);
  expect(await mainText(page)).toContain('The survey export arrived two days late.');
  const asking = page.locator('p', { hasText: 'New due date:' }).locator('time');
  expect(await asking.getAttribute('datetime')).toBe(newDueAt);
  await visited(page);
  await page.getByRole('button', { name: 'Give more time' }).click();
  await page.waitForURL(/notice=extension-given/);
  expect(await read(page.locator('.notice'))).toContain('The student has more time.');

  // The page (once the read model follows) and the student's email give the same new due date
  await until('the new due date', async () => {
    const seen = await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: employer.token });
    return seen.body.deadlines.due === newDueAt ? true : undefined;
  });
  await page.reload();
  expect(await due.getAttribute('datetime')).toBe(newDueAt);
  const shown = await read(due);
  expect(shown).toBe(forPeople(newDueAt, 'UTC'));
  expect(await page.getByRole('button', { name: 'Give more time' }).count()).toBe(0);
  await visited(page);
  const told = await waitForEmail(student.email, /Extension approved/);
  expect(told.subject).toBe(`Extension approved: "${TITLE}" is now due ${shown}`);
});

test('cancelling funded work: the kill fee and the refund are stated twice before confirming, then match the outcome', async () => {
  const { employer, student, id } = await hired();
  const { feeCents } = (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: employer.token }))
    .body;
  expect(feeCents).toBe(25_000);
  // 25% of the API's fee to the student, the rest back to the employer
  const [killFee, refund] = ['$62.50', '$187.50'];

  const page = await postingPage(employer, id);
  expect(await mainText(page)).toContain(
    `Cancelling now pays the student a kill fee of ${killFee} (25% of the fee) and refunds you ${refund}.`,
  );
  await page.getByRole('link', { name: 'Cancel this micro-internship' }).click();
  await page.waitForURL(/\/cancel$/);
  const facts = page.locator('dl.facts');
  expect(await read(facts)).toMatch(
    new RegExp(`Kill fee to the student \\(25%\\)\\s*\\${killFee}\\s*Refunded to you\\s*\\${refund}`),
  );
  await visited(page);
  await page.getByLabel('Why you cancel').fill('Our data team took the project in house.');
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  const confirm = page.locator('.confirm');
  expect(await read(confirm.locator('.amount'))).toMatch(
    new RegExp(`The kill fee the student receives \\(25% of the fee\\):\\s*\\${killFee}`),
  );
  expect(await read(confirm)).toContain(`The rest, ${refund}, is refunded to your card.`);
  await visited(page);
  await page.getByRole('button', { name: 'Cancel and pay the kill fee' }).click();
  await page.waitForURL(/notice=cancelled/);
  expect(await read(page.locator('.notice'))).toContain('the kill fee goes to the student');
  // The status follows once the workflow has published it (the Update answers first)
  await waitForStatus(h, employer, id, 'Cancelled', 30_000);
  await page.reload();
  expect(await statusOf(page)).toBe('Cancelled');
  expect(await page.getByRole('link', { name: 'Cancel this micro-internship' }).count()).toBe(0);
  await visited(page);

  // The API tells the same: cancelled, the kill fee owed to the student; each party emailed the amounts
  const after = (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: employer.token })).body;
  expect(after).toMatchObject({ status: 'Cancelled', feeCents: 25_000, payout: 'pending' });
  const toEmployer = await waitForEmail(employer.email, /is cancelled: .* refunded/);
  expect(toEmployer.subject).toBe(`"${TITLE}" is cancelled: ${refund} refunded`);
  expect(toEmployer.text).toContain(`the kill fee of ${killFee}`);
  await emailSaying(student.email, /you receive a kill fee/, '(Our data team took the project in house.)');
});

test('two rounds of changes asked on the review page, then the work rejected: the posting is in dispute', async () => {
  const { employer, student, id } = await hired();
  const submit = async () => {
    await waitForStatus(h, employer, id, 'InProgress', 30_000);
    const sent = await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, {
      token: student.token,
      body: { url: 'https://example.com/cleaned.csv', notes: 'The cleaned file.' },
    });
    expect(sent.status).toBe(201);
    await waitForStatus(h, employer, id, 'InReview', 30_000);
  };
  await submit();
  const page = await postingPage(employer, id);
  const comments = page.getByLabel('What should change, or why you reject it');

  for (const [round, asked] of [
    'Keep the original row order.',
    'The totals still do not add up.',
  ].entries()) {
    expect(await statusOf(page)).toBe('Work submitted: your review');
    expect(await mainText(page)).toContain(`Rounds of changes asked: ${round} of 2.`);
    expect(await page.getByRole('button', { name: 'Reject the work' }).count()).toBe(0);
    await visited(page);
    await comments.fill(asked);
    await page.getByRole('button', { name: 'Ask for changes' }).click();
    await page.waitForURL(/notice=changes-asked/);
    await emailSaying(student.email, /Changes requested/, asked);
    await submit();
    await page.goto(`${h.baseUrl}/app/employer/postings/${id}`);
  }

  // After the last round only rejecting (or approving) is left
  expect(await mainText(page)).toContain('Rounds of changes asked: 2 of 2.');
  expect(await page.getByRole('button', { name: 'Ask for changes' }).count()).toBe(0);
  await visited(page);
  await comments.fill('Still not what we asked for.');
  await page.getByRole('button', { name: 'Reject the work' }).click();
  await page.waitForURL(/notice=work-rejected/);
  expect(await read(page.locator('.notice'))).toContain('ops decide what the student receives');
  await waitForStatus(h, employer, id, 'Disputed', 30_000);
  await page.reload();
  expect(await statusOf(page)).toBe('In dispute: ops decide');
  expect(await page.getByRole('button', { name: 'Approve the work' }).count()).toBe(0);
  await visited(page);
  for (const address of [employer.email, student.email]) {
    await waitForEmail(address, /is with our team for a decision/);
  }
});

test('a fee below the floor, asked as an exception on the form: the posting waits for ops, who approve it, and the employer is told', async () => {
  const employer = await newEmployer(h);
  const page = await postingPage(employer, 'new');
  const title = `Survey coding ${Date.now()}`;
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('The project').fill('Code 300 open survey answers into themes.');
  await page.getByLabel('What the student delivers').fill('A coded spreadsheet');
  await page.getByLabel('Skills').fill('Excel');
  await page.getByLabel('Estimated hours').fill('10');
  await page.getByLabel('Fee in US dollars').fill('100');
  await page.getByLabel(/ask our operations team to approve it/).check();
  await visited(page);
  await page.getByRole('button', { name: 'Post it' }).click();
  await page.waitForURL(/\/app\/employer\/postings\/[0-9a-f-]{36}\?notice=posted/);
  const id = /postings\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  expect(await page.locator('.status').textContent()).toContain('Waiting for ops to approve the fee');
  await visited(page);

  const approved = await call(h.baseUrl, 'POST', `/v1/admin/internships/${id}/fee-exception`, {
    token: await staffSession(h, 'finance'),
    body: { approve: true },
  });
  expect(approved.status).toBe(200);
  const email = await waitForEmail(employer.email, new RegExp(`"${title}" is approved`));
  expect(email.text).toContain(`/app/employer/postings/${id}`);
  await waitForStatus(h, employer, id, 'Open', 30_000);
  await page.reload();
  expect(await page.locator('.status').textContent()).toContain('Open for applications');
});
