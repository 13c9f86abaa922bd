/**
 * One internship walked through every state it visits, by its people through the API and email
 * links; then the audit trail is compared with the workflow history, Update by Update. The actions
 * that are not Updates (posting, sharing a credential, a changed time zone) name their person too.
 */
import { listAccountAudit } from '../../db/audit';
import {
  applyAs,
  newEmployer,
  newPosting,
  newStudent,
  waitForStatus,
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

test('the audit trail names every human action (who, channel) in the order of the workflow history, and every status', async () => {
  const employer = await newEmployer(h);
  const student = await newStudent(h, 'Ada Moss');
  const id = await newPosting(h, employer);
  const as = (token: string) => ({ token });
  const post = (path: string, token: string, body: unknown) =>
    call(h.baseUrl, 'POST', `/v1/internships/${id}/${path}`, { ...as(token), body });

  const { body: applied } = await applyAs(h, student, id);
  await post('selection', employer.token, { applicationIds: [applied.applicationId] });
  const offer = await waitForEmail(student.email, /You have an offer/);
  await fetch(/Accept: (\S+)/.exec(offer.text)![1]!, { method: 'POST' }); // by email
  await waitForStatus(h, employer, id, 'InProgress');
  await post('submissions', student.token, { url: 'https://example.com/v1', notes: 'First take.' });
  await waitForStatus(h, employer, id, 'InReview');
  await post('review', employer.token, { decision: 'request_changes', comments: 'Add the summary tab.' });
  await waitForStatus(h, employer, id, 'InProgress');
  await post('submissions', student.token, { url: 'https://example.com/v2', notes: 'With summary.' });
  await waitForStatus(h, employer, id, 'InReview');
  await post('review', employer.token, { decision: 'approve' });
  await waitForStatus(h, employer, id, 'Paying');
  // The payout account exists once the onboarding email went out.
  await waitForEmail(student.email, /Set up payouts/);
  expect((await payoutAccountReady(h, student)).status).toBe(200);
  await waitForStatus(h, employer, id, 'Completed');
  await post('feedback', employer.token, { rating: 5, comment: 'Great work.' });
  await post('feedback', student.token, { rating: 5, comment: 'Great brief.' });
  await post('hiring-offer', employer.token, {
    role: 'Analyst',
    type: 'full_time',
    payCents: 5_500_000,
    payPeriod: 'year',
    startDate: '2027-03-01',
    expiresAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
  });
  await post('hiring-offer/response', student.token, { accept: true });
  await waitForStatus(h, employer, id, 'Closed');

  const view = await call(h.baseUrl, 'GET', `/v1/internships/${id}`, {
    token: await staffSession(h, 'support'),
  });
  const trail = view.body.auditTrail as {
    actor: { role: string; id: string | null; title: string | null; organisationId: string | null };
    channel: string;
    action: string;
    ref: string;
  }[];
  expect(
    (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: employer.token })).body.auditTrail,
  ).toBeUndefined();

  // It starts with the member who posted it, before the workflow's first status.
  expect(trail[0]).toEqual({
    at: expect.any(String),
    actor: { role: 'employer', id: employer.accountId, title: 'owner', organisationId: employer.id },
    channel: 'api',
    action: 'post',
    ref: 'posted',
  });
  expect(trail[1]).toMatchObject({ actor: { role: 'system' }, ref: expect.stringMatching(/^status:/) });

  // Every state the internship visited, in order.
  expect(trail.filter((e) => e.ref.startsWith('status:')).map((e) => e.action)).toEqual(
    [
      'Open',
      'Offered',
      'Funding',
      'InProgress',
      'InReview',
      'InProgress',
      'InReview',
      'Paying',
      'Completed',
      'Closed',
    ].map((s) => `status:${s}`),
  );

  // The human actions, as the workflow history has them: same Updates, same order.
  const human = trail.filter((e) => e.ref.startsWith('update:'));
  const history = await h.temporal.workflow.getHandle(`internship:${id}`).fetchHistory();
  const accepted = history
    .events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
    .map((e) => {
      const request = e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!;
      return { ref: `update:${request.meta!.updateId}`, action: request.input!.name! };
    });
  expect(human.map((e) => ({ ref: e.ref, action: e.action }))).toEqual(accepted);
  expect(human.map((e) => `${e.action} by ${e.actor.role} via ${e.channel}`)).toEqual([
    'apply by student via api',
    'selectStudents by employer via api',
    'respondToOffer by student via email',
    'submitWork by student via api',
    'review by employer via api',
    'submitWork by student via api',
    'review by employer via api',
    'giveFeedback by employer via api',
    'giveFeedback by student via api',
    'makeHiringOffer by employer via api',
    'respondToHiringOffer by student via api',
  ]);
  // Each names the person, their role and their organisation.
  expect(human.find((e) => e.action === 'selectStudents')!.actor).toEqual({
    role: 'employer',
    id: employer.accountId,
    title: 'owner',
    organisationId: employer.id,
  });
  expect(human.find((e) => e.action === 'respondToOffer')!.actor).toEqual({
    role: 'student',
    id: student.id,
    title: 'student',
    organisationId: null,
  });

  // The student shares the credential the work earned: recorded on the credential, naming them.
  const { credential } = (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: student.token }))
    .body as { credential: { credentialId: string } };
  const shared = await call(h.baseUrl, 'PUT', `/v1/credentials/${credential.credentialId}/sharing`, {
    token: student.token,
    body: { visibility: 'link' },
  });
  expect(shared.status).toBe(200);
  expect(await listAccountAudit(h.db, { subjectId: credential.credentialId })).toEqual([
    rowOf(
      { role: 'student', id: student.id, title: 'student', organisationId: null },
      'credential-sharing:link',
    ),
  ]);
});

/** An account's audit row as it names who acted through the API. */
const rowOf = (
  actor: { role: string; id: string; title: string; organisationId: string | null },
  action: string,
) =>
  expect.objectContaining({
    actorRole: actor.role,
    actorId: actor.id,
    actorTitle: actor.title,
    organisationId: actor.organisationId,
    channel: 'api',
    action,
  });

test('a changed time zone is audited, naming the person, their role, their organisation and the channel', async () => {
  const employer = await newEmployer(h);
  const student = await newStudent(h, 'Tim Zone');
  for (const [who, timeZone] of [
    [employer, 'Europe/Rome'],
    [student, 'America/Chicago'],
  ] as const) {
    const set = await call(h.baseUrl, 'PUT', '/v1/me/time-zone', { token: who.token, body: { timeZone } });
    expect(set.status).toBe(200);
  }
  const rowsOf = async (accountId: string) =>
    (await listAccountAudit(h.db, { subjectId: accountId })).filter((e) => e.action === 'time-zone-set');
  expect(await rowsOf(employer.accountId)).toEqual([
    rowOf(
      { role: 'employer', id: employer.accountId, title: 'owner', organisationId: employer.id },
      'time-zone-set',
    ),
  ]);
  expect(await rowsOf(student.id)).toEqual([
    rowOf({ role: 'student', id: student.id, title: 'student', organisationId: null }, 'time-zone-set'),
  ]);
});
