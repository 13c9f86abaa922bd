/**
 * After the work, through HTTP: the credential has an id of its own, is shown only as far as its
 * student chose, and verifies (a changed byte does not); the portfolio lists only completed work, the hiring offer is accepted from its email link, and ops see
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
  staffSession,
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

/** The hired student's own view of their credential: its id and who may see it. */
async function credentialOf(student: Actor, id: string) {
  const seen = await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: student.token });
  return seen.body.credential as { credentialId: string; visibility: string };
}

const share = (student: Actor, credentialId: string, visibility: string) =>
  call(h.baseUrl, 'PUT', `/v1/credentials/${credentialId}/sharing`, {
    token: student.token,
    body: { visibility },
  });

test('a credential has an id of its own and stays private until its student shares it by link or in the portfolio; a changed byte makes it invalid', async () => {
  const student = await newStudent(h, 'Ines Duarte');
  const { employer, id } = await completedInternship(student);
  const other = await newEmployer(h);
  const unfinished = await newPosting(h, other);
  await applyAs(h, student, unfinished);

  // The credential is signed as the follow-up begins; its email says it is ready.
  await waitForEmail(student.email, /Your credential/);
  const { credentialId, visibility } = await credentialOf(student, id);
  expect(visibility).toBe('private');
  expect(credentialId).not.toBe(id);
  // Knowing the internship, or the credential's id while it is private, tells nobody anything.
  for (const path of [
    `/v1/credentials/${id}`,
    `/v1/credentials/${credentialId}`,
    `/v1/students/${student.id}/portfolio`,
  ])
    expect({ path, status: (await call(h.baseUrl, 'GET', path)).status }).toEqual({ path, status: 404 });

  // Only its student chooses.
  const stranger = await newStudent(h, 'Not Ines');
  expect((await share(stranger, credentialId, 'portfolio')).status).toBe(404);
  expect((await share(employer, credentialId, 'portfolio')).status).toBe(403);
  expect((await share(student, credentialId, 'everyone')).body.errors).toEqual([
    expect.objectContaining({ field: 'visibility' }),
  ]);

  // By link: anyone holding it verifies the work and sees the name, never the student's id.
  expect((await share(student, credentialId, 'link')).body).toEqual({ credentialId, visibility: 'link' });
  const verified = await call(h.baseUrl, 'GET', `/v1/credentials/${credentialId}`);
  expect(verified.body).toMatchObject({
    credentialId,
    valid: true,
    credential: {
      credentialId,
      title: 'Clean a sales dataset',
      employer: 'Northwind Traders',
      student: { name: 'Ines Duarte' },
    },
  });
  expect(JSON.stringify(verified.body)).not.toContain(student.id);
  expect(JSON.stringify(verified.body)).not.toContain(id);
  expect((await call(h.baseUrl, 'GET', `/v1/students/${student.id}/portfolio`)).status).toBe(404);

  // In the portfolio: listed, and only completed work.
  await share(student, credentialId, 'portfolio');
  const portfolio = await call(h.baseUrl, 'GET', `/v1/students/${student.id}/portfolio`);
  expect(portfolio.status).toBe(200);
  expect(portfolio.body.items).toEqual([expect.objectContaining({ credentialId, valid: true })]);
  expect((await credentialOf(student, id)).visibility).toBe('portfolio');

  // One byte of the stored statement changes: the signature no longer matches.
  await h.db.query(
    `UPDATE credentials SET payload = replace(payload, 'Clean', 'Clear') WHERE internship_id = $1`,
    [id],
  );
  const tampered = await call(h.baseUrl, 'GET', `/v1/credentials/${credentialId}`);
  expect(tampered.body.valid).toBe(false);
  expect((await call(h.baseUrl, 'GET', `/v1/students/${student.id}/portfolio`)).status).toBe(404);
  expect((await call(h.baseUrl, 'GET', `/v1/credentials/00000000-0000-0000-0000-000000000000`)).status).toBe(
    404,
  );
});

test('a hiring offer accepted from its email link closes the internship as a hire; ops see the conversion', async () => {
  const before = (
    await call(h.baseUrl, 'GET', '/v1/admin/conversion', { token: await staffSession(h, 'support') })
  ).body;
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
  // Revealed feedback re-signs the credential with the endorsements, under the id it had.
  const { credentialId } = await credentialOf(student, id);
  await share(student, credentialId, 'link');
  let endorsed: string[] = [];
  for (let tries = 0; endorsed.length === 0 && tries < 50; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    endorsed = (await call(h.baseUrl, 'GET', `/v1/credentials/${credentialId}`)).body.credential
      .endorsedSkills;
  }
  expect(endorsed).toEqual(['excel']);
  expect((await credentialOf(student, id)).credentialId).toBe(credentialId);

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
  const after = (
    await call(h.baseUrl, 'GET', '/v1/admin/conversion', { token: await staffSession(h, 'support') })
  ).body;
  expect(after.offersMade).toBeGreaterThanOrEqual(before.offersMade + 1);
  expect(after.offersAccepted).toBeGreaterThanOrEqual(before.offersAccepted + 1);
  const { rows } = await h.db.query('SELECT outcome FROM hiring_offers WHERE internship_id = $1', [id]);
  expect(rows).toEqual([{ outcome: 'accepted' }]);
  expect((await call(h.baseUrl, 'GET', '/v1/admin/conversion', { token: employer.token })).status).toBe(403);
});
