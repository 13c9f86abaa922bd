/**
 * Hiring through HTTP on the dev server: applications (Updates with validators), withdrawal, blind
 * review, Idempotency-Key, and the offer email's links read back from the SMTP catcher.
 */
import { randomUUID } from 'node:crypto';
import { keyedApplicationId } from '../../lib/ids';
import { insertPendingApplication } from '../../db/applications';
import { issueActionTokens } from '../../db/action-tokens';
import { applyUpdate, internshipStateQuery } from '../../workflows/definitions';
import {
  applicationIdsShownTo,
  applyAs,
  newEmployer,
  newPosting,
  newStudent,
  samplePosting,
  waitForStatus,
  type Actor,
} from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { applyWithoutConfirming } from '../helpers/fixtures';
import { waitForEmail } from '../helpers/inbox';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

const linksIn = (text: string) => {
  const accept = /Accept: (\S+)/.exec(text)?.[1];
  const decline = /Decline: (\S+)/.exec(text)?.[1];
  if (!accept || !decline) throw new Error(`no links in: ${text}`);
  return { accept, decline };
};

describe('applications', () => {
  test('a student who applies twice gets 409 the second time, and a full posting refuses the next student with 409', async () => {
    const employer = await newEmployer(h);
    const id = await newPosting(h, employer, { maxApplicants: 2 });
    const [ana, ben, cleo] = await Promise.all(
      ['Ana Lima', 'Ben Okafor', 'Cleo Ray'].map((n) => newStudent(h, n)),
    );

    const first = await applyAs(h, ana!, id);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ label: 'Applicant 1', status: 'submitted' });
    const twice = await applyAs(h, ana!, id);
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toMatch(/already applied/);

    expect((await applyAs(h, ben!, id)).status).toBe(201); // the cap (2) closes applications at once
    const full = await applyAs(h, cleo!, id);
    expect(full.status).toBe(409);
    expect(full.body.detail).toMatch(/all the applicants it takes/);

    const posting = await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: employer.token });
    expect(posting.body.applicantCount).toBe(2);
  });

  test('100 students applying to one posting at the same moment are all accepted, each under its own label', async () => {
    // Temporal takes at most 10 Updates in flight per workflow; past that, the Updates it had
    // admitted were aborted and retried, again and again, until some ran out of time (503 in CI).
    // The API queues them per posting (api/update-gate.ts).
    const employer = await newEmployer(h);
    const id = await newPosting(h, employer, { maxApplicants: 200 });
    const students = await Promise.all(
      Array.from({ length: 100 }, (_, i) => newStudent(h, `Burst Student${i}`)),
    );
    const began = performance.now();
    const answers = await Promise.all(students.map((s) => applyAs(h, s, id)));
    process.stdout.write(
      `100 simultaneous applications answered in ${Math.round(performance.now() - began)} ms\n`,
    );
    expect(answers.map((a) => a.status)).toEqual(students.map(() => 201));
    expect(new Set(answers.map((a) => a.body.label)).size).toBe(100);
    const posting = await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: employer.token });
    expect(posting.body.applicantCount).toBe(100);
  });

  test('answers must match the screening questions (422 naming answers)', async () => {
    const employer = await newEmployer(h);
    const id = await newPosting(h, employer, { screeningQuestions: ['Why this project?', 'Which tool?'] });
    const student = await newStudent(h, 'Dev Patel');
    const res = await call(h.baseUrl, 'POST', `/v1/internships/${id}/applications`, {
      token: student.token,
      body: { pitch: 'I would love to do this project, truly.', answers: ['Because'] },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'answers' })]);
  });

  test('a student withdraws before selection; the employer sees it withdrawn and cannot select it', async () => {
    const employer = await newEmployer(h);
    const id = await newPosting(h, employer);
    const student = await newStudent(h, 'Eva Green');
    const { body } = await applyAs(h, student, id);

    const withdrawn = await call(h.baseUrl, 'DELETE', `/v1/internships/${id}/applications/mine`, {
      token: student.token,
    });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toEqual({ applicationId: body.applicationId, status: 'withdrawn' });

    const mine = await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: student.token });
    expect(mine.body.myApplication).toMatchObject({ status: 'withdrawn' });
    const list = await call(h.baseUrl, 'GET', `/v1/internships/${id}/applications`, {
      token: employer.token,
    });
    expect(list.body.items).toEqual([
      expect.objectContaining({ applicationId: body.applicationId, status: 'withdrawn' }),
    ]);

    const select = await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
      token: employer.token,
      body: { applicationIds: [body.applicationId] },
    });
    expect(select.status).toBe(422);
    expect(select.body.errors[0].field).toBe('applicationIds');
    expect(
      (await call(h.baseUrl, 'DELETE', `/v1/internships/${id}/applications/mine`, { token: student.token }))
        .status,
    ).toBe(409);
  });

  test('the blind list shows pitch, answers and skills under labels, and no name, email or school of any applicant', async () => {
    const employer = await newEmployer(h);
    const id = await newPosting(h, employer);
    const students = [
      await newStudent(h, 'Hana Sato', 'Northfield Technical Institute'),
      await newStudent(h, 'Ivan Petrov', 'Harbor City College'),
      await newStudent(h, 'Jade Flores', 'Summit University'),
    ];
    for (const s of students) expect((await applyAs(h, s, id)).status).toBe(201);

    const res = await call(h.baseUrl, 'GET', `/v1/internships/${id}/applications`, { token: employer.token });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { label: string }) => i.label)).toEqual([
      'Applicant 1',
      'Applicant 2',
      'Applicant 3',
    ]);
    expect(res.body.items[0]).toMatchObject({
      answers: [{ question: 'Which tool would you use, and why?', answer: 'Excel: pivot tables' }],
      skills: ['excel', 'sql'],
    });

    // Checked against what is stored: nothing that identifies a person appears anywhere in the answer.
    const { rows } = await h.db.query<{ name: string; email: string; school: string; id: string }>(
      'SELECT s.id, s.name, acc.email, s.school FROM students s JOIN accounts acc ON acc.id = s.id JOIN applications a ON a.student_id = s.id WHERE a.internship_id = $1',
      [id],
    );
    expect(rows).toHaveLength(3);
    const text = JSON.stringify(res.body).toLowerCase();
    for (const row of rows) {
      for (const value of [row.name, row.email, row.school, row.id, ...row.name.split(' ')]) {
        expect(text).not.toContain(value.toLowerCase());
      }
    }
  });

  test('students browse open postings by skill, page by page', async () => {
    const employer = await newEmployer(h);
    const skill = `skill-${Date.now()}`;
    const ids = [
      await newPosting(h, employer, { skills: [skill] }),
      await newPosting(h, employer, { skills: [skill] }),
    ];
    const student = await newStudent(h, 'Kai Lee');
    const first = await call(h.baseUrl, 'GET', `/v1/internships?skill=${skill}&limit=1`, {
      token: student.token,
    });
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual([ids[1]]);
    const second = await call(
      h.baseUrl,
      'GET',
      `/v1/internships?skill=${skill}&limit=1&cursor=${first.body.nextCursor}`,
      {
        token: student.token,
      },
    );
    expect(second.body.items.map((i: { id: string }) => i.id)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeNull();
    expect(first.body.items[0].nextActions).toEqual(['apply']);
  });

  test('signing up refuses a GPA; a second sign-up with a registered email (any case) changes nothing and says so by email', async () => {
    const gpa = await call(h.baseUrl, 'POST', '/v1/students', {
      body: {
        name: 'Lia Wong',
        email: 'lia@students.test',
        major: 'Math',
        graduationYear: 2026,
        skills: ['r'],
        gpa: 3.9,
      },
    });
    expect(gpa.status).toBe(422);
    expect(gpa.body.detail).toMatch(/gpa/);
    const student = await newStudent(h, 'Max Weber');
    const again = await call(h.baseUrl, 'POST', '/v1/students', {
      body: {
        name: 'Max W',
        email: student.email.toUpperCase(),
        major: 'Math',
        graduationYear: 2026,
        skills: ['r'],
      },
    });
    // The same answer as for a new address (it says nothing about who has an account); the address
    // is told by email that it already has one, and the profile stays as it was.
    expect(again.status).toBe(202);
    await waitForEmail(student.email, /You already have an account/);
    const me = await call(h.baseUrl, 'GET', '/v1/me', { token: student.token });
    expect(me.body.account.name).toBe('Max Weber');
  });
});

describe('Idempotency-Key', () => {
  test('posting twice with one key creates one posting and answers the same; another body with that key is 422', async () => {
    const employer = await newEmployer(h);
    const headers = { 'Idempotency-Key': `post-${Date.now()}` };
    const one = await call(h.baseUrl, 'POST', '/v1/internships', {
      token: employer.token,
      headers,
      body: samplePosting,
    });
    const two = await call(h.baseUrl, 'POST', '/v1/internships', {
      token: employer.token,
      headers,
      body: samplePosting,
    });
    expect(one.status).toBe(201);
    expect(two.status).toBe(201);
    expect(two.body).toEqual(one.body);
    expect(two.headers.get('idempotent-replayed')).toBe('true');
    const { rowCount } = await h.db.query('SELECT 1 FROM internships WHERE employer_id = $1', [employer.id]);
    expect(rowCount).toBe(1);

    const other = await call(h.baseUrl, 'POST', '/v1/internships', {
      token: employer.token,
      headers,
      body: { ...samplePosting, feeCents: 30_000 },
    });
    expect(other.status).toBe(422);
    expect(other.body.errors[0].field).toBe('header.Idempotency-Key');
  });

  test('a posting whose API died mid-request: a quick retry waits (409), a retry after the claim went stale finds the same posting', async () => {
    const employer = await newEmployer(h);
    const headers = { 'Idempotency-Key': `post-crash-${Date.now()}` };
    const post = () =>
      call(h.baseUrl, 'POST', '/v1/internships', { token: employer.token, headers, body: samplePosting });
    const first = await post();
    expect(first.status).toBe(201);
    // What a process killed after storing the posting and starting its workflow leaves behind.
    const forget = (age: string) =>
      h.db.query(
        `UPDATE idempotency_keys SET status = NULL, response = NULL, created_at = now() - $2::interval
          WHERE key = $1`,
        [headers['Idempotency-Key'], age],
      );
    await forget('0 seconds');
    const meanwhile = await post();
    expect(meanwhile.status).toBe(409);
    expect(meanwhile.headers.get('retry-after')).toBe('1');
    await forget('5 minutes');
    const retried = await post();
    expect(retried.status).toBe(201);
    expect(retried.body.id).toBe(first.body.id);
    const { rowCount } = await h.db.query('SELECT 1 FROM internships WHERE employer_id = $1', [employer.id]);
    expect(rowCount).toBe(1);
    expect((await post()).headers.get('idempotent-replayed')).toBe('true');
  });

  test('applying twice with one key answers 201 both times with one application', async () => {
    const employer = await newEmployer(h);
    const id = await newPosting(h, employer);
    const student = await newStudent(h, 'Nia Brown');
    const headers = { 'Idempotency-Key': `apply-${Date.now()}` };
    const one = await applyAs(h, student, id, headers);
    const two = await applyAs(h, student, id, headers);
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(two.body).toEqual(one.body);
    const list = await call(h.baseUrl, 'GET', `/v1/internships/${id}/applications`, {
      token: employer.token,
    });
    expect(list.body.items).toHaveLength(1);
  });

  test('an action retried with its key is the same Update: one answer, one audit entry; without a key the repeat is 409', async () => {
    const employer = await newEmployer(h);
    const id = await newPosting(h, employer);
    const student = await newStudent(h, 'Omar Haddad');
    const { body: applied } = await applyAs(h, student, id);
    const select = (key: string) =>
      call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
        token: employer.token,
        headers: { 'Idempotency-Key': key },
        body: { applicationIds: [applied.applicationId] },
      });
    const key = `select-${randomUUID()}`;
    const [one, two] = [await select(key), await select(key)];
    expect([one.status, two.status]).toEqual([202, 202]);
    expect(two.body).toEqual(one.body);
    expect((await select(`select-${randomUUID()}`)).status).toBe(409);
    const { rows } = await h.db.query(
      `SELECT event_key FROM audit_events WHERE internship_id = $1 AND action = 'selectStudents'`,
      [id],
    );
    expect(rows).toHaveLength(1);
    const bad = await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
      token: student.token,
      headers: { 'Idempotency-Key': 'not a key' },
      body: { accept: true },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('header.Idempotency-Key');
  });
});

describe('the offer email', () => {
  async function offerTo(student: Actor, others: Actor[] = []) {
    const employer = await newEmployer(h);
    const id = await newPosting(h, employer);
    const { body } = await applyAs(h, student, id);
    for (const o of others) await applyAs(h, o, id);
    const selected = await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
      token: employer.token,
      body: { applicationIds: [body.applicationId] },
    });
    expect(selected.status).toBe(202);
    const email = await waitForEmail(student.email, /You have an offer/);
    return {
      employer,
      id,
      links: linksIn(email.text),
      handle: h.temporal.workflow.getHandle(`internship:${id}`),
    };
  }

  test('GET on the Accept link ten times changes nothing; POST accepts once; a second POST says it was already done', async () => {
    const student = await newStudent(h, 'Omar Haddad', 'Eastgate Community College');
    const other = await newStudent(h, 'Pia Jensen');
    const { employer, id, links, handle } = await offerTo(student, [other]);
    expect(links.accept.startsWith(`${h.baseUrl}/actions/mi_`)).toBe(true);

    for (let i = 0; i < 10; i++) {
      const page = await fetch(links.accept);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('Accept the offer for &quot;Clean a sales dataset&quot;?');
      expect(html).toContain('<form method="post"');
    }
    expect((await handle.query(internshipStateQuery)).status).toBe('Offered');
    const { rows } = await h.db.query('SELECT used_at FROM action_tokens WHERE internship_id = $1', [id]);
    expect(rows.every((r: { used_at: Date | null }) => r.used_at === null)).toBe(true);

    const accepted = await fetch(links.accept, { method: 'POST' });
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toContain('You accepted the offer');
    await waitForStatus(h, employer, id, ['Funding', 'InProgress']);

    const again = await fetch(links.accept, { method: 'POST' });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('Already done');
    const sibling = await fetch(links.decline, { method: 'POST' });
    expect(await sibling.text()).toMatch(/Already done[\s\S]*accepted/);

    // The employer now meets the student: by email, and in the applicant list.
    const profile = await waitForEmail(employer.email, /Omar Haddad accepted/);
    expect(profile.text).toContain('Eastgate Community College');
    const list = await call(h.baseUrl, 'GET', `/v1/internships/${id}/applications`, {
      token: employer.token,
    });
    const hired = list.body.items.find((i: { status: string }) => i.status === 'accepted');
    expect(hired.student).toMatchObject({ name: 'Omar Haddad', email: student.email });
    expect(JSON.stringify(list.body)).not.toContain(other.email);
    await waitForEmail(other.email, /An update on/);
  });

  test('the API can decline the same offer; forged and expired links get clear pages', async () => {
    const student = await newStudent(h, 'Quinn Adams');
    const { id, links } = await offerTo(student);
    const declined = await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
      token: student.token,
      body: { accept: false },
    });
    expect(declined.body).toEqual({ accepted: false });
    const late = await fetch(links.accept, { method: 'POST' });
    expect(late.status).toBe(409);
    expect(await late.text()).toContain('can no longer be answered');

    const forged = await fetch(`${h.baseUrl}/actions/mi_${'A'.repeat(43)}`);
    expect(forged.status).toBe(404);
    expect(await forged.text()).toContain('Link not found');
    expect((await fetch(`${h.baseUrl}/actions/nonsense`, { method: 'POST' })).status).toBe(404);

    const [expired] = await issueActionTokens(h.db, {
      decisionKey: `test:${id}`,
      actions: ['offer.accept'],
      internshipId: id,
      actorRole: 'student',
      actorId: student.id,
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    const gone = await fetch(`${h.baseUrl}/actions/${expired!.token}`);
    expect(gone.status).toBe(410);
    expect((await fetch(`${h.baseUrl}/actions/${expired!.token}`, { method: 'POST' })).status).toBe(410);
  });
});

test('a posting with 10 applicants stays well under 300 history events through acceptance', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer, { maxApplicants: 10 });
  const students = await Promise.all(
    Array.from({ length: 10 }, (_, i) => newStudent(h, `Applicant Person${i}`)),
  );
  const applicationIds: string[] = [];
  for (const s of students) applicationIds.push((await applyAs(h, s, id)).body.applicationId);
  await waitForStatus(h, employer, id, 'Selecting');
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: employer.token,
    body: { applicationIds: applicationIds.slice(0, 3) },
  });
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: students[0]!.token,
    body: { accept: false },
  });
  await waitForEmail(students[1]!.email, /You have an offer/);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: students[1]!.token,
    body: { accept: true },
  });
  await waitForStatus(h, employer, id, ['Funding', 'InProgress']);
  await waitForEmail(students[9]!.email, /An update on/);

  const history = await h.temporal.workflow.getHandle(`internship:${id}`).fetchHistory();
  const events = history.events?.length ?? 0;
  process.stdout.write(`history events, 10 applicants through acceptance: ${events}\n`);
  expect(events).toBeGreaterThan(0);
  expect(events).toBeLessThan(300);
});

test('an application the workflow accepted but the API never confirmed (it stopped in between) is confirmed by the retry', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);
  const student = await newStudent(h, 'Rita Restart');
  // What a crashed request leaves: the pending row, and the Update accepted by the workflow.
  const { applicationId } = await applyWithoutConfirming(
    h.db,
    h.temporal.workflow.getHandle(`internship:${id}`),
    id,
    student.id,
    { pitch: 'I clean messy spreadsheets for fun and document every step.' },
  );
  expect(
    (await call(h.baseUrl, 'GET', `/v1/internships/${id}/applications`, { token: employer.token })).body
      .items,
  ).toEqual([]);

  const retry = await applyAs(h, student, id);
  expect(retry.status).toBe(201);
  expect(retry.body).toEqual({ applicationId, label: 'Applicant 1', status: 'submitted' });
  expect(await applicationIdsShownTo(h, employer, id)).toEqual([applicationId]);
  expect(
    (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: employer.token })).body.applicantCount,
  ).toBe(1);
  expect((await applyAs(h, student, id)).status).toBe(409);
});

test('a keyed application whose first attempt was accepted by the workflow but lost its row is the same application on retry', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);
  const student = await newStudent(h, 'Sam Unknown');
  const key = `apply-unknown-${randomUUID()}`;
  // What the first attempt left when Temporal failed under it after accepting the Update: no row,
  // and the Update (under the id the API derives from the key) in the workflow.
  const applicationId = keyedApplicationId(id, student.id, key);
  await h.temporal.workflow.getHandle(`internship:${id}`).executeUpdate(applyUpdate, {
    updateId: `apply:${applicationId}`,
    args: [{ applicationId, studentId: student.id }],
  });
  const retry = await applyAs(h, student, id, { 'Idempotency-Key': key });
  expect(retry.status).toBe(201);
  expect(retry.body.applicationId).toBe(applicationId);
  expect(await applicationIdsShownTo(h, employer, id)).toEqual([applicationId]);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: employer.token,
    body: { applicationIds: [applicationId] },
  });
  await waitForStatus(h, employer, id, 'Offered');
  const { rows } = await h.db.query('SELECT status FROM applications WHERE id = $1', [applicationId]);
  expect(rows).toEqual([{ status: 'offered' }]);
});

test('a keyed application whose first attempt stored its row but never reached the workflow goes through on retry', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);
  const student = await newStudent(h, 'Uma Unreached');
  const key = `apply-unreached-${randomUUID()}`;
  const applicationId = keyedApplicationId(id, student.id, key);
  await insertPendingApplication(h.db, {
    id: applicationId,
    internshipId: id,
    studentId: student.id,
    pitch: 'I clean messy spreadsheets for fun and document every step.',
    answers: ['Excel: pivot tables'],
  });
  const retry = await applyAs(h, student, id, { 'Idempotency-Key': key });
  expect(retry.status).toBe(201);
  expect(retry.body).toMatchObject({ applicationId, label: 'Applicant 1' });
  expect(await applicationIdsShownTo(h, employer, id)).toEqual([applicationId]);
  // Without that key, a second application is still refused.
  expect((await applyAs(h, student, id)).status).toBe(409);
});

test('a keyed application that filled the posting before its API died: the retry answers 201 as then, not PostingFull', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer, { maxApplicants: 1 });
  const student = await newStudent(h, 'Finn Fullcap');
  const key = `apply-full-${randomUUID()}`;
  const first = await applyAs(h, student, id, { 'Idempotency-Key': key });
  expect(first.status).toBe(201);
  await waitForStatus(h, employer, id, 'Selecting');
  // The API was killed after the workflow accepted the application, before its answer was
  // recorded; the claim on the key has gone stale.
  await h.db.query(
    `UPDATE idempotency_keys SET status = NULL, response = NULL, created_at = now() - interval '5 minutes'
      WHERE key = $1`,
    [key],
  );
  const retry = await applyAs(h, student, id, { 'Idempotency-Key': key });
  expect(retry.status).toBe(201);
  expect(retry.body).toEqual(first.body);
  // Anyone else, or the same student with another key, still finds the posting full.
  expect((await applyAs(h, await newStudent(h, 'Late Lou'), id)).body.type).toBe('/problems/PostingFull');
  expect((await applyAs(h, student, id, { 'Idempotency-Key': `${key}-2` })).status).toBe(409);
});

test('a keyed application confirmed before its answer was recorded (the API died in between, or the worker reconciled it) answers the retry with the same 201', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);
  const student = await newStudent(h, 'Cleo Confirmed');
  const key = `apply-confirmed-${randomUUID()}`;
  const first = await applyAs(h, student, id, { 'Idempotency-Key': key });
  expect(first.status).toBe(201);
  // What an API killed after confirming the application, before recording its answer, leaves once
  // its claim on the key went stale.
  await h.db.query(
    `UPDATE idempotency_keys SET status = NULL, response = NULL, created_at = now() - interval '5 minutes'
      WHERE key = $1`,
    [key],
  );
  const retry = await applyAs(h, student, id, { 'Idempotency-Key': key });
  expect(retry.status).toBe(201);
  expect(retry.body).toEqual(first.body);
  expect(
    (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: employer.token })).body.applicantCount,
  ).toBe(1);
  // Another key is another application: still refused.
  expect((await applyAs(h, student, id, { 'Idempotency-Key': `${key}-other` })).status).toBe(409);
  // The same key with another pitch is another request: refused as a reused key, nothing changes.
  await h.db.query(`DELETE FROM idempotency_keys WHERE key = $1`, [key]);
  const reused = await call(h.baseUrl, 'POST', `/v1/internships/${id}/applications`, {
    token: student.token,
    headers: { 'Idempotency-Key': key },
    body: { pitch: 'A different pitch, sent with a key that was already used.', answers: ['Excel'] },
  });
  expect(reused.status).toBe(422);
  expect(reused.body.errors[0].field).toBe('header.Idempotency-Key');
  // The same key on another posting is a new application there.
  const other = await newPosting(h, employer);
  expect((await applyAs(h, student, other, { 'Idempotency-Key': key })).status).toBe(201);
});
