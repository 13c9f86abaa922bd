/**
 * A worker process is killed (SIGKILL) while the charge is in flight at Stripe, and another worker
 * takes over. The internship still completes with exactly one ledger row per money step, and every
 * attempt of the charge carried the same idempotency key — so Stripe (here the recording proxy in
 * front of stripe-mock) saw one effective charge.
 */
import { offerThroughApi, payoutAccountReady, waitForStatus } from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { acceptWithChargeInFlight, recordedStripeRequests, setStripeLatency } from '../helpers/stripe-proxy';
import { waitForEmail } from '../helpers/inbox';
import { startWorkerProcess } from '../helpers/worker-process';

let h: ApiHarness;

beforeAll(async () => {
  h = await startApiHarness({ worker: false });
});
afterAll(async () => {
  await setStripeLatency(h, '/v1/payment_intents', 0);
  await h?.stop();
});

test('SIGKILL of the worker during the charge: one charge, the same key on every attempt, one ledger row per step', async () => {
  let worker = await startWorkerProcess(h);
  try {
    const offer = await offerThroughApi(h, { studentName: 'Wes Anders' });
    const { employer, student, id } = offer;

    // The charge will take 4 s at "Stripe": the worker dies in the middle of it.
    expect(await acceptWithChargeInFlight(h, offer, 4000)).toBe(true);
    process.kill(-worker.child.pid!, 'SIGKILL');
    await worker.stop();
    await setStripeLatency(h, '/v1/payment_intents', 0, `internship:${id}:`);

    worker = await startWorkerProcess(h);
    // The heartbeat timeout (5 s) tells the server the attempt died; the new worker retries it.
    await waitForStatus(h, employer, id, 'InProgress', 60_000);

    // The work goes on to the payout with the new worker.
    await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, {
      token: student.token,
      body: { url: 'https://example.com/done', notes: 'Done.' },
    });
    await waitForStatus(h, employer, id, 'InReview');
    await call(h.baseUrl, 'POST', `/v1/internships/${id}/review`, {
      token: employer.token,
      body: { decision: 'approve' },
    });
    await waitForEmail(student.email, /Set up payouts/);
    expect((await payoutAccountReady(h, student)).status).toBe(200);
    await waitForStatus(h, employer, id, 'Completed');

    const { rows } = await h.db.query<{ step: string; idempotency_key: string }>(
      'SELECT step, idempotency_key FROM ledger WHERE internship_id = $1 ORDER BY step',
      [id],
    );
    expect(rows).toEqual([
      { step: 'charge', idempotency_key: `internship:${id}:charge` },
      { step: 'payout', idempotency_key: `internship:${id}:payout` },
      { step: 'platform-share', idempotency_key: `internship:${id}:platform-share` },
    ]);

    const recorded = await recordedStripeRequests(h);
    const charges = recorded.filter(
      (r) =>
        r.method === 'POST' &&
        r.path === '/v1/payment_intents' &&
        r.idempotencyKey?.startsWith(`internship:${id}:`),
    );
    process.stdout.write(
      `charge attempts seen by Stripe: ${charges.length} (replayed: ${charges.filter((c) => c.replayed).length})\n`,
    );
    expect(charges.length).toBeGreaterThanOrEqual(2);
    expect(new Set(charges.map((c) => c.idempotencyKey))).toEqual(new Set([`internship:${id}:charge`]));
    expect(charges.filter((c) => !c.replayed)).toHaveLength(1);
  } finally {
    await worker.stop();
  }
});

test('SIGKILL after the worker published InProgress but before its workflow task completed: a submission meanwhile is asked to retry, never refused', async () => {
  let worker = await startWorkerProcess(h);
  const locker = await h.db.connect();
  try {
    const offer = await offerThroughApi(h, { studentName: 'Ida Park' });
    const { employer, student, id } = offer;
    expect(await acceptWithChargeInFlight(h, offer, 2000)).toBe(true);
    // The workflow task that follows the charge publishes InProgress (a local activity writes the read
    // model), then queues the work-started emails: holding the outbox keeps the worker inside that
    // task, and the worker dies there — the read model is written, the task that wrote it is lost.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE email_outbox IN EXCLUSIVE MODE');
    await setStripeLatency(h, '/v1/payment_intents', 0, `internship:${id}:`);
    await waitForStatus(h, employer, id, 'InProgress', 10_000);
    process.kill(-worker.child.pid!, 'SIGKILL');
    await worker.stop();
    await locker.query('ROLLBACK');
    const restarted = startWorkerProcess(h);

    // The student sees InProgress and submits while the workflow, durably, is still in Funding: it
    // re-runs the lost task only when that task times out (10 s), with this submission in it.
    await new Promise((r) => setTimeout(r, 3000));
    const answers: { status: number; type?: string; retryAfter?: string | null }[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      const res = await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, {
        token: student.token,
        body: { url: 'https://example.com/early', notes: 'Submitted while the worker was down.' },
        headers: { 'Idempotency-Key': `submit-${id}` },
      });
      answers.push({ status: res.status, type: res.body?.type, retryAfter: res.headers.get('retry-after') });
      if (res.status !== 503) break;
      await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
    }
    worker = await restarted;
    process.stdout.write(`submission answers: ${JSON.stringify(answers)}\n`);
    expect(answers.map((a) => a.status)).not.toContain(409);
    expect(answers.filter((a) => a.status === 503).every((a) => Number(a.retryAfter) > 0)).toBe(true);
    expect(answers.at(-1)?.status).toBe(201);
    await waitForStatus(h, employer, id, 'InReview');
  } finally {
    await locker.query('ROLLBACK').catch(() => undefined);
    locker.release();
    await worker.stop();
  }
});
