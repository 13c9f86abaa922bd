/**
 * Every route of the hiring slice × every kind of caller → the status DESIGN §2/§5 promises.
 * The scene: a posting in Offered, its owner, another employer, the offered student, a student who
 * never applied, and no token.
 */
import { applyAs, newEmployer, newPosting, newStudent, waitForStatus, type Actor } from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

let h: ApiHarness;
const actors: Record<string, Actor | undefined> = {};
let id: string;
let applicationId: string;

beforeAll(async () => {
  h = await startApiHarness();
  actors.owner = await newEmployer(h, 'Owner Co');
  actors['other employer'] = await newEmployer(h, 'Other Co');
  actors['offered student'] = await newStudent(h, 'Offered Student');
  actors['other student'] = await newStudent(h, 'Other Student');
  actors['no token'] = undefined;
  id = await newPosting(h, actors.owner);
  applicationId = (await applyAs(h, actors['offered student'], id)).body.applicationId;
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: actors.owner.token,
    body: { applicationIds: [applicationId] },
  });
  await waitForStatus(h, actors.owner, id, 'Offered');
});
afterAll(async () => {
  await h?.stop();
});

type Row = [method: string, path: () => string, body: () => unknown, expected: Record<string, number>];
const who = ['owner', 'other employer', 'offered student', 'other student', 'no token'];

const table: Row[] = [
  [
    'GET',
    () => `/v1/internships/${id}`,
    () => undefined,
    { owner: 200, 'other employer': 404, 'offered student': 200, 'other student': 404, 'no token': 401 },
  ],
  [
    'GET',
    () => `/v1/internships/${id}/applications`,
    () => undefined,
    { owner: 200, 'other employer': 404, 'offered student': 403, 'other student': 403, 'no token': 401 },
  ],
  [
    'POST',
    () => `/v1/internships/${id}/selection`,
    () => ({ applicationIds: [applicationId] }),
    { owner: 409, 'other employer': 404, 'offered student': 403, 'other student': 403, 'no token': 401 },
  ],
  [
    'POST',
    () => `/v1/internships/${id}/applications`,
    () => ({ pitch: 'I would love to work on this project.', answers: ['Excel'] }),
    { owner: 403, 'other employer': 403, 'offered student': 409, 'other student': 409, 'no token': 401 },
  ],
  [
    'DELETE',
    () => `/v1/internships/${id}/applications/mine`,
    () => undefined,
    { owner: 403, 'other employer': 403, 'offered student': 409, 'other student': 404, 'no token': 401 },
  ],
  [
    'GET',
    () => '/v1/internships',
    () => undefined,
    { owner: 200, 'other employer': 200, 'offered student': 200, 'other student': 200, 'no token': 401 },
  ],
  // Last: the offered student's answer moves the posting on.
  [
    'POST',
    () => `/v1/internships/${id}/offer-response`,
    () => ({ accept: true }),
    { owner: 403, 'other employer': 403, 'other student': 404, 'no token': 401, 'offered student': 200 },
  ],
];

// Named before beforeAll runs, so the id in a path shows as {id}.
const cases = table.flatMap(([method, path, body, expected]) =>
  Object.keys(expected).map(
    (caller) =>
      [
        `${method} ${path().replace('undefined', '{id}')} as ${caller} → ${expected[caller]}`,
        method,
        path,
        body,
        caller,
        expected[caller]!,
      ] as const,
  ),
);

test.each(cases)('%s', async (_name, method, path, body, caller, status) => {
  expect(who).toContain(caller);
  const sentBefore = h.temporalRequests.total;
  const res = await call(h.baseUrl, method, path(), { token: actors[caller]?.token, body: body() });
  expect(res.status).toBe(status);
  if (status >= 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  // Who may act is decided from Postgres: a caller refused as not allowed costs Temporal nothing.
  // (A 409 to the owner or the offered student is the workflow's refusal of its current state.)
  if ([401, 403, 404].includes(status))
    expect({ temporalRequests: h.temporalRequests.total - sentBefore }).toEqual({ temporalRequests: 0 });
});

test('after acceptance, the hired student still sees the posting and the other student does not', async () => {
  await waitForStatus(h, actors.owner!, id, 'Funding');
  expect(
    (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: actors['offered student']!.token })).body,
  ).toMatchObject({ status: 'Funding', myApplication: { status: 'accepted' } });
  expect(
    (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: actors['other student']!.token })).status,
  ).toBe(404);
});
