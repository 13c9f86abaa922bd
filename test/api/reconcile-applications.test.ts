/**
 * Applications a stopped request left pending, reconciled with the workflow by the worker: the one
 * the workflow accepted is confirmed (the employer sees it), the one it never saw is removed (the
 * student may apply again), and a second pass changes nothing.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { insertPendingApplication } from '../../db/applications';
import { reconcilePendingApplications } from '../../worker/reconcile-applications';
import { applicationIdsShownTo, applyAs, newEmployer, newPosting, newStudent } from '../helpers/actors';
import { applyWithoutConfirming } from '../helpers/fixtures';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(() => h.stop());

test('a pending row the workflow accepted is confirmed; one it never saw is removed after an hour', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);
  const [accepted, unseen] = [await newStudent(h, 'Ada Accepted'), await newStudent(h, 'Una Unseen')];
  const pitch = 'I clean messy spreadsheets for fun and document every step.';
  const { applicationId: acceptedId } = await applyWithoutConfirming(
    h.db,
    h.temporal.workflow.getHandle(`internship:${id}`),
    id,
    accepted.id,
    { pitch },
  );
  await insertPendingApplication(h.db, {
    id: randomUUID(),
    internshipId: id,
    studentId: unseen.id,
    pitch,
    answers: ['Excel'],
  });
  await h.db.query(
    `UPDATE applications SET created_at = now() - interval '2 hours' WHERE internship_id = $1`,
    [id],
  );

  const deps = { db: h.db, client: h.temporal, logger: pino({ level: 'silent' }) };
  // Counts include rows other suites may have left in the shared database: at least these two.
  const first = await reconcilePendingApplications(deps);
  expect(first.confirmed).toBeGreaterThanOrEqual(1);
  expect(first.discarded).toBeGreaterThanOrEqual(1);
  expect(await applicationIdsShownTo(h, employer, id)).toEqual([acceptedId]);
  expect(
    (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: employer.token })).body.applicantCount,
  ).toBe(1);
  await reconcilePendingApplications(deps);
  const { rows } = await h.db.query(`SELECT id, status FROM applications WHERE internship_id = $1`, [id]);
  expect(rows).toEqual([{ id: acceptedId, status: 'submitted' }]);
  expect((await applyAs(h, unseen, id)).status).toBe(201);
});

test('a young pending row is left alone: its request may still be running', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);
  const student = await newStudent(h, 'Yuri Young');
  await insertPendingApplication(h.db, {
    id: randomUUID(),
    internshipId: id,
    studentId: student.id,
    pitch: 'I clean messy spreadsheets for fun and document every step.',
    answers: ['Excel'],
  });
  const deps = { db: h.db, client: h.temporal, logger: pino({ level: 'silent' }) };
  await reconcilePendingApplications(deps);
  const { rows } = await h.db.query(`SELECT status FROM applications WHERE internship_id = $1`, [id]);
  expect(rows).toEqual([{ status: 'pending' }]);
});
