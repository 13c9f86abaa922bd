/**
 * A student exports everything held about them, then erases their account. Every field they filled
 * carries a sentinel word: the export has it; after the erasure no table in Postgres does, the
 * ledger still balances, and the employer sees "a former student". Refused while money is on its
 * way; ops can do the same on request, in the audit trail.
 */
import { ledgerTotals, unbalancedEndedInternships } from '../../db/ledger';
import {
  newEmployer,
  newPosting,
  newStudent,
  payoutAccountReady,
  staffSession,
  waitForStatus,
} from '../helpers/actors';
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

/** Rows of any table whose text contains `word` (any case), by table. */
async function tablesHolding(word: string): Promise<Record<string, number>> {
  const { rows: tables } = await h.db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const found: Record<string, number> = {};
  for (const { table_name } of tables) {
    const { rows } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${table_name}" t WHERE t::text ILIKE $1`,
      [`%${word}%`],
    );
    if (rows[0]!.n > 0) found[table_name] = rows[0]!.n;
  }
  return found;
}

const post = async (token: string, route: string, body: object) =>
  call(h.baseUrl, 'POST', route, { token, body });

test('export returns every record the erasure removes; after it, no table holds the student’s words and the ledger balances', async () => {
  const word = `qx${uniqueSuffix()}erase`;
  const employer = await newEmployer(h);
  const student = await newStudent(h, `Sam ${word}`, `School ${word}`);
  await call(h.baseUrl, 'PUT', '/v1/me/time-zone', {
    token: student.token,
    body: { timeZone: 'Europe/Lisbon' },
  });
  expect((await post(student.token, '/v1/me/tokens', { name: `Token ${word}` })).status).toBe(201);

  // Hired on one posting; applied (and still waiting) on another.
  const id = await newPosting(h, employer);
  const other = await newPosting(h, employer);
  const pitch = { pitch: `Pitch ${word} with enough words.`, answers: [`Answer ${word}`] };
  const { body: applied } = await post(student.token, `/v1/internships/${id}/applications`, pitch);
  expect((await post(student.token, `/v1/internships/${other}/applications`, pitch)).status).toBe(201);
  await post(employer.token, `/v1/internships/${id}/selection`, { applicationIds: [applied.applicationId] });
  await waitForStatus(h, employer, id, 'Offered');
  await post(student.token, `/v1/internships/${id}/offer-response`, { accept: true });
  await waitForStatus(h, employer, id, 'InProgress');

  // Money held: refused, with the reason and the internship named.
  const refused = await call(h.baseUrl, 'DELETE', '/v1/students/me', { token: student.token });
  expect(refused.status).toBe(409);
  expect(refused.body.type).toBe('/problems/MoneyInFlight');
  expect(refused.body.detail).toContain(id);

  const due = (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: employer.token })).body
    .deadlines.due;
  await post(student.token, `/v1/internships/${id}/extension-requests`, {
    newDueAt: new Date(Date.parse(due) + 86_400_000).toISOString(),
    reason: `Reason ${word}`,
  });
  await post(student.token, `/v1/internships/${id}/submissions`, {
    url: `https://example.com/${word}`,
    notes: `Notes ${word}`,
  });
  await waitForStatus(h, employer, id, 'InReview');
  // The employer's words about the student's work: theirs to export, and erased with the work.
  await post(employer.token, `/v1/internships/${id}/review`, {
    decision: 'approve',
    comments: `Review ${word}`,
  });
  await waitForEmail(student.email, /Set up payouts/);
  await waitForStatus(h, employer, id, 'Paying');
  // The payout waits for their account: still refused.
  const paying = await call(h.baseUrl, 'DELETE', '/v1/students/me', { token: student.token });
  expect(paying).toMatchObject({ status: 409, body: { type: '/problems/MoneyInFlight' } });
  await payoutAccountReady(h, student);
  await waitForStatus(h, employer, id, 'Completed');
  await post(student.token, `/v1/internships/${id}/feedback`, {
    rating: 5,
    comment: `Feedback ${word}`,
    endorsedSkills: [`skill${word}`],
  });
  // The employer's words about the work are the employer's: they stay.
  await post(employer.token, `/v1/internships/${id}/feedback`, {
    rating: 4,
    comment: 'Good work.',
    endorsedSkills: [],
  });
  await waitForEmail(student.email, /Your credential/);
  const before = await ledgerTotals(h.db, id);

  // The export: every record the erasure is about to remove.
  const exported = await call(h.baseUrl, 'GET', '/v1/students/me/export', { token: student.token });
  expect(exported.status).toBe(200);
  expect(exported.headers.get('content-disposition')).toContain('attachment');
  const dump = exported.body;
  expect(dump.account).toMatchObject({ id: student.id, email: student.email, name: `Sam ${word}` });
  expect(dump.profile).toMatchObject({ school: `School ${word}`, timeZone: 'Europe/Lisbon' });
  expect(dump.applications.map((a: { pitch: string }) => a.pitch)).toEqual([pitch.pitch, pitch.pitch]);
  expect(dump.written.map((t: { kind: string }) => t.kind).sort()).toEqual([
    'extension',
    'feedback',
    'submission',
  ]);
  expect(dump.reviews).toEqual([expect.objectContaining({ internshipId: id, comments: `Review ${word}` })]);
  expect(dump.apiTokens.map((t: { name: string }) => t.name)).toContain(`Token ${word}`);
  expect(dump.feedback.map((f: { comment: string }) => f.comment)).toEqual(
    expect.arrayContaining([`Feedback ${word}`]),
  );
  expect(dump.credentials).toHaveLength(1);
  expect(dump.payouts).toEqual([
    expect.objectContaining({ internshipId: id, amountCents: before.transferred }),
  ]);
  const heldBefore = await tablesHolding(word);
  for (const table of [
    'accounts',
    'students',
    'applications',
    'texts',
    'feedback',
    'credentials',
    'email_outbox',
    'api_tokens',
  ]) {
    expect({ table, held: (heldBefore[table] ?? 0) > 0 }).toEqual({ table, held: true });
  }

  // The erasure.
  const erased = await call(h.baseUrl, 'DELETE', '/v1/students/me', { token: student.token });
  expect(erased).toMatchObject({ status: 200, body: { status: 'erased' } });
  expect((await call(h.baseUrl, 'GET', '/v1/me', { token: student.token })).status).toBe(401);
  expect(await tablesHolding(word)).toEqual({});
  expect(await tablesHolding(student.email)).toEqual({});

  // Amounts and ids stay; the money still adds up.
  expect(await ledgerTotals(h.db, id)).toEqual(before);
  expect(await unbalancedEndedInternships(h.db)).not.toContain(id);
  // The employer sees a former student; the waiting application was withdrawn.
  const list = await call(h.baseUrl, 'GET', `/v1/internships/${id}/applications`, { token: employer.token });
  expect(list.body.items.find((a: { status: string }) => a.status === 'accepted').student.name).toBe(
    'A former student',
  );
  const otherList = await call(h.baseUrl, 'GET', `/v1/internships/${other}/applications`, {
    token: employer.token,
  });
  expect(otherList.body.items).toEqual([
    expect.objectContaining({ status: 'withdrawn', pitch: '', skills: [] }),
  ]);
  // Nobody can sign in as them any more.
  expect((await call(h.baseUrl, 'POST', '/v1/auth/sign-in', { body: { email: student.email } })).status).toBe(
    202,
  );
}, 180_000);

test('ops erase a student on request (staff admins only), recorded in the audit trail', async () => {
  const student = await newStudent(h, 'Reid Request');
  const support = await staffSession(h, 'support');
  expect(
    (await call(h.baseUrl, 'POST', `/v1/admin/students/${student.id}/erasure`, { token: support })).status,
  ).toBe(403);
  const admin = await staffSession(h, 'admin');
  expect(
    (await call(h.baseUrl, 'GET', `/v1/admin/students/${student.id}/export`, { token: admin })).body.account
      .name,
  ).toBe('Reid Request');
  expect(
    (await call(h.baseUrl, 'POST', `/v1/admin/students/${student.id}/erasure`, { token: admin })).status,
  ).toBe(200);
  const { rows } = await h.db.query(
    `SELECT actor_role, actor_title, action FROM audit_events WHERE subject_id = $1 AND action LIKE 'student-%' ORDER BY at`,
    [student.id],
  );
  expect(rows).toEqual([
    { actor_role: 'ops', actor_title: 'admin', action: 'student-exported' },
    { actor_role: 'ops', actor_title: 'admin', action: 'student-erased' },
  ]);
  expect((await call(h.baseUrl, 'GET', '/v1/me', { token: student.token })).status).toBe(401);
});
