/**
 * After the work, through HTTP: the credential verifies (and a changed byte does not), the
 * portfolio shows only completed work, the hiring offer is accepted from its email link, and ops see
 * the conversion.
 */
import {
  applyAs,
  newEmployer,
  newPosting,
  newStudent,
  waitForStatus,
  type Actor,
  payoutAccountReady,
} from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { waitForEmail } from '../helpers/inbox';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

async function completedInternship(student: Actor) {
  const employer = await newEmployer(h, 'Northwind Traders');
  const id = await newPosting(h, employer);
  const { body } = await applyAs(h, student, id);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: employer.token,
    body: { applicationIds: [body.applicationId] },
  });
  await waitForStatus(h, employer, id, 'Offered');
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: student.token,
    body: { accept: true },
  });
  await waitForStatus(h, employer, id, 'InProgress');
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, {
    token: student.token,
    body: { url: 'https://example.com/report', notes: 'Report attached.' },
  });
  await waitForStatus(h, employer, id, 'InReview');
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/review`, {
    token: employer.token,
    body: { decision: 'approve' },
  });
  await waitForStatus(h, employer, id, 'Paying');
  // The payout account exists once the onboarding email went out.
  await waitForEmail(student.email, /Set up payouts/);
  expect((await payoutAccountReady(h, student)).status).toBe(200);
  await waitForStatus(h, employer, id, 'Completed');
  return { employer, id };
}

/** A job offer that expires `days` from now. */
const offerTerms = (days: number) => ({
  role: 'Analyst',
  type: 'full_time',
  payCents: 5_000_000,
  payPeriod: 'year',
  startDate: '2027-01-10',
  expiresAt: new Date(Date.now() + days * 86_400_000).toISOString(),
});

test('the credential of completed work verifies publicly; a changed byte makes it invalid; the portfolio lists only completed work', async () => {
  const student = await newStudent(h, 'Ines Duarte');
  const { id } = await completedInternship(student);
  const other = await newEmployer(h);
  const unfinished = await newPosting(h, other);
  await applyAs(h, student, unfinished);

  // The credential is signed as the follow-up begins; its email says it is ready.
  await waitForEmail(student.email, /Your credential/);
  const portfolio = await call(h.baseUrl, 'GET', `/v1/students/${student.id}/portfolio`);
  expect(portfolio.status).toBe(200);
  expect(portfolio.body.items).toHaveLength(1);
  const item = portfolio.body.items[0];
  expect(item).toMatchObject({
    valid: true,
    credential: { title: 'Clean a sales dataset', employer: 'Northwind Traders' },
  });

  const verified = await call(h.baseUrl, 'GET', `/v1/credentials/${item.credentialId}`);
  expect(verified.body.valid).toBe(true);

  // One byte of the stored statement changes: the signature no longer matches.
  await h.db.query(
    `UPDATE credentials SET payload = replace(payload, 'Clean', 'Clear') WHERE internship_id = $1`,
    [id],
  );
  const tampered = await call(h.baseUrl, 'GET', `/v1/credentials/${item.credentialId}`);
  expect(tampered.body.valid).toBe(false);
  expect((await call(h.baseUrl, 'GET', `/v1/students/${student.id}/portfolio`)).body.items).toHaveLength(0);
  expect((await call(h.baseUrl, 'GET', `/v1/credentials/00000000-0000-0000-0000-000000000000`)).status).toBe(
    404,
  );
});

test('a hiring offer accepted from its email link closes the internship as a hire; ops see the conversion', async () => {
  const before = (await call(h.baseUrl, 'GET', '/v1/admin/conversion', { token: h.config.OPS_TOKEN })).body;
  const student = await newStudent(h, 'Jonas Berg');
  const { employer, id } = await completedInternship(student);

  const feedback = await call(h.baseUrl, 'POST', `/v1/internships/${id}/feedback`, {
    token: employer.token,
    body: { rating: 5, comment: 'Sharp and reliable.', endorsedSkills: ['excel'] },
  });
  expect(feedback.body).toEqual({ revealed: false });
  const seenByStudent = await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: student.token });
  expect(seenByStudent.body.feedback).toMatchObject({ mine: null, theirs: null, revealed: false });
  // Once the student gave theirs too, both sides are revealed on the posting the student reads.
  const given = await call(h.baseUrl, 'POST', `/v1/internships/${id}/feedback`, {
    token: student.token,
    body: { rating: 4, comment: 'Clear brief, quick answers.', endorsedSkills: [] },
  });
  expect(given.status).toBeLessThan(300);
  let revealed = seenByStudent.body.feedback;
  for (let tries = 0; !revealed.revealed && tries < 50; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    revealed = (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: student.token })).body
      .feedback;
  }
  expect(revealed).toMatchObject({
    mine: { rating: 4, comment: 'Clear brief, quick answers.' },
    theirs: { rating: 5, comment: 'Sharp and reliable.', endorsedSkills: ['excel'] },
    revealed: true,
  });

  const tooLate = await call(h.baseUrl, 'POST', `/v1/internships/${id}/hiring-offer`, {
    token: employer.token,
    body: offerTerms(31),
  });
  expect(tooLate.status).toBe(422);
  expect(tooLate.body.errors[0].field).toBe('expiresAt');
  const offer = await call(h.baseUrl, 'POST', `/v1/internships/${id}/hiring-offer`, {
    token: employer.token,
    body: offerTerms(14),
  });
  expect(offer.status).toBe(201);
  const email = await waitForEmail(student.email, /offers you a job: Analyst/);
  const accept = /Accept the job offer: (\S+)/.exec(email.text)![1]!;
  expect((await fetch(accept)).status).toBe(200);
  const done = await fetch(accept, { method: 'POST' });
  expect(await done.text()).toContain('Congratulations');
  await waitForStatus(h, employer, id, 'Closed');

  // Other suites make offers at the same time: this one's is counted, made and accepted.
  const after = (await call(h.baseUrl, 'GET', '/v1/admin/conversion', { token: h.config.OPS_TOKEN })).body;
  expect(after.offersMade).toBeGreaterThanOrEqual(before.offersMade + 1);
  expect(after.offersAccepted).toBeGreaterThanOrEqual(before.offersAccepted + 1);
  const { rows } = await h.db.query('SELECT outcome FROM hiring_offers WHERE internship_id = $1', [id]);
  expect(rows).toEqual([{ outcome: 'accepted' }]);
  expect((await call(h.baseUrl, 'GET', '/v1/admin/conversion', { token: employer.token })).status).toBe(403);
});
