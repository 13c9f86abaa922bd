/**
 * What the student's payouts page reads from the API: the payout (GET /v1/internships/:id/payout) —
 * due or not, the account ready or not, the amounts and the date — and the Stripe onboarding page
 * it opens (POST /v1/internships/:id/payout-onboarding).
 */
import {
  newEmployer,
  newStudent,
  offerThroughApi,
  payoutAccountReady,
  waitForStatus,
} from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

test('the hired student reads what they will be paid, opens Stripe onboarding while the account is not ready, and reads it sent once Stripe reports the account ready', async () => {
  // Given a student hired and working on a $250.00 posting
  const { employer, student, id } = await offerThroughApi(h);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: student.token,
    body: { accept: true },
  });
  await waitForStatus(h, employer, id, 'InProgress', 30_000);
  const path = `/v1/internships/${id}/payout`;
  const onboarding = `/v1/internships/${id}/payout-onboarding`;

  // While working: nothing due yet, the amounts already stated; no onboarding page to open
  const working = await call(h.baseUrl, 'GET', path, { token: student.token });
  expect(working.status).toBe(200);
  expect(working.body).toMatchObject({
    stage: 'not-due',
    paidBy: null,
    settlementDays: 2,
    nextActions: [],
    amounts: {
      feeCents: 25_000,
      sharePct: 100,
      grossCents: 25_000,
      platformSharePct: 10,
      platformShareCents: 2_500,
      paidCents: 22_500,
    },
  });
  const early = await call(h.baseUrl, 'POST', onboarding, { token: student.token, body: {} });
  expect(early.status).toBe(409);

  // When the work is approved, the payout waits for the student's account
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, {
    token: student.token,
    body: { url: 'https://example.com/work', notes: 'Done.' },
  });
  await waitForStatus(h, employer, id, 'InReview', 30_000);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/review`, {
    token: employer.token,
    body: { decision: 'approve', comments: 'Thank you.' },
  });
  await waitForStatus(h, employer, id, 'Paying', 30_000);
  let waiting = await call(h.baseUrl, 'GET', path, { token: student.token });
  for (let i = 0; i < 100 && !waiting.body.account.created; i++) {
    await new Promise((r) => setTimeout(r, 100));
    waiting = await call(h.baseUrl, 'GET', path, { token: student.token });
  }
  expect(waiting.body).toMatchObject({
    stage: 'waiting-for-account',
    account: { ready: false, created: true },
    nextActions: ['set-up-payouts'],
  });
  const opened = await call(h.baseUrl, 'POST', onboarding, { token: student.token, body: {} });
  expect(opened.status).toBe(201);
  expect(opened.body.url).toMatch(/^https:\/\//);

  // Nobody else's: another student gets 404, the employer 403
  const other = await newStudent(h, 'Rui Costa');
  expect((await call(h.baseUrl, 'GET', path, { token: other.token })).status).toBe(404);
  expect((await call(h.baseUrl, 'POST', onboarding, { token: other.token, body: {} })).status).toBe(404);
  expect((await call(h.baseUrl, 'GET', path, { token: employer.token })).status).toBe(403);
  const stranger = await newEmployer(h);
  expect((await call(h.baseUrl, 'POST', onboarding, { token: stranger.token, body: {} })).status).toBe(403);

  // Stripe reports the account ready: the payout is sent, the ledger's amount and a paid-by date
  expect((await payoutAccountReady(h, student)).status).toBe(200);
  await waitForStatus(h, employer, id, 'Completed', 30_000);
  const sent = await call(h.baseUrl, 'GET', path, { token: student.token });
  expect(sent.body).toMatchObject({
    stage: 'sent',
    account: { ready: true },
    nextActions: [],
    amounts: { paidCents: 22_500, platformShareCents: 2_500 },
  });
  expect(Date.parse(sent.body.paidBy)).toBeGreaterThan(Date.now());
  expect((await call(h.baseUrl, 'POST', onboarding, { token: student.token, body: {} })).status).toBe(409);
});
