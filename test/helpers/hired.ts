/** A posting whose one applicant was chosen and accepted, on the time-skipping server. */
import { act } from './words';
import type { WorkflowHandle } from '@temporalio/client';
import type { Employer } from '../../db/employers';
import type { SeededStudent as Student } from './fixtures';
import {
  internshipStateQuery,
  internshipWorkflowId,
  respondToOfferUpdate,
  reviewUpdate,
  selectStudentsUpdate,
  stripeEventSignal,
  submitWorkUpdate,
} from '../../workflows/definitions';
import type { internshipWorkflow } from '../../workflows/internship';
import { applyThroughWorkflow, seedEmployer, seedPosting, seedStudent } from './fixtures';
import { emailsTo, waitForEmail } from './inbox';
import { recordHistory, terminateWhenIdle, type useTimeSkipping } from './time-skipping';

type Suite = ReturnType<typeof useTimeSkipping>;

export interface Hired {
  handle: WorkflowHandle<typeof internshipWorkflow>;
  employer: Employer;
  student: Student;
  internshipId: string;
  /** Applicants who were not chosen, with their application ids. */
  others: { student: Student; applicationId: string }[];
}

/** A posting whose one applicant was chosen early and accepted, run by a worker for `play`. */
export async function withHiredStudent(
  suite: Suite,
  options: { declineCard?: boolean; otherApplicants?: string[] },
  play: (hired: Hired) => Promise<void>,
): Promise<void> {
  const db = suite.db();
  const env = suite.env();
  const employer = await seedEmployer(db);
  if (options.declineCard) {
    await db.query(`UPDATE employers SET stripe_payment_method_id = 'pm_card_chargeDeclined' WHERE id = $1`, [
      employer.id,
    ]);
  }
  const input = await seedPosting(db, employer, await env.currentTimeMs());
  const student = await seedStudent(db, 'Sam Rivera');
  await suite.withWorker(async (taskQueue) => {
    const handle = await env.client.workflow.start<typeof internshipWorkflow>('internshipWorkflow', {
      workflowId: internshipWorkflowId(input.internshipId),
      taskQueue,
      args: [input],
    });
    const apply = (who: Student) => applyThroughWorkflow(db, handle, input.internshipId, who.id);
    const { applicationId } = await apply(student);
    const others: Hired['others'] = [];
    for (const name of options.otherApplicants ?? []) {
      const other = await seedStudent(db, name);
      others.push({ student: other, applicationId: (await apply(other)).applicationId });
    }
    await handle.executeUpdate(selectStudentsUpdate, { args: [{ applicationIds: [applicationId] }] });
    await waitForEmail(student.email, /You have an offer/);
    await handle.executeUpdate(respondToOfferUpdate, {
      args: [{ studentId: student.id, accept: true, via: 'api' }],
    });
    try {
      await play({ handle, employer, student, internshipId: input.internshipId, others });
    } finally {
      await recordHistory(handle, expect.getState().currentTestName ?? 'unnamed');
      await terminateWhenIdle(handle);
    }
  });
}

export const waitForState = async (handle: Hired['handle'], status: string) => {
  for (let i = 0; i < 100; i++) {
    const state = await handle.query(internshipStateQuery);
    if (state.status === status) return state;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never reached ${status}; now ${(await handle.query(internshipStateQuery)).status}`);
};

export const subjects = async (address: string, pattern: RegExp) =>
  (await emailsTo(address)).map((e) => e.subject).filter((s) => pattern.test(s));

/** Drives a hired student's internship to Completed: submit, approve, payout account ready. */
export async function complete({ handle, student }: Hired): Promise<void> {
  await waitForState(handle, 'InProgress');
  await act(handle, submitWorkUpdate, { studentId: student.id, url: 'https://example.com/f', notes: 'f' });
  await waitForState(handle, 'InReview');
  await act(handle, reviewUpdate, { decision: 'approve', comments: '' });
  await waitForState(handle, 'Paying');
  await handle.signal(stripeEventSignal, { type: 'payout_account_ready', accountId: 'acct_test' });
  await waitForState(handle, 'Completed');
}
