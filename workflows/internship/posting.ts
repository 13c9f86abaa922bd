/** §3.1 The posting: open for applications, a fee below the floor waiting for ops, no applicant. */
import { condition } from '@temporalio/workflow';
import type { InternshipInput, InternshipOutcome, InternshipState } from '../definitions';
import { standingApplicants } from '../rules';
import { mail, tell } from './proxies';
import { iso, run } from './run';
import { moveTo, remindOpsDailyUntil } from './steps';

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

/** §3.1 A fee below the floor waits for ops, who are reminded daily; approval opens the posting now. */
export async function awaitFeeApproval(state: InternshipState, input: InternshipInput): Promise<boolean> {
  await remindOpsDailyUntil(state, () => state.posting.feeDecision !== null, 'fee-exception-waiting');
  if (state.posting.feeDecision === 'declined') return false;
  state.posting.applicationDeadline = iso(Date.now() + input.applicationWindowMs);
  await moveTo(state, 'Open', state.posting.applicationDeadline);
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
