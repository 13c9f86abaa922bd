import { payoutsEnabledEvent, samplePosting } from '../../scripts/prove/lifecycle';
import { uniqueSuffix } from './env';
import type { StaffRole } from '../../db/accounts';
import { call, type ApiHarness } from './harness';
import { emailsTo, waitForEmail } from './inbox';

export { samplePosting };

export interface Actor {
  id: string;
  token: string;
  email: string;
  name?: string;
  school?: string;
}

/** The six-digit code of the newest sign-in email to `address` whose subject matches. */
export async function codeFor(address: string, subject: RegExp = /./): Promise<string> {
  const email = await waitForEmail(address, subject, 15_000, { newest: true });
  const code = /code (\d{6})/.exec(email.text)?.[1];
  if (!code) throw new Error(`no sign-in code in the email to ${address}: ${email.subject}`);
  return code;
}

/** Opens a session with the code of the newest sign-in email to `address`; returns its bearer token. */
export async function sessionFromInbox(h: ApiHarness, address: string, subject?: RegExp): Promise<string> {
  const code = await codeFor(address, subject);
  const res = await call(h.baseUrl, 'POST', '/v1/auth/sessions', { body: { email: address, code } });
  if (res.status !== 201)
    throw new Error(`session for ${address}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

/** Signs in by email as a person would: asks for the email, reads its code, opens a session. */
export async function signIn(h: ApiHarness, address: string): Promise<string> {
  const before = (await emailsTo(address)).length;
  const asked = await call(h.baseUrl, 'POST', '/v1/auth/sign-in', { body: { email: address } });
  if (asked.status !== 202) throw new Error(`sign-in for ${address}: ${asked.status}`);
  for (let i = 0; i < 150 && (await emailsTo(address)).length <= before; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return sessionFromInbox(h, address, /sign-in code|Confirm your email/);
}

const staffSessions = new WeakMap<ApiHarness, Map<StaffRole, Promise<string>>>();

/**
 * A session of a staff member with `role`, made once per harness: the first admin through the
 * OPS_TOKEN (break-glass, its one use), the others by that admin; each signs in by email.
 */
export function staffSession(h: ApiHarness, role: StaffRole = 'admin'): Promise<string> {
  const sessions = staffSessions.get(h) ?? new Map<StaffRole, Promise<string>>();
  staffSessions.set(h, sessions);
  let session = sessions.get(role);
  if (!session) {
    session = (async () => {
      const email = `${role}-${uniqueSuffix()}@ops.test`;
      const creator = role === 'admin' ? h.config.OPS_TOKEN : await staffSession(h, 'admin');
      const res = await call(h.baseUrl, 'POST', '/v1/admin/staff', {
        token: creator,
        body: { email, name: `${role[0]!.toUpperCase()}${role.slice(1)} Person`, role },
      });
      if (res.status !== 201) throw new Error(`staff ${role}: ${res.status} ${JSON.stringify(res.body)}`);
      return sessionFromInbox(h, email, /invited/);
    })();
    sessions.set(role, session);
  }
  return session;
}

/** Uses `token` as the harness's staff session of `role` (staff who sign in elsewhere, e.g. by OIDC). */
export function adoptStaffToken(h: ApiHarness, role: StaffRole, token: string): void {
  const sessions = staffSessions.get(h) ?? new Map<StaffRole, Promise<string>>();
  staffSessions.set(h, sessions);
  sessions.set(role, Promise.resolve(token));
}

/** A staff admin creates an employer organisation; its owner accepts the emailed invitation. */
export async function newEmployer(
  h: ApiHarness,
  company = 'Acme Analytics',
  options: { timeZone?: string } = {},
): Promise<Actor & { accountId: string }> {
  const email = `hiring-${uniqueSuffix()}@acme.test`;
  const res = await call(h.baseUrl, 'POST', '/v1/employers', {
    token: await staffSession(h, 'admin'),
    body: { companyName: company, contactEmail: email, contactName: 'Ada Lovelace', ...options },
  });
  if (res.status !== 201) throw new Error(`employer: ${res.status} ${JSON.stringify(res.body)}`);
  const token = await sessionFromInbox(h, email, /invited/);
  return { id: res.body.employer.id, accountId: res.body.owner.accountId, token, email };
}

/** A student signs up through the API and confirms the address with the emailed code. */
export async function newStudent(
  h: ApiHarness,
  name: string,
  school = 'Lakeside State University',
  options: { timeZone?: string } = {},
): Promise<Actor> {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}-${uniqueSuffix()}@students.test`;
  const res = await call(h.baseUrl, 'POST', '/v1/students', {
    body: {
      name,
      email,
      school,
      major: 'Economics',
      graduationYear: 2027,
      skills: ['Excel', 'SQL'],
      ...options,
    },
  });
  if (res.status !== 202) throw new Error(`student: ${res.status} ${JSON.stringify(res.body)}`);
  const token = await sessionFromInbox(h, email, /Confirm your email/);
  const me = await call(h.baseUrl, 'GET', '/v1/me', { token });
  return { id: me.body.account.id as string, token, email, name, school };
}

export async function newPosting(h: ApiHarness, employer: Actor, change: object = {}): Promise<string> {
  const res = await call(h.baseUrl, 'POST', '/v1/internships', {
    token: employer.token,
    body: { ...samplePosting, screeningQuestions: ['Which tool would you use, and why?'], ...change },
  });
  if (res.status !== 201) throw new Error(`posting: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export const applyAs = (
  h: ApiHarness,
  student: Actor,
  internshipId: string,
  headers: Record<string, string> = {},
) =>
  call(h.baseUrl, 'POST', `/v1/internships/${internshipId}/applications`, {
    token: student.token,
    headers,
    body: {
      pitch: 'I clean messy spreadsheets for fun and document every step.',
      answers: ['Excel: pivot tables'],
    },
  });

/** The ids of the applications the employer's list shows for a posting. */
export async function applicationIdsShownTo(h: ApiHarness, employer: Actor, internshipId: string) {
  const list = await call(h.baseUrl, 'GET', `/v1/internships/${internshipId}/applications`, {
    token: employer.token,
  });
  return (list.body.items as { applicationId: string }[]).map((i) => i.applicationId);
}

/** Polls the posting until its status is `status` (the read model follows the workflow). */
export async function waitForStatus(
  h: ApiHarness,
  actor: Actor,
  internshipId: string,
  status: string | string[],
  timeoutMs = 10_000,
) {
  const wanted = [status].flat();
  for (let i = 0; i < timeoutMs / 100; i++) {
    const res = await call(h.baseUrl, 'GET', `/v1/internships/${internshipId}`, { token: actor.token });
    if (wanted.includes(res.body.status)) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`internship ${internshipId} never reached ${wanted.join(' or ')}`);
}

/** A posting with one applicant, chosen by the employer: the offer waits for the student. */
export async function offerThroughApi(
  h: ApiHarness,
  options: { declineCard?: boolean; studentName?: string } = {},
) {
  const employer = await newEmployer(h);
  if (options.declineCard) {
    await h.db.query(
      `UPDATE employers SET stripe_payment_method_id = 'pm_card_chargeDeclined' WHERE id = $1`,
      [employer.id],
    );
  }
  const id = await newPosting(h, employer);
  const student = await newStudent(h, options.studentName ?? 'Tess Moreau');
  const { body } = await applyAs(h, student, id);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: employer.token,
    body: { applicationIds: [body.applicationId] },
  });
  await waitForStatus(h, employer, id, 'Offered', 30_000);
  return { employer, student, id };
}

/**
 * From an application to work waiting for review, through the API: the employer selects it, the
 * student accepts and submits. Returns the submission's answer.
 */
export async function selectAcceptAndSubmit(
  h: ApiHarness,
  employer: Actor,
  student: Actor,
  id: string,
  applicationId: string,
) {
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: employer.token,
    body: { applicationIds: [applicationId] },
  });
  await waitForStatus(h, employer, id, 'Offered', 30_000);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: student.token,
    body: { accept: true },
  });
  await waitForStatus(h, employer, id, 'InProgress', 30_000);
  const submitted = await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, {
    token: student.token,
    body: { url: 'https://example.com/deliverable', notes: 'Done.' },
  });
  await waitForStatus(h, employer, id, 'InReview', 30_000);
  return submitted;
}

/** Stripe reports the student's payout account ready: a signed `account.updated` webhook. */
export async function payoutAccountReady(h: ApiHarness, student: Actor) {
  const { rows } = await h.db.query<{ stripe_account_id: string | null }>(
    'SELECT stripe_account_id FROM students WHERE id = $1',
    [student.id],
  );
  return deliverStripeEvent(h, payoutsEnabledEvent(rows[0]!.stripe_account_id!));
}

/** Stripe delivers an event (an object, or its JSON), signed with the webhook secret. */
export function deliverStripeEvent(h: ApiHarness, event: object | string) {
  const payload = typeof event === 'string' ? event : JSON.stringify(event);
  const header = h.stripe.webhooks.generateTestHeaderString({
    payload,
    secret: h.config.STRIPE_WEBHOOK_SECRET,
  });
  return call(h.baseUrl, 'POST', '/webhooks/stripe', {
    rawBody: payload,
    headers: { 'stripe-signature': header },
  });
}
