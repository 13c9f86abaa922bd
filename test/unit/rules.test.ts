/**
 * Every refusal of every Update (workflows/rules.ts), from a table: the state it is judged on, the
 * arguments, and what the caller is told. Beside each rule, one case it lets through. No server.
 */
import type {
  FollowUpState,
  InternshipState,
  MoneyState,
  PostingState,
  SelectionState,
  WorkState,
} from '../../workflows/definitions';
import { openPosting } from '../../workflows/internship/posting';
import { updateRules as rules } from '../../workflows/rules';
import type { Refusal, RuleContext } from '../../workflows/rules';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

const PHASES = ['posting', 'selection', 'work', 'money', 'followUp'] as const;
/** A case names the fields it changes without their phase: `{ status, dueAt }`. */
type Change = Partial<
  Omit<InternshipState, (typeof PHASES)[number]> &
    PostingState &
    SelectionState &
    WorkState &
    MoneyState &
    FollowUpState
>;

/** A posting open for applications (as the workflow opens it) with two applicants; each case changes what it needs. */
function state(change: Change = {}): InternshipState {
  const posting = openPosting({
    internshipId: 'i-1',
    employerId: 'e-1',
    title: 'Clean a sales spreadsheet',
    feeCents: 30_000,
    estimatedHours: 10,
    skills: ['Excel'],
    maxApplicants: 25,
    applicationDeadline: iso(NOW + 7 * DAY),
    applicationWindowMs: 7 * DAY,
    feeException: false,
    windows: { selectionMs: 5 * DAY, acceptMs: 2 * DAY, workMs: 14 * DAY, reviewMs: 5 * DAY },
  });
  posting.posting.applicants = [
    { applicationId: 'a-1', studentId: 's-1', label: 'Applicant 1', status: 'submitted' },
    { applicationId: 'a-2', studentId: 's-2', label: 'Applicant 2', status: 'withdrawn' },
  ];
  posting.version = 7;
  for (const [key, value] of Object.entries(change)) {
    const phase =
      PHASES.find((p) => key in posting[p]) ?? (key === 'feedbackToRecord' ? 'followUp' : undefined);
    Object.assign(phase ? posting[phase] : posting, { [key]: value });
  }
  return posting;
}
const context = (change: Partial<RuleContext> = {}): RuleContext => ({
  now: NOW,
  maxApplicants: 25,
  reopensOnWithdrawal: true,
  ...change,
});

const working = (change: Change = {}) =>
  state({ status: 'InProgress', hiredStudentId: 's-1', dueAt: iso(NOW + 5 * DAY), funded: true, ...change });
const submission = { url: 'https://example.com/work', notes: 'done', submittedAt: iso(NOW) };
const offer = {
  applicationId: 'a-1',
  studentId: 's-1',
  expiresAt: iso(NOW + DAY),
  response: null,
  closed: false,
};
const feedback = {
  from: 'employer' as const,
  rating: 5,
  comment: 'Great',
  endorsedSkills: [],
  showRatingPublicly: false,
};
const terms = {
  role: 'Analyst',
  type: 'full_time' as const,
  payCents: 6_000_000,
  payPeriod: 'year' as const,
  startDate: '2027-01-10',
  expiresAt: iso(NOW + 10 * DAY),
};
const hiringOffer = { ...terms, offerNo: 1, response: null };

type Case = [
  rule: keyof typeof rules,
  why: string,
  state: InternshipState,
  args: unknown,
  expected: Pick<Refusal, 'type'> & { message?: RegExp },
  context?: Partial<RuleContext>,
];

/* prettier-ignore */
const refusals: Case[] = [
  ['apply', 'a second application from one student', state(), { studentId: 's-1' }, { type: 'AlreadyApplied' }],
  ['apply', 'the cap is reached', state({ applicationsClosed: true }), { studentId: 's-9' }, { type: 'PostingFull' }, { maxApplicants: 1 }],
  ['apply', 'the cap counted withdrawn applications (older runs)', state({ applicationsClosed: true }), { studentId: 's-9' }, { type: 'PostingFull' }, { maxApplicants: 2, reopensOnWithdrawal: false }],
  ['apply', 'closed with room (deadline or selection)', state({ applicationsClosed: true }), { studentId: 's-9' }, { type: 'PostingClosed' }, { maxApplicants: 2 }],
  ['apply', 'the posting is no longer open', state({ status: 'Selecting' }), { studentId: 's-9' }, { type: 'PostingClosed' }],
  ['withdrawApplication', 'no application of theirs', state(), { studentId: 's-9' }, { type: 'NotFound' }],
  ['withdrawApplication', 'the hired student withdrew already', working({ studentWithdrew: true }), { studentId: 's-1' }, { type: 'WrongState', message: /already choosing/ }],
  ['withdrawApplication', 'the employer is choosing after a missed deadline', working({ awaitingRecovery: true }), { studentId: 's-1' }, { type: 'WrongState', message: /already choosing/ }],
  ['withdrawApplication', 'an application already withdrawn', state(), { studentId: 's-2' }, { type: 'WrongState', message: /only before selection/ }],
  ['withdrawApplication', 'after selection', state({ status: 'Offered' }), { studentId: 's-1' }, { type: 'WrongState', message: /only before selection/ }],
  ['selectStudents', 'the posting is past selecting', state({ status: 'Offered' }), { applicationIds: ['a-1'] }, { type: 'WrongState', message: /while the posting is Offered/ }],
  ['selectStudents', 'a shortlist was already chosen', state({ shortlist: ['a-1'] }), { applicationIds: ['a-1'] }, { type: 'WrongState' }],
  ['selectStudents', 'no application chosen', state(), { applicationIds: [] }, { type: 'InvalidSelection', message: /between 1 and 3/ }],
  ['selectStudents', 'more than the shortlist takes', state(), { applicationIds: ['a-1', 'b', 'c', 'd'] }, { type: 'InvalidSelection', message: /between 1 and 3/ }],
  ['selectStudents', 'one application twice', state(), { applicationIds: ['a-1', 'a-1'] }, { type: 'InvalidSelection', message: /twice/ }],
  ['selectStudents', 'an unknown application', state(), { applicationIds: ['a-9'] }, { type: 'InvalidSelection', message: /a-9 cannot be selected/ }],
  ['selectStudents', 'a withdrawn application', state(), { applicationIds: ['a-2'] }, { type: 'InvalidSelection', message: /a-2 cannot be selected/ }],
  ['respondToOffer', 'no offer made', state({ status: 'Offered' }), { studentId: 's-1', accept: true }, { type: 'NotOffered' }],
  ['respondToOffer', 'the offer lapsed or was answered', state({ status: 'Offered', offer: { ...offer, closed: true } }), { studentId: 's-1', accept: true }, { type: 'NotOffered' }],
  ['respondToOffer', 'the offer is someone else\'s', state({ status: 'Offered', offer }), { studentId: 's-2', accept: true }, { type: 'NotOffered' }],
  ['respondToOffer', 'the posting no longer shows Offered', state({ status: 'Funding', offer }), { studentId: 's-1', accept: true }, { type: 'NotOffered' }],
  ['openPaymentPage', 'the fee is not waiting', state({ status: 'InProgress' }), { successUrl: 'x', cancelUrl: 'y' }, { type: 'WrongState' }],
  ['openPaymentPage', 'the payment arrived', state({ status: 'Funding', nextDeadline: iso(NOW + 3 * DAY), paymentReceived: { paymentIntentId: 'pi', amountCents: 1 } }), { successUrl: 'x', cancelUrl: 'y' }, { type: 'WrongState' }],
  ['openPaymentPage', 'the saved card is still being charged', state({ status: 'Funding', nextDeadline: null }), { successUrl: 'x', cancelUrl: 'y' }, { type: 'WrongState' }],
  ['openPayoutOnboarding', 'no payout waiting', state({ status: 'Completed' }), { refreshUrl: 'x', returnUrl: 'y' }, { type: 'WrongState' }],
  ['openPayoutOnboarding', 'the account is ready', state({ status: 'Paying', payoutAccountReady: true }), { refreshUrl: 'x', returnUrl: 'y' }, { type: 'WrongState' }],
  ['openPayoutOnboarding', 'a kill fee already sent', state({ status: 'Cancelled', payout: 'sent' }), { refreshUrl: 'x', returnUrl: 'y' }, { type: 'WrongState' }],
  ['requestExtension', 'not the hired student', working(), { studentId: 's-2', newDueAt: iso(NOW + 6 * DAY), reason: 'r' }, { type: 'NotFound' }],
  ['requestExtension', 'not while working', working({ status: 'InReview' }), { studentId: 's-1', newDueAt: iso(NOW + 6 * DAY), reason: 'r' }, { type: 'WrongState', message: /only while working/ }],
  ['requestExtension', 'the employer is choosing how to go on', working({ awaitingRecovery: true }), { studentId: 's-1', newDueAt: iso(NOW + 6 * DAY), reason: 'r' }, { type: 'WrongState', message: /only while working/ }],
  ['requestExtension', 'the work is submitted', working({ submission }), { studentId: 's-1', newDueAt: iso(NOW + 6 * DAY), reason: 'r' }, { type: 'WrongState', message: /only while working/ }],
  ['requestExtension', 'one already waits', working({ extension: { newDueAt: iso(NOW + 6 * DAY), reason: 'r' } }), { studentId: 's-1', newDueAt: iso(NOW + 6 * DAY), reason: 'r' }, { type: 'WrongState', message: /already waiting/ }],
  ['requestExtension', 'both extensions used', working({ extensionsAsked: 2 }), { studentId: 's-1', newDueAt: iso(NOW + 6 * DAY), reason: 'r' }, { type: 'WrongState', message: /At most 2/ }],
  ['requestExtension', 'a date before the due date', working(), { studentId: 's-1', newDueAt: iso(NOW + 4 * DAY), reason: 'r' }, { type: 'InvalidDate' }],
  ['requestExtension', 'more than 14 days later', working(), { studentId: 's-1', newDueAt: iso(NOW + 20 * DAY), reason: 'r' }, { type: 'InvalidDate', message: /at most 14 days later/ }],
  ['decideExtension', 'none waiting', working(), { approve: true, via: 'api' }, { type: 'WrongState' }],
  ['decideExtension', 'no longer working', working({ status: 'InReview', extension: { newDueAt: iso(NOW + 6 * DAY), reason: 'r' } }), { approve: true, via: 'api' }, { type: 'WrongState' }],
  ['missedDeadlineDecision', 'no decision waiting', working(), { choice: 'cancel', via: 'api' }, { type: 'WrongState', message: /No decision/ }],
  ['missedDeadlineDecision', 'already decided', working({ awaitingRecovery: true, recovery: { choice: 'cancel' } }), { choice: 'cancel', via: 'api' }, { type: 'WrongState', message: /No decision/ }],
  ['missedDeadlineDecision', 'extend after the student withdrew', working({ awaitingRecovery: true, studentWithdrew: true }), { choice: 'extend', via: 'api' }, { type: 'WrongState', message: /re-select or cancel/ }],
  ['missedDeadlineDecision', 'extend to a date passed', working({ awaitingRecovery: true }), { choice: 'extend', newDueAt: iso(NOW - DAY), via: 'api' }, { type: 'InvalidDate' }],
  ['missedDeadlineDecision', 'extend beyond 14 days', working({ awaitingRecovery: true }), { choice: 'extend', newDueAt: iso(NOW + 15 * DAY), via: 'api' }, { type: 'InvalidDate', message: /next 14 days/ }],
  ['giveFeedback', 'before completion', working(), feedback, { type: 'WrongState', message: /once the work is completed/ }],
  ['giveFeedback', 'a second time', state({ status: 'Completed', feedbackGiven: { employer: true, student: false } }), feedback, { type: 'WrongState', message: /already given/ }],
  ['makeHiringOffer', 'before completion', working(), terms, { type: 'WrongState', message: /follows completed work/ }],
  ['makeHiringOffer', 'one already made', state({ status: 'Completed', hiringOffer }), terms, { type: 'WrongState', message: /already made/ }],
  ['makeHiringOffer', 'expiring in the past', state({ status: 'Completed' }), { ...terms, expiresAt: iso(NOW - 1) }, { type: 'InvalidDate' }],
  ['makeHiringOffer', 'expiring after 30 days', state({ status: 'Completed' }), { ...terms, expiresAt: iso(NOW + 31 * DAY) }, { type: 'InvalidDate', message: /within 30 days/ }],
  ['respondToHiringOffer', 'no offer', state({ status: 'Completed', hiredStudentId: 's-1' }), { studentId: 's-1', accept: true, via: 'api' }, { type: 'NotOffered' }],
  ['respondToHiringOffer', 'already answered', state({ status: 'Completed', hiredStudentId: 's-1', hiringOffer: { ...hiringOffer, response: 'declined' } }), { studentId: 's-1', accept: true, via: 'api' }, { type: 'NotOffered' }],
  ['respondToHiringOffer', 'not the hired student', state({ status: 'Completed', hiredStudentId: 's-1', hiringOffer }), { studentId: 's-2', accept: true, via: 'api' }, { type: 'NotOffered' }],
  ['decideFeeException', 'none waiting', state(), { approve: true }, { type: 'WrongState' }],
  ['decideFeeException', 'already decided', state({ status: 'AwaitingApproval', feeDecision: 'approved' }), { approve: true }, { type: 'WrongState' }],
  ['resolveDispute', 'no dispute', working(), { studentSharePct: 50 }, { type: 'WrongState' }],
  ['resolveDispute', 'already resolved', state({ status: 'Disputed', resolution: { studentSharePct: 10 } }), { studentSharePct: 50 }, { type: 'WrongState' }],
  ['resolveDispute', 'a fraction of a percent', state({ status: 'Disputed' }), { studentSharePct: 12.5 }, { type: 'InvalidSelection' }],
  ['resolveDispute', 'over 100', state({ status: 'Disputed' }), { studentSharePct: 101 }, { type: 'InvalidSelection' }],
  ['cancel', 'before the work started', state({ status: 'Funding' }), { by: 'employer', reason: 'r' }, { type: 'WrongState', message: /not Funding/ }],
  ['cancel', 'already cancelled', working({ cancellation: { by: 'ops', reason: 'r' } }), { by: 'employer', reason: 'r' }, { type: 'WrongState' }],
  ['cancel', 'while the employer chooses how to go on', working({ awaitingRecovery: true }), { by: 'employer', reason: 'r' }, { type: 'WrongState' }],
  ['submitWork', 'not the hired student', working(), { studentId: 's-2', url: 'u', notes: 'n' }, { type: 'NotFound' }],
  ['submitWork', 'not while working', working({ status: 'InReview' }), { studentId: 's-1', url: 'u', notes: 'n' }, { type: 'WrongState', message: /while the internship is InReview/ }],
  ['submitWork', 'already submitted', working({ submission }), { studentId: 's-1', url: 'u', notes: 'n' }, { type: 'WrongState' }],
  ['submitWork', 'after withdrawing', working({ studentWithdrew: true }), { studentId: 's-1', url: 'u', notes: 'n' }, { type: 'WrongState', message: /You withdrew/ }],
  ['review', 'nothing submitted', working(), { decision: 'approve', comments: '' }, { type: 'WrongState', message: /Nothing is waiting for review/ }],
  ['review', 'the submitter withdrew', working({ submission, studentWithdrew: true }), { decision: 'approve', comments: '' }, { type: 'WrongState' }],
  ['review', 'already reviewed', state({ status: 'InReview', review: { decision: 'approve', comments: '' } }), { decision: 'approve', comments: '' }, { type: 'WrongState' }],
  ['review', 'cancelled meanwhile', state({ status: 'InReview', cancellation: { by: 'employer', reason: 'r' } }), { decision: 'approve', comments: '' }, { type: 'WrongState' }],
  ['review', 'a third round of changes', state({ status: 'InReview', changeRounds: 2 }), { decision: 'request_changes', comments: 'c' }, { type: 'WrongState', message: /2 times already/ }],
  ['review', 'reject before the last round', state({ status: 'InReview', changeRounds: 1 }), { decision: 'reject', comments: 'c' }, { type: 'WrongState', message: /only after the last round/ }],
];

/* prettier-ignore */
const allowed: [rule: keyof typeof rules, why: string, state: InternshipState, args: unknown, context?: Partial<RuleContext>][] = [
  ['apply', 'a new student while open', state(), { studentId: 's-9' }],
  ['withdrawApplication', 'a waiting application', state(), { studentId: 's-1' }],
  ['withdrawApplication', 'the hired student from the work', working(), { studentId: 's-1' }],
  ['selectStudents', 'a ranked shortlist', state({ status: 'Selecting' }), { applicationIds: ['a-1'] }],
  ['respondToOffer', 'the offered student', state({ status: 'Offered', offer }), { studentId: 's-1', accept: false }],
  ['openPaymentPage', 'after the saved card failed', state({ status: 'Funding', nextDeadline: iso(NOW + 3 * DAY) }), { successUrl: 'x', cancelUrl: 'y' }],
  ['openPayoutOnboarding', 'while paying', state({ status: 'Paying' }), { refreshUrl: 'x', returnUrl: 'y' }],
  ['openPayoutOnboarding', 'a kill fee waiting beside Cancelled', state({ status: 'Cancelled', payout: 'pending' }), { refreshUrl: 'x', returnUrl: 'y' }],
  ['requestExtension', 'a week later', working(), { studentId: 's-1', newDueAt: iso(NOW + 12 * DAY), reason: 'r' }],
  ['decideExtension', 'one waiting', working({ extension: { newDueAt: iso(NOW + 6 * DAY), reason: 'r' } }), { approve: false, via: 'email' }],
  ['missedDeadlineDecision', 'extend by the default', working({ awaitingRecovery: true }), { choice: 'extend', via: 'api' }],
  ['giveFeedback', 'the other side', state({ status: 'Completed', feedbackGiven: { employer: false, student: true } }), feedback],
  ['makeHiringOffer', 'again after one expired', state({ status: 'Completed', hiringOffer: { ...hiringOffer, response: 'expired' } }), terms],
  ['respondToHiringOffer', 'the hired student', state({ status: 'Completed', hiredStudentId: 's-1', hiringOffer }), { studentId: 's-1', accept: true, via: 'email' }],
  ['decideFeeException', 'waiting', state({ status: 'AwaitingApproval' }), { approve: false }],
  ['resolveDispute', 'a share of 0', state({ status: 'Disputed' }), { studentSharePct: 0 }],
  ['cancel', 'in review', state({ status: 'InReview' }), { by: 'ops', reason: 'r' }],
  ['submitWork', 'while working', working(), { studentId: 's-1', url: 'u', notes: 'n' }],
  ['review', 'a submission before InReview is published', working({ submission }), { decision: 'approve', comments: '' }],
  ['review', 'reject after the last round', state({ status: 'InReview', changeRounds: 2 }), { decision: 'reject', comments: 'c' }],
];

type AnyRule = (state: InternshipState, args: unknown, context: RuleContext) => Refusal | undefined;
const judge = (rule: keyof typeof rules, s: InternshipState, args: unknown, c?: Partial<RuleContext>) =>
  (rules[rule] as AnyRule)(s, args, context(c));

// Rows as objects: jest would take a missing last column of an array row for a `done` callback.
const refusalRows = refusals.map(([rule, why, s, args, expected, c]) => ({
  rule,
  why,
  s,
  args,
  expected,
  c,
}));
const allowedRows = allowed.map(([rule, why, s, args, c]) => ({ rule, why, s, args, c }));

test.each(refusalRows)('$rule refuses $why', ({ rule, s, args, expected, c }) => {
  const refusal = judge(rule, s, args, c);
  expect(refusal?.type).toBe(expected.type);
  if (expected.message) expect(refusal?.message).toMatch(expected.message);
});

test.each(allowedRows)('$rule allows $why', ({ rule, s, args, c }) => {
  expect(judge(rule, s, args, c)).toBeUndefined();
});

test('every rule is in both tables', () => {
  const names = Object.keys(rules).sort();
  expect([...new Set(refusals.map(([rule]) => rule))].sort()).toEqual(names);
  expect([...new Set(allowed.map(([rule]) => rule))].sort()).toEqual(names);
});
