/**
 * HUMAN_DAY_SECONDS shortens every human window for demos and benchmarks: the posting's own windows
 * and the platform's fixed ones (here the 3-day pay link), in real time on the dev server.
 */
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { newEmployer, newPosting, offerThroughApi, waitForStatus } from '../helpers/actors';
import { waitForEmail } from '../helpers/inbox';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ config: { HUMAN_DAY_SECONDS: '2' } });
});
afterAll(() => h.stop());

test('a posting nobody applies to expires after its 1-day window, which lasts 2 seconds', async () => {
  const employer = await newEmployer(h);
  const started = Date.now();
  const id = await newPosting(h, employer, { applicationWindowDays: 1 });
  const posting = await waitForStatus(h, employer, id, 'Expired', 20_000);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  expect(posting.status).toBe('Expired');
});

test('an unpaid pay link lapses after its 3 days (6 seconds): cancelled, both told, nothing charged', async () => {
  const { employer, student, id } = await offerThroughApi(h, { declineCard: true });
  const accepted = await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: student.token,
    body: { accept: true },
  });
  expect(accepted.status).toBe(200);
  await waitForStatus(h, employer, id, 'Funding', 10_000);
  const fundingSince = Date.now();
  await waitForStatus(h, employer, id, 'Cancelled', 30_000);
  expect(Date.now() - fundingSince).toBeGreaterThanOrEqual(4_000);
  const { rows } = await h.db.query(`SELECT kind FROM ledger WHERE internship_id = $1`, [id]);
  expect(rows).toEqual([]);
  await waitForEmail(student.email, /will not go ahead/);
  await waitForEmail(employer.email, /was cancelled: the fee was not paid/);
});
