/**
 * What waits on ops, through HTTP: a fee exception and a dispute are listed with their run in the
 * Temporal UI; the amounts of a resolution at a share are stated before it is made, and they are the
 * amounts the money then moves.
 */
import { newEmployer, newStudent, payoutAccountReady, samplePosting, staffSession } from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { waitForEmail } from '../helpers/inbox';
import { disputeThroughApi } from '../helpers/journeys';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

test('the queue lists a fee exception and a dispute, each with its run in the Temporal UI, as the audit answer does; only staff read it', async () => {
  const employer = await newEmployer(h);
  const low = await call(h.baseUrl, 'POST', '/v1/internships', {
    token: employer.token,
    body: { ...samplePosting, feeCents: 10_000, feeException: true },
  });
  const { id } = await disputeThroughApi(h);
  const support = await staffSession(h, 'support');

  const queue = await call(h.baseUrl, 'GET', '/v1/admin/queue', { token: support });
  expect(queue.status).toBe(200);
  const exception = queue.body.feeExceptions.find((i: any) => i.internshipId === low.body.id);
  const dispute = queue.body.openDisputes.find((i: any) => i.internshipId === id);
  for (const item of [exception, dispute]) {
    const { runId } = await h.temporal.workflow.getHandle(item.workflowId).describe();
    expect(item.temporalUi).toBe(
      `${h.config.TEMPORAL_UI_URL.replace(/\/+$/, '')}/namespaces/${h.temporalTarget.namespace}/workflows/${encodeURIComponent(item.workflowId)}/${runId}/history`,
    );
  }
  expect(exception).toMatchObject({ status: 'AwaitingApproval', feeCents: 10_000 });
  expect(dispute).toMatchObject({ status: 'Disputed', workflowId: `internship:${id}` });

  // The audit answer carries the same run's link for staff; the employer's view of it has none
  const audited = await call(h.baseUrl, 'GET', `/v1/internships/${low.body.id}`, { token: support });
  expect(audited.body.temporalUi).toBe(exception.temporalUi);
  const own = await call(h.baseUrl, 'GET', `/v1/internships/${low.body.id}`, { token: employer.token });
  expect(own.body).not.toHaveProperty('temporalUi');

  const student = await newStudent(h, 'Nosy Student');
  for (const [token, status] of [
    [employer.token, 403],
    [student.token, 403],
    [undefined, 401],
  ] as const) {
    expect((await call(h.baseUrl, 'GET', '/v1/admin/queue', { token })).status).toBe(status);
  }
}, 120_000);

test('a resolution at a share states what the student is paid and the employer refunded, and the money moves so', async () => {
  const { student, id } = await disputeThroughApi(h);
  const finance = await staffSession(h, 'finance');
  const path = `/v1/admin/internships/${id}/resolution`;

  const bad = await call(h.baseUrl, 'GET', `${path}?studentSharePct=101`, { token: finance });
  expect(bad.status).toBe(422);
  expect(bad.body.errors[0].field).toBe('query.studentSharePct');
  const preview = await call(h.baseUrl, 'GET', `${path}?studentSharePct=40`, { token: finance });
  // samplePosting's fee is $250.00; the platform keeps 10% of the student's share.
  expect(preview.body).toEqual({
    feeCents: 25_000,
    studentSharePct: 40,
    studentShareCents: 10_000,
    platformShareCents: 1_000,
    studentPaidCents: 9_000,
    employerRefundCents: 15_000,
  });

  expect(
    (await call(h.baseUrl, 'POST', path, { token: finance, body: { studentSharePct: 40 } })).status,
  ).toBe(202);
  await waitForEmail(student.email, /Set up payouts/, 30_000);
  await payoutAccountReady(h, student);
  let ledger: Record<string, number> = {};
  for (let i = 0; i < 100 && ledger.payout === undefined; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const { rows } = await h.db.query<{ step: string; amount_cents: number }>(
      `SELECT step, amount_cents FROM ledger WHERE internship_id = $1`,
      [id],
    );
    ledger = Object.fromEntries(rows.map((r) => [r.step, r.amount_cents]));
  }
  expect(ledger).toMatchObject({ 'dispute-refund': 15_000, payout: 9_000, 'platform-share': 1_000 });

  // Once settled, there is nothing to preview.
  expect((await call(h.baseUrl, 'GET', `${path}?studentSharePct=40`, { token: finance })).status).toBe(409);
}, 120_000);
