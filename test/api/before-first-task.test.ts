/**
 * An action sent the moment a posting is created, before its workflow ran a first task (no worker
 * has picked it up yet): the workflow judges it while it registers its handlers, on the posting as
 * it opened (state version 0), which is the state its first publish shows. By the time the API
 * reads the refusal the read model may already show that publish (version 1); the refusal stands
 * all the same, 409, not a 503 asking the caller to retry (a test that posted and acted at once saw
 * that 503 on a loaded machine). Before 9d0c9dc this answered 503 StateCatchingUp; a refusal behind
 * the read model is now asked again, and the workflow, past its first task, refuses at version 1.
 */
import { newEmployer, newPosting, staffSession } from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ worker: 'later' });
});
afterAll(() => h?.stop());

test('a refused action on a posting whose workflow has not run yet is a 409, although the row shows the first publish', async () => {
  const employer = await newEmployer(h);
  const finance = await staffSession(h, 'finance');
  const id = await newPosting(h, employer);
  // What the first task's publish writes, there before the API reads it (its activity won the race).
  await h.db.query(`UPDATE internships SET state_version = 1, state_recorded_at = now() WHERE id = $1`, [id]);

  // A dispute resolution on an open posting: refused (WrongState). Sent while no worker runs, so the
  // workflow's first task carries it; then the worker starts.
  const updates = () => h.temporalRequests.byMethod.get('UpdateWorkflowExecution') ?? 0;
  const before = updates();
  const resolution = call(h.baseUrl, 'POST', `/v1/admin/internships/${id}/resolution`, {
    token: finance,
    body: { studentSharePct: 50 },
  });
  for (let i = 0; i < 500 && updates() === before; i++) await new Promise((r) => setTimeout(r, 10));
  expect(updates()).toBeGreaterThan(before); // sent to Temporal, and waiting there for a worker
  await h.startWorker();
  const answer = await resolution;
  expect({ status: answer.status, type: answer.body.type }).toEqual({
    status: 409,
    type: '/problems/WrongState',
  });
});
