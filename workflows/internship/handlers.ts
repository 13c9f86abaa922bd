/**
 * The internship workflow's handlers: each Update's validator is its rule in workflows/rules.ts;
 * each handler records what was asked in the state, for the phase waiting on it to act.
 */
import { ApplicationFailure, patched, setHandler } from '@temporalio/workflow';
import {
  type Applicant,
  applyUpdate,
  cancelUpdate,
  decideExtensionUpdate,
  decideFeeExceptionUpdate,
  giveFeedbackUpdate,
  internshipStateQuery,
  type InternshipInput,
  type InternshipState,
  makeHiringOfferUpdate,
  missedDeadlineDecisionUpdate,
  openPaymentPageUpdate,
  openPayoutOnboardingUpdate,
  type RefusalDetails,
  requestExtensionUpdate,
  resolveDisputeUpdate,
  respondToHiringOfferUpdate,
  respondToOfferUpdate,
  reviewUpdate,
  selectStudentsUpdate,
  stripeEventSignal,
  submitWorkUpdate,
  withdrawApplicationUpdate,
} from '../definitions';
import { type Refusal, type RuleContext, updateRules as rules } from '../rules';
import { handlerRecords, payments } from './proxies';
import { feedbackRow } from './follow-up';
import { reopensAfterWithdrawal, standing } from './posting';
import { LEAN_HISTORY, run } from './run';
import { moveDueDate, setStatus } from './steps';
import { viewOf } from './view';

/** Registers every handler, in the order the workflow has always registered them. */
export function registerHandlers(state: InternshipState, input: InternshipInput): void {
  const judge = judging(state, input);
  registerPostingHandlers(state, input, judge);
  registerPaymentHandlers(state, judge);
  registerExtensionHandlers(state, judge);
  registerFollowUpHandlers(state, judge);
  registerOpsHandlers(state, judge);
  registerWorkHandlers(state, judge);
}

/**
 * A validator's refusal. It names the state version it judged, so the API can tell a refusal of a
 * state older than the one it published (a lost workflow task; see api/workflow-errors.ts).
 */
const refusing =
  (state: InternshipState) =>
  ({ message, type }: Refusal): ApplicationFailure => {
    const details: RefusalDetails = { stateVersion: state.version };
    return ApplicationFailure.create({ message, type, nonRetryable: true, details: [details] });
  };

/** An Update's validator: its rule (workflows/rules.ts) judged on the state now; a refusal is thrown. */
const judging =
  (state: InternshipState, input: InternshipInput) =>
  <A>(rule: (state: InternshipState, args: A, context: RuleContext) => Refusal | undefined) =>
  (args: A): void => {
    const context = {
      now: Date.now(),
      maxApplicants: input.maxApplicants,
      reopensOnWithdrawal: run().reopensOnWithdrawal,
    };
    const refusal = rule(state, args, context);
    if (refusal) throw refusing(state)(refusal);
  };

type Judge = ReturnType<typeof judging>;

/** §3.1–3.3 Applying, withdrawing, selecting and answering an offer; and the state query. */
function registerPostingHandlers(state: InternshipState, input: InternshipInput, judge: Judge): void {
  setHandler(internshipStateQuery, () => viewOf(state));

  setHandler(
    applyUpdate,
    async ({ applicationId, studentId, pitch, answers }) => {
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
    },
    {
      validator: judge(rules.apply),
    },
  );

  setHandler(
    withdrawApplicationUpdate,
    async ({ studentId }) => {
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
    },
    {
      validator: judge(rules.withdrawApplication),
    },
  );

  setHandler(
    selectStudentsUpdate,
    ({ applicationIds }) => {
      state.selection.shortlist = [...applicationIds];
      state.posting.applicationsClosed = true;
      return { shortlist: state.selection.shortlist };
    },
    {
      validator: judge(rules.selectStudents),
    },
  );

  setHandler(
    respondToOfferUpdate,
    ({ accept }) => {
      state.selection.offer!.response = accept ? 'accept' : 'decline';
      state.selection.offer!.closed = true;
      return { accepted: accept };
    },
    {
      validator: judge(rules.respondToOffer),
    },
  );
}

/** §3.4, §3.8 Stripe's facts, the pay link and payout onboarding. */
function registerPaymentHandlers(state: InternshipState, judge: Judge): void {
  setHandler(stripeEventSignal, (fact) => {
    if (fact.type === 'payment_succeeded' && state.status === 'Funding' && !state.money.paymentReceived) {
      state.money.paymentReceived = { paymentIntentId: fact.paymentIntentId, amountCents: fact.amountCents };
    }
    if (fact.type === 'payout_account_ready') state.money.payoutAccountReady = true;
  });

  setHandler(
    openPaymentPageUpdate,
    async (urls) => ({
      url: await payments.createCheckoutSession({ internshipId: state.internshipId, ...urls }),
    }),
    {
      validator: judge(rules.openPaymentPage),
    },
  );

  setHandler(
    openPayoutOnboardingUpdate,
    async (urls) => ({
      url: await payments.createOnboardingLink({ studentId: state.hiredStudentId!, ...urls }),
    }),
    {
      validator: judge(rules.openPayoutOnboarding),
    },
  );
}

/** §3.5 Extensions, and the employer's choice after a missed deadline or a withdrawal. */
function registerExtensionHandlers(state: InternshipState, judge: Judge): void {
  setHandler(
    requestExtensionUpdate,
    ({ newDueAt, textId, reason }) => {
      state.work.extensionsAsked += 1;
      state.work.extension = textId ? { newDueAt, textId } : { newDueAt, reason: reason ?? '' };
      return { status: 'pending' as const };
    },
    {
      validator: judge(rules.requestExtension),
    },
  );

  setHandler(
    decideExtensionUpdate,
    ({ approve }) => {
      const asked = state.work.extension!;
      state.work.extension = null;
      if (approve) moveDueDate(state, asked.newDueAt);
      state.work.lastExtensionDecision = approve ? 'approved' : 'declined';
      return { dueAt: state.work.dueAt! };
    },
    {
      validator: judge(rules.decideExtension),
    },
  );

  setHandler(
    missedDeadlineDecisionUpdate,
    ({ choice, newDueAt }) => {
      state.work.recovery = { choice, ...(newDueAt ? { newDueAt } : {}) };
      return { choice };
    },
    {
      validator: judge(rules.missedDeadlineDecision),
    },
  );
}

/** §3.9–3.10 Feedback and the hiring offer. */
function registerFollowUpHandlers(state: InternshipState, judge: Judge): void {
  setHandler(
    giveFeedbackUpdate,
    async (feedback) => {
      // Newer runs do no I/O in the handler: the Update is durable in history the moment it is
      // accepted, and the follow-up loop stores it with a local activity (a marker, not an activity
      // plus a workflow task in the history). Older runs stored it here.
      if (patched(LEAN_HISTORY)) {
        state.followUp.feedbackGiven[feedback.from] = true;
        (state.followUp.feedbackToRecord ??= []).push(feedback);
        return { revealed: state.followUp.feedbackRevealed };
      }
      await handlerRecords.recordFeedback(feedbackRow(state, feedback));
      // Counted once stored, so the reveal that may follow includes this row.
      state.followUp.feedbackGiven[feedback.from] = true;
      return { revealed: state.followUp.feedbackRevealed };
    },
    {
      validator: judge(rules.giveFeedback),
    },
  );

  setHandler(
    makeHiringOfferUpdate,
    (terms) => {
      state.followUp.hiringOffer = {
        ...terms,
        offerNo: (state.followUp.hiringOffer?.offerNo ?? 0) + 1,
        response: null,
      };
      return { expiresAt: terms.expiresAt };
    },
    {
      validator: judge(rules.makeHiringOffer),
    },
  );

  setHandler(
    respondToHiringOfferUpdate,
    ({ accept }) => {
      state.followUp.hiringOffer!.response = accept ? 'accepted' : 'declined';
      return { accepted: accept };
    },
    {
      validator: judge(rules.respondToHiringOffer),
    },
  );
}

/** §3.1, §3.7 What ops decide: a fee below the floor, a dispute. */
function registerOpsHandlers(state: InternshipState, judge: Judge): void {
  setHandler(
    decideFeeExceptionUpdate,
    ({ approve }) => {
      state.posting.feeDecision = approve ? 'approved' : 'declined';
      return { status: approve ? ('Open' as const) : ('Cancelled' as const) };
    },
    {
      validator: judge(rules.decideFeeException),
    },
  );

  setHandler(
    resolveDisputeUpdate,
    ({ studentSharePct }) => {
      state.money.resolution = { studentSharePct };
      // Since OUTCOMES_TOLD a share ends the engagement Completed; the payout follows beside it.
      const settled = run().outcomesTold ? ('Completed' as const) : ('Paying' as const);
      return { status: studentSharePct === 0 ? ('Cancelled' as const) : settled };
    },
    {
      validator: judge(rules.resolveDispute),
    },
  );
}

/** §3.6 Cancelling with the kill fee, submitting, reviewing. */
function registerWorkHandlers(state: InternshipState, judge: Judge): void {
  setHandler(
    cancelUpdate,
    ({ by, textId, reason }) => {
      state.work.cancellation = textId ? { by, textId } : { by, reason: reason ?? '' };
      return { status: 'Cancelled' as const };
    },
    {
      validator: judge(rules.cancel),
    },
  );

  setHandler(
    submitWorkUpdate,
    ({ textId, url, notes }) => {
      const words = textId ? { textId } : { url: url ?? '', notes: notes ?? '' };
      state.work.submission = { ...words, submittedAt: new Date().toISOString() };
      return { submittedAt: state.work.submission.submittedAt };
    },
    {
      validator: judge(rules.submitWork),
    },
  );

  setHandler(
    reviewUpdate,
    (review) => {
      state.work.review = review;
      const next = { approve: 'Paying', request_changes: 'InProgress', reject: 'Disputed' } as const;
      return { status: next[review.decision] };
    },
    {
      validator: judge(rules.review),
    },
  );
}
