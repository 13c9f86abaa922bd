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
    applicationDeadline: input.applicationDeadline,
    nextDeadline: input.applicationDeadline,
    applicationsClosed: false,
    applicants: [],
    shortlist: [],
    offer: null,
    selectionRound: 0,
    hiredStudentId: null,
    paymentReceived: null,
    dueAt: null,
    submission: null,
    changeRounds: 0,
    review: null,
    payoutAccountReady: false,
    funded: false,
    dueVersion: 0,
    workStartedAt: null,
    remindersSent: [],
    extensionsAsked: 0,
    extensionAnnounced: false,
    lastExtensionDecision: null,
    extension: null,
    studentWithdrew: false,
    awaitingRecovery: false,
    recovery: null,
    cancellation: null,
    feeDecision: null,
    resolution: null,
    feedbackGiven: { employer: false, student: false },
    feedbackRevealed: false,
    nudgesSent: [],
    hiringOffer: null,
    paidBy: null,
    version: 0,
  };
}

/**
 * §3.1 A withdrawal frees a place (since REOPEN): a posting the cap closed opens again while its
 * application deadline is ahead and the employer has chosen no one yet.
 */
export function reopensAfterWithdrawal(state: InternshipState, input: InternshipInput): boolean {
  return (
    run().reopensOnWithdrawal &&
    state.applicationsClosed &&
    ['Open', 'Selecting'].includes(state.status) &&
    state.selectionRound === 0 &&
    state.shortlist.length === 0 &&
    Date.now() < Date.parse(state.applicationDeadline) &&
    standing(state).length < input.maxApplicants
  );
}

/** §3.1 Open: waits for the application deadline, the cap, or an early selection. */
export async function collectApplications(state: InternshipState): Promise<void> {
  const untilDeadline = Math.max(0, Date.parse(state.applicationDeadline) - Date.now());
  await condition(() => state.applicationsClosed, untilDeadline);
  state.applicationsClosed = true;
}

/** §3.1 A fee below the floor waits for ops, who are reminded daily; approval opens the posting now. */
export async function awaitFeeApproval(state: InternshipState, input: InternshipInput): Promise<boolean> {
  await remindOpsDailyUntil(state, () => state.feeDecision !== null, 'fee-exception-waiting');
  if (state.feeDecision === 'declined') return false;
  state.applicationDeadline = iso(Date.now() + input.applicationWindowMs);
  await moveTo(state, 'Open', state.applicationDeadline);
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
