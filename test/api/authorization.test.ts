/**
 * Every route × every kind of person (DESIGN §2): person × role × organisation → the status the
 * contract promises, for every operation of the OpenAPI document under /v1 and /codec (a route
 * without a row fails the first test). The scene: organisations A and B, each with an owner, an
 * admin and a member; the student A chose (offered posting `id`, now in Offered, and hired for `done`,
 * whose work is completed), a student who never applied, staff with each role, and nobody. Another
 * organisation's objects are always a 404, and so is another person's session or token; support
 * changes nothing; a caller refused as not allowed costs Temporal nothing. A cookie-session caller
 * (a browser) repeats a few rows with and without its CSRF token.
 */
import type { StaffRole } from '../../db/accounts';
import { openSession } from '../../db/sessions';
import { sessionLifetime } from '../../api/use-cases/sign-in';
import {
  applyAs,
  codeFor,
  newEmployer,
  newPosting,
  newStudent,
  payoutAccountReady,
  samplePosting,
  sessionFromInbox,
  staffSession,
  waitForStatus,
  type Actor,
} from '../helpers/actors';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { waitForEmail } from '../helpers/inbox';

const who = [
  'A owner',
  'A admin',
  'A member',
  'B owner',
  'B admin',
  'B member',
  'chosen student',
  'other student',
  'staff support',
  'staff finance',
  'staff admin',
  'nobody',
] as const;
type Who = (typeof who)[number];

let h: ApiHarness;
const tokens: Partial<Record<Who, string>> = {};
const accountIds: Partial<Record<Who, string>> = {};
let ownerA: Actor & { accountId: string };
let orgA: string;
/** A's posting in Offered, its offer waiting for the chosen student. */
let id: string;
let applicationId: string;
/** A's posting whose work the chosen student finished: Completed, its credential signed. */
let done: string;
let credentialId: string;
/** Someone outside the table whose session and token the others try to end. */
const bystander = { token: '', sessionId: '', apiToken: '', apiTokenId: '' };
/** Students whose accounts are erased: one by themselves, one by a staff admin. */
let leaving: Actor;
let erased: Actor;
/** An admin of organisation A signed in through a browser: a session cookie and its CSRF token. */
const browser = { cookie: '', csrf: '' };

/** Invites someone to `org` with `role`; returns the address their invitation (and code) went to. */
async function invite(org: Actor, role: 'admin' | 'member') {
  const email = `${role}-${uniqueSuffix()}@org.test`;
  const res = await call(h.baseUrl, 'POST', `/v1/employers/${org.id}/members`, {
    token: org.token,
    body: { email, role },
  });
  if (res.status !== 201) throw new Error(`invite ${role}: ${res.status}`);
  return email;
}

/** The invited person signs in from a browser with their code: the session cookie and its CSRF token. */
async function browserSession(email: string) {
  const code = await codeFor(email, /invited/);
  const opened = await call(h.baseUrl, 'POST', '/v1/auth/sessions', {
    body: { email, code, client: 'browser' },
  });
  const cookie = opened.headers.getSetCookie().find((c) => c.startsWith('mi_session='));
  if (opened.status !== 201 || !cookie) throw new Error(`browser session: ${opened.status}`);
  return { cookie: cookie.split(';')[0]!, csrf: opened.body.csrfToken as string };
}

/** A's posting with the chosen student's application selected: the offer waits for them. */
async function offered(student: Actor) {
  const posting = await newPosting(h, ownerA);
  const applied = (await applyAs(h, student, posting)).body.applicationId as string;
  await call(h.baseUrl, 'POST', `/v1/internships/${posting}/selection`, {
    token: ownerA.token,
    body: { applicationIds: [applied] },
  });
  await waitForStatus(h, ownerA, posting, 'Offered', 30_000);
  return { posting, applied };
}

/** A's posting worked through to Completed by `student`, and the id of its signed credential. */
async function completed(student: Actor) {
  const { posting } = await offered(student);
  const act = (caller: Actor, path: string, body: unknown) =>
    call(h.baseUrl, 'POST', `/v1/internships/${posting}/${path}`, { token: caller.token, body });
  await act(student, 'offer-response', { accept: true });
  await waitForStatus(h, ownerA, posting, 'InProgress', 30_000);
  await act(student, 'submissions', { url: 'https://example.com/report', notes: 'Report attached.' });
  await waitForStatus(h, ownerA, posting, 'InReview', 30_000);
  await act(ownerA, 'review', { decision: 'approve' });
  await waitForEmail(student.email, /Set up payouts/);
  await payoutAccountReady(h, student);
  await waitForEmail(student.email, /Your credential/);
  const seen = await call(h.baseUrl, 'GET', `/v1/internships/${posting}`, { token: student.token });
  return { posting, credential: seen.body.credential.credentialId as string };
}

beforeAll(async () => {
  h = await startApiHarness();
  const [a, b, chosen, other, outsider] = await Promise.all([
    newEmployer(h, 'Org A'),
    newEmployer(h, 'Org B'),
    newStudent(h, 'Chosen Student'),
    newStudent(h, 'Other Student'),
    newStudent(h, 'Bystander'),
  ]);
  ownerA = a;
  orgA = a.id;
  Object.assign(tokens, { 'A owner': a.token, 'B owner': b.token });
  Object.assign(tokens, { 'chosen student': chosen.token, 'other student': other.token });
  const staffRoles: StaffRole[] = ['support', 'finance', 'admin'];
  const members = [
    [a, 'admin'],
    [a, 'member'],
    [b, 'admin'],
    [b, 'member'],
  ] as const;
  const [people, staff, browserAdmin, offer, work, students] = await Promise.all([
    Promise.all(members.map(async ([org, role]) => sessionFromInbox(h, await invite(org, role), /invited/))),
    Promise.all(staffRoles.map((role) => staffSession(h, role))),
    invite(a, 'admin').then(browserSession),
    offered(chosen),
    completed(chosen),
    Promise.all([newStudent(h, 'Leaving Student'), newStudent(h, 'Erased Student')]),
  ]);
  (['A admin', 'A member', 'B admin', 'B member'] as const).forEach((w, i) => (tokens[w] = people[i]));
  staffRoles.forEach((role, i) => (tokens[`staff ${role}`] = staff[i]));
  Object.assign(browser, browserAdmin);
  ({ posting: id, applied: applicationId } = offer);
  ({ posting: done, credential: credentialId } = work);
  [leaving, erased] = students;

  const me = (token: string | undefined) => call(h.baseUrl, 'GET', '/v1/me', { token });
  const [everyone, outsiderMe, apiToken] = await Promise.all([
    Promise.all(who.map((w) => me(tokens[w]))),
    me(outsider.token),
    call(h.baseUrl, 'POST', '/v1/me/tokens', { token: outsider.token, body: { name: 'integration' } }),
  ]);
  who.forEach((w, i) => (accountIds[w] = everyone[i]!.body.account?.id));
  Object.assign(bystander, {
    token: outsider.token,
    sessionId: outsiderMe.body.credential.id,
    apiToken: apiToken.body.token,
    apiTokenId: apiToken.body.id,
  });
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

/** One status per person, in the order of `who`. */
const row = (...statuses: number[]): Record<Who, number> =>
  Object.fromEntries(who.map((w, i) => [w, statuses[i]!])) as Record<Who, number>;

type Ids = Record<string, string>;
/** What one cell needs of its own: a fresh credential of the caller, or a fresh object to act on. */
type Fresh = (caller: Who) => Promise<{ token?: string | undefined; ids?: Ids }>;
type Row = [
  operation: string,
  ids: () => Ids,
  body: () => unknown,
  expected: Record<Who, number>,
  options?: { note?: string; fresh?: Fresh; inTurn?: boolean; query?: string },
];

const none = () => ({});
const nothing = () => undefined;
const fresh = (prefix: string) => `${prefix}-${uniqueSuffix()}@example.test`;
/** `/v1/internships/{id}` with its ids filled in. */
const fill = (template: string, ids: Ids) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (ids[name] === undefined) throw new Error(`no {${name}} for ${template}`);
    return ids[name];
  });

/** Another session of the caller, as a sign-in would open it. */
async function spareSession(caller: Who) {
  const { token, session } = await openSession(
    h.db,
    { accountId: accountIds[caller]!, client: 'api', method: 'email-code' },
    sessionLifetime(h.config),
  );
  return { token, id: session.id };
}

const ownSession: Fresh = async (caller) =>
  caller === 'nobody'
    ? { ids: { id: bystander.sessionId } }
    : { ids: { id: (await spareSession(caller)).id } };
const ownToken: Fresh = async (caller) => {
  if (caller === 'nobody') return { ids: { id: bystander.apiTokenId } };
  const made = await call(h.baseUrl, 'POST', '/v1/me/tokens', {
    token: tokens[caller],
    body: { name: 'to revoke' },
  });
  return { ids: { id: made.body.id } };
};
const signingOut: Fresh = async (caller) =>
  caller === 'nobody' ? {} : { token: (await spareSession(caller)).token };
/** A student who never applied erases their own account: a fresh one, so the table keeps its own. */
const leavingStudent: Fresh = (caller) =>
  Promise.resolve(caller === 'other student' ? { token: leaving.token } : {});

const base64 = (text: string) => Buffer.from(text).toString('base64');
const payload = { metadata: { encoding: base64('json/plain') }, data: base64('"hello"') };
const jobOffer = () => ({
  role: 'Analyst',
  type: 'full_time',
  payCents: 5_000_000,
  payPeriod: 'year',
  startDate: '2027-01-10',
  expiresAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
});
const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

// row(A owner, A admin, A member, B owner, B admin, B member, chosen student, other student,
//     support, finance, admin, nobody)
const table: Row[] = [
  // Who is signed in, and their own sessions and tokens.
  ['GET /v1/me', none, nothing, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401)],
  ['GET /v1/me/sessions', none, nothing, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401)],
  ['GET /v1/me/tokens', none, nothing, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401)],
  [
    'DELETE /v1/me/sessions/{id}',
    () => ({ id: bystander.sessionId }),
    nothing,
    row(404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 401),
    { note: "another person's" },
  ],
  [
    'DELETE /v1/me/sessions/{id}',
    none,
    nothing,
    row(204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 401),
    { note: 'their own', fresh: ownSession },
  ],
  [
    'POST /v1/me/tokens',
    none,
    () => ({ name: 'ATS integration' }),
    row(201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 401),
  ],
  [
    'DELETE /v1/me/tokens/{id}',
    () => ({ id: bystander.apiTokenId }),
    nothing,
    row(404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 401),
    { note: "another person's" },
  ],
  [
    'DELETE /v1/me/tokens/{id}',
    none,
    nothing,
    row(204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 401),
    { note: 'their own', fresh: ownToken },
  ],
  [
    'PUT /v1/me/time-zone',
    none,
    () => ({ timeZone: 'Europe/Paris' }),
    row(200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 401),
  ],
  // Signing up and in need no sign-in; support's bearer makes them changes it may not make.
  [
    'POST /v1/students',
    none,
    () => ({
      name: 'New Student',
      email: fresh('signup'),
      major: 'Economics',
      graduationYear: 2027,
      skills: ['Excel'],
    }),
    row(202, 202, 202, 202, 202, 202, 202, 202, 202, 202, 202, 202),
  ],
  [
    'POST /v1/auth/sign-in',
    none,
    () => ({ email: fresh('sign-in') }),
    row(202, 202, 202, 202, 202, 202, 202, 202, 403, 202, 202, 202),
  ],
  [
    'POST /v1/auth/sessions',
    none,
    () => ({ email: fresh('code'), code: '123456' }),
    row(401, 401, 401, 401, 401, 401, 401, 401, 403, 401, 401, 401),
  ],
  [
    'POST /v1/auth/sign-out',
    none,
    nothing,
    row(204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 401),
    { note: 'with another session of theirs', fresh: signingOut },
  ],
  // Postings.
  [
    'POST /v1/internships',
    none,
    () => samplePosting,
    row(201, 201, 201, 201, 201, 201, 403, 403, 403, 403, 403, 401),
  ],
  ['GET /v1/internships', none, nothing, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)],
  [
    'GET /v1/internships/{id}',
    () => ({ id }),
    nothing,
    row(200, 200, 200, 404, 404, 404, 200, 404, 200, 200, 200, 404),
  ],
  [
    'GET /v1/internships/{id}/applications',
    () => ({ id }),
    nothing,
    row(200, 200, 200, 404, 404, 404, 403, 403, 200, 200, 200, 401),
  ],
  [
    'POST /v1/internships/{id}/selection',
    () => ({ id }),
    () => ({ applicationIds: [applicationId] }),
    row(409, 409, 409, 404, 404, 404, 403, 403, 403, 403, 403, 401),
  ],
  [
    'POST /v1/internships/{id}/applications',
    () => ({ id }),
    () => ({ pitch: 'I would love to work on this project.', answers: ['Excel'] }),
    row(403, 403, 403, 403, 403, 403, 409, 409, 403, 403, 403, 401),
  ],
  [
    'DELETE /v1/internships/{id}/applications/mine',
    () => ({ id }),
    nothing,
    row(403, 403, 403, 403, 403, 403, 409, 404, 403, 403, 403, 401),
  ],
  // The work, on the posting whose offer waits: nothing to decide yet.
  [
    'POST /v1/internships/{id}/cancel',
    () => ({ id }),
    () => ({ reason: 'Changed plans' }),
    row(409, 409, 409, 404, 404, 404, 403, 403, 403, 409, 403, 401),
  ],
  [
    'POST /v1/internships/{id}/review',
    () => ({ id }),
    () => ({ decision: 'approve' }),
    row(409, 409, 409, 404, 404, 404, 403, 403, 403, 403, 403, 401),
  ],
  [
    'POST /v1/internships/{id}/submissions',
    () => ({ id }),
    () => ({ url: 'https://example.com/w', notes: 'Done' }),
    row(403, 403, 403, 403, 403, 403, 404, 404, 403, 403, 403, 401),
  ],
  [
    'POST /v1/internships/{id}/extension-requests',
    () => ({ id }),
    () => ({ newDueAt: inAWeek(), reason: 'Exams this week' }),
    row(403, 403, 403, 403, 403, 403, 404, 404, 403, 403, 403, 401),
  ],
  [
    'POST /v1/internships/{id}/extension-decision',
    () => ({ id }),
    () => ({ approve: true }),
    row(409, 409, 409, 404, 404, 404, 403, 403, 403, 403, 403, 401),
  ],
  [
    'POST /v1/internships/{id}/missed-deadline-decision',
    () => ({ id }),
    () => ({ choice: 'reselect' }),
    row(409, 409, 409, 404, 404, 404, 403, 403, 403, 403, 403, 401),
  ],
  [
    'POST /v1/admin/internships/{id}/fee-exception',
    () => ({ id }),
    () => ({ approve: true }),
    row(403, 403, 403, 403, 403, 403, 403, 403, 403, 409, 403, 401),
  ],
  [
    'POST /v1/admin/internships/{id}/resolution',
    () => ({ id }),
    () => ({ studentSharePct: 50 }),
    row(403, 403, 403, 403, 403, 403, 403, 403, 403, 409, 403, 401),
  ],
  [
    'GET /v1/internships/{id}/progress',
    () => ({ id }),
    nothing,
    row(200, 200, 200, 404, 404, 404, 403, 403, 200, 200, 200, 401),
  ],
  [
    'POST /v1/internships/{id}/payment-page',
    () => ({ id }),
    () => ({}),
    row(409, 409, 409, 404, 404, 404, 403, 403, 403, 403, 403, 401),
    { note: 'no charge failed' },
  ],
  [
    'GET /v1/admin/internships/{id}/resolution',
    () => ({ id }),
    nothing,
    row(403, 403, 403, 403, 403, 403, 403, 403, 409, 409, 409, 401),
    { note: 'not disputed', query: 'studentSharePct=40' },
  ],
  ['GET /v1/admin/queue', none, nothing, row(403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 401)],
  // After the work (`done`): each side rates once; the offer is made once and answered once.
  [
    'POST /v1/internships/{id}/feedback',
    () => ({ id: done }),
    () => ({ rating: 5, comment: 'Careful, well documented work.' }),
    row(201, 409, 409, 404, 404, 404, 201, 404, 403, 403, 403, 401),
    { note: 'completed', inTurn: true },
  ],
  [
    'POST /v1/internships/{id}/hiring-offer',
    () => ({ id: done }),
    jobOffer,
    row(201, 409, 409, 404, 404, 404, 403, 403, 403, 403, 403, 401),
    { note: 'completed', inTurn: true },
  ],
  [
    'POST /v1/internships/{id}/hiring-offer/response',
    () => ({ id: done }),
    () => ({ accept: false }),
    row(403, 403, 403, 403, 403, 403, 200, 404, 403, 403, 403, 401),
    { note: 'offer open' },
  ],
  // The credential: private until its student shares it, then anyone's to verify.
  [
    'GET /v1/credentials/{credentialId}',
    () => ({ credentialId }),
    nothing,
    row(404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    { note: 'private' },
  ],
  [
    'PUT /v1/credentials/{credentialId}/sharing',
    () => ({ credentialId }),
    () => ({ visibility: 'portfolio' }),
    row(403, 403, 403, 403, 403, 403, 200, 404, 403, 403, 403, 401),
  ],
  [
    'GET /v1/credentials/{credentialId}',
    () => ({ credentialId }),
    nothing,
    row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    { note: 'shared' },
  ],
  [
    'GET /v1/credentials/{credentialId}/badge',
    () => ({ credentialId }),
    nothing,
    row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    { note: 'shared' },
  ],
  [
    'GET /v1/students/me/credentials',
    none,
    nothing,
    row(403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 401),
  ],
  [
    'GET /v1/students/me/applications',
    none,
    nothing,
    row(403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 401),
  ],
  // The pay of the completed work: its student and staff read it; onboarding is done already.
  [
    'GET /v1/internships/{id}/payout',
    () => ({ id: done }),
    nothing,
    row(403, 403, 403, 403, 403, 403, 200, 404, 200, 200, 200, 401),
  ],
  [
    'POST /v1/internships/{id}/payout-onboarding',
    () => ({ id: done }),
    () => ({}),
    row(403, 403, 403, 403, 403, 403, 409, 404, 403, 403, 403, 401),
  ],
  [
    'GET /v1/students/{id}/portfolio',
    () => ({ id: accountIds['chosen student']! }),
    nothing,
    row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
  ],
  // A student's data: their own, or a staff admin's on their request.
  [
    'GET /v1/students/me/export',
    none,
    nothing,
    row(403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 401),
  ],
  [
    'GET /v1/admin/students/{id}/export',
    () => ({ id: accountIds['chosen student']! }),
    nothing,
    row(403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 401),
  ],
  [
    'POST /v1/admin/students/{id}/erasure',
    () => ({ id: erased.id }),
    nothing,
    row(403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 401),
  ],
  // The chosen student's offer waits for an answer (409); the other is a fresh student.
  [
    'DELETE /v1/students/me',
    none,
    nothing,
    row(403, 403, 403, 403, 403, 403, 409, 200, 403, 403, 403, 401),
    { fresh: leavingStudent },
  ],
  // Ops.
  [
    'GET /v1/admin/conversion',
    none,
    nothing,
    row(403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 401),
  ],
  [
    'POST /codec/encode',
    none,
    () => ({ payloads: [payload] }),
    row(403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 401),
  ],
  [
    'POST /codec/decode',
    none,
    () => ({ payloads: [payload] }),
    row(403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 401),
  ],
  // Organisations and staff.
  [
    'GET /v1/employers/{id}/members',
    () => ({ id: orgA }),
    nothing,
    row(200, 200, 200, 404, 404, 404, 403, 403, 200, 200, 200, 401),
  ],
  // The only owner: kept (409) for those who may remove members, refused for everyone else.
  [
    'DELETE /v1/employers/{id}/members/{accountId}',
    () => ({ id: orgA, accountId: ownerA.accountId }),
    nothing,
    row(409, 403, 403, 404, 404, 404, 403, 403, 403, 403, 409, 401),
    { note: 'the last owner' },
  ],
  [
    'POST /v1/employers/{id}/members',
    () => ({ id: orgA }),
    () => ({ email: fresh('member'), role: 'member' }),
    row(201, 201, 403, 404, 404, 404, 403, 403, 403, 403, 201, 401),
    { note: 'a member' },
  ],
  [
    'POST /v1/employers/{id}/members',
    () => ({ id: orgA }),
    () => ({ email: fresh('owner'), role: 'owner' }),
    row(201, 403, 403, 404, 404, 404, 403, 403, 403, 403, 201, 401),
    { note: 'an owner' },
  ],
  [
    'POST /v1/employers',
    none,
    () => ({ companyName: 'New Org', contactEmail: fresh('billing') }),
    row(403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 201, 401),
  ],
  [
    'GET /v1/employers/{id}/billing',
    () => ({ id: orgA }),
    nothing,
    row(200, 200, 200, 404, 404, 404, 403, 403, 200, 200, 200, 401),
  ],
  [
    'POST /v1/employers/{id}/billing/card-setup',
    () => ({ id: orgA }),
    nothing,
    row(201, 201, 403, 404, 404, 404, 403, 403, 403, 403, 403, 401),
  ],
  ['GET /v1/admin/staff', none, nothing, row(403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 401)],
  [
    'POST /v1/admin/staff',
    none,
    () => ({ email: fresh('staff'), role: 'support' }),
    row(403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 201, 401),
  ],
  [
    'DELETE /v1/admin/staff/{accountId}',
    () => ({ accountId: '00000000-0000-4000-8000-000000000000' }),
    nothing,
    row(403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404, 401),
    { note: 'unknown' },
  ],
  // Last: the chosen student's answer moves the posting on.
  [
    'POST /v1/internships/{id}/offer-response',
    () => ({ id }),
    () => ({ accept: true }),
    row(403, 403, 403, 403, 403, 403, 200, 404, 403, 403, 403, 401),
  ],
];

/** What each person was answered, as it happened (checked again as a whole below). */
const answers: { caller: Who; operation: string; path: string; status: number }[] = [];
const refusal = (status: number) => [401, 403, 404].includes(status);

/** One cell: the caller (or their fresh stand-in) calls the operation; the answer is recorded. */
async function cell(caller: Who, [operation, ids, body, , options]: Row) {
  const [method, template] = operation.split(' ') as [string, string];
  const own = (await options?.fresh?.(caller)) ?? {};
  const path = `${fill(template, { ...ids(), ...own.ids })}${options?.query ? `?${options.query}` : ''}`;
  const token = 'token' in own ? own.token : tokens[caller];
  const res = await call(h.baseUrl, method, path, { token, body: body() });
  answers.push({ caller, operation, path, status: res.status });
  const problemJson = /^application\/problem\+json/.test(res.headers.get('content-type') ?? '');
  return { caller, status: res.status, body: res.body, problemJson };
}

test('every operation of the OpenAPI document under /v1 and /codec has a row', async () => {
  const spec = (await call(h.baseUrl, 'GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  const documented = Object.entries(spec.paths)
    .filter(([path]) => /^\/(v1|codec)\//.test(path))
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
  const rows = new Set(table.map(([operation]) => operation));
  console.log(
    `authorization table: ${rows.size} of ${documented.length} operations, ${table.length} rows × ${who.length} people = ${table.length * who.length} cells`,
  );
  expect({
    withoutRow: documented.filter((o) => !rows.has(o)),
    notDocumented: [...rows].filter((o) => !documented.includes(o)),
  }).toEqual({ withoutRow: [], notDocumented: [] });
});

/**
 * A row's refusals go first, all at once, and together cost Temporal nothing: who may act is
 * decided from Postgres. Then the others (allowed, or a 409: the workflow's refusal of its current
 * state, or a rule such as the last owner), at once too unless the row says they take turns.
 */
test.each(table.map((r) => [`${r[0]}${r[4]?.note ? ` (${r[4].note})` : ''}`, r] as const))(
  '%s',
  async (_name, row) => {
    const expected = row[3];
    const sentBefore = h.temporalRequests.total;
    const refused = await Promise.all(who.filter((w) => refusal(expected[w])).map((w) => cell(w, row)));
    const temporalRequestsForRefusals = h.temporalRequests.total - sentBefore;
    const rest = who.filter((w) => !refusal(expected[w]));
    const others: Awaited<ReturnType<typeof cell>>[] = [];
    if (row[4]?.inTurn) for (const w of rest) others.push(await cell(w, row));
    else others.push(...(await Promise.all(rest.map((w) => cell(w, row)))));
    // Each person's status; where it is not the one expected, the body too.
    const seen = Object.fromEntries(
      [...refused, ...others].map((a) => [
        a.caller,
        a.status === expected[a.caller] && (a.status < 400 || a.problemJson)
          ? a.status
          : { status: a.status, problemJson: a.problemJson, body: a.body },
      ]),
    );
    expect({ answers: seen, temporalRequestsForRefusals }).toEqual({
      answers: expected,
      temporalRequestsForRefusals: 0,
    });
  },
);

/** What support may do like anyone: end its own sessions and tokens, sign up, and use the codec (a read). */
const ownOrAnonymous = /^(POST|PUT|DELETE) \/(v1\/me\/|v1\/auth\/sign-out|v1\/students$|codec\/)/;

test("nobody of organisation B read or changed anything of organisation A, nobody ended another's session or token, and support changed nothing", async () => {
  const ofA = answers.filter(
    (a) => a.caller.startsWith('B ') && [id, done, orgA].some((x) => a.path.includes(x)),
  );
  expect(ofA.length).toBeGreaterThan(60);
  expect(ofA.filter((a) => a.status < 400)).toEqual([]);
  const supportChanges = answers.filter(
    (a) =>
      a.caller === 'staff support' && !a.operation.startsWith('GET') && !ownOrAnonymous.test(a.operation),
  );
  expect(supportChanges.length).toBeGreaterThan(25);
  expect(supportChanges.filter((a) => a.status !== 403)).toEqual([]);
  for (const token of [bystander.token, bystander.apiToken])
    expect((await call(h.baseUrl, 'GET', '/v1/me', { token })).status).toBe(200);
});

// A browser sends the session cookie by itself; its changes count only with the CSRF token.
const inBrowser: [operation: string, ids: () => Ids, body: () => unknown, csrf: boolean, status: number][] = [
  ['GET /v1/me', none, nothing, false, 200],
  ['GET /v1/internships/{id}/applications', () => ({ id }), nothing, false, 200],
  ['GET /v1/employers/{id}/members', () => ({ id: orgA }), nothing, false, 200],
  ['POST /v1/internships/{id}/review', () => ({ id }), () => ({ decision: 'approve' }), true, 409],
  ['POST /v1/internships/{id}/review', () => ({ id }), () => ({ decision: 'approve' }), false, 403],
  [
    'POST /v1/internships/{id}/feedback',
    () => ({ id: done }),
    () => ({ rating: 4, comment: 'Good' }),
    false,
    403,
  ],
  [
    'POST /v1/employers/{id}/members',
    () => ({ id: orgA }),
    () => ({ email: fresh('by-browser'), role: 'member' }),
    true,
    201,
  ],
  ['DELETE /v1/me/sessions/{id}', () => ({ id: bystander.sessionId }), nothing, true, 404],
  ['POST /codec/decode', none, () => ({ payloads: [payload] }), false, 403],
];

test.each(
  inBrowser.map(
    (r) =>
      [`${r[0]} as A admin in a browser, ${r[3] ? 'with' : 'without'} CSRF token → ${r[4]}`, ...r] as const,
  ),
)('%s', async (_name, operation, ids, body, csrf, status) => {
  const [method, template] = operation.split(' ') as [string, string];
  const headers: Record<string, string> = { cookie: browser.cookie };
  if (csrf) headers['x-csrf-token'] = browser.csrf;
  const sentBefore = h.temporalRequests.total;
  const res = await call(h.baseUrl, method, fill(template, ids()), { headers, body: body() });
  expect({ status: res.status, body: res.status === status ? undefined : res.body }).toEqual({
    status,
    body: undefined,
  });
  if (operation === 'GET /v1/me') expect(res.body).toMatchObject({ role: 'admin', channel: 'browser' });
  if (refusal(status))
    expect({ temporalRequests: h.temporalRequests.total - sentBefore }).toEqual({ temporalRequests: 0 });
});

test('after acceptance, the hired student still sees the posting and the other student does not', async () => {
  await waitForStatus(h, ownerA, id, ['Funding', 'InProgress']);
  expect(
    (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: tokens['chosen student'] })).body,
  ).toMatchObject({
    status: expect.stringMatching(/^(Funding|InProgress)$/),
    myApplication: { status: 'accepted' },
  });
  expect(
    (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: tokens['other student'] })).status,
  ).toBe(404);
});
