/**
 * Graceful shutdown of the real processes: SIGTERM to the worker while a charge is in flight lets it
 * finish (one charge, no retry needed); SIGTERM to the API while a request is in flight lets the
 * request complete before the process exits.
 */
import { freePort } from '../../scripts/stack/processes';
import { newEmployer, newStudent, offerThroughApi, staffSession, waitForStatus } from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { waitForEmail } from '../helpers/inbox';
import {
  acceptWithChargeInFlight,
  recordedStripeRequests,
  setStripeLatency,
  waitUntilInFlight,
} from '../helpers/stripe-proxy';
import { startApiProcess, startWorkerProcess } from '../helpers/worker-process';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ worker: false });
});
afterAll(async () => {
  await setStripeLatency(h, '/v1/payment_intents', 0);
  await setStripeLatency(h, '/v1/checkout/sessions', 0);
  await h?.stop();
});

test('SIGTERM to the worker during the charge: the activity finishes, the next worker moves on, one charge', async () => {
  let worker = await startWorkerProcess(h);
  try {
    const offer = await offerThroughApi(h, { studentName: 'Noor Haddad' });
    const { employer, id } = offer;
    expect(await acceptWithChargeInFlight(h, offer, 3000)).toBe(true);
    const stopping = worker.stop(); // SIGTERM, then wait for the process to exit
    await stopping;
    expect(worker.log()).toContain('worker stopped');
    await setStripeLatency(h, '/v1/payment_intents', 0, `internship:${id}:`);
    // The charge completed inside the draining worker: it is in the ledger before any retry.
    const { rows } = await h.db.query('SELECT step FROM ledger WHERE internship_id = $1', [id]);
    expect(rows).toEqual([{ step: 'charge' }]);

    worker = await startWorkerProcess(h);
    await waitForStatus(h, employer, id, 'InProgress', 30_000);
    const recorded = await recordedStripeRequests(h);
    const charges = recorded.filter(
      (r) => r.path === '/v1/payment_intents' && r.idempotencyKey === `internship:${id}:charge`,
    );
    expect(charges.filter((c) => !c.replayed)).toHaveLength(1);
  } finally {
    await worker.stop();
  }
});

test('SIGTERM to the API during a request: the request completes, then the process exits', async () => {
  const worker = await startWorkerProcess(h);
  const port = await freePort();
  const api = await startApiProcess(h, port);
  try {
    const { employer, student, id } = await offerThroughApi(h, {
      declineCard: true,
      studentName: 'Noor Haddad',
    });
    await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
      token: student.token,
      body: { accept: true },
    });
    const email = await waitForEmail(employer.email, /Action needed: pay/);
    const link = /Pay now: (\S+)/.exec(email.text)![1]!.replace(h.baseUrl, `http://127.0.0.1:${port}`);

    await setStripeLatency(h, '/v1/checkout/sessions', 2000);
    const request = fetch(link, { method: 'POST', redirect: 'manual' });
    expect(await waitUntilInFlight(h, (r) => r.path === '/v1/checkout/sessions')).toBe(true);
    process.kill(api.child.pid!, 'SIGTERM');
    const response = await request;
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    await api.stop();
    expect(api.log()).toContain('API stopping: finishing in-flight requests');
  } finally {
    await setStripeLatency(h, '/v1/checkout/sessions', 0);
    await api.stop();
    await worker.stop();
  }
});

test('a full run through the API process logs no token, key or secret', async () => {
  const worker = await startWorkerProcess(h, { LOG_LEVEL: 'debug' });
  const port = await freePort();
  const api = await startApiProcess(h, port, { LOG_LEVEL: 'debug' });
  const base = `http://127.0.0.1:${port}`;
  try {
    // Everyone signs in through this process: staff by break-glass then email, the others by email.
    const viaProcess = { ...h, baseUrl: base };
    const employer = await newEmployer(viaProcess, 'Log Check Ltd');
    const student = await newStudent(viaProcess, 'Lou Logs');
    const studentEmail = student.email;
    const confirmation = await waitForEmail(studentEmail, /Confirm your email/);
    const signInLink = /\/sign-in\/(mil_[A-Za-z0-9_-]{43})/.exec(confirmation.text)![1]!;
    const signInCode = /code (\d{6})/.exec(confirmation.text)![1]!;
    const { body } = await call(base, 'POST', '/v1/internships', {
      token: employer.token,
      body: {
        title: 'Audit our logs',
        description: 'Read a week of logs and list anything that should not be there.',
        deliverable: 'A short report',
        skills: ['sql'],
        estimatedHours: 5,
        feeCents: 10_000,
      },
    });
    const applied = await call(base, 'POST', `/v1/internships/${body.id}/applications`, {
      token: student.token,
      body: { pitch: 'I read logs for fun and I am thorough.' },
    });
    await call(base, 'POST', `/v1/internships/${body.id}/selection`, {
      token: employer.token,
      body: { applicationIds: [applied.body.applicationId] },
    });
    const offer = await waitForEmail(studentEmail, /You have an offer/);
    const link = /Accept: (\S+)/.exec(offer.text)![1]!;
    expect((await fetch(link.replace(h.baseUrl, base))).status).toBe(200);
    const payload = JSON.stringify({
      id: `evt_logs_${Date.now()}`,
      object: 'event',
      type: 'ping',
      data: { object: {} },
    });
    const signature = h.stripe.webhooks.generateTestHeaderString({
      payload,
      secret: h.config.STRIPE_WEBHOOK_SECRET,
    });
    await call(base, 'POST', '/webhooks/stripe', {
      rawBody: payload,
      headers: { 'stripe-signature': signature },
    });

    const logs = api.log() + worker.log();
    expect(logs.length).toBeGreaterThan(1000);
    const secrets = [
      h.config.OPS_TOKEN,
      employer.token,
      student.token,
      await staffSession(viaProcess, 'admin'),
      signInLink,
      `code ${signInCode}`,
      `"${signInCode}"`,
      h.config.STRIPE_SECRET_KEY,
      h.config.STRIPE_WEBHOOK_SECRET,
      h.config.CREDENTIAL_SECRET,
      signature,
      link.split('/actions/')[1]!,
    ];
    for (const secret of secrets) expect(logs).not.toContain(secret);
  } finally {
    await api.stop();
    await worker.stop();
  }
});
