/**
 * What one caller cannot do to everyone else: fill a posting and keep it full, hold
 * every open place, pile Updates on one internship, amplify a bad body, plant lines in one-line
 * fields, break the webhook or the action links, or get a token written to a log.
 */
import pino from 'pino';
import {
  newEmployer,
  newPosting,
  newStudent,
  samplePosting,
  waitForStatus,
  type Actor,
} from '../helpers/actors';
import { applyAs } from '../helpers/actors';
import { internshipWorkflowId } from '../../workflows/definitions';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

/** Everything the API logs, as written (the request log and the error log alike). */
const logged: string[] = [];
let h: ApiHarness;
let employer: Actor;
beforeAll(async () => {
  h = await startApiHarness({
    config: { MAX_OPEN_APPLICATIONS_PER_STUDENT: '2' },
    logger: pino({ level: 'debug' }, { write: (line: string) => void logged.push(line) }),
  });
  employer = await newEmployer(h, 'Abuse Resistant Co');
});
afterAll(async () => {
  await h?.stop();
});

const withdraw = (student: Actor, id: string) =>
  call(h.baseUrl, 'DELETE', `/v1/internships/${id}/applications/mine`, { token: student.token });

test('a withdrawal before the application deadline reopens a posting the cap closed, and the next student gets the place', async () => {
  const id = await newPosting(h, employer, { maxApplicants: 2 });
  const [ada, bo, cy] = await Promise.all(['Ada Bots', 'Bo Bots', 'Cy Real'].map((n) => newStudent(h, n)));
  expect((await applyAs(h, ada!, id)).status).toBe(201);
  expect((await applyAs(h, bo!, id)).status).toBe(201);
  await waitForStatus(h, employer, id, 'Selecting');

  const full = await applyAs(h, cy!, id);
  expect(full.status).toBe(409);
  expect(full.body.type).toBe('/problems/PostingFull');

  expect((await withdraw(bo!, id)).status).toBe(200);
  await waitForStatus(h, cy!, id, 'Open');
  expect((await applyAs(h, cy!, id)).status).toBe(201);
  const posting = await waitForStatus(h, employer, id, 'Selecting');
  expect(posting.applicantCount).toBe(3); // Bo's withdrawn application still shows in the count
});

test('a student holds at most MAX_OPEN_APPLICATIONS_PER_STUDENT open applications, even sent at once; a withdrawal frees one', async () => {
  const ids = await Promise.all([1, 2, 3].map(() => newPosting(h, employer)));
  const dee = await newStudent(h, 'Dee Many');
  const answers = await Promise.all(ids.map((id) => applyAs(h, dee, id)));
  expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 409]);
  const refused = answers.find((a) => a.status === 409)!;
  expect(refused.body.type).toBe('/problems/TooManyOpenApplications');
  expect(refused.body.detail).toMatch(/2 open applications/);

  const applied = ids.filter((_, i) => answers[i]!.status === 201);
  const left = ids.find((_, i) => answers[i]!.status === 409)!;
  expect((await withdraw(dee, applied[0]!)).status).toBe(200);
  expect((await applyAs(h, dee, left)).status).toBe(201);
});

test('validation problems list each wrong field once, at most 20 of them, for a body of 10,000 unknown keys', async () => {
  const body: Record<string, unknown> = { ...samplePosting };
  for (let i = 0; i < 10_000; i++) body[`k${i}`] = 0; // about 99 kB
  const res = await fetch(`${h.baseUrl}/v1/internships`, {
    method: 'POST',
    headers: { authorization: `Bearer ${employer.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status).toBe(422);
  const problem = JSON.parse(text);
  expect(problem.errors.length).toBeGreaterThan(0);
  expect(problem.errors.length).toBeLessThanOrEqual(20);
  expect(problem.detail.length).toBeLessThan(200); // a summary, not each error a second time
  expect(text.length).toBeLessThan(5_000);
});

test('one-line fields refuse control characters; multi-line fields keep their newlines', async () => {
  const planted = await call(h.baseUrl, 'POST', '/v1/students', {
    body: {
      name: 'Eve\r\nBcc: everyone@example.test',
      email: `eve-${Date.now()}@students.test`,
      school: 'Lakeside State University',
      major: 'Economics',
      graduationYear: 2027,
      skills: ['Excel'],
    },
  });
  expect(planted.status).toBe(422);
  expect(planted.body.errors).toEqual([expect.objectContaining({ field: 'name' })]);

  const title = await call(h.baseUrl, 'POST', '/v1/internships', {
    token: employer.token,
    body: { ...samplePosting, title: 'Clean data\n[click here](https://evil.example)' },
  });
  expect(title.status).toBe(422);
  expect(title.body.errors).toEqual([expect.objectContaining({ field: 'title' })]);

  const description = 'Deduplicate 5,000 CRM rows.\n\nThen write up the steps you took, one per line.';
  const id = await newPosting(h, employer, { description });
  const shown = await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: employer.token });
  expect(shown.body.description).toBe(description);
});

test('a correctly signed but malformed Stripe event gets 400 naming the field, and changes nothing', async () => {
  const payload = JSON.stringify({
    id: 'evt_malformed_1',
    object: 'event',
    type: 'account.updated',
    data: {},
  });
  const header = h.stripe.webhooks.generateTestHeaderString({
    payload,
    secret: h.config.STRIPE_WEBHOOK_SECRET,
  });
  const res = await call(h.baseUrl, 'POST', '/webhooks/stripe', {
    rawBody: payload,
    headers: { 'stripe-signature': header },
  });
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(JSON.stringify(res.body.errors)).toContain('body.data.object');
});

test('a malformed action link gets a 400 page, and no action token is written to any log', async () => {
  const token = `mi_${'Q'.repeat(43)}`;
  const malformed = await fetch(`${h.baseUrl}/actions/${token}%`);
  expect(malformed.status).toBe(400);
  expect(malformed.headers.get('content-type')).toContain('text/html');
  expect(await malformed.text()).toMatch(/link/i);

  // A well-formed link that matches nothing, opened and submitted.
  const unknown = `mi_${'R'.repeat(43)}`;
  expect((await fetch(`${h.baseUrl}/actions/${unknown}`)).status).toBeGreaterThanOrEqual(400);
  expect((await fetch(`${h.baseUrl}/actions/${unknown}`, { method: 'POST' })).status).toBeLessThan(500);

  const log = logged.join('');
  expect(log).toContain('/actions/'); // the requests were logged …
  expect(log).not.toMatch(/mi_[QR]{10}/); // … without their tokens
});

test("the Update queue of one internship is bounded: past it a call is refused at once with 503 InternshipBusy, and an Update cut off by the deadline answers 503 — neither spends the student's application allowance", async () => {
  // No worker: nothing answers the Updates, so the first holds the one slot until the deadline.
  const busy = await startApiHarness({
    worker: false,
    config: {
      UPDATES_IN_FLIGHT_PER_INTERNSHIP: '1',
      UPDATES_QUEUED_PER_INTERNSHIP: '2',
      APPLICATIONS_PER_STUDENT_PER_DAY: '1',
    },
  });
  try {
    const boss = await newEmployer(busy, 'Nobody Home Ltd');
    const id = await newPosting(busy, boss);
    const students = await Promise.all([1, 2, 3, 4].map((i) => newStudent(busy, `Queued Student ${i}`)));
    const sent = Date.now();
    const answers = students
      .slice(0, 3)
      .map((s) => applyAs(busy, s, id).then((res) => ({ ...res, afterMs: Date.now() - sent })));
    await new Promise((r) => setTimeout(r, 300)); // the three are in the slot and the queue
    const fourth = await applyAs(busy, students[3]!, id);
    expect(fourth.status).toBe(503);
    expect(fourth.body.type).toBe('/problems/InternshipBusy');
    expect(fourth.headers.get('retry-after')).toBe('1');
    expect(Date.now() - sent).toBeLessThan(2_000);

    // The one in flight and the two queued give up at the 10 s deadline: 503, never 500.
    const rest = await Promise.all(answers);
    expect(rest.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(rest.every((r) => r.afterMs >= 9_000)).toBe(true);
    // The two queued were never sent to Temporal; the one sent was cut off there.
    expect(rest.filter((r) => r.body.type === '/problems/InternshipBusy')).toHaveLength(2);
    expect(rest.filter((r) => /Temporal/.test(r.body.detail))).toHaveLength(1);
    await busy.temporal.workflow.getHandle(internshipWorkflowId(id)).terminate('test over');
    // A 503 gave its point back: the retry (one application a day here) is judged, not limited.
    for (const student of [students[0]!, students[3]!]) {
      const retry = await applyAs(busy, student, id);
      expect(retry.status).not.toBe(429);
      expect(retry.body.type).not.toBe('/problems/TooManyRequests');
    }
  } finally {
    await busy.stop();
  }
}, 60_000);
