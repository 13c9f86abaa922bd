/**
 * §3.1 The posting: open for applications, a fee below the floor waiting for ops, no applicant; and
 * what its Updates record (an application, a withdrawal, ops' decision on the fee).
 */
import { condition, patched } from '@temporalio/workflow';
import type {
  Applicant,
  applyUpdate,
  decideFeeExceptionUpdate,
  InternshipInput,
  InternshipOutcome,
  InternshipState,
  withdrawApplicationUpdate,
} from '../definitions';
import { type ArgsOf, standingApplicants } from '../rules';
import { handlerRecords, mail, tell } from './proxies';
import { iso, LEAN_HISTORY, run } from './run';
import { moveTo, remindOpsDailyUntil, setStatus } from './steps';

/** The applications the cap counts: all of them in older runs, those not withdrawn since REOPEN. */
export const standing = (state: InternshipState) => standingApplicants(state, run());
/** §3.1 Open: the posting accepts applications until its deadline. */
export function openPosting(input: InternshipInput): InternshipState {
  return {
    internshipId: input.internshipId,
    feeCents: input.feeCents,
    status: input.feeException ? 'AwaitingApproval' : 'Open',
    nextDeadline: input.applicationDeadline,
    hiredStudentId: null,
    version: 0,
    posting: {
      applicationDeadline: input.applicationDeadline,
      applicationsClosed: false,
      applicants: [],
      feeDecision: null,
    },
    selection: { shortlist: [], offer: null, selectionRound: 0 },
    work: {
      dueAt: null,
      dueVersion: 0,
      workStartedAt: null,
      submission: null,
      changeRounds: 0,
      review: null,
      remindersSent: [],
      extensionsAsked: 0,
      extensionAnnounced: false,
      lastExtensionDecision: null,
      extension: null,
      studentWithdrew: false,
      awaitingRecovery: false,
      recovery: null,
      cancellation: null,
    },
    money: {
      funded: false,
      paymentReceived: null,
      payoutAccountReady: false,
      resolution: null,
      paidBy: null,
      payout: null,
    },
    followUp: {
      feedbackGiven: { employer: false, student: false },
      feedbackRevealed: false,
      nudgesSent: [],
      hiringOffer: null,
    },
  };
}

/**
 * §3.1 A withdrawal frees a place (since REOPEN): a posting the cap closed opens again while its
 * application deadline is ahead and the employer has chosen no one yet.
 */
export function reopensAfterWithdrawal(state: InternshipState, input: InternshipInput): boolean {
  return (
    run().reopensOnWithdrawal &&
    state.posting.applicationsClosed &&
    ['Open', 'Selecting'].includes(state.status) &&
    state.selection.selectionRound === 0 &&
    state.selection.shortlist.length === 0 &&
    Date.now() < Date.parse(state.posting.applicationDeadline) &&
    standing(state).length < input.maxApplicants
  );
}

/** §3.1 Open: waits for the application deadline, the cap, or an early selection. */
export async function collectApplications(state: InternshipState): Promise<void> {
  const untilDeadline = Math.max(0, Date.parse(state.posting.applicationDeadline) - Date.now());
  await condition(() => state.posting.applicationsClosed, untilDeadline);
  state.posting.applicationsClosed = true;
}

/**
 * Since 'fee-approval-told' (docs/VERSIONING.md): the employer is told when ops approve a fee below
 * the floor, with the date applications close, as they are told of a decline.
 */
export const FEE_APPROVAL_TOLD = 'fee-approval-told';

/** §3.1 A fee below the floor waits for ops, who are reminded daily; approval opens the posting now. */
export async function awaitFeeApproval(state: InternshipState, input: InternshipInput): Promise<boolean> {
  await remindOpsDailyUntil(state, () => state.posting.feeDecision !== null, 'fee-exception-waiting');
  if (state.posting.feeDecision === 'declined') return false;
  state.posting.applicationDeadline = iso(Date.now() + input.applicationWindowMs);
  await moveTo(state, 'Open', state.posting.applicationDeadline);
  if (patched(FEE_APPROVAL_TOLD)) {
    await tell({
      internshipId: state.internshipId,
      to: 'employer',
      kind: 'fee-approved',
      facts: { applicationDeadline: state.posting.applicationDeadline },
    });
  }
  return true;
}

/** §3.1 Ops declined the fee exception: cancelled, the employer told; nothing was charged. */
export async function declineFee(state: InternshipState): Promise<InternshipOutcome> {
  await moveTo(state, 'Cancelled', null);
  await tell({ internshipId: state.internshipId, to: 'employer', kind: 'fee-declined' });
  return { status: 'Cancelled', reason: 'fee_declined' };
}

/** §3.1 No applicant at the deadline: the posting expires and the employer is told; nothing was charged. */
export async function expireUnanswered(state: InternshipState): Promise<InternshipOutcome> {
  await moveTo(state, 'Expired', null);
  await mail().notifyPostingExpired(state.internshipId);
  return { status: 'Expired', reason: 'no_applicants' };
}

/** §3.1 A student applies (the apply Update): the application joins the posting, and the cap may close it. */
export async function addApplication(
  state: InternshipState,
  input: InternshipInput,
  { applicationId, studentId, pitch, answers }: ArgsOf<typeof applyUpdate>,
) {
  const applicant: Applicant = {
    applicationId,
    studentId,
    label: `Applicant ${state.posting.applicants.length + 1}`,
    status: 'submitted',
  };
  state.posting.applicants.push(applicant);
  // The cap closes applications at once: the next validator already sees it.
  if (standing(state).length >= input.maxApplicants) state.posting.applicationsClosed = true;
  // Since 'applications-stored-by-api' the API stores the application (pending until this Update
  // accepts it), so the handler does no I/O: about 5 history events per applicant instead of 12,
  // which keeps a 200-applicant posting inside DESIGN's 2,000-event budget.
  if (!(patched(LEAN_HISTORY) || patched('applications-stored-by-api'))) {
    await handlerRecords.recordApplication({
      internshipId: state.internshipId,
      ...applicant,
      pitch: pitch ?? '',
      answers: answers ?? [],
    });
  }
  return { applicationId, label: applicant.label };
}

/** §3.1 A student withdraws an application, which may reopen the posting; §3.5 or steps back from the work. */
export async function withdrawApplication(
  state: InternshipState,
  input: InternshipInput,
  { studentId }: ArgsOf<typeof withdrawApplicationUpdate>,
) {
  if (state.status === 'InProgress' && studentId === state.hiredStudentId) {
    // §3.5 The hired student steps back from the work: the employer chooses how to go on.
    state.work.studentWithdrew = true;
    return;
  }
  const applicant = state.posting.applicants.find(
    (a) => a.studentId === studentId && a.status === 'submitted',
  )!;
  await setStatus([applicant], 'withdrawn');
  if (reopensAfterWithdrawal(state, input)) state.posting.applicationsClosed = false;
}

/** §3.1 Ops decide a fee below the floor: approved opens the posting, declined cancels it. */
export function decideFeeException(
  state: InternshipState,
  { approve }: ArgsOf<typeof decideFeeExceptionUpdate>,
) {
  state.posting.feeDecision = approve ? 'approved' : 'declined';
  return { status: approve ? ('Open' as const) : ('Cancelled' as const) };
}
