/**
 * The internship workflow's handlers: each Update's validator is its rule in workflows/rules.ts;
 * each handler is one line that hands the Update to the phase it is about (./posting.ts,
 * ./hiring.ts, ./funding.ts, ./work.ts, ./payout.ts, ./follow-up.ts), which records what was asked
 * in the state for the phase waiting on it to act.
 */
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import {
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
import { giveFeedback, makeHiringOffer, respondToHiringOffer } from './follow-up';
import { openPaymentPage, recordStripeFact } from './funding';
import { respondToOffer, selectStudents } from './hiring';
import { openPayoutOnboarding, resolveDispute } from './payout';
import { addApplication, decideFeeException, withdrawApplication } from './posting';
import { run } from './run';
import { viewOf } from './view';
import {
  cancelWork,
  chooseRecovery,
  decideExtension,
  requestExtension,
  reviewWork,
  submitWork,
} from './work';

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
  setHandler(applyUpdate, (args) => addApplication(state, input, args), { validator: judge(rules.apply) });
  setHandler(withdrawApplicationUpdate, (args) => withdrawApplication(state, input, args), {
    validator: judge(rules.withdrawApplication),
  });
  setHandler(selectStudentsUpdate, (args) => selectStudents(state, args), {
    validator: judge(rules.selectStudents),
  });
  setHandler(respondToOfferUpdate, (args) => respondToOffer(state, args), {
    validator: judge(rules.respondToOffer),
  });
}

/** §3.4, §3.8 Stripe's facts, the pay link and payout onboarding. */
function registerPaymentHandlers(state: InternshipState, judge: Judge): void {
  setHandler(stripeEventSignal, (fact) => recordStripeFact(state, fact));
  setHandler(openPaymentPageUpdate, (urls) => openPaymentPage(state, urls), {
    validator: judge(rules.openPaymentPage),
  });
  setHandler(openPayoutOnboardingUpdate, (urls) => openPayoutOnboarding(state, urls), {
    validator: judge(rules.openPayoutOnboarding),
  });
}

/** §3.5 Extensions, and the employer's choice after a missed deadline or a withdrawal. */
function registerExtensionHandlers(state: InternshipState, judge: Judge): void {
  setHandler(requestExtensionUpdate, (args) => requestExtension(state, args), {
    validator: judge(rules.requestExtension),
  });
  setHandler(decideExtensionUpdate, (args) => decideExtension(state, args), {
    validator: judge(rules.decideExtension),
  });
  setHandler(missedDeadlineDecisionUpdate, (args) => chooseRecovery(state, args), {
    validator: judge(rules.missedDeadlineDecision),
  });
}

/** §3.9–3.10 Feedback and the hiring offer. */
function registerFollowUpHandlers(state: InternshipState, judge: Judge): void {
  setHandler(giveFeedbackUpdate, (feedback) => giveFeedback(state, feedback), {
    validator: judge(rules.giveFeedback),
  });
  setHandler(makeHiringOfferUpdate, (terms) => makeHiringOffer(state, terms), {
    validator: judge(rules.makeHiringOffer),
  });
  setHandler(respondToHiringOfferUpdate, (args) => respondToHiringOffer(state, args), {
    validator: judge(rules.respondToHiringOffer),
  });
}

/** §3.1, §3.7 What ops decide: a fee below the floor, a dispute. */
function registerOpsHandlers(state: InternshipState, judge: Judge): void {
  setHandler(decideFeeExceptionUpdate, (args) => decideFeeException(state, args), {
    validator: judge(rules.decideFeeException),
  });
  setHandler(resolveDisputeUpdate, (args) => resolveDispute(state, args), {
    validator: judge(rules.resolveDispute),
  });
}

/** §3.6 Cancelling with the kill fee, submitting, reviewing. */
function registerWorkHandlers(state: InternshipState, judge: Judge): void {
  setHandler(cancelUpdate, (args) => cancelWork(state, args), { validator: judge(rules.cancel) });
  setHandler(submitWorkUpdate, (args) => submitWork(state, args), { validator: judge(rules.submitWork) });
  setHandler(reviewUpdate, (review) => reviewWork(state, review), { validator: judge(rules.review) });
}
