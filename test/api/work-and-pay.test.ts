/**
 * Money and work through HTTP on the dev server: the whole paid path with its ledger, the pay link,
 * and Stripe webhooks — valid, tampered, stale, duplicated and out of order.
 */
import { ledgerTotals, unbalancedEndedInternships } from '../../db/ledger';
import { internshipStateQuery } from '../../workflows/definitions';
import { newStudent, waitForStatus, offerThroughApi, payoutAccountReady } from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { waitForEmail } from '../helpers/inbox';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** Signs `event` as Stripe would, `ageSeconds` ago, with the webhook secret (or another). */
function signed(event: object, options: { ageSeconds?: number; secret?: string } = {}) {
  const payload = JSON.stringify(event);
  const header = h.stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? h.config.STRIPE_WEBHOOK_SECRET,
    timestamp: Math.floor(Date.now() / 1000) - (options.ageSeconds ?? 0),
  });
  return { payload, header };
}

const deliver = (payload: string, header: string) =>
  call(h.baseUrl, 'POST', '/webhooks/stripe', { rawBody: payload, headers: { 'stripe-signature': header } });

let eventCounter = 0;
const paymentSucceeded = (internshipId: string) => ({
  id: `evt_test_${Date.now()}_${eventCounter++}`,
  object: 'event',
  type: 'payment_intent.succeeded',
  data: {
    object: {
      id: `pi_test_${eventCounter}`,
      object: 'payment_intent',
      amount: 25_000,
      amount_received: 25_000,
      metadata: { internshipId, step: 'charge' },
    },
  },
});

/** A posting, one applicant chosen and accepted; optionally with a card that declines. */
async function hired(options: { declineCard?: boolean } = {}) {
  const offer = await offerThroughApi(h, options);
  await call(h.baseUrl, 'POST', `/v1/internships/${offer.id}/offer-response`, {
    token: offer.student.token,
    body: { accept: true },
  });
  return offer;
}

test('the paid path through the API: charge on acceptance, submit, approve, account ready, 90% paid; the ledger balances', async () => {
  const { employer, student, id } = await hired();
  await waitForStatus(h, employer, id, 'InProgress');
  expect(await ledgerTotals(h.db, id)).toMatchObject({ charged: 25_000 });

  const submitted = await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, {
    token: student.token,
    body: { url: 'https://example.com/deliverable', notes: 'Cleaned and documented.' },
  });
  expect(submitted.status).toBe(201);
  await waitForStatus(h, employer, id, 'InReview');
  const notReject = await call(h.baseUrl, 'POST', `/v1/internships/${id}/review`, {
    token: employer.token,
    body: { decision: 'reject', comments: 'No.' },
  });
  expect(notReject.status).toBe(409);
  const approved = await call(h.baseUrl, 'POST', `/v1/internships/${id}/review`, {
    token: employer.token,
    body: { decision: 'approve' },
  });
  expect(approved.body).toEqual({ status: 'Paying' });
  const paying = await waitForStatus(h, employer, id, 'Paying');
  expect(paying.payout).toBe('pending');
  await waitForEmail(student.email, /Set up payouts/);

  expect((await payoutAccountReady(h, student)).status).toBe(200);
  const done = await waitForStatus(h, student, id, 'Completed');
  expect(Date.parse(done.paidBy)).toBeGreaterThan(Date.now());
  expect(done.payout).toBe('sent');
  expect(await ledgerTotals(h.db, id)).toEqual({
    charged: 25_000,
    refunded: 0,
    transferred: 22_500,
    platformShare: 2_500,
  });
  expect(await unbalancedEndedInternships(h.db)).toEqual([]);
});

test('the pay link: GET shows the fee, POST redirects to a Stripe Checkout page, a signed webhook funds the work', async () => {
  const { employer, id } = await hired({ declineCard: true });
  const email = await waitForEmail(employer.email, /Action needed: pay/);
  const link = /Pay now: (\S+)/.exec(email.text)![1]!;
  const page = await fetch(link);
  expect(await page.text()).toContain('$250.00');
  const go = await fetch(link, { method: 'POST', redirect: 'manual' });
  expect(go.status).toBe(303);
  expect(go.headers.get('location')).toMatch(/^https:\/\/checkout\.stripe\.com\//);
  // Stripe sends the employer back to the link with ?back=done: what happens next, not the button again.
  const back = await (await fetch(`${link}?back=done`)).text();
  expect(back).toContain('Thank you: your payment is with Stripe');
  expect(back).not.toContain('<form');
  expect(await (await fetch(link)).text()).toContain('<form');

  const { payload, header } = signed(paymentSucceeded(id));
  expect((await deliver(payload, header)).status).toBe(200);
  await waitForStatus(h, employer, id, 'InProgress');
  expect(await ledgerTotals(h.db, id)).toMatchObject({ charged: 25_000 });
  const again = await fetch(link, { method: 'POST', redirect: 'manual' });
  expect(await again.text()).toContain('Nothing left to do here');
});

describe('POST /webhooks/stripe', () => {
  test('a tampered body is refused with 400 and changes nothing', async () => {
    const { employer, id } = await hired({ declineCard: true });
    await waitForEmail(employer.email, /Action needed: pay/);
    const { payload, header } = signed(paymentSucceeded(id));
    const res = await deliver(payload.replace('25000', '99999'), header);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('header.Stripe-Signature');
    const wrongSecret = signed(paymentSucceeded(id), { secret: 'whsec_someone_else' });
    expect((await deliver(wrongSecret.payload, wrongSecret.header)).status).toBe(400);
    expect(
      (await h.temporal.workflow.getHandle(`internship:${id}`).query(internshipStateQuery)).money
        .paymentReceived,
    ).toBeNull();
  });

  test('an event signed more than 5 minutes ago is refused as a replay', async () => {
    const { payload, header } = signed(paymentSucceeded('00000000-0000-0000-0000-000000000000'), {
      ageSeconds: 301,
    });
    expect((await deliver(payload, header)).status).toBe(400);
    const fresh = signed(paymentSucceeded('00000000-0000-0000-0000-000000000000'), { ageSeconds: 10 });
    expect((await deliver(fresh.payload, fresh.header)).status).toBe(200);
  });

  test('a duplicated event is applied once', async () => {
    const { employer, id } = await hired({ declineCard: true });
    await waitForEmail(employer.email, /Action needed: pay/);
    const event = paymentSucceeded(id);
    const first = signed(event);
    const second = signed(event);
    expect((await deliver(first.payload, first.header)).body).toEqual({ received: true });
    expect((await deliver(second.payload, second.header)).body).toEqual({ received: true, duplicate: true });
    await waitForStatus(h, employer, id, 'InProgress');
    const { rowCount } = await h.db.query('SELECT 1 FROM stripe_events WHERE event_id = $1', [event.id]);
    expect(rowCount).toBe(1);
    const history = await h.temporal.workflow.getHandle(`internship:${id}`).fetchHistory();
    const signals = history.events!.filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'stripeEvent',
    );
    expect(signals).toHaveLength(1);
  });

  test('out of order: the account is ready before the work is approved, so the payout does not wait', async () => {
    const { employer, student, id } = await hired();
    await waitForStatus(h, employer, id, 'InProgress');
    // The account exists once the student is hired through a first payout attempt; create it up front here.
    await h.db.query(`UPDATE students SET stripe_account_id = $2 WHERE id = $1`, [
      student.id,
      `acct_early_${Date.now()}`,
    ]);
    expect((await payoutAccountReady(h, student)).status).toBe(200);
    await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, {
      token: student.token,
      body: { url: 'https://example.com/d', notes: 'Here it is.' },
    });
    await waitForStatus(h, employer, id, 'InReview');
    await call(h.baseUrl, 'POST', `/v1/internships/${id}/review`, {
      token: employer.token,
      body: { decision: 'approve' },
    });
    await waitForStatus(h, employer, id, 'Completed');
    expect((await ledgerTotals(h.db, id)).transferred).toBe(22_500);
  });
});

test('submissions and reviews check their callers and bodies', async () => {
  const { employer, student, id } = await hired();
  await waitForStatus(h, employer, id, 'InProgress');
  const stranger = await newStudent(h, 'Uma Stranger');
  const url = { url: 'https://example.com/x', notes: 'n' };
  expect(
    (await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, { token: stranger.token, body: url }))
      .status,
  ).toBe(404);
  expect(
    (await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, { token: employer.token, body: url }))
      .status,
  ).toBe(403);
  const bad = await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, {
    token: student.token,
    body: { url: 'javascript:alert(1)', notes: 'n' },
  });
  expect(bad.status).toBe(422);
  expect(bad.body.errors[0].field).toBe('url');
  const early = await call(h.baseUrl, 'POST', `/v1/internships/${id}/review`, {
    token: employer.token,
    body: { decision: 'approve' },
  });
  expect(early.status).toBe(409);
  const noComment = await call(h.baseUrl, 'POST', `/v1/internships/${id}/review`, {
    token: employer.token,
    body: { decision: 'request_changes' },
  });
  expect(noComment.status).toBe(422);
  expect(noComment.body.errors[0].field).toBe('comments');
});

test('an action on a state the read model shows but the workflow has not made durable (a lost workflow task) is asked to retry; a row ahead for minutes is not, and the refusal stands', async () => {
  const { employer, student, id } = await hired({ declineCard: true });
  // The card was declined: the workflow waits in Funding for the pay link (3 days).
  await waitForEmail(employer.email, /Action needed: pay/);
  // What a worker killed inside the task that published InProgress leaves: the row one step ahead.
  const durable = await h.temporal.workflow.getHandle(`internship:${id}`).query(internshipStateQuery);
  const leaveRowAhead = (age: string) =>
    h.db.query(
      `UPDATE internships
          SET status = 'InProgress', state_version = $2, state_task_time = state_task_time + 1,
              state_recorded_at = now() - $3::interval
        WHERE id = $1`,
      [id, durable.version + 1, age],
    );
  const submit = () =>
    call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, {
      token: student.token,
      body: { url: 'https://example.com/deliverable', notes: 'Done.' },
    });

  await leaveRowAhead('0 seconds');
  expect((await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: student.token })).body.status).toBe(
    'InProgress',
  );
  const meanwhile = await submit();
  expect(meanwhile.status).toBe(503);
  expect(meanwhile.headers.get('retry-after')).toBe('1');
  expect(meanwhile.body).toMatchObject({ type: '/problems/StateCatchingUp', status: 503 });

  await leaveRowAhead('5 minutes');
  const later = await submit();
  expect(later.status).toBe(409);
  expect(later.body).toMatchObject({ type: '/problems/WrongState' });
  expect(later.body.detail).toMatch(/Funding/);
});
