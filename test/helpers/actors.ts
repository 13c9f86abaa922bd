import { uniqueSuffix } from './env';
import { call, type ApiHarness } from './harness';

export const samplePosting = {
  title: 'Clean a sales dataset',
  description: 'Deduplicate and normalise 5,000 CRM rows, then document the steps.',
  deliverable: 'A cleaned CSV and a one-page summary',
  skills: ['Excel', 'data cleaning'],
  estimatedHours: 10,
  feeCents: 25_000,
};

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

/** Polls the posting until its status is `status` (the read model follows the workflow). */
export async function waitForStatus(
  h: ApiHarness,
  actor: Actor,
  internshipId: string,
  status: string,
  timeoutMs = 10_000,
) {
  for (let i = 0; i < timeoutMs / 100; i++) {
    const res = await call(h.baseUrl, 'GET', `/v1/internships/${internshipId}`, { token: actor.token });
    if (res.body.status === status) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`internship ${internshipId} never reached ${status}`);
}
