/** Ops routes through HTTP: only ops may use them, and a fee exception goes from waiting to open. */
import type { StaffRole } from '../../db/accounts';
import {
  applyAs,
  newEmployer,
  newPosting,
  newStudent,
  samplePosting,
  waitForStatus,
  staffSession,
} from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

test('a posting below the floor with feeException waits in AwaitingApproval until ops approve it', async () => {
  const employer = await newEmployer(h);
  const student = await newStudent(h, 'Zoe Clarke');
  const posted = await call(h.baseUrl, 'POST', '/v1/internships', {
    token: employer.token,
    body: {
      ...samplePosting,
      feeCents: 10_000,
      feeException: true,
      screeningQuestions: ['Which tool would you use, and why?'],
    },
  });
  expect(posted.status).toBe(201);
  expect(posted.body.status).toBe('AwaitingApproval');
  const id = posted.body.id as string;
  expect((await applyAs(h, student, id)).status).toBe(409);

  for (const [token, status] of [
    [employer.token, 403],
    [student.token, 403],
    [undefined, 401],
  ] as const) {
    const res = await call(h.baseUrl, 'POST', `/v1/admin/internships/${id}/fee-exception`, {
      token,
      body: { approve: true },
    });
    expect(res.status).toBe(status);
  }
  const finance = await staffSession(h, 'finance');
  const approved = await call(h.baseUrl, 'POST', `/v1/admin/internships/${id}/fee-exception`, {
    token: finance,
    body: { approve: true },
  });
  expect(approved.body).toEqual({ status: 'Open' });
  await waitForStatus(h, employer, id, 'Open');
  expect((await applyAs(h, student, id)).status).toBe(201);
  const again = await call(h.baseUrl, 'POST', `/v1/admin/internships/${id}/fee-exception`, {
    token: finance,
    body: { approve: false },
  });
  expect(again.status).toBe(409);
});

test('a fee exception is not needed, and not recorded, when the fee meets the floor', async () => {
  const employer = await newEmployer(h);
  const posted = await call(h.baseUrl, 'POST', '/v1/internships', {
    token: employer.token,
    body: { ...samplePosting, feeException: true },
  });
  expect(posted.body.status).toBe('Open');
});

test('dispute resolutions are for ops only, with a share from 0 to 100, and only for a dispute', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);
  const path = `/v1/admin/internships/${id}/resolution`;
  expect(
    (await call(h.baseUrl, 'POST', path, { token: employer.token, body: { studentSharePct: 50 } })).status,
  ).toBe(403);
  const finance = await staffSession(h, 'finance');
  const bad = await call(h.baseUrl, 'POST', path, {
    token: finance,
    body: { studentSharePct: 101 },
  });
  expect(bad.status).toBe(422);
  expect(bad.body.errors[0].field).toBe('studentSharePct');
  expect(
    (await call(h.baseUrl, 'POST', path, { token: finance, body: { studentSharePct: 50 } })).status,
  ).toBe(409);
});

test('every ops route refuses non-ops callers: 403 for employers and students, 401 without a token', async () => {
  const employer = await newEmployer(h);
  const student = await newStudent(h, 'Pat Ops-Test');
  const id = await newPosting(h, employer);
  // Each with the staff role that may use it (support only reads).
  const routes: [string, string, unknown, StaffRole][] = [
    ['POST', '/v1/employers', { companyName: 'Sneaky', contactEmail: 'x@sneaky.test' }, 'admin'],
    ['POST', `/v1/admin/internships/${id}/fee-exception`, { approve: true }, 'finance'],
    ['POST', `/v1/admin/internships/${id}/resolution`, { studentSharePct: 50 }, 'finance'],
    ['GET', '/v1/admin/conversion', undefined, 'support'],
  ];
  const results: string[] = [];
  for (const [method, path, body, role] of routes) {
    for (const [who, token] of [
      ['employer', employer.token],
      ['student', student.token],
      ['nobody', undefined],
      ['ops', await staffSession(h, role)],
    ] as const) {
      const res = await call(h.baseUrl, method, path, { token, body });
      results.push(
        `${method} ${path.replace(id, ':id')} ${who} ${[401, 403].includes(res.status) ? res.status : 'allowed'}`,
      );
    }
  }
  expect(results).toEqual(
    routes.flatMap(([method, path]) =>
      ['employer 403', 'student 403', 'nobody 401', 'ops allowed'].map(
        (r) => `${method} ${path.replace(id, ':id')} ${r}`,
      ),
    ),
  );
});
