/**
 * The first slice through HTTP against the real services: ops creates an employer, the employer posts,
 * the workflow runs on the dev server with its search attributes, and bad requests get problem+json.
 */
import { listAudit } from '../../db/audit';
import { findInternship } from '../../db/internships';
import { createRecordActivities } from '../../activities/records';
import { internshipWorkflowId, type InternshipStatus } from '../../workflows/definitions';
import { newEmployer as createEmployer, samplePosting, staffSession } from '../helpers/actors';
import { seedEmployer, seedPosting } from '../helpers/fixtures';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

let h: ApiHarness;
let ops: string;

beforeAll(async () => {
  h = await startApiHarness();
  ops = await staffSession(h, 'support');
});
afterAll(async () => {
  await h?.stop();
});

const posting = samplePosting;
const newEmployer = async (company?: string) => {
  const actor = await createEmployer(h, company);
  return { employer: { id: actor.id, contactEmail: actor.email }, token: actor.token };
};

describe('POST /v1/employers', () => {
  test('a staff admin creates an organisation; its owner is invited by email and signs in to a session stored only as a hash', async () => {
    const { employer, token } = await newEmployer();
    expect(token).toMatch(/^mis_[A-Za-z0-9_-]{43}$/);
    const { rows } = await h.db.query<{ token_hash: Buffer }>(
      `SELECT s.token_hash FROM sessions s JOIN members m ON m.account_id = s.account_id WHERE m.employer_id = $1`,
      [employer.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash.toString('utf8')).not.toContain(token);
    const me = await call(h.baseUrl, 'GET', '/v1/me', { token });
    expect(me.body).toMatchObject({
      role: 'owner',
      organisation: { id: employer.id, companyName: 'Acme Analytics' },
    });
    expect((await call(h.baseUrl, 'GET', '/v1/internships', { token })).status).toBe(200);
  });

  test('an employer token cannot create employers (403), and no token gets 401 with a Bearer challenge', async () => {
    const { token } = await newEmployer();
    const body = { companyName: 'Sneaky Co', contactEmail: 'x@sneaky.test' };
    const asEmployer = await call(h.baseUrl, 'POST', '/v1/employers', { token, body });
    expect(asEmployer.status).toBe(403);
    const anonymous = await call(h.baseUrl, 'POST', '/v1/employers', { body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
  });

  test('a bad contact email is a 422 naming the field', async () => {
    const res = await call(h.baseUrl, 'POST', '/v1/employers', {
      token: await staffSession(h, 'admin'),
      body: { companyName: 'Acme', contactEmail: 'not-an-email' },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'contactEmail' })]);
  });
});

describe('POST /v1/internships', () => {
  test('given an employer, when it posts, then the workflow runs Open with its search attributes and the posting shows its deadlines', async () => {
    const { employer, token } = await newEmployer();
    const before = Date.now();
    const res = await call(h.baseUrl, 'POST', '/v1/internships', { token, body: posting });

    expect(res.status).toBe(201);
    const { id, workflowId, status } = res.body;
    expect(status).toBe('Open');
    expect(workflowId).toBe(internshipWorkflowId(id));
    expect(res.headers.get('location')).toBe(`/v1/internships/${id}`);

    // Ops find it in Temporal by its status (visibility is eventually consistent: poll briefly).
    const query = `InternshipStatus="Open" AND EmployerId="${employer.id}"`;
    let found: string[] = [];
    for (let i = 0; i < 50 && found.length === 0; i++) {
      found = [];
      for await (const wf of h.temporal.workflow.list({ query })) found.push(wf.workflowId);
      if (!found.length) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).toEqual([workflowId]);

    const description = await h.temporal.workflow.getHandle(workflowId).describe();
    // What ops see in the Temporal UI: ids, amounts and dates; no words a person wrote.
    expect(description.memo).toEqual({ internshipId: id, employerId: employer.id, feeCents: 25_000 });
    expect(JSON.stringify(await h.temporal.workflow.getHandle(workflowId).fetchHistory())).not.toContain(
      posting.title,
    );
    expect(description.typedSearchAttributes.get({ name: 'FeeCents', type: 'INT' } as never)).toBe(25_000);

    const got = await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id,
      status: 'Open',
      title: posting.title,
      skills: ['excel', 'data cleaning'],
    });
    const deadline = Date.parse(got.body.deadlines.applications);
    const sevenDays = 7 * 24 * 3600 * 1000;
    expect(deadline).toBeGreaterThanOrEqual(before + sevenDays);
    expect(deadline).toBeLessThanOrEqual(Date.now() + sevenDays);
    expect(got.body.deadlines.next).toBe(got.body.deadlines.applications);
    expect(got.body.windows).toEqual({
      selectionMs: 5 * 86_400_000,
      acceptMs: 48 * 3_600_000,
      workMs: 14 * 86_400_000,
      reviewMs: 5 * 86_400_000,
    });
  });

  test('the workflow writes its state to the read model (version moves past the API insert)', async () => {
    const { token } = await newEmployer();
    const { body } = await call(h.baseUrl, 'POST', '/v1/internships', { token, body: posting });
    let version = 0;
    for (let i = 0; i < 50 && version === 0; i++) {
      const { rows } = await h.db.query<{ state_version: number }>(
        'SELECT state_version FROM internships WHERE id = $1',
        [body.id],
      );
      version = rows[0]!.state_version;
      if (!version) await new Promise((r) => setTimeout(r, 100));
    }
    expect(version).toBe(1);
    expect((await findInternship(h.db, body.id))?.status).toBe('Open');
  });

  test('a state published by a workflow task lost with its worker gives way to the task run in its place, even another attempt of it, and to a reset run; a late write of an older task is ignored', async () => {
    const { internshipId, applicationDeadline } = await seedPosting(
      h.db,
      await seedEmployer(h.db),
      Date.now(),
    );
    const t0 = Date.now();
    const state = (
      status: InternshipStatus,
      version: number,
      task: { time: number; historyLength: number },
    ) => ({
      internshipId,
      applicationDeadline,
      nextDeadline: null,
      hiredStudentId: null,
      dueAt: null,
      paidBy: null,
      status,
      version,
      task,
    });
    // Written as the workflow writes it: the read-model activity, which also writes the audit row.
    const records = createRecordActivities({ db: h.db });
    const recordState = (summary: Parameters<typeof records.recordInternshipState>[0]) =>
      records.recordInternshipState(summary);
    const statusNow = async () => (await findInternship(h.db, internshipId))?.status;
    expect(await recordState(state('Funding', 5, { time: t0, historyLength: 30 }))).toBe(true);
    // The task at history length 40 published InProgress, then its worker died before it completed.
    expect(await recordState(state('InProgress', 6, { time: t0 + 1000, historyLength: 40 }))).toBe(true);
    // Its second attempt (no new history events, a later workflow time) saw the employer's
    // cancellation first: same version, another status.
    expect(await recordState(state('Cancelled', 6, { time: t0 + 11_000, historyLength: 40 }))).toBe(true);
    expect(await statusNow()).toBe('Cancelled');
    // The first attempt's worker had only stalled, and writes after all: too late.
    expect(await recordState(state('InProgress', 7, { time: t0 + 1000, historyLength: 40 }))).toBe(false);
    expect(await statusNow()).toBe('Cancelled');
    // Ops reset the workflow to before the cancellation: the new run replays a shorter history with
    // lower versions, and its first task is the latest.
    expect(await recordState(state('Funding', 5, { time: t0 + 60_000, historyLength: 33 }))).toBe(true);
    expect(await statusNow()).toBe('Funding');
    expect((await listAudit(h.db, internshipId)).map((e) => e.action)).toEqual([
      'status:Funding',
      'status:InProgress',
      'status:Cancelled',
    ]);
  });

  test('without a token, or with a forged one, posting is 401', async () => {
    expect((await call(h.baseUrl, 'POST', '/v1/internships', { body: posting })).status).toBe(401);
    const forged = await call(h.baseUrl, 'POST', '/v1/internships', { token: 'mi_forged', body: posting });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  test('ops cannot post on behalf of nobody (403)', async () => {
    expect((await call(h.baseUrl, 'POST', '/v1/internships', { token: ops, body: posting })).status).toBe(
      403,
    );
  });

  test.each([
    ['estimatedHours', { estimatedHours: 4 }],
    ['estimatedHours', { estimatedHours: 41, feeCents: 100_000 }],
    ['feeCents', { feeCents: 19_999 }], // 10 h × 2000 cents/hour = 20,000
    ['applicationWindowDays', { applicationWindowDays: 31 }],
    ['applicationWindowDays', { applicationWindowDays: 0 }],
    ['workDurationDays', { workDurationDays: 2 }],
    ['reviewWindowDays', { reviewWindowDays: 15 }],
    ['maxApplicants', { maxApplicants: 201 }],
    ['skills', { skills: [] }],
    ['title', { title: undefined }],
    ['gpa', { gpa: 3.9 }],
  ])('a bad %s is a 422 problem naming it, and nothing is created', async (field, change) => {
    const { employer, token } = await newEmployer();
    const res = await call(h.baseUrl, 'POST', '/v1/internships', { token, body: { ...posting, ...change } });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, title: 'Invalid request' });
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields.length).toBeGreaterThan(0);
    expect(fields.join(' ')).toContain(field === 'gpa' ? '' : field);
    if (field === 'gpa') expect(res.body.detail).toMatch(/gpa/);
    const { rowCount } = await h.db.query('SELECT 1 FROM internships WHERE employer_id = $1', [employer.id]);
    expect(rowCount).toBe(0);
  });

  test('the fair-pay floor is stated in the error', async () => {
    const { token } = await newEmployer();
    const res = await call(h.baseUrl, 'POST', '/v1/internships', {
      token,
      body: { ...posting, feeCents: 5_000 },
    });
    expect(res.body.errors).toEqual([
      {
        field: 'feeCents',
        message:
          'must be at least 20000 cents for 10 hours (fair-pay floor of 2000 cents per hour), or ask for an exception with feeException: true',
      },
    ]);
  });

  test('malformed JSON is a 400 problem, not a stack trace', async () => {
    const { token } = await newEmployer();
    const res = await call(h.baseUrl, 'POST', '/v1/internships', { token, rawBody: '{"title": ' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      status: 400,
      errors: [{ field: 'body', message: 'is not valid JSON' }],
    });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js|SyntaxError/);
  });
});

describe('GET /v1/internships/:id', () => {
  test("another employer's posting is 404; the owner, ops and (while it is open) anyone see it", async () => {
    const owner = await newEmployer('Owner Co');
    const other = await newEmployer('Other Co');
    const { body } = await call(h.baseUrl, 'POST', '/v1/internships', { token: owner.token, body: posting });
    expect((await call(h.baseUrl, 'GET', `/v1/internships/${body.id}`, { token: other.token })).status).toBe(
      404,
    );
    expect((await call(h.baseUrl, 'GET', `/v1/internships/${body.id}`, { token: owner.token })).status).toBe(
      200,
    );
    expect((await call(h.baseUrl, 'GET', `/v1/internships/${body.id}`, { token: ops })).status).toBe(200);
    // Anyone may read a posting while it is open, signed in or not.
    expect((await call(h.baseUrl, 'GET', `/v1/internships/${body.id}`)).status).toBe(200);
  });

  test('an id that is not a uuid is 404', async () => {
    const { token } = await newEmployer();
    expect((await call(h.baseUrl, 'GET', '/v1/internships/42', { token })).status).toBe(404);
  });
});

describe('GET /v1/internships', () => {
  test('an employer pages through its own postings only, newest first', async () => {
    const mine = await newEmployer();
    const other = await newEmployer();
    await call(h.baseUrl, 'POST', '/v1/internships', { token: other.token, body: posting });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { body } = await call(h.baseUrl, 'POST', '/v1/internships', {
        token: mine.token,
        body: { ...posting, title: `Posting number ${i}` },
      });
      ids.push(body.id);
    }
    const first = await call(h.baseUrl, 'GET', '/v1/internships?limit=2', { token: mine.token });
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual([ids[2], ids[1]]);
    const second = await call(h.baseUrl, 'GET', `/v1/internships?limit=2&cursor=${first.body.nextCursor}`, {
      token: mine.token,
    });
    expect(second.body.items.map((i: { id: string }) => i.id)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeNull();

    const bad = await call(h.baseUrl, 'GET', '/v1/internships?cursor=nonsense', { token: mine.token });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('query.cursor');
  });
});
