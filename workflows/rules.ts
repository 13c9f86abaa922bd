/**
 * What each Update of a micro-internship refuses, and why (DESIGN.md §3): one pure function per
 * Update, `(state, args, context) => Refusal | undefined`. The workflow's validators call them and
 * throw the refusal; test/unit/rules.test.ts checks every refusal from a table, without a server.
 * Pure and deterministic: the time comes in the context (the workflow's clock), nothing is read.
 */
import type { UpdateDefinition } from '@temporalio/common';
import {
  type applyUpdate,
  type cancelUpdate,
  type decideExtensionUpdate,
  type decideFeeExceptionUpdate,
  ErrorType,
  type giveFeedbackUpdate,
  type InternshipState,
  type makeHiringOfferUpdate,
  MAX_CHANGE_ROUNDS,
  MAX_EXTENSION_DAYS,
  MAX_EXTENSIONS,
  MAX_SHORTLIST,
  type missedDeadlineDecisionUpdate,
  type openPaymentPageUpdate,
  type openPayoutOnboardingUpdate,
  type requestExtensionUpdate,
  type resolveDisputeUpdate,
  type respondToHiringOfferUpdate,
  type respondToOfferUpdate,
  type reviewUpdate,
  type selectStudentsUpdate,
  type submitWorkUpdate,
  type withdrawApplicationUpdate,
} from './definitions';
import { days, HIRING_OFFER_MAX_DAYS } from './durations';

/** Why an Update is refused: the message for people and the type the API maps to a status. */
export interface Refusal {
  message: string;
  type: ErrorType;
}

/** What a rule needs beyond the state: the run's settings and the workflow's clock. */
export interface RuleContext {
  /** The workflow's current time, in ms. */
  now: number;
  maxApplicants: number;
  /** Since the 'applications-reopen' patch: withdrawn applications no longer count towards the cap. */
  reopensOnWithdrawal: boolean;
}

/** The argument of an Update definition. */
export type ArgsOf<U> = U extends UpdateDefinition<infer _Ret, [infer A], infer _Name> ? A : never;
type Rule<U> = (state: InternshipState, args: ArgsOf<U>, context: RuleContext) => Refusal | undefined;

const refusal = (message: string, type: ErrorType): Refusal => ({ message, type });

/** The applications still waiting for a decision. */
export const activeApplicants = (state: InternshipState) =>
  state.posting.applicants.filter((a) => a.status === 'submitted');

/** The applications the cap counts: all of them in older runs, those not withdrawn since the patch. */
export const standingApplicants = (
  state: InternshipState,
  context: Pick<RuleContext, 'reopensOnWithdrawal'>,
) => (context.reopensOnWithdrawal ? activeApplicants(state) : state.posting.applicants);

/** §3.1 Apply: once per student, while the posting is open and has room. */
export const apply: Rule<typeof applyUpdate> = (state, { studentId }, context) => {
  if (state.posting.applicants.some((a) => a.studentId === studentId)) {
    return refusal('You have already applied to this micro-internship', ErrorType.AlreadyApplied);
  }
  if (state.status !== 'Open' || state.posting.applicationsClosed) {
    return standingApplicants(state, context).length >= context.maxApplicants
      ? refusal('This posting has all the applicants it takes', ErrorType.PostingFull)
      : refusal('Applications for this posting are closed', ErrorType.PostingClosed);
  }
  return undefined;
};

/** §3.1, §3.5 Withdraw: an application before selection, or the hired student from the work. */
export const withdrawApplication: Rule<typeof withdrawApplicationUpdate> = (state, { studentId }) => {
  const applicant = state.posting.applicants.find((a) => a.studentId === studentId);
  if (!applicant) return refusal('No application of yours on this posting', ErrorType.NotFound);
  if (state.status === 'InProgress' && studentId === state.hiredStudentId) {
    return state.work.studentWithdrew || state.work.awaitingRecovery
      ? refusal('The employer is already choosing how to go on', ErrorType.WrongState)
      : undefined;
  }
  if (applicant.status !== 'submitted' || !['Open', 'Selecting'].includes(state.status)) {
    return refusal('An application can be withdrawn only before selection', ErrorType.WrongState);
  }
  return undefined;
};

/** §3.2 Select: one ranked shortlist of 1 to MAX_SHORTLIST applications still waiting. */
export const selectStudents: Rule<typeof selectStudentsUpdate> = (state, { applicationIds }) => {
  if (!['Open', 'Selecting'].includes(state.status) || state.selection.shortlist.length > 0) {
    return refusal(`Selection is not possible while the posting is ${state.status}`, ErrorType.WrongState);
  }
  if (applicationIds.length < 1 || applicationIds.length > MAX_SHORTLIST) {
    return refusal(`Choose between 1 and ${MAX_SHORTLIST} applications`, ErrorType.InvalidSelection);
  }
  if (new Set(applicationIds).size !== applicationIds.length) {
    return refusal('An application appears twice in the selection', ErrorType.InvalidSelection);
  }
  for (const id of applicationIds) {
    const applicant = state.posting.applicants.find((a) => a.applicationId === id);
    if (!applicant || applicant.status !== 'submitted') {
      return refusal(`Application ${id} cannot be selected`, ErrorType.InvalidSelection);
    }
  }
  return undefined;
};

/** §3.3 Answer an offer: only the student holding it, while it is open. */
export const respondToOffer: Rule<typeof respondToOfferUpdate> = (state, { studentId }) => {
  const offer = state.selection.offer;
  if (!offer || offer.closed || offer.studentId !== studentId || state.status !== 'Offered') {
    return refusal('You hold no open offer on this micro-internship', ErrorType.NotOffered);
  }
  return undefined;
};

/**
 * §3.4 The pay link is open once the saved card failed: Funding with the pay-by deadline set. Funding
 * begins at the accept with no deadline while the card is charged, and a second payment then could
 * take the fee twice.
 */
export const payLinkOpen = (state: Pick<InternshipState, 'status' | 'nextDeadline'>): boolean =>
  state.status === 'Funding' && state.nextDeadline !== null;

/** §3.4 The pay page: while the pay link is open and no payment has arrived. */
export const openPaymentPage: Rule<typeof openPaymentPageUpdate> = (state) =>
  !payLinkOpen(state) || state.money.paymentReceived
    ? refusal('This fee is not waiting for a payment', ErrorType.WrongState)
    : undefined;

/** §3.8 Payout onboarding: while the payout waits for the student's account (Paying, or beside an ended engagement). */
export const openPayoutOnboarding: Rule<typeof openPayoutOnboardingUpdate> = (state) =>
  !(state.status === 'Paying' || state.money.payout === 'pending') || state.money.payoutAccountReady
    ? refusal('No payout account is waiting to be set up', ErrorType.WrongState)
    : undefined;

/** §3.5 Ask for an extension: the hired student, while working, one at a time, within bounds. */
export const requestExtension: Rule<typeof requestExtensionUpdate> = (state, { studentId, newDueAt }) => {
  if (studentId !== state.hiredStudentId) return refusal('Not your micro-internship', ErrorType.NotFound);
  if (state.status !== 'InProgress' || state.work.awaitingRecovery || state.work.submission) {
    return refusal('An extension can be asked for only while working', ErrorType.WrongState);
  }
  if (state.work.extension) return refusal('An extension request is already waiting', ErrorType.WrongState);
  if (state.work.extensionsAsked >= MAX_EXTENSIONS) {
    return refusal(`At most ${MAX_EXTENSIONS} extensions can be asked for`, ErrorType.WrongState);
  }
  const due = Date.parse(state.work.dueAt!);
  const asked = Date.parse(newDueAt);
  if (!(asked > due && asked <= due + days(MAX_EXTENSION_DAYS))) {
    return refusal(
      `The new due date must be after ${state.work.dueAt} and at most ${MAX_EXTENSION_DAYS} days later`,
      ErrorType.InvalidDate,
    );
  }
  return undefined;
};

/** §3.5 Decide an extension: while one waits. */
export const decideExtension: Rule<typeof decideExtensionUpdate> = (state) =>
  !state.work.extension || state.status !== 'InProgress'
    ? refusal('No extension request is waiting', ErrorType.WrongState)
    : undefined;

/** §3.5 After a missed deadline or a withdrawal: one decision, "extend" only to a date ahead. */
export const missedDeadlineDecision: Rule<typeof missedDeadlineDecisionUpdate> = (
  state,
  { choice, newDueAt },
  { now },
) => {
  if (!state.work.awaitingRecovery || state.work.recovery) {
    return refusal('No decision about a missed deadline or a withdrawal is waiting', ErrorType.WrongState);
  }
  if (choice === 'extend' && state.work.studentWithdrew) {
    return refusal('The student withdrew: choose re-select or cancel', ErrorType.WrongState);
  }
  if (choice === 'extend' && newDueAt !== undefined) {
    const asked = Date.parse(newDueAt);
    if (!(asked > now && asked <= now + days(MAX_EXTENSION_DAYS))) {
      return refusal(
        `The new due date must be in the next ${MAX_EXTENSION_DAYS} days`,
        ErrorType.InvalidDate,
      );
    }
  }
  return undefined;
};

/** §3.9 Feedback: once per side, after the work is completed. */
export const giveFeedback: Rule<typeof giveFeedbackUpdate> = (state, feedback) => {
  if (state.status !== 'Completed') {
    return refusal('Feedback opens once the work is completed', ErrorType.WrongState);
  }
  if (state.followUp.feedbackGiven[feedback.from])
    return refusal('Feedback was already given', ErrorType.WrongState);
  return undefined;
};

/** §3.10 A hiring offer: after completed work, one at a time, expiring within HIRING_OFFER_MAX_DAYS. */
export const makeHiringOffer: Rule<typeof makeHiringOfferUpdate> = (state, terms, { now }) => {
  if (state.status !== 'Completed') {
    return refusal('A hiring offer follows completed work', ErrorType.WrongState);
  }
  if (state.followUp.hiringOffer && state.followUp.hiringOffer.response !== 'expired') {
    return refusal('A hiring offer was already made', ErrorType.WrongState);
  }
  const expires = Date.parse(terms.expiresAt);
  if (!(expires > now && expires <= now + days(HIRING_OFFER_MAX_DAYS))) {
    return refusal(`The offer must expire within ${HIRING_OFFER_MAX_DAYS} days`, ErrorType.InvalidDate);
  }
  return undefined;
};

/** §3.10 Answer a hiring offer: the hired student, once. */
export const respondToHiringOffer: Rule<typeof respondToHiringOfferUpdate> = (state, { studentId }) => {
  const offer = state.followUp.hiringOffer;
  return !offer || offer.response || studentId !== state.hiredStudentId
    ? refusal('You hold no open hiring offer here', ErrorType.NotOffered)
    : undefined;
};

/** §3.1 Ops decide a fee below the floor: once, while it waits. */
export const decideFeeException: Rule<typeof decideFeeExceptionUpdate> = (state) =>
  state.status !== 'AwaitingApproval' || state.posting.feeDecision
    ? refusal('No fee exception is waiting for a decision', ErrorType.WrongState)
    : undefined;

/** §3.7 Ops resolve a dispute: once, with a whole percentage. */
export const resolveDispute: Rule<typeof resolveDisputeUpdate> = (state, { studentSharePct }) => {
  if (state.status !== 'Disputed' || state.money.resolution) {
    return refusal('No dispute is waiting for a decision', ErrorType.WrongState);
  }
  if (!Number.isInteger(studentSharePct) || studentSharePct < 0 || studentSharePct > 100) {
    return refusal('The student share is a whole percentage from 0 to 100', ErrorType.InvalidSelection);
  }
  return undefined;
};

/** §3.6 Cancel funded work with the kill fee: while it is in progress or in review, once. */
export const cancel: Rule<typeof cancelUpdate> = (state) =>
  !['InProgress', 'InReview'].includes(state.status) || state.work.cancellation || state.work.awaitingRecovery
    ? refusal(
        `Cancelling with a kill fee is possible while the work is in progress or in review, not ${state.status}`,
        ErrorType.WrongState,
      )
    : undefined;

/** §3.6 Submit: the hired student, while working, once per round, not after withdrawing. */
export const submitWork: Rule<typeof submitWorkUpdate> = (state, { studentId }) => {
  if (studentId !== state.hiredStudentId) return refusal('Not your micro-internship', ErrorType.NotFound);
  if (state.status !== 'InProgress' || state.work.submission) {
    return refusal(`Nothing can be submitted while the internship is ${state.status}`, ErrorType.WrongState);
  }
  if (state.work.studentWithdrew)
    return refusal('You withdrew from this micro-internship', ErrorType.WrongState);
  return undefined;
};

/** §3.6 Review: a submission that is in; changes at most MAX_CHANGE_ROUNDS times, reject only after. */
export const review: Rule<typeof reviewUpdate> = (state, { decision }) => {
  // Reviewable the moment it is in: the employer may answer before the workflow has published
  // InReview (the submission's own answer already says InReview).
  const reviewable =
    state.status === 'InReview' ||
    (state.status === 'InProgress' && state.work.submission && !state.work.studentWithdrew);
  if (!reviewable || state.work.review || state.work.cancellation) {
    return refusal(
      `Nothing is waiting for review while the internship is ${state.status}`,
      ErrorType.WrongState,
    );
  }
  if (decision === 'request_changes' && state.work.changeRounds >= MAX_CHANGE_ROUNDS) {
    return refusal(
      `Changes were requested ${MAX_CHANGE_ROUNDS} times already: approve or reject`,
      ErrorType.WrongState,
    );
  }
  if (decision === 'reject' && state.work.changeRounds < MAX_CHANGE_ROUNDS) {
    return refusal('Rejecting is possible only after the last round of changes', ErrorType.WrongState);
  }
  return undefined;
};

/** Every Update's rule, by the Update's name in the workflow. */
export const updateRules = {
  apply,
  withdrawApplication,
  selectStudents,
  respondToOffer,
  openPaymentPage,
  openPayoutOnboarding,
  requestExtension,
  decideExtension,
  missedDeadlineDecision,
  giveFeedback,
  makeHiringOffer,
  respondToHiringOffer,
  decideFeeException,
  resolveDispute,
  cancel,
  submitWork,
  review,
};
