/**
 * Dates in emails and on link pages are written in the recipient's time zone: set at sign-up or
 * later with PUT /v1/me/time-zone, UTC until set.
 */
import { findInternship } from '../../db/internships';
import { forPeople } from '../../lib/dates';
import { applyAs, newEmployer, newPosting, newStudent, staffSession, waitForStatus } from '../helpers/actors';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { waitForEmail } from '../helpers/inbox';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

const ISO_INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

test('a student in New York and an employer in Berlin each read the due date in their own zone', async () => {
  const employer = await newEmployer(h);
  const setBerlin = await call(h.baseUrl, 'PUT', '/v1/me/time-zone', {
    token: employer.token,
    body: { timeZone: 'europe/berlin' },
  });
  expect(setBerlin).toMatchObject({ status: 200, body: { timeZone: 'Europe/Berlin' } });

  const student = await newStudent(h, 'Ana Ruiz', 'Hunter College', { timeZone: 'America/New_York' });
  const email = student.email;
  const me = await call(h.baseUrl, 'GET', '/v1/me', { token: student.token });
  expect(me.body.account.kind).toBe('student');

  const id = await newPosting(h, employer);
  const { body: applied } = await applyAs(h, student, id);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: employer.token,
    body: { applicationIds: [applied.applicationId] },
  });
  await waitForStatus(h, employer, id, 'Offered', 30_000);

  // The offer's expiry, and the page its link opens, in New York time.
  const offer = await waitForEmail(email, /You have an offer/);
  expect(offer.text).toMatch(/by \w+day \d{1,2} \w+ \d{4}, \d{2}:\d{2} E[SD]T/);
  expect(offer.text).not.toMatch(ISO_INSTANT);
  const acceptLink = /(\/actions\/mi_[A-Za-z0-9_-]{43})/.exec(offer.text)![1]!;
  const page = await fetch(`${h.baseUrl}${acceptLink}`);
  expect(await page.text()).toMatch(/This link works until \w+day \d{1,2} \w+ \d{4}, \d{2}:\d{2} E[SD]T/);

  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: student.token,
    body: { accept: true },
  });
  await waitForStatus(h, employer, id, 'InProgress', 30_000);
  const dueAt = (await findInternship(h.db, id))!.dueAt!;

  const toStudent = await waitForEmail(email, /You can start/);
  expect(toStudent.subject).toContain(`due ${forPeople(dueAt, 'America/New_York')}`);
  const toEmployer = await waitForEmail(employer.email, /has started/);
  expect(toEmployer.text).toContain(`due ${forPeople(dueAt, 'Europe/Berlin')}`);
  expect(toEmployer.text).toMatch(/CES?T/);
  // The charge is told with its amount.
  expect(toEmployer.text).toContain('Your payment of $250.00 is held until the work is approved');
  for (const mail of [offer, toStudent, toEmployer]) expect(mail.text).not.toMatch(ISO_INSTANT);
});

test('a time zone that is not an IANA name is refused with the field named; ops have no zone to set', async () => {
  const student = await newStudent(h, 'Mo Chen');
  for (const timeZone of ['+01:00', 'Mars/Olympus_Mons', 42]) {
    const res = await call(h.baseUrl, 'PUT', '/v1/me/time-zone', {
      token: student.token,
      body: { timeZone },
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('timeZone');
  }
  const signUp = await call(h.baseUrl, 'POST', '/v1/students', {
    body: {
      name: 'Lee Park',
      email: `lee-${uniqueSuffix()}@students.test`,
      major: 'History',
      graduationYear: 2026,
      skills: ['writing'],
      timeZone: 'Somewhere/Else',
    },
  });
  expect(signUp.status).toBe(422);
  expect(JSON.stringify(signUp.body.errors)).toContain('timeZone');

  const asOps = await call(h.baseUrl, 'PUT', '/v1/me/time-zone', {
    token: await staffSession(h, 'finance'),
    body: { timeZone: 'UTC' },
  });
  expect(asOps.status).toBe(403);
  const anonymous = await call(h.baseUrl, 'PUT', '/v1/me/time-zone', { body: { timeZone: 'UTC' } });
  expect(anonymous.status).toBe(401);
});
