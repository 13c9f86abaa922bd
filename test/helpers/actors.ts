import { payoutsEnabledEvent, samplePosting } from '../../scripts/prove/lifecycle';
import { uniqueSuffix } from './env';
import { call, type ApiHarness } from './harness';

export { samplePosting };

export interface Actor {
  id: string;
  token: string;
  email: string;
  name?: string;
  school?: string;
}

/** Ops creates an employer through the API. */
export async function newEmployer(h: ApiHarness, company = 'Acme Analytics'): Promise<Actor> {
  const res = await call(h.baseUrl, 'POST', '/v1/employers', {
    token: h.config.OPS_TOKEN,
    body: { companyName: company, contactEmail: `hiring-${uniqueSuffix()}@acme.test` },
  });
  if (res.status !== 201) throw new Error(`employer: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.employer.id, token: res.body.token, email: res.body.employer.contactEmail };
}

/** A student signs up through the API. */
export async function newStudent(
  h: ApiHarness,
  name: string,
  school = 'Lakeside State University',
): Promise<Actor> {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}-${uniqueSuffix()}@students.test`;
  const res = await call(h.baseUrl, 'POST', '/v1/students', {
    body: { name, email, school, major: 'Economics', graduationYear: 2027, skills: ['Excel', 'SQL'] },
  });
  if (res.status !== 201) throw new Error(`student: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.student.id, token: res.body.token, email, name, school };
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

/** Stripe reports the student's payout account ready: a signed `account.updated` webhook. */
export async function payoutAccountReady(h: ApiHarness, student: Actor) {
  const { rows } = await h.db.query<{ stripe_account_id: string | null }>(
    'SELECT stripe_account_id FROM students WHERE id = $1',
    [student.id],
  );
  const payload = payoutsEnabledEvent(rows[0]!.stripe_account_id!);
  const header = h.stripe.webhooks.generateTestHeaderString({
    payload,
    secret: h.config.STRIPE_WEBHOOK_SECRET,
  });
  return call(h.baseUrl, 'POST', '/webhooks/stripe', {
    rawBody: payload,
    headers: { 'stripe-signature': header },
  });
}
