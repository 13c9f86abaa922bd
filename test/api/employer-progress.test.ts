/**
 * What the employer's pages read from the API: the fair-pay floor (GET /v1/me), the engagement as
 * the workflow knows it with the decisions open to them (GET /v1/internships/:id/progress), a card
 * saved through Stripe Checkout in setup mode (its webhook), and the pay link after a failed charge.
 */
import {
  applyAs,
  deliverStripeEvent,
  newEmployer,
  newPosting,
  newStudent,
  offerThroughApi,
  waitForStatus,
} from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { uniqueSuffix } from '../helpers/env';
import { waitForEmail } from '../helpers/inbox';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ config: { MIN_HOURLY_RATE_CENTS: '2500' } });
});
afterAll(async () => {
  await h?.stop();
});

test('a member reads the fair-pay floor their postings must meet beside their organisation', async () => {
  const employer = await newEmployer(h);
  const me = await call(h.baseUrl, 'GET', '/v1/me', { token: employer.token });
  expect(me.body.organisation.fairPayFloorCentsPerHour).toBe(2500);
  const student = await newStudent(h, 'Ana Lima');
  expect((await call(h.baseUrl, 'GET', '/v1/me', { token: student.token })).body.organisation).toBeNull();
});

test('progress follows the engagement: the offer and shortlist, the work to review, the kill fee, and only the decisions the workflow would take', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer, { feeCents: 30_000, estimatedHours: 10 });
  const [first, second] = [await newStudent(h, 'Lee Park'), await newStudent(h, 'Kim Osei')];
  const a1 = (await applyAs(h, first, id)).body.applicationId;
  const a2 = (await applyAs(h, second, id)).body.applicationId;
  const path = `/v1/internships/${id}/progress`;
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: employer.token,
    body: { applicationIds: [a1, a2] },
  });
  await waitForStatus(h, employer, id, 'Offered', 30_000);
  const offered = await call(h.baseUrl, 'GET', path, { token: employer.token });
  expect(offered.status).toBe(200);
  expect(offered.body.offer.applicationId).toBe(a1);
  expect(offered.body.shortlist).toEqual([a2]);
  expect(offered.body.nextActions).toEqual([]);
  expect(offered.body.killFee).toEqual({ pct: 25, killFeeCents: 7_500, refundCents: 22_500 });

  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: first.token,
    body: { accept: true },
  });
  await waitForStatus(h, employer, id, 'InProgress', 30_000);
  const working = await call(h.baseUrl, 'GET', path, { token: employer.token });
  expect(working.body.nextActions).toEqual(['cancel']);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, {
    token: first.token,
    body: { url: 'https://example.com/work', notes: 'The cleaned file.' },
  });
  await waitForStatus(h, employer, id, 'InReview', 30_000);
  const review = await call(h.baseUrl, 'GET', path, { token: employer.token });
  expect(review.body.submission).toMatchObject({
    url: 'https://example.com/work',
    notes: 'The cleaned file.',
  });
  expect(review.body.nextActions).toEqual(['approve', 'request-changes', 'cancel']);

  // Nobody else's: another employer and the student get nothing
  const other = await newEmployer(h);
  expect((await call(h.baseUrl, 'GET', path, { token: other.token })).status).toBe(404);
  expect((await call(h.baseUrl, 'GET', path, { token: first.token })).status).toBe(403);
});

test('a card saved through Stripe Checkout in setup mode is kept for later fees', async () => {
  const employer = await newEmployer(h);
  const billing = `/v1/employers/${employer.id}/billing`;
  expect((await call(h.baseUrl, 'GET', billing, { token: employer.token })).body).toEqual({
    cardSaved: false,
  });
  const setup = await call(h.baseUrl, 'POST', `${billing}/card-setup`, { token: employer.token });
  expect(setup.status).toBe(201);
  expect(setup.body.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);

  // Stripe reports the card saved
  const delivered = await deliverStripeEvent(h, {
    id: `evt_setup_${uniqueSuffix()}`,
    object: 'event',
    type: 'setup_intent.succeeded',
    data: {
      object: {
        id: `seti_${uniqueSuffix()}`,
        object: 'setup_intent',
        payment_method: 'pm_card_visa',
        metadata: { employerId: employer.id },
      },
    },
  });
  expect(delivered.status).toBe(200);
  expect((await call(h.baseUrl, 'GET', billing, { token: employer.token })).body).toEqual({
    cardSaved: true,
  });
  const { rows } = await h.db.query('SELECT stripe_payment_method_id FROM employers WHERE id = $1', [
    employer.id,
  ]);
  expect(rows[0].stripe_payment_method_id).toBe('pm_card_visa');
});

test('after a declined card the employer opens a pay page from the API, and not before', async () => {
  const { employer, student, id } = await offerThroughApi(h, { declineCard: true });
  const early = await call(h.baseUrl, 'POST', `/v1/internships/${id}/payment-page`, {
    token: employer.token,
    body: {},
  });
  expect(early.status).toBe(409);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: student.token,
    body: { accept: true },
  });
  await waitForStatus(h, employer, id, 'Funding', 30_000);
  // The pay link comes once the saved card failed (while it is charged, paying would take the fee twice).
  await waitForEmail(employer.email, /Action needed: pay/);
  const progress = await call(h.baseUrl, 'GET', `/v1/internships/${id}/progress`, { token: employer.token });
  expect(progress.body.nextActions).toEqual(['pay']);
  const page = await call(h.baseUrl, 'POST', `/v1/internships/${id}/payment-page`, {
    token: employer.token,
    body: {},
  });
  expect(page.status).toBe(201);
  expect(page.body.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);
});
