/**
 * Every route × every kind of person (DESIGN §2): person × role × organisation → the status the
 * contract promises. The scene: organisation A (owner, admin, member; the owner posted a posting now
 * in Offered), organisation B's owner, the offered student, a student who never applied, staff with
 * each role, and nobody. Another organisation's objects are always a 404; support changes nothing;
 * and a caller refused as not allowed costs Temporal nothing.
 */
import type { StaffRole } from '../../db/accounts';
import {
  applyAs,
  newEmployer,
  newPosting,
  newStudent,
  sessionFromInbox,
  staffSession,
  waitForStatus,
  type Actor,
} from '../helpers/actors';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

let h: ApiHarness;
const tokens: Record<string, string | undefined> = {};
let orgA: string;
let ownerA: Actor & { accountId: string };
let id: string;
let applicationId: string;

/** A person invited to organisation A with `role`, signed in from the invitation's code. */
async function memberOfA(role: 'admin' | 'member'): Promise<string> {
  const email = `${role}-${uniqueSuffix()}@acme.test`;
  const invited = await call(h.baseUrl, 'POST', `/v1/employers/${orgA}/members`, {
    token: ownerA.token,
    body: { email, role },
  });
  if (invited.status !== 201) throw new Error(`invite ${role}: ${invited.status}`);
  return sessionFromInbox(h, email, /invited/);
}

beforeAll(async () => {
  h = await startApiHarness();
  ownerA = await newEmployer(h, 'Org A');
  orgA = ownerA.id;
  tokens['A owner'] = ownerA.token;
  tokens['A admin'] = await memberOfA('admin');
  tokens['A member'] = await memberOfA('member');
  tokens['B owner'] = (await newEmployer(h, 'Org B')).token;
  const offered = await newStudent(h, 'Offered Student');
  tokens['offered student'] = offered.token;
  tokens['other student'] = (await newStudent(h, 'Other Student')).token;
  for (const role of ['support', 'finance', 'admin'] as StaffRole[])
    tokens[`staff ${role}`] = await staffSession(h, role);
  tokens.nobody = undefined;
  id = await newPosting(h, ownerA);
  applicationId = (await applyAs(h, offered, id)).body.applicationId;
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: ownerA.token,
    body: { applicationIds: [applicationId] },
  });
  await waitForStatus(h, ownerA, id, 'Offered');
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

const who = [
  'A owner',
  'A admin',
  'A member',
  'B owner',
  'offered student',
  'other student',
  'staff support',
  'staff finance',
  'staff admin',
  'nobody',
] as const;
type Who = (typeof who)[number];

/** One status per person, in the order of `who`. */
const row = (...statuses: number[]): Record<Who, number> =>
  Object.fromEntries(who.map((w, i) => [w, statuses[i]!])) as Record<Who, number>;

type Row = [method: string, path: () => string, body: () => unknown, expected: Record<Who, number>];

const fresh = (prefix: string) => `${prefix}-${uniqueSuffix()}@example.test`;

// row(A owner, A admin, A member, B owner, offered student, other student, support, finance, admin, nobody)
const table: Row[] = [
  ['GET', () => '/v1/me', () => undefined, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 401)],
  ['GET', () => '/v1/me/sessions', () => undefined, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 401)],
  ['GET', () => '/v1/me/tokens', () => undefined, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 401)],
  ['GET', () => '/v1/internships', () => undefined, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)],
  [
    'GET',
    () => `/v1/internships/${id}`,
    () => undefined,
    row(200, 200, 200, 404, 200, 404, 200, 200, 200, 404),
  ],
  [
    'GET',
    () => `/v1/internships/${id}/applications`,
    () => undefined,
    row(200, 200, 200, 404, 403, 403, 200, 200, 200, 401),
  ],
  [
    'POST',
    () => `/v1/internships/${id}/selection`,
    () => ({ applicationIds: [applicationId] }),
    row(409, 409, 409, 404, 403, 403, 403, 403, 403, 401),
  ],
  [
    'POST',
    () => `/v1/internships/${id}/applications`,
    () => ({ pitch: 'I would love to work on this project.', answers: ['Excel'] }),
    row(403, 403, 403, 403, 409, 409, 403, 403, 403, 401),
  ],
  [
    'DELETE',
    () => `/v1/internships/${id}/applications/mine`,
    () => undefined,
    row(403, 403, 403, 403, 409, 404, 403, 403, 403, 401),
  ],
  [
    'POST',
    () => `/v1/internships/${id}/cancel`,
    () => ({ reason: 'Changed plans' }),
    row(409, 409, 409, 404, 403, 403, 403, 409, 403, 401),
  ],
  [
    'POST',
    () => `/v1/internships/${id}/review`,
    () => ({ decision: 'approve' }),
    row(409, 409, 409, 404, 403, 403, 403, 403, 403, 401),
  ],
  [
    'POST',
    () => `/v1/internships/${id}/submissions`,
    () => ({ url: 'https://example.com/w', notes: 'Done' }),
    row(403, 403, 403, 403, 404, 404, 403, 403, 403, 401),
  ],
  [
    'POST',
    () => `/v1/admin/internships/${id}/fee-exception`,
    () => ({ approve: true }),
    row(403, 403, 403, 403, 403, 403, 403, 409, 403, 401),
  ],
  [
    'POST',
    () => `/v1/admin/internships/${id}/resolution`,
    () => ({ studentSharePct: 50 }),
    row(403, 403, 403, 403, 403, 403, 403, 409, 403, 401),
  ],
  [
    'GET',
    () => '/v1/admin/conversion',
    () => undefined,
    row(403, 403, 403, 403, 403, 403, 200, 200, 200, 401),
  ],
  [
    'GET',
    () => `/v1/employers/${orgA}/members`,
    () => undefined,
    row(200, 200, 200, 404, 403, 403, 200, 200, 200, 401),
  ],
  // The only owner: kept (409) for those who may remove members, refused for everyone else.
  [
    'DELETE',
    () => `/v1/employers/${orgA}/members/${ownerA?.accountId}`,
    () => undefined,
    row(409, 403, 403, 404, 403, 403, 403, 403, 409, 401),
  ],
  [
    'POST',
    () => `/v1/employers/${orgA}/members`,
    () => ({ email: fresh('member'), role: 'member' }),
    row(201, 201, 403, 404, 403, 403, 403, 403, 201, 401),
  ],
  [
    'POST',
    () => `/v1/employers/${orgA}/members`,
    () => ({ email: fresh('owner'), role: 'owner' }),
    row(201, 403, 403, 404, 403, 403, 403, 403, 201, 401),
  ],
  [
    'POST',
    () => '/v1/employers',
    () => ({ companyName: 'New Org', contactEmail: fresh('billing') }),
    row(403, 403, 403, 403, 403, 403, 403, 403, 201, 401),
  ],
  ['GET', () => '/v1/admin/staff', () => undefined, row(403, 403, 403, 403, 403, 403, 200, 200, 200, 401)],
  [
    'POST',
    () => '/v1/admin/staff',
    () => ({ email: fresh('staff'), role: 'support' }),
    row(403, 403, 403, 403, 403, 403, 403, 403, 201, 401),
  ],
  [
    'DELETE',
    () => '/v1/admin/staff/00000000-0000-4000-8000-000000000000',
    () => undefined,
    row(403, 403, 403, 403, 403, 403, 403, 403, 404, 401),
  ],
  [
    'PUT',
    () => '/v1/me/time-zone',
    () => ({ timeZone: 'Europe/Paris' }),
    row(200, 200, 200, 200, 200, 200, 403, 403, 403, 401),
  ],
  // Last: the offered student's answer moves the posting on.
  [
    'POST',
    () => `/v1/internships/${id}/offer-response`,
    () => ({ accept: true }),
    row(403, 403, 403, 403, 200, 404, 403, 403, 403, 401),
  ],
];

// Named before beforeAll runs, so the ids in a path show as {id}.
const cases = table.flatMap(([method, path, body, expected]) =>
  who.map(
    (caller) =>
      [
        `${method} ${path().replace(/undefined/g, '{id}')} as ${caller} → ${expected[caller]}`,
        method,
        path,
        body,
        caller,
        expected[caller],
      ] as const,
  ),
);

/** What each person was answered, as it happened (checked again as a whole below). */
const answers: { caller: Who; method: string; path: string; status: number }[] = [];

test.each(cases)('%s', async (_name, method, path, body, caller, status) => {
  const sentBefore = h.temporalRequests.total;
  const res = await call(h.baseUrl, method, path(), { token: tokens[caller], body: body() });
  answers.push({ caller, method, path: path(), status: res.status });
  expect({ status: res.status, body: res.status === status ? undefined : res.body }).toEqual({
    status,
    body: undefined,
  });
  if (status >= 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  // Who may act is decided from Postgres: a caller refused as not allowed costs Temporal nothing.
  // (A 409 is the workflow's refusal of its current state, or a rule such as the last owner.)
  if ([401, 403, 404].includes(status))
    expect({ temporalRequests: h.temporalRequests.total - sentBefore }).toEqual({ temporalRequests: 0 });
});

test('nobody of organisation B read or changed anything of organisation A, and support changed nothing', () => {
  const ofA = answers.filter((a) => a.caller === 'B owner' && (a.path.includes(id) || a.path.includes(orgA)));
  expect(ofA.length).toBeGreaterThan(10);
  expect(ofA.filter((a) => a.status < 400)).toEqual([]);
  const supportChanges = answers.filter(
    (a) => a.caller === 'staff support' && a.method !== 'GET' && !a.path.startsWith('/v1/me/'),
  );
  expect(supportChanges.length).toBeGreaterThan(10);
  expect(supportChanges.filter((a) => a.status !== 403)).toEqual([]);
});

test('after acceptance, the hired student still sees the posting and the other student does not', async () => {
  await waitForStatus(h, ownerA, id, 'Funding');
  expect(
    (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: tokens['offered student'] })).body,
  ).toMatchObject({
    status: expect.stringMatching(/^(Funding|InProgress)$/),
    myApplication: { status: 'accepted' },
  });
  expect(
    (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: tokens['other student'] })).status,
  ).toBe(404);
});
