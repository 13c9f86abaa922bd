/**
 * Selection and offers on the Java time-skipping server: the windows of DESIGN §3.2–3.3 (5-day
 * selection, 48-hour acceptance) really elapse, with the real activities, Postgres and SMTP.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { listApplications } from '../../db/applications';
import type { Employer } from '../../db/employers';
import { findInternship } from '../../db/internships';
import { ledgerTotals } from '../../db/ledger';
import type { SeededStudent as Student } from '../helpers/fixtures';
import {
  applyUpdate,
  internshipStateQuery,
  internshipWorkflowId,
  respondToOfferUpdate,
  selectStudentsUpdate,
  withdrawApplicationUpdate,
  type InternshipInput,
} from '../../workflows/definitions';
import type { internshipWorkflow } from '../../workflows/internship';
import { applyThroughWorkflow, seedEmployer, seedPosting, seedStudent } from '../helpers/fixtures';
import { emailsTo, waitForEmail } from '../helpers/inbox';
import { recordHistory, terminateWhenIdle, useTimeSkipping } from '../helpers/time-skipping';

const suite = useTimeSkipping();

interface Scene {
  handle: WorkflowHandle<typeof internshipWorkflow>;
  employer: Employer;
  students: Student[];
  applicationIds: string[];
  internshipId: string;
}

/** A posting with `names.length` applicants, run by a worker with the real activities for `play`. */
async function withApplicants(
  names: string[],
  play: (scene: Scene) => Promise<void>,
  posting: Partial<InternshipInput> = {},
): Promise<void> {
  const employer = await seedEmployer(suite.db());
  const input = await seedPosting(suite.db(), employer, await suite.env().currentTimeMs(), posting);
  const students = await Promise.all(names.map((name) => seedStudent(suite.db(), name)));
  await suite.withWorker(async (taskQueue) => {
    const handle = await suite.env().client.workflow.start<typeof internshipWorkflow>('internshipWorkflow', {
      workflowId: internshipWorkflowId(input.internshipId),
      taskQueue,
      args: [input],
    });
    const applicationIds: string[] = [];
    for (const student of students) {
      const { applicationId } = await applyThroughWorkflow(
        suite.db(),
        handle,
        input.internshipId,
        student.id,
        `I am ${student.name} and I love clean data.`,
        ['Excel, for its pivot tables'],
      );
      applicationIds.push(applicationId);
    }
    try {
      await play({ handle, employer, students, applicationIds, internshipId: input.internshipId });
    } finally {
      await recordHistory(handle, expect.getState().currentTestName ?? 'unnamed');
      await terminateWhenIdle(handle);
    }
  });
}

const statusOf = async (handle: Scene['handle']) => (await handle.query(internshipStateQuery)).status;

/** The workflow's status once it reaches `status` (it moves on in activities after an Update). */
async function settlesAt(handle: Scene['handle'], status: string): Promise<string> {
  let seen = await statusOf(handle);
  for (let i = 0; i < 50 && seen !== status; i++) {
    await new Promise((r) => setTimeout(r, 100));
    seen = await statusOf(handle);
  }
  return seen;
}

test('given a ranked shortlist, when the first student lets the 48-hour window lapse, then the runner-up is offered and can accept', async () => {
  await withApplicants(
    ['Ana Lima', 'Ben Okafor', 'Chloe Park'],
    async ({ handle, employer, students, applicationIds, internshipId }) => {
      const [ana, ben, chloe] = students as [Student, Student, Student];
      await suite.env().sleep('7 days');
      expect(await statusOf(handle)).toBe('Selecting');

      await handle.executeUpdate(selectStudentsUpdate, {
        args: [{ applicationIds: [applicationIds[0]!, applicationIds[1]!] }],
      });
      await waitForEmail(ana.email, /You have an offer/);
      let state = await handle.query(internshipStateQuery);
      expect(state).toMatchObject({ status: 'Offered', selection: { offer: { studentId: ana.id } } });

      // 47 hours: still Ana's to take.
      await suite.env().sleep('47 hours');
      expect((await handle.query(internshipStateQuery)).selection.offer?.studentId).toBe(ana.id);
      expect(await emailsTo(ben.email)).toHaveLength(0);

      // Past 48 hours: Ana's silence passes the offer to Ben.
      await suite.env().sleep('2 hours');
      await waitForEmail(ben.email, /You have an offer/);
      state = await handle.query(internshipStateQuery);
      expect(state).toMatchObject({ status: 'Offered', selection: { offer: { studentId: ben.id } } });
      expect(state.posting.applicants.find((a) => a.studentId === ana.id)?.status).toBe('lapsed');
      // Ana's answer now comes too late.
      await expect(
        handle.executeUpdate(respondToOfferUpdate, {
          args: [{ studentId: ana.id, accept: true, via: 'api' }],
        }),
      ).rejects.toThrow();

      await handle.executeUpdate(respondToOfferUpdate, {
        args: [{ studentId: ben.id, accept: true, via: 'api' }],
      });
      await waitForEmail(employer.contactEmail, /Ben Okafor accepted/);
      // Acceptance funds the work: the saved card is charged once and Ben can start.
      await waitForEmail(ben.email, /You can start/);
      expect(await statusOf(handle)).toBe('InProgress');
      expect(await findInternship(suite.db(), internshipId)).toMatchObject({
        status: 'InProgress',
        studentId: ben.id,
      });
      expect(await ledgerTotals(suite.db(), internshipId)).toMatchObject({ charged: 25_000 });

      // Everyone else is told kindly, once.
      for (const other of [ana, chloe]) {
        await waitForEmail(other.email, /An update on/);
      }
      const stored = Object.fromEntries(
        (await listApplications(suite.db(), internshipId)).map((a) => [a.studentId, a.status]),
      );
      expect(stored).toEqual({ [ana.id]: 'not_selected', [ben.id]: 'accepted', [chloe.id]: 'not_selected' });
    },
  );
});

test('given every shortlisted student declines, the selection window restarts once, then silence expires the posting and every applicant is told', async () => {
  await withApplicants(
    ['Dara Quinn', 'Eli Stone', 'Gus Moreno'],
    async ({ handle, students, applicationIds, internshipId }) => {
      const [dara, eli, gus] = students as [Student, Student, Student];
      await suite.env().sleep('7 days');
      await handle.executeUpdate(selectStudentsUpdate, {
        args: [{ applicationIds: [applicationIds[0]!, applicationIds[1]!] }],
      });
      await handle.executeUpdate(respondToOfferUpdate, {
        args: [{ studentId: dara.id, accept: false, via: 'api' }],
      });
      await waitForEmail(eli.email, /You have an offer/);
      await handle.executeUpdate(respondToOfferUpdate, {
        args: [{ studentId: eli.id, accept: false, via: 'api' }],
      });

      // Back to Selecting with a fresh 5-day window to choose among the rest; the employer stays silent.
      let state = await handle.query(internshipStateQuery);
      for (let i = 0; i < 50 && state.status !== 'Selecting'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        state = await handle.query(internshipStateQuery);
      }
      expect(state.status).toBe('Selecting');
      expect(state.selection.selectionRound).toBe(1);
      const now = await suite.env().currentTimeMs();
      expect(Date.parse(state.nextDeadline!)).toBeGreaterThan(now + 5 * 86_400_000 - 60_000);

      expect(await handle.result()).toEqual({ status: 'Expired', reason: 'no_selection' });
      expect((await findInternship(suite.db(), internshipId))?.status).toBe('Expired');
      for (const student of [dara, eli, gus]) {
        const email = await waitForEmail(student.email, /closed without a hire/);
        expect(email.text).toContain('did not choose anyone');
      }
    },
  );
});

test('given applications closed, the employer is reminded at 2 days and 1 day left of the 5-day selection window, then the posting expires', async () => {
  await withApplicants(['Farah Idris'], async ({ handle, employer, students }) => {
    await suite.env().sleep('7 days');
    expect(await statusOf(handle)).toBe('Selecting');
    const reminders = async () =>
      (await emailsTo(employer.contactEmail)).filter((e) => /left to choose/.test(e.subject));

    await suite.env().sleep('71 hours'); // 3 days less an hour into the window
    expect(await reminders()).toHaveLength(0);
    await suite.env().sleep('2 hours');
    expect((await waitForEmail(employer.contactEmail, /2 days left to choose/)).text).toContain(
      'Clean a sales dataset',
    );
    expect(await reminders()).toHaveLength(1);

    await suite.env().sleep('22 hours'); // 4 days less an hour
    expect(await reminders()).toHaveLength(1);
    await suite.env().sleep('2 hours');
    await waitForEmail(employer.contactEmail, /1 day left to choose/);

    expect(await handle.result()).toEqual({ status: 'Expired', reason: 'no_selection' });
    expect(await reminders()).toHaveLength(2);
    await waitForEmail(students[0]!.email, /closed without a hire/);
  });
});

test('a withdrawal before the application deadline reopens a posting the cap closed: the freed place goes to the next student, and the offer is recorded before the posting shows Offered', async () => {
  await withApplicants(
    ['Hana Sato', 'Ivo Petrov'],
    async ({ handle, students, internshipId }) => {
      const [hana, ivo] = students as [Student, Student];
      const jo = await seedStudent(suite.db(), 'Jo Mensah');
      // Two applications fill the cap of two: the employer is asked to choose at once.
      expect(await settlesAt(handle, 'Selecting')).toBe('Selecting');
      const refused = handle.executeUpdate(applyUpdate, {
        args: [{ applicationId: randomUUID(), studentId: jo.id }],
      });
      await expect(refused).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/all the applicants it takes/) },
      });

      // A day later Ivo withdraws: the posting is open again, in the workflow and in Postgres.
      await suite.env().sleep('1 day');
      await handle.executeUpdate(withdrawApplicationUpdate, { args: [{ studentId: ivo.id }] });
      expect(await settlesAt(handle, 'Open')).toBe('Open');
      expect((await findInternship(suite.db(), internshipId))?.status).toBe('Open');

      // Jo takes the freed place, which fills the cap again.
      const { applicationId } = await applyThroughWorkflow(suite.db(), handle, internshipId, jo.id);
      expect(await settlesAt(handle, 'Selecting')).toBe('Selecting');
      await handle.executeUpdate(selectStudentsUpdate, { args: [{ applicationIds: [applicationId] }] });
      expect(await settlesAt(handle, 'Offered')).toBe('Offered');
      const stored = Object.fromEntries(
        (await listApplications(suite.db(), internshipId)).map((a) => [a.studentId, a.status]),
      );
      expect(stored).toEqual({ [hana.id]: 'submitted', [ivo.id]: 'withdrawn', [jo.id]: 'offered' });
      await waitForEmail(jo.email, /You have an offer/);
    },
    { maxApplicants: 2 },
  );
});
