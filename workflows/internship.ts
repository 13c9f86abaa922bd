/**
 * One micro-internship from posting to its end (DESIGN.md §3). The main function names the phases;
 * each helper below it is one step of the lifecycle.
 */
import {
  type ActivityOptions,
  type LocalActivityOptions,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  applyUpdate,
  ErrorType,
  internshipStateQuery,
  respondToOfferUpdate,
  searchAttributes,
  selectStudentsUpdate,
  withdrawApplicationUpdate,
  cancelUpdate,
  decideExtensionUpdate,
  decideFeeExceptionUpdate,
  resolveDisputeUpdate,
  giveFeedbackUpdate,
  makeHiringOfferUpdate,
  respondToHiringOfferUpdate,
  type FeedbackInput,
  type RefusalDetails,
  missedDeadlineDecisionUpdate,
  requestExtensionUpdate,
  type RecoveryChoice,
  openPaymentPageUpdate,
  openPayoutOnboardingUpdate,
  reviewUpdate,
  stripeEventSignal,
  submitWorkUpdate,
  type ReviewDecision,
  type Applicant,
  type ApplicationStatus,
  type InternshipInput,
  type InternshipOutcome,
  type InternshipState,
  type InternshipStatus,
} from './definitions';
import {
  CHANGES_WINDOW_DAYS,
  DAY_MS,
  DUE_SOON_HOURS,
  GRACE_HOURS,
  KILL_FEE_PCT,
  LINK_EXTENSION_DAYS,
  OPS_REMINDER_DAYS,
  FEEDBACK_BLIND_DAYS,
  FOLLOW_UP_DAYS,
  HIRING_NUDGE_DAYS,
  RECOVERY_WINDOW_DAYS,
  PAY_LINK_WINDOW_DAYS,
  PAYOUT_REMINDER_DAYS,
  REVIEW_REMINDER_DAYS,
} from './durations';
import { formatUsd } from './money';
import {
  activeApplicants,
  type Refusal,
  type RuleContext,
  standingApplicants,
  updateRules as rules,
} from './rules';

/**
 * The length of a day for the platform's own windows in this execution: real unless the posting was
 * made with HUMAN_DAY_SECONDS shortened (demos, benchmarks, staging). Dates people name (a new due
 * date, a hiring offer's expiry) are checked in calendar days. Module state is per execution in the
 * workflow sandbox, and it is set from the input before anything reads it, so replays agree.
 */
let dayMs = DAY_MS;
const days = (n: number): number => n * dayMs;
const hours = (n: number): number => (n * dayMs) / 24;

/**
 * One patch for the changes that keep a lifecycle's history short (see docs/VERSIONING.md): no I/O in
 * the feedback Update, notices that go out at the same moment sent side by side, and the earlier
 * patches 'applications-stored-by-api' and 'employer-work-started-notice' implied, so a new run
 * records one patch marker instead of three.
 */
const LEAN_HISTORY = 'lean-history';

/**
 * Since 'applications-reopen' (docs/VERSIONING.md): the cap counts applications still standing, a
 * withdrawal before the application deadline reopens a posting the cap closed, and an offer is
 * recorded on its application before the posting shows Offered (the API authorizes offer responses
 * from that row). Decided once at the start of a run, so a run keeps the rules it started with.
 */
const REOPEN = 'applications-reopen';
let reopensOnWithdrawal = false;

/** Emails started and not yet awaited (newer runs): awaited at the next `noticesSent()` and before the end. */
let noticesInFlight: Promise<unknown>[] = [];

/** Sends a notice beside the next step in newer runs; older runs awaited each notice in turn. */
async function soon(send: () => Promise<unknown>): Promise<void> {
  if (!patched(LEAN_HISTORY)) return void (await send());
  const sending = send();
  // Its failure surfaces where it is awaited (noticesSent), not as an unhandled rejection that
  // would fail every workflow task.
  sending.catch(() => undefined);
  noticesInFlight.push(sending);
}

async function noticesSent(): Promise<void> {
  while (noticesInFlight.length) {
    const pending = noticesInFlight;
    noticesInFlight = [];
    await Promise.all(pending);
  }
}

/** Emails in older runs: regular activities, retried for long, visible in the UI as their own activities. */
const NOTIFY_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: [ErrorType.NotFound],
  },
} satisfies ActivityOptions;
const notifyByActivity = proxyActivities<Activities>(NOTIFY_OPTIONS);

/**
 * Newer runs (LEAN_HISTORY) only put the email into the Postgres outbox from a local activity — one
 * marker in the history instead of an activity and a workflow task — and the worker's outbox relay
 * sends it, so SMTP never blocks a workflow nor grows its history. Retries here are for Postgres.
 */
const notifyByLocalActivity = proxyLocalActivities<Activities>(NOTIFY_OPTIONS satisfies LocalActivityOptions);

/** The email activities for this run: local in newer runs. No notice is sent from an Update handler. */
const mail = () => (patched(LEAN_HISTORY) ? notifyByLocalActivity : notifyByActivity);

/** Sends one notice, with a summary the Temporal UI shows on the activity ("Email student: paid"). */
const tell = (notice: Parameters<Activities['notifyParty']>[0]) =>
  mail().notifyParty.executeWithOptions(
    { ...NOTIFY_OPTIONS, summary: `Email ${notice.to}: ${notice.kind}` },
    [notice],
  );

/** Money: Stripe calls with idempotency keys from the workflow id and the step, so retries are safe. */
const payments = proxyActivities<Activities>({
  summary: 'Money: a Stripe call keyed internship:<id>:<step>, recorded in the ledger',
  startToCloseTimeout: '1 minute',
  // Stripe calls heartbeat every second: a worker that dies mid-call is noticed in seconds.
  heartbeatTimeout: '5 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: [ErrorType.NotFound],
  },
});

/**
 * Writes made inside Update handlers run as regular activities: as local activities they did not
 * replay deterministically when several Updates landed in the first workflow task (the replay suite
 * over test/histories found it).
 */
const handlerRecords = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

/** Read-model writes: small idempotent SQL, run as local activities to keep the history short. */
const records = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

export async function internshipWorkflow(input: InternshipInput): Promise<InternshipOutcome> {
  dayMs = input.dayMs ?? DAY_MS;
  noticesInFlight = [];
  reopensOnWithdrawal = patched(REOPEN);
  const state = openPosting(input);
  registerHandlers(state, input);
  registerWorkHandlers(state, input);
  await publish(state);

  if (state.status === 'AwaitingApproval' && !(await awaitFeeApproval(state, input))) {
    return finish(await declineFee(state));
  }
  await collectApplications(state);
  if (active(state).length === 0) return finish(await expireUnanswered(state));

  for (;;) {
    if (!(await hireStudent(state, input))) return finish(await expireUnselected(state));
    if (!state.funded) {
      const funded = await fundInternship(state);
      await noticesSent();
      if (!funded) return finish(await cancelUnfunded(state));
      state.funded = true;
    }
    await noticesSent();

    const end = await deliverAndReview(state, input);
    switch (end) {
      case 'approved':
        await payStudent(state, 100);
        return finish(await followUp(state));
      case 'disputed':
        return finish(await settleDispute(state));
      case 'killed':
        return finish(await payKillFee(state));
      case 'refund':
        return finish(await refundAndCancel(state));
      case 'reselect':
        await prepareReselection(state);
        break;
    }
  }
}

/** §3.1 Open: the posting accepts applications until its deadline. */
function openPosting(input: InternshipInput): InternshipState {
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

const active = activeApplicants;
/** The applications the cap counts: all of them in older runs, those not withdrawn since REOPEN. */
const standing = (state: InternshipState) => standingApplicants(state, { reopensOnWithdrawal });

/**
 * §3.1 A withdrawal frees a place (since REOPEN): a posting the cap closed opens again while its
 * application deadline is ahead and the employer has chosen no one yet.
 */
function reopensAfterWithdrawal(state: InternshipState, input: InternshipInput): boolean {
  return (
    reopensOnWithdrawal &&
    state.applicationsClosed &&
    ['Open', 'Selecting'].includes(state.status) &&
    state.selectionRound === 0 &&
    state.shortlist.length === 0 &&
    Date.now() < Date.parse(state.applicationDeadline) &&
    standing(state).length < input.maxApplicants
  );
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
    const context = { now: Date.now(), maxApplicants: input.maxApplicants, reopensOnWithdrawal };
    const refusal = rule(state, args, context);
    if (refusal) throw refusing(state)(refusal);
  };

/** The questions people ask of the posting, each checked by a validator before it touches the state. */
function registerHandlers(state: InternshipState, input: InternshipInput): void {
  const judge = judging(state, input);
  setHandler(internshipStateQuery, () => state);

  setHandler(
    applyUpdate,
    async ({ applicationId, studentId, pitch, answers }) => {
      const applicant: Applicant = {
        applicationId,
        studentId,
        label: `Applicant ${state.applicants.length + 1}`,
        status: 'submitted',
      };
      state.applicants.push(applicant);
      // The cap closes applications at once: the next validator already sees it.
      if (standing(state).length >= input.maxApplicants) state.applicationsClosed = true;
      // Since 'applications-stored-by-api' the API stores the application (pending until this Update
      // accepts it), so the handler does no I/O: about 5 history events per applicant instead of 12,
      // which keeps a 200-applicant posting inside DESIGN's 2,000-event budget.
      if (!(patched(LEAN_HISTORY) || patched('applications-stored-by-api'))) {
        await handlerRecords.recordApplication({
          internshipId: state.internshipId,
          ...applicant,
          pitch,
          answers,
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
        state.studentWithdrew = true;
        return;
      }
      const applicant = state.applicants.find((a) => a.studentId === studentId && a.status === 'submitted')!;
      await setStatus([applicant], 'withdrawn');
      if (reopensAfterWithdrawal(state, input)) state.applicationsClosed = false;
    },
    {
      validator: judge(rules.withdrawApplication),
    },
  );

  setHandler(
    selectStudentsUpdate,
    ({ applicationIds }) => {
      state.shortlist = [...applicationIds];
      state.applicationsClosed = true;
      return { shortlist: state.shortlist };
    },
    {
      validator: judge(rules.selectStudents),
    },
  );

  setHandler(
    respondToOfferUpdate,
    ({ accept }) => {
      state.offer!.response = accept ? 'accept' : 'decline';
      state.offer!.closed = true;
      return { accepted: accept };
    },
    {
      validator: judge(rules.respondToOffer),
    },
  );
}

/** Handlers of the money and work phases (§3.4–3.8). */
function registerWorkHandlers(state: InternshipState, input: InternshipInput): void {
  const judge = judging(state, input);
  const feedbackInFlight = new Set<'employer' | 'student'>();

  setHandler(stripeEventSignal, (fact) => {
    if (fact.type === 'payment_succeeded' && state.status === 'Funding' && !state.paymentReceived) {
      state.paymentReceived = { paymentIntentId: fact.paymentIntentId, amountCents: fact.amountCents };
    }
    if (fact.type === 'payout_account_ready') state.payoutAccountReady = true;
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

  setHandler(
    requestExtensionUpdate,
    ({ newDueAt, reason }) => {
      state.extensionsAsked += 1;
      state.extension = { newDueAt, reason };
      return { status: 'pending' as const };
    },
    {
      validator: judge(rules.requestExtension),
    },
  );

  setHandler(
    decideExtensionUpdate,
    ({ approve }) => {
      const asked = state.extension!;
      state.extension = null;
      if (approve) moveDueDate(state, asked.newDueAt);
      state.lastExtensionDecision = approve ? 'approved' : 'declined';
      return { dueAt: state.dueAt! };
    },
    {
      validator: judge(rules.decideExtension),
    },
  );

  setHandler(
    missedDeadlineDecisionUpdate,
    ({ choice, newDueAt }) => {
      state.recovery = { choice, ...(newDueAt ? { newDueAt } : {}) };
      return { choice };
    },
    {
      validator: judge(rules.missedDeadlineDecision),
    },
  );

  setHandler(
    giveFeedbackUpdate,
    async (feedback) => {
      // Newer runs do no I/O in the handler: the Update is durable in history the moment it is
      // accepted, and the follow-up loop stores it with a local activity (a marker, not an activity
      // plus a workflow task in the history). Older runs stored it here.
      if (patched(LEAN_HISTORY)) {
        state.feedbackGiven[feedback.from] = true;
        (state.feedbackToRecord ??= []).push(feedback);
        return { revealed: state.feedbackRevealed };
      }
      feedbackInFlight.add(feedback.from);
      await handlerRecords.recordFeedback(feedbackRow(state, feedback));
      // Counted once stored, so the reveal that may follow includes this row.
      state.feedbackGiven[feedback.from] = true;
      feedbackInFlight.delete(feedback.from);
      return { revealed: state.feedbackRevealed };
    },
    {
      validator: judge(rules.giveFeedback),
    },
  );

  setHandler(
    makeHiringOfferUpdate,
    (terms) => {
      state.hiringOffer = { ...terms, offerNo: (state.hiringOffer?.offerNo ?? 0) + 1, response: null };
      return { expiresAt: terms.expiresAt };
    },
    {
      validator: judge(rules.makeHiringOffer),
    },
  );

  setHandler(
    respondToHiringOfferUpdate,
    ({ accept }) => {
      state.hiringOffer!.response = accept ? 'accepted' : 'declined';
      return { accepted: accept };
    },
    {
      validator: judge(rules.respondToHiringOffer),
    },
  );

  setHandler(
    decideFeeExceptionUpdate,
    ({ approve }) => {
      state.feeDecision = approve ? 'approved' : 'declined';
      return { status: approve ? ('Open' as const) : ('Cancelled' as const) };
    },
    {
      validator: judge(rules.decideFeeException),
    },
  );

  setHandler(
    resolveDisputeUpdate,
    ({ studentSharePct }) => {
      state.resolution = { studentSharePct };
      return { status: studentSharePct === 0 ? ('Cancelled' as const) : ('Paying' as const) };
    },
    {
      validator: judge(rules.resolveDispute),
    },
  );

  setHandler(
    cancelUpdate,
    ({ by, reason }) => {
      state.cancellation = { by, reason };
      return { status: 'Cancelled' as const };
    },
    {
      validator: judge(rules.cancel),
    },
  );

  setHandler(
    submitWorkUpdate,
    ({ url, notes }) => {
      state.submission = { url, notes, submittedAt: new Date().toISOString() };
      return { submittedAt: state.submission.submittedAt };
    },
    {
      validator: judge(rules.submitWork),
    },
  );

  setHandler(
    reviewUpdate,
    (review) => {
      state.review = review;
      const next = { approve: 'Paying', request_changes: 'InProgress', reject: 'Disputed' } as const;
      return { status: next[review.decision] };
    },
    {
      validator: judge(rules.review),
    },
  );
}

/** §3.1 Open: waits for the application deadline, the cap, or an early selection. */
async function collectApplications(state: InternshipState): Promise<void> {
  const untilDeadline = Math.max(0, Date.parse(state.applicationDeadline) - Date.now());
  await condition(() => state.applicationsClosed, untilDeadline);
  state.applicationsClosed = true;
}

/**
 * §3.2–3.3 Selecting and Offered: the employer chooses, the shortlist is offered in turn; when it
 * runs out the selection window restarts once. Resolves true when a student accepted.
 */
async function hireStudent(state: InternshipState, input: InternshipInput): Promise<boolean> {
  for (; state.selectionRound < 2; state.selectionRound++) {
    if (active(state).length === 0) return false;
    if (state.shortlist.length === 0 && !(await awaitSelection(state, input))) return false;
    if (await offerInTurn(state, input)) return true;
  }
  return false;
}

/**
 * §3.2 Selecting: `selectionWindow` to choose, with reminders at 2 days and 1 day left; silence
 * expires. A withdrawal that reopens the posting (since REOPEN) takes it back to Open until the
 * deadline or the cap, and the window starts again after that.
 */
async function awaitSelection(state: InternshipState, input: InternshipInput): Promise<boolean> {
  for (;;) {
    const outcome = await selectionWindow(state, input);
    if (outcome !== 'reopened') return outcome === 'chosen';
    await moveTo(state, 'Open', state.applicationDeadline);
    await collectApplications(state);
    if (active(state).length === 0) return false;
    if (state.shortlist.length > 0) return true; // chosen while it was open again
  }
}

async function selectionWindow(
  state: InternshipState,
  input: InternshipInput,
): Promise<'chosen' | 'reopened' | 'expired'> {
  const windowEnd = Date.now() + input.windows.selectionMs;
  await moveTo(state, 'Selecting', new Date(windowEnd).toISOString());
  const chosen = () => state.shortlist.length > 0;
  const reopened = () => reopensOnWithdrawal && !state.applicationsClosed;
  const woken = () => chosen() || reopened();
  const outcome = () => (chosen() ? 'chosen' : reopened() ? 'reopened' : 'expired');
  for (const daysLeft of [2, 1]) {
    const remindAt = windowEnd - days(daysLeft);
    if (remindAt <= Date.now()) continue;
    if (await condition(woken, remindAt - Date.now())) return outcome();
    await mail().remindEmployerToSelect({
      internshipId: state.internshipId,
      daysLeft,
      round: state.selectionRound,
      deadline: new Date(windowEnd).toISOString(),
    });
  }
  await condition(woken, Math.max(0, windowEnd - Date.now()));
  return outcome();
}

/** §3.3 Offered: each shortlisted student in rank order gets `acceptWindow`; decline or silence moves on. */
async function offerInTurn(state: InternshipState, input: InternshipInput): Promise<boolean> {
  while (state.shortlist.length > 0) {
    const applicant = state.applicants.find((a) => a.applicationId === state.shortlist[0]);
    state.shortlist.shift();
    if (!applicant || applicant.status !== 'submitted') continue;

    const expiresAt = new Date(Date.now() + input.windows.acceptMs).toISOString();
    state.offer = {
      applicationId: applicant.applicationId,
      studentId: applicant.studentId,
      expiresAt,
      response: null,
      closed: false,
    };
    applicant.status = 'offered';
    const recordOffered = () =>
      records.recordApplicationStatus({ applicationIds: [applicant.applicationId], status: 'offered' });
    if (reopensOnWithdrawal) await recordOffered();
    await moveTo(state, 'Offered', expiresAt, applicant.studentId);
    if (!reopensOnWithdrawal) await recordOffered();
    await mail().sendOffer({
      internshipId: state.internshipId,
      applicationId: applicant.applicationId,
      studentId: applicant.studentId,
      expiresAt,
    });

    await condition(() => state.offer?.response != null, Math.max(0, Date.parse(expiresAt) - Date.now()));
    const offer = state.offer;
    offer.closed = true;
    state.offer = null;
    if (offer.response === 'accept') {
      await acceptHire(state, applicant);
      return true;
    }
    await setStatus([applicant], offer.response === 'decline' ? 'declined' : 'lapsed');
  }
  state.shortlist = [];
  return false;
}

/** §3.3 A student accepted: the others are told kindly, the employer meets the student, Funding begins. */
async function acceptHire(state: InternshipState, applicant: Applicant): Promise<void> {
  state.hiredStudentId = applicant.studentId;
  applicant.status = 'accepted';
  const others = state.applicants.filter((a) => a !== applicant && a.status !== 'withdrawn');
  for (const other of others) other.status = 'not_selected';
  await moveTo(state, 'Funding', null, applicant.studentId);
  await records.recordApplicationStatus({ applicationIds: [applicant.applicationId], status: 'accepted' });
  await records.recordApplicationStatus({
    applicationIds: others.map((a) => a.applicationId),
    status: 'not_selected',
  });
  await soon(() =>
    mail().announceHire({
      internshipId: state.internshipId,
      applicationId: applicant.applicationId,
      studentId: applicant.studentId,
    }),
  );
}

const iso = (ms: number) => new Date(ms).toISOString();

/** §3.4 Funding: the saved card is charged once; if that fails the employer gets a pay link and 3 days. */
async function fundInternship(state: InternshipState): Promise<boolean> {
  const charge = await payments.chargeFee(state.internshipId);
  if (charge.outcome === 'paid') return true;
  const payBy = iso(Date.now() + days(PAY_LINK_WINDOW_DAYS));
  await moveTo(state, 'Funding', payBy);
  await tell({
    internshipId: state.internshipId,
    to: 'employer',
    kind: 'pay-link',
    facts: { reason: charge.reason ?? 'declined', deadline: payBy },
    links: { actions: ['funding.pay'], decisionKey: `pay:${state.internshipId}`, expiresAt: payBy },
  });
  const paid = await condition(() => state.paymentReceived !== null, days(PAY_LINK_WINDOW_DAYS));
  if (!paid) return false;
  await payments.recordLatePayment({ internshipId: state.internshipId, ...state.paymentReceived! });
  return true;
}

/** §3.4 Unpaid after the pay link's 3 days: cancelled, both told; nothing was charged. */
async function cancelUnfunded(state: InternshipState): Promise<InternshipOutcome> {
  await moveTo(state, 'Cancelled', null);
  await tell({ internshipId: state.internshipId, to: 'employer', kind: 'unfunded-employer' });
  await tell({ internshipId: state.internshipId, to: 'student', kind: 'unfunded-student' });
  return { status: 'Cancelled', reason: 'unpaid' };
}

type WorkEnd = 'approved' | 'disputed' | 'killed' | 'refund' | 'reselect';

/**
 * §3.5–3.6 InProgress and InReview: the student works to the due date and submits; the employer
 * approves, asks for changes (at most twice) or, after the last round, rejects. A missed deadline or
 * a withdrawal hands the choice to the employer; an employer cancellation ends with the kill fee.
 */
async function deliverAndReview(state: InternshipState, input: InternshipInput): Promise<WorkEnd> {
  startWork(state, Date.now() + input.windows.workMs);
  await moveTo(state, 'InProgress', state.dueAt);
  const workStarted = (to: 'student' | 'employer') =>
    tell({
      internshipId: state.internshipId,
      to,
      kind: to === 'student' ? 'work-started' : 'work-started-employer',
      occurrence: state.hiredStudentId!,
      facts: { dueAt: state.dueAt! },
    });
  if (patched(LEAN_HISTORY)) {
    await Promise.all([workStarted('student'), workStarted('employer')]);
  } else {
    await workStarted('student');
    // Added after histories were recorded without it: patched() keeps those runs replaying as they ran.
    if (patched('employer-work-started-notice')) await workStarted('employer');
  }
  for (;;) {
    let end = await workUntilDue(state);
    if (end === 'missed') end = await graceAfterMissedDeadline(state);
    if (end === 'missed' || end === 'withdrawn') {
      const recovery = await askEmployerHowToGoOn(state, end);
      if (recovery === 'submitted') end = 'submitted';
      else if (recovery.choice === 'extend') {
        moveDueDate(state, recovery.newDueAt ?? iso(Date.now() + days(LINK_EXTENSION_DAYS)));
        await moveTo(state, 'InProgress', state.dueAt);
        continue;
      } else return recovery.choice === 'reselect' ? 'reselect' : 'refund';
    }
    if (end === 'cancelled') return 'killed';

    const decision = await reviewSubmission(state, input);
    if (state.cancellation) return 'killed';
    if (decision === 'approve') return 'approved';
    if (decision === 'reject') {
      await moveTo(state, 'Disputed', null);
      for (const to of ['employer', 'student'] as const) {
        await tell({
          internshipId: state.internshipId,
          to,
          kind: 'disputed',
          facts: { audience: to },
        });
      }
      return 'disputed';
    }
    // Clear the round before the status says InProgress, so the resubmission is never refused.
    const comments = state.review!.comments;
    state.changeRounds += 1;
    state.submission = null;
    state.review = null;
    startWork(state, Date.now() + days(CHANGES_WINDOW_DAYS));
    await moveTo(state, 'InProgress', state.dueAt);
    await tell({
      internshipId: state.internshipId,
      to: 'student',
      kind: 'changes-requested',
      occurrence: `round${state.changeRounds}`,
      facts: { comments, dueAt: state.dueAt! },
    });
  }
}

function startWork(state: InternshipState, dueMs: number): void {
  state.workStartedAt = iso(Date.now());
  moveDueDate(state, iso(dueMs));
}

function moveDueDate(state: InternshipState, dueAt: string): void {
  state.dueAt = dueAt;
  state.dueVersion += 1;
}

/**
 * §3.5 InProgress: waits for the submission, with reminders at the midpoint and 24 hours before the
 * due date, which an approved extension moves. Ends on a submission, the due date, a withdrawal or
 * a cancellation.
 */
async function workUntilDue(
  state: InternshipState,
): Promise<'submitted' | 'missed' | 'withdrawn' | 'cancelled'> {
  for (;;) {
    if (state.cancellation) return 'cancelled';
    if (state.submission) return 'submitted';
    if (state.studentWithdrew) return 'withdrawn';
    await tellExtensionOutcome(state);
    const start = Date.parse(state.workStartedAt!);
    const due = Date.parse(state.dueAt!);
    const reminders = [
      { at: start + (due - start) / 2, kind: 'work-midpoint' as const },
      { at: due - hours(DUE_SOON_HOURS), kind: 'work-due-soon' as const },
    ].filter((r) => r.at > Date.now() && !state.remindersSent.includes(`${r.kind}@${state.dueAt}`));
    const next = reminders[0];
    const wakeAt = next ? next.at : due;
    const version = state.dueVersion;
    const interrupted = await condition(
      () =>
        state.submission !== null ||
        state.cancellation !== null ||
        state.studentWithdrew ||
        state.dueVersion !== version ||
        state.lastExtensionDecision !== null ||
        (state.extension !== null && !state.extensionAnnounced),
      Math.max(0, wakeAt - Date.now()),
    );
    if (interrupted) {
      if (state.dueVersion !== version) await moveTo(state, 'InProgress', state.dueAt);
      if (state.extension && !state.extensionAnnounced) await askForExtension(state);
      continue;
    }
    if (next) {
      state.remindersSent.push(`${next.kind}@${state.dueAt}`);
      await tell({
        internshipId: state.internshipId,
        to: 'student',
        kind: next.kind,
        occurrence: `${state.hiredStudentId}:${state.dueAt}`,
        facts: { dueAt: state.dueAt! },
      });
      continue;
    }
    return 'missed';
  }
}

/** §3.5 An extension request reaches the employer with Approve and Decline links, valid until the due date. */
async function askForExtension(state: InternshipState): Promise<void> {
  state.extensionAnnounced = true;
  await tell({
    internshipId: state.internshipId,
    to: 'employer',
    kind: 'extension-requested',
    occurrence: `${state.extensionsAsked}`,
    facts: { newDueAt: state.extension!.newDueAt, reason: state.extension!.reason, dueAt: state.dueAt! },
    links: {
      actions: ['extension.approve', 'extension.decline'],
      decisionKey: `extension:${state.internshipId}:${state.extensionsAsked}`,
      expiresAt: state.dueAt!,
    },
  });
}

/** The student hears the employer's answer to an extension request. */
async function tellExtensionOutcome(state: InternshipState): Promise<void> {
  const decision = state.lastExtensionDecision;
  if (!decision) return;
  state.lastExtensionDecision = null;
  state.extensionAnnounced = false;
  await tell({
    internshipId: state.internshipId,
    to: 'student',
    kind: 'extension-decided',
    occurrence: `${state.extensionsAsked}`,
    facts: { decision, dueAt: state.dueAt! },
  });
}

/** §3.5 The due date passed without a submission: both are told, and the student has 48 hours of grace. */
async function graceAfterMissedDeadline(
  state: InternshipState,
): Promise<'submitted' | 'missed' | 'cancelled'> {
  const graceEnd = iso(Date.now() + hours(GRACE_HOURS));
  await moveTo(state, 'InProgress', graceEnd);
  for (const to of ['student', 'employer'] as const) {
    await tell({
      internshipId: state.internshipId,
      to,
      kind: 'deadline-missed',
      occurrence: `${to}:${state.dueAt}`,
      facts: { audience: to, graceEnd },
    });
  }
  await condition(() => state.submission !== null || state.cancellation !== null, hours(GRACE_HOURS));
  if (state.cancellation) return 'cancelled';
  return state.submission ? 'submitted' : 'missed';
}

/**
 * §3.5 The employer chooses how to go on: extend, re-select from the remaining applicants with the
 * money held, or cancel with a full refund. Seven days of silence cancel with the refund.
 */
async function askEmployerHowToGoOn(
  state: InternshipState,
  why: 'missed' | 'withdrawn',
): Promise<'submitted' | { choice: RecoveryChoice; newDueAt?: string }> {
  const decideBy = iso(Date.now() + days(RECOVERY_WINDOW_DAYS));
  state.awaitingRecovery = true;
  state.recovery = null;
  await moveTo(state, 'InProgress', decideBy);
  const actions =
    why === 'withdrawn'
      ? ['recovery.reselect', 'recovery.cancel']
      : ['recovery.extend', 'recovery.reselect', 'recovery.cancel'];
  await tell({
    internshipId: state.internshipId,
    to: 'employer',
    kind: why === 'withdrawn' ? 'student-withdrew' : 'recovery-choice',
    occurrence: `${state.hiredStudentId}:${state.dueAt}`,
    facts: { decideBy },
    links: {
      actions,
      decisionKey: `recovery:${state.internshipId}:${state.dueVersion}`,
      expiresAt: decideBy,
    },
  });
  const lateWorkCounts = () => why === 'missed' && state.submission !== null;
  await condition(() => state.recovery !== null || lateWorkCounts(), days(RECOVERY_WINDOW_DAYS));
  state.awaitingRecovery = false;
  if (!state.recovery && lateWorkCounts()) return 'submitted';
  return state.recovery ?? { choice: 'cancel' };
}

/** §3.5 Re-select: the hired student leaves, the others may be chosen again; the money stays held. */
async function prepareReselection(state: InternshipState): Promise<void> {
  const leaving = state.applicants.find((a) => a.studentId === state.hiredStudentId)!;
  await tell({
    internshipId: state.internshipId,
    to: 'student',
    kind: state.studentWithdrew ? 'withdrawal-confirmed' : 'replaced',
    occurrence: leaving.studentId,
  });
  await setStatus([leaving], state.studentWithdrew ? 'withdrawn' : 'not_selected');
  const again = state.applicants.filter((a) => a.status === 'not_selected');
  await setStatus(again, 'submitted');
  Object.assign(state, {
    hiredStudentId: null,
    submission: null,
    review: null,
    changeRounds: 0,
    extension: null,
    extensionsAsked: 0,
    studentWithdrew: false,
    recovery: null,
    shortlist: [],
    selectionRound: 1,
  });
}

/** §3.5 Cancelled with a full refund (the employer's choice, or 7 days of silence). */
async function refundAndCancel(state: InternshipState): Promise<InternshipOutcome> {
  await payments.refundFee({ internshipId: state.internshipId, step: 'refund', amountCents: state.feeCents });
  await moveTo(state, 'Cancelled', null);
  await tell({ internshipId: state.internshipId, to: 'employer', kind: 'refunded' });
  return { status: 'Cancelled', reason: 'refunded' };
}

/** §3.5 The employer cancelled funded work: the student earns 25% (less the platform share), the rest is refunded. */
async function payKillFee(state: InternshipState): Promise<InternshipOutcome> {
  const refund = Math.round((state.feeCents * (100 - KILL_FEE_PCT)) / 100);
  await payments.refundFee({
    internshipId: state.internshipId,
    step: 'kill-fee-refund',
    amountCents: refund,
  });
  await tell({
    internshipId: state.internshipId,
    to: 'student',
    kind: 'cancelled-kill-fee',
    facts: { reason: state.cancellation!.reason },
  });
  await payStudent(state, KILL_FEE_PCT);
  await moveTo(state, 'Cancelled', null);
  return { status: 'Cancelled', reason: 'kill_fee' };
}

/** §3.6 InReview: `reviewWindow` to decide, reminders at 2 days and 1 day left; silence approves. */
async function reviewSubmission(state: InternshipState, input: InternshipInput): Promise<ReviewDecision> {
  const end = Date.now() + input.windows.reviewMs;
  const reviewBy = iso(end);
  const round = `round${state.changeRounds}`;
  await moveTo(state, 'InReview', reviewBy);
  await tell({
    internshipId: state.internshipId,
    to: 'employer',
    kind: 'submitted',
    occurrence: round,
    facts: { url: state.submission!.url, reviewBy },
  });
  const reviewed = () => state.review !== null || state.cancellation !== null;
  for (const daysLeft of REVIEW_REMINDER_DAYS) {
    const at = end - days(daysLeft);
    if (at <= Date.now()) continue;
    if (await condition(reviewed, at - Date.now())) break;
    await tell({
      internshipId: state.internshipId,
      to: 'employer',
      kind: 'review-reminder',
      occurrence: `${round}:${daysLeft}d`,
      facts: { daysLeft: String(daysLeft), reviewBy },
    });
  }
  const decided = await condition(reviewed, Math.max(0, end - Date.now()));
  if (state.cancellation) return 'reject';
  const decision = decided ? state.review!.decision : 'approve';
  if (decision === 'approve') {
    await soon(() =>
      tell({
        internshipId: state.internshipId,
        to: 'student',
        kind: 'approved',
        facts: { auto: String(!decided) },
      }),
    );
  }
  return decision;
}

/** §3.8 Paying: waits durably for the student's payout account, reminding every 3 days, then pays once. */
async function payStudent(state: InternshipState, sharePct: number): Promise<void> {
  await moveTo(state, 'Paying', null);
  const studentId = state.hiredStudentId!;
  const { ready } = await payments.preparePayoutAccount({ studentId });
  for (let n = 0; !ready && !state.payoutAccountReady; n++) {
    const until = iso(Date.now() + days(PAYOUT_REMINDER_DAYS));
    await tell({
      internshipId: state.internshipId,
      to: 'student',
      kind: 'payout-onboarding',
      occurrence: String(n),
      links: {
        actions: ['payout.onboard'],
        decisionKey: `onboard:${state.internshipId}:${n}`,
        expiresAt: until,
      },
    });
    await condition(() => state.payoutAccountReady, days(PAYOUT_REMINDER_DAYS));
  }
  const { paidBy, amountCents } = await payments.payStudent({
    internshipId: state.internshipId,
    studentId,
    sharePct,
  });
  state.paidBy = paidBy;
  if (sharePct === 100) await moveTo(state, 'Completed', null);
  await soon(() =>
    tell({
      internshipId: state.internshipId,
      to: 'student',
      kind: 'paid',
      facts: { paidBy, amount: formatUsd(amountCents) },
    }),
  );
}

/**
 * §3.9–3.10 Completed: the student's credential is signed; feedback stays double-blind until both
 * gave it or 14 days passed; the employer is nudged at 7 and 30 days to hire; a hiring offer is
 * answered or expires. Closed at 90 days, or as soon as an offer is answered.
 */
async function followUp(state: InternshipState): Promise<InternshipOutcome> {
  const completedAt = Date.now();
  const credential = {
    internshipId: state.internshipId,
    completedAt: iso(completedAt),
    startedAt: state.workStartedAt,
  };
  await records.issueCredential(credential);
  await tell({ internshipId: state.internshipId, to: 'student', kind: 'credential-issued' });
  await noticesSent();
  const revealAt = completedAt + days(FEEDBACK_BLIND_DAYS);
  const closeAt = completedAt + days(FOLLOW_UP_DAYS);
  let announcedOfferNo = 0;

  for (;;) {
    if (await storeAcceptedFeedback(state)) continue;
    const offer = state.hiringOffer;
    // An offer is announced (stored, student emailed) before its answer is recorded, even when
    // both are waiting: a quick student may answer through the API before the email went out.
    if (offer && offer.offerNo !== announcedOfferNo) {
      announcedOfferNo = offer.offerNo;
      await records.recordHiringOffer({ internshipId: state.internshipId, offerNo: offer.offerNo, offer });
      await tell({
        internshipId: state.internshipId,
        to: 'student',
        kind: 'hiring-offer',
        occurrence: String(offer.offerNo),
        facts: {
          role: offer.role,
          pay: `${formatUsd(offer.payCents)} per ${offer.payPeriod}`,
          startDate: offer.startDate,
          expiresAt: offer.expiresAt,
        },
        links: {
          actions: ['hiring.accept', 'hiring.decline'],
          decisionKey: `hiring:${state.internshipId}:${offer.offerNo}`,
          expiresAt: offer.expiresAt,
        },
      });
      continue;
    }
    if (offer?.response === 'accepted' || offer?.response === 'declined') {
      await records.recordHiringOutcome({
        internshipId: state.internshipId,
        offerNo: offer.offerNo,
        outcome: offer.response,
      });
      await tell({
        internshipId: state.internshipId,
        to: 'employer',
        kind: 'hiring-answered',
        facts: { answer: offer.response, role: offer.role },
      });
      break;
    }
    if (Date.now() >= closeAt) break;
    if (offer && !offer.response && Date.now() >= Date.parse(offer.expiresAt)) {
      offer.response = 'expired';
      await records.recordHiringOutcome({
        internshipId: state.internshipId,
        offerNo: offer.offerNo,
        outcome: 'expired',
      });
      continue;
    }
    const bothGave = state.feedbackGiven.employer && state.feedbackGiven.student;
    if (!state.feedbackRevealed && (bothGave || Date.now() >= revealAt)) {
      state.feedbackRevealed = true;
      await records.revealFeedback(state.internshipId);
      await records.issueCredential(credential);
      const reveal = (to: 'employer' | 'student') =>
        tell({ internshipId: state.internshipId, to, kind: 'feedback-revealed', facts: { audience: to } });
      if (patched(LEAN_HISTORY)) {
        await Promise.all([reveal('employer'), reveal('student')]);
      } else {
        for (const to of ['employer', 'student'] as const) await reveal(to);
      }
      continue;
    }
    const nudge = HIRING_NUDGE_DAYS.find(
      (d) => !state.nudgesSent.includes(d) && Date.now() >= completedAt + days(d),
    );
    if (nudge !== undefined) {
      state.nudgesSent.push(nudge);
      if (!offer) {
        await tell({
          internshipId: state.internshipId,
          to: 'employer',
          kind: 'hiring-nudge',
          occurrence: `${nudge}d`,
          facts: { days: String(nudge) },
        });
      }
      continue;
    }
    const wakeups = [
      closeAt,
      ...(state.feedbackRevealed ? [] : [revealAt]),
      ...HIRING_NUDGE_DAYS.filter((d) => !state.nudgesSent.includes(d)).map((d) => completedAt + days(d)),
      ...(offer && !offer.response ? [Date.parse(offer.expiresAt)] : []),
    ];
    const wakeAt = Math.min(...wakeups);
    const seen = {
      offer: state.hiringOffer,
      response: state.hiringOffer?.response,
      given: { ...state.feedbackGiven },
    };
    await condition(
      () =>
        state.hiringOffer !== seen.offer ||
        state.hiringOffer?.response !== seen.response ||
        state.feedbackGiven.employer !== seen.given.employer ||
        state.feedbackGiven.student !== seen.given.student,
      Math.max(0, wakeAt - Date.now()),
    );
  }
  while (await storeAcceptedFeedback(state));
  await moveTo(state, 'Closed', null);
  const hired = state.hiringOffer?.response === 'accepted';
  return { status: 'Closed', reason: hired ? 'hired' : 'follow_up_ended' };
}

const feedbackRow = (state: InternshipState, feedback: FeedbackInput) => ({
  internshipId: state.internshipId,
  fromRole: feedback.from,
  rating: feedback.rating,
  comment: feedback.comment,
  endorsedSkills: feedback.endorsedSkills,
  showRatingPublicly: feedback.showRatingPublicly,
});

/** Stores the oldest feedback the Update accepted but nobody stored yet; false when there is none. */
async function storeAcceptedFeedback(state: InternshipState): Promise<boolean> {
  const feedback = state.feedbackToRecord?.[0];
  if (!feedback) return false;
  await records.recordFeedback(feedbackRow(state, feedback));
  state.feedbackToRecord!.shift();
  return true;
}

/** Waits for an ops decision, emailing ops once a day (day 1, day 2, …) until it comes. */
async function remindOpsDailyUntil(
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

/** §3.1 A fee below the floor waits for ops, who are reminded daily; approval opens the posting now. */
async function awaitFeeApproval(state: InternshipState, input: InternshipInput): Promise<boolean> {
  await remindOpsDailyUntil(state, () => state.feeDecision !== null, 'fee-exception-waiting');
  if (state.feeDecision === 'declined') return false;
  state.applicationDeadline = iso(Date.now() + input.applicationWindowMs);
  await moveTo(state, 'Open', state.applicationDeadline);
  return true;
}

/** §3.1 Ops declined the fee exception: cancelled, the employer told; nothing was charged. */
async function declineFee(state: InternshipState): Promise<InternshipOutcome> {
  await moveTo(state, 'Cancelled', null);
  await tell({ internshipId: state.internshipId, to: 'employer', kind: 'fee-declined' });
  return { status: 'Cancelled', reason: 'fee_declined' };
}

/**
 * §3.7 Disputed: ops decide the student's share (0–100%), reminded daily until they do. The rest of
 * the fee is refunded; the share is paid like a payout (less the platform share), each once.
 */
async function settleDispute(state: InternshipState): Promise<InternshipOutcome> {
  await remindOpsDailyUntil(state, () => state.resolution !== null, 'dispute-open');
  const pct = state.resolution!.studentSharePct;
  const refund = state.feeCents - Math.round((state.feeCents * pct) / 100);
  await payments.refundFee({ internshipId: state.internshipId, step: 'dispute-refund', amountCents: refund });
  for (const to of ['employer', 'student'] as const) {
    await tell({
      internshipId: state.internshipId,
      to,
      kind: 'dispute-resolved',
      facts: { audience: to, pct: String(pct) },
    });
  }
  if (pct === 0) {
    await moveTo(state, 'Cancelled', null);
    return { status: 'Cancelled', reason: 'dispute_refunded' };
  }
  await payStudent(state, pct);
  await moveTo(state, 'Completed', null);
  return { status: 'Completed', reason: 'dispute_settled' };
}

/** §3.1 No applicant at the deadline: the posting expires and the employer is told; nothing was charged. */
async function expireUnanswered(state: InternshipState): Promise<InternshipOutcome> {
  await moveTo(state, 'Expired', null);
  await mail().notifyPostingExpired(state.internshipId);
  return { status: 'Expired', reason: 'no_applicants' };
}

/** §3.2 Nobody chosen (or every offer passed): the posting expires and every applicant is told. */
async function expireUnselected(state: InternshipState): Promise<InternshipOutcome> {
  const waiting = state.applicants.filter((a) => a.status === 'submitted');
  for (const a of waiting) a.status = 'not_selected';
  if (state.funded) {
    // A re-selection found nobody: the held fee goes back in full.
    await payments.refundFee({
      internshipId: state.internshipId,
      step: 'refund',
      amountCents: state.feeCents,
    });
  }
  await moveTo(state, 'Expired', null);
  await records.recordApplicationStatus({
    applicationIds: waiting.map((a) => a.applicationId),
    status: 'not_selected',
  });
  await mail().notifyApplicantsPostingClosed(state.internshipId);
  return { status: 'Expired', reason: 'no_selection' };
}

/** Lets running update handlers complete before the workflow closes. */
async function finish(outcome: InternshipOutcome): Promise<InternshipOutcome> {
  await noticesSent();
  await condition(allHandlersFinished);
  return outcome;
}

async function setStatus(applicants: Applicant[], status: ApplicationStatus): Promise<void> {
  for (const a of applicants) a.status = status;
  await records.recordApplicationStatus({ applicationIds: applicants.map((a) => a.applicationId), status });
}

async function moveTo(
  state: InternshipState,
  status: InternshipStatus,
  nextDeadline: string | null,
  studentId?: string,
): Promise<void> {
  state.status = status;
  state.nextDeadline = nextDeadline;
  await publish(state, studentId);
}

/** Makes the state visible: search attributes for ops in the Temporal UI, the read model for the API. */
async function publish(state: InternshipState, studentId?: string): Promise<void> {
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
    dueAt: state.dueAt,
    paidBy: state.paidBy,
    applicationDeadline: state.applicationDeadline,
    version: state.version,
    task: { time: Date.now(), historyLength: workflowInfo().historyLength },
  });
}
