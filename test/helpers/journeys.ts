/** Internships driven through the API to the point a test starts from: a dispute, a shared credential. */
import {
  applyAs,
  newEmployer,
  newPosting,
  newStudent,
  offerThroughApi,
  payoutAccountReady,
  selectAcceptAndSubmit,
  waitForStatus,
} from './actors';
import { call, type ApiHarness } from './harness';
import { waitForEmail } from './inbox';

/** A hired student's work rejected after the last of two rounds of changes: the internship in dispute. */
export async function disputeThroughApi(h: ApiHarness, options: { studentName?: string } = {}) {
  const { employer, student, id } = await offerThroughApi(h, options);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: student.token,
    body: { accept: true },
  });
  for (const decision of ['request_changes', 'request_changes', 'reject']) {
    await waitForStatus(h, employer, id, 'InProgress', 30_000);
    await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, {
      token: student.token,
      body: { url: 'https://example.com/work', notes: 'Here it is.' },
    });
    await waitForStatus(h, employer, id, 'InReview', 30_000);
    await call(h.baseUrl, 'POST', `/v1/internships/${id}/review`, {
      token: employer.token,
      body: { decision, comments: 'Not what we asked for.' },
    });
  }
  await waitForStatus(h, employer, id, 'Disputed', 30_000);
  return { employer, student, id };
}

/** A student's completed micro-internship whose credential they shared by link; its credential id. */
export async function sharedCredential(on: ApiHarness, studentName: string, title: string) {
  const employer = await newEmployer(on, 'Contoso Analytics');
  const id = await newPosting(on, employer, { title });
  const student = await newStudent(on, studentName);
  const { body } = await applyAs(on, student, id);
  await selectAcceptAndSubmit(on, employer, student, id, body.applicationId);
  await call(on.baseUrl, 'POST', `/v1/internships/${id}/review`, {
    token: employer.token,
    body: { decision: 'approve' },
  });
  await waitForEmail(student.email, /Set up payouts/);
  expect((await payoutAccountReady(on, student)).status).toBe(200);
  await waitForStatus(on, employer, id, 'Completed', 30_000);
  await waitForEmail(student.email, /Your credential/);
  const seen = await call(on.baseUrl, 'GET', `/v1/internships/${id}`, { token: student.token });
  const { credentialId } = seen.body.credential as { credentialId: string };
  await call(on.baseUrl, 'PUT', `/v1/credentials/${credentialId}/sharing`, {
    token: student.token,
    body: { visibility: 'link' },
  });
  return { credentialId, internshipId: id, student, employer };
}
