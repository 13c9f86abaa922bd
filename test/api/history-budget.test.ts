/**
 * History budgets: a posting with 200 applicants stays under DESIGN §6's 2,000 events through
 * acceptance, and a whole lifecycle (the benchmark's: 3 applicants, hired, paid, feedback, hiring
 * offer accepted) stays under the 200 events per lifecycle the benchmark holds it to.
 */
import {
  applyAs,
  newEmployer,
  newPosting,
  newStudent,
  waitForStatus,
  type Actor,
  staffSession,
} from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { waitForEmail } from '../helpers/inbox';
import { httpLifecycle } from '../../scripts/prove/lifecycle';
import { signUpActors } from '../../scripts/prove/people';
import { maildevUrl } from '../helpers/env';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

test('200 applicants through acceptance stay under 2,000 history events', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer, { maxApplicants: 200 });
  const students: Actor[] = [];
  const applicationIds: string[] = [];
  for (let batch = 0; batch < 200 / 20; batch++) {
    const group = await Promise.all(
      Array.from({ length: 20 }, (_, i) => newStudent(h, `Budget Student${batch * 20 + i}`)),
    );
    const applied = await Promise.all(group.map((s) => applyAs(h, s, id)));
    for (const [i, res] of applied.entries()) {
      expect(res.status).toBe(201);
      students.push(group[i]!);
      applicationIds.push(res.body.applicationId as string);
    }
  }
  await waitForStatus(h, employer, id, 'Selecting', 90_000);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: employer.token,
    body: { applicationIds: [applicationIds[0]] },
  });
  await waitForEmail(students[0]!.email, /You have an offer/, 90_000);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: students[0]!.token,
    body: { accept: true },
  });
  await waitForStatus(h, employer, id, 'InProgress', 90_000);

  const history = await h.temporal.workflow.getHandle(`internship:${id}`).fetchHistory();
  const events = history.events?.length ?? 0;
  process.stdout.write(`history events, 200 applicants through acceptance: ${events}\n`);
  expect(events).toBeLessThan(2_000);
}, 300_000);

test('a whole lifecycle, from posting to an accepted job offer, stays under 200 history events', async () => {
  const http = { baseUrl: h.baseUrl, record: () => undefined, retryForMs: 0 };
  const actors = await signUpActors(
    http,
    { url: maildevUrl() },
    await staffSession(h, 'admin'),
    `budget-${Date.now()}`,
  );
  const id = await httpLifecycle(
    { http, db: h.db, webhookSecret: h.config.STRIPE_WEBHOOK_SECRET, statusTimeoutMs: 60_000 },
    actors,
  );
  const history = await h.temporal.workflow.getHandle(`internship:${id}`).fetchHistory();
  const events = history.events?.length ?? 0;
  process.stdout.write(`history events, one whole lifecycle: ${events}\n`);
  expect(events).toBeLessThanOrEqual(200);
  expect(
    (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: await staffSession(h, 'support') })).body
      .status,
  ).toBe('Closed');
}, 120_000);
