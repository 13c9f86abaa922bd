/** Steps every phase takes: publishing the state, moving the status, waiting on ops, finishing. */
import { allHandlersFinished, condition, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  type Applicant,
  type ApplicationStatus,
  type InternshipOutcome,
  type InternshipState,
  type InternshipStatus,
  searchAttributes,
} from '../definitions';
import { OPS_REMINDER_DAYS } from '../durations';
import { noticesSent, records, tell } from './proxies';
import { days, iso } from './run';

/** Makes the state visible: search attributes for ops in the Temporal UI, the read model for the API. */
export async function publish(state: InternshipState, studentId?: string): Promise<void> {
  state.version += 1;
  upsertSearchAttributes([
    { key: searchAttributes.status, value: state.status },
    { key: searchAttributes.nextDeadline, value: state.nextDeadline ? new Date(state.nextDeadline) : null },
    ...(studentId ? [{ key: searchAttributes.studentId, value: studentId }] : []),
  ]);
  await records.recordInternshipState({
    internshipId: state.internshipId,
    status: state.status,
    nextDeadline: state.nextDeadline,
    hiredStudentId: state.hiredStudentId,
    dueAt: state.work.dueAt,
    paidBy: state.money.paidBy,
    payout: state.money.payout,
    applicationDeadline: state.posting.applicationDeadline,
    version: state.version,
    task: { time: Date.now(), historyLength: workflowInfo().historyLength },
  });
}

export async function moveTo(
  state: InternshipState,
  status: InternshipStatus,
  nextDeadline: string | null,
  studentId?: string,
): Promise<void> {
  state.status = status;
  state.nextDeadline = nextDeadline;
  await publish(state, studentId);
}

export async function setStatus(applicants: Applicant[], status: ApplicationStatus): Promise<void> {
  for (const a of applicants) a.status = status;
  await records.recordApplicationStatus({ applicationIds: applicants.map((a) => a.applicationId), status });
}

/** Lets running update handlers complete before the workflow closes. */
export async function finish(outcome: InternshipOutcome): Promise<InternshipOutcome> {
  await noticesSent();
  await condition(allHandlersFinished);
  return outcome;
}

/** Waits for an ops decision, emailing ops once a day (day 1, day 2, …) until it comes. */
export async function remindOpsDailyUntil(
  state: InternshipState,
  decided: () => boolean,
  kind: 'fee-exception-waiting' | 'dispute-open',
): Promise<void> {
  for (let day = 1; !(await condition(decided, days(OPS_REMINDER_DAYS))); day++) {
    await tell({
      internshipId: state.internshipId,
      to: 'ops',
      kind,
      occurrence: String(day),
      facts: { days: String(day) },
    });
  }
}

export function startWork(state: InternshipState, dueMs: number): void {
  state.work.workStartedAt = iso(Date.now());
  moveDueDate(state, iso(dueMs));
}

export function moveDueDate(state: InternshipState, dueAt: string): void {
  state.work.dueAt = dueAt;
  state.work.dueVersion += 1;
}

/**
 * The words a notice needs: the id of the text that holds them, or, in a run from before words left
 * the histories, the words that run kept in its state.
 */
export const wordsOr = <T extends Record<string, string>>(
  textId: string | undefined,
  legacy: T,
): { textId: string } | T => (textId ? { textId } : legacy);
