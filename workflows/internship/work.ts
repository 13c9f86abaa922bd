/**
 * §3.5–3.6 InProgress and InReview: the work to its due date, extensions, a missed deadline or a
 * withdrawal, the review and its rounds of changes, and cancelling with the kill fee; and what the
 * Updates of the work record for it.
 */
import { condition, patched } from '@temporalio/workflow';
import type {
  cancelUpdate,
  decideExtensionUpdate,
  InternshipInput,
  InternshipOutcome,
  InternshipState,
  missedDeadlineDecisionUpdate,
  RecoveryChoice,
  requestExtensionUpdate,
  ReviewDecision,
  reviewUpdate,
  submitWorkUpdate,
} from '../definitions';
import {
  CHANGES_WINDOW_DAYS,
  DUE_SOON_HOURS,
  GRACE_HOURS,
  KILL_FEE_PCT,
  LINK_EXTENSION_DAYS,
  RECOVERY_WINDOW_DAYS,
  REVIEW_REMINDER_DAYS,
} from '../durations';
import { formatUsd, killFeeSplit } from '../money';
import type { ArgsOf } from '../rules';
import { payments, soon, tell } from './proxies';
import { payStudent } from './payout';
import { days, hours, iso, LEAN_HISTORY, run } from './run';
import { moveDueDate, moveTo, setStatus, startWork, wordsOr } from './steps';

type WorkEnd = 'approved' | 'disputed' | 'killed' | 'refund' | 'reselect';

/**
 * §3.5–3.6 InProgress and InReview: the student works to the due date and submits; the employer
 * approves, asks for changes (at most twice) or, after the last round, rejects. A missed deadline or
 * a withdrawal hands the choice to the employer; an employer cancellation ends with the kill fee.
 */
export async function deliverAndReview(state: InternshipState, input: InternshipInput): Promise<WorkEnd> {
  startWork(state, Date.now() + input.windows.workMs);
  await moveTo(state, 'InProgress', state.work.dueAt);
  const workStarted = (to: 'student' | 'employer') =>
    tell({
      internshipId: state.internshipId,
      to,
      kind: to === 'student' ? 'work-started' : 'work-started-employer',
      occurrence: state.hiredStudentId!,
      facts: { dueAt: state.work.dueAt! },
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
        await moveTo(state, 'InProgress', state.work.dueAt);
        continue;
      } else return recovery.choice === 'reselect' ? 'reselect' : 'refund';
    }
    if (end === 'cancelled') return 'killed';

    const decision = await reviewSubmission(state, input);
    if (state.work.cancellation) return 'killed';
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
    const review = state.work.review!;
    const comments = wordsOr(review.textId, { comments: review.comments ?? '' });
    state.work.changeRounds += 1;
    state.work.submission = null;
    state.work.review = null;
    startWork(state, Date.now() + days(CHANGES_WINDOW_DAYS));
    await moveTo(state, 'InProgress', state.work.dueAt);
    await tell({
      internshipId: state.internshipId,
      to: 'student',
      kind: 'changes-requested',
      occurrence: `round${state.work.changeRounds}`,
      facts: { ...comments, dueAt: state.work.dueAt! },
    });
  }
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
    if (state.work.cancellation) return 'cancelled';
    if (state.work.submission) return 'submitted';
    if (state.work.studentWithdrew) return 'withdrawn';
    await tellExtensionOutcome(state);
    const start = Date.parse(state.work.workStartedAt!);
    const due = Date.parse(state.work.dueAt!);
    const reminders = [
      { at: start + (due - start) / 2, kind: 'work-midpoint' as const },
      { at: due - hours(DUE_SOON_HOURS), kind: 'work-due-soon' as const },
    ].filter((r) => r.at > Date.now() && !state.work.remindersSent.includes(`${r.kind}@${state.work.dueAt}`));
    const next = reminders[0];
    const wakeAt = next ? next.at : due;
    const version = state.work.dueVersion;
    const interrupted = await condition(
      () =>
        state.work.submission !== null ||
        state.work.cancellation !== null ||
        state.work.studentWithdrew ||
        state.work.dueVersion !== version ||
        state.work.lastExtensionDecision !== null ||
        (state.work.extension !== null && !state.work.extensionAnnounced),
      Math.max(0, wakeAt - Date.now()),
    );
    if (interrupted) {
      if (state.work.dueVersion !== version) await moveTo(state, 'InProgress', state.work.dueAt);
      if (state.work.extension && !state.work.extensionAnnounced) await askForExtension(state);
      continue;
    }
    if (next) {
      state.work.remindersSent.push(`${next.kind}@${state.work.dueAt}`);
      await tell({
        internshipId: state.internshipId,
        to: 'student',
        kind: next.kind,
        occurrence: `${state.hiredStudentId}:${state.work.dueAt}`,
        facts: { dueAt: state.work.dueAt! },
      });
      continue;
    }
    return 'missed';
  }
}

/** §3.5 An extension request reaches the employer with Approve and Decline links, valid until the due date. */
async function askForExtension(state: InternshipState): Promise<void> {
  state.work.extensionAnnounced = true;
  await tell({
    internshipId: state.internshipId,
    to: 'employer',
    kind: 'extension-requested',
    occurrence: `${state.work.extensionsAsked}`,
    facts: {
      newDueAt: state.work.extension!.newDueAt,
      ...wordsOr(state.work.extension!.textId, { reason: state.work.extension!.reason ?? '' }),
      dueAt: state.work.dueAt!,
    },
    links: {
      actions: ['extension.approve', 'extension.decline'],
      decisionKey: `extension:${state.internshipId}:${state.work.extensionsAsked}`,
      expiresAt: state.work.dueAt!,
    },
  });
}

/** The student hears the employer's answer to an extension request. */
async function tellExtensionOutcome(state: InternshipState): Promise<void> {
  const decision = state.work.lastExtensionDecision;
  if (!decision) return;
  state.work.lastExtensionDecision = null;
  state.work.extensionAnnounced = false;
  await tell({
    internshipId: state.internshipId,
    to: 'student',
    kind: 'extension-decided',
    occurrence: `${state.work.extensionsAsked}`,
    facts: { decision, dueAt: state.work.dueAt! },
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
      occurrence: `${to}:${state.work.dueAt}`,
      facts: { audience: to, graceEnd },
    });
  }
  await condition(
    () => state.work.submission !== null || state.work.cancellation !== null,
    hours(GRACE_HOURS),
  );
  if (state.work.cancellation) return 'cancelled';
  return state.work.submission ? 'submitted' : 'missed';
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
  state.work.awaitingRecovery = true;
  state.work.recovery = null;
  await moveTo(state, 'InProgress', decideBy);
  const actions =
    why === 'withdrawn'
      ? ['recovery.reselect', 'recovery.cancel']
      : ['recovery.extend', 'recovery.reselect', 'recovery.cancel'];
  await tell({
    internshipId: state.internshipId,
    to: 'employer',
    kind: why === 'withdrawn' ? 'student-withdrew' : 'recovery-choice',
    occurrence: `${state.hiredStudentId}:${state.work.dueAt}`,
    facts: { decideBy },
    links: {
      actions,
      decisionKey: `recovery:${state.internshipId}:${state.work.dueVersion}`,
      expiresAt: decideBy,
    },
  });
  const lateWorkCounts = () => why === 'missed' && state.work.submission !== null;
  await condition(() => state.work.recovery !== null || lateWorkCounts(), days(RECOVERY_WINDOW_DAYS));
  state.work.awaitingRecovery = false;
  if (!state.work.recovery && lateWorkCounts()) return 'submitted';
  return state.work.recovery ?? { choice: 'cancel' };
}

/** §3.5 Re-select: the hired student leaves, the others may be chosen again; the money stays held. */
export async function prepareReselection(state: InternshipState): Promise<void> {
  const leaving = state.posting.applicants.find((a) => a.studentId === state.hiredStudentId)!;
  await tell({
    internshipId: state.internshipId,
    to: 'student',
    kind: state.work.studentWithdrew ? 'withdrawal-confirmed' : 'replaced',
    occurrence: leaving.studentId,
  });
  await setStatus([leaving], state.work.studentWithdrew ? 'withdrawn' : 'not_selected');
  const again = state.posting.applicants.filter((a) => a.status === 'not_selected');
  await setStatus(again, 'submitted');
  state.hiredStudentId = null;
  Object.assign(state.work, {
    submission: null,
    review: null,
    changeRounds: 0,
    extension: null,
    extensionsAsked: 0,
    studentWithdrew: false,
    recovery: null,
  });
  Object.assign(state.selection, { shortlist: [], selectionRound: 1 });
}

/** §3.5 Cancelled with a full refund (the employer's choice, or 7 days of silence). */
export async function refundAndCancel(state: InternshipState): Promise<InternshipOutcome> {
  await payments.refundFee({ internshipId: state.internshipId, step: 'refund', amountCents: state.feeCents });
  await moveTo(state, 'Cancelled', null);
  await tell({ internshipId: state.internshipId, to: 'employer', kind: 'refunded' });
  return { status: 'Cancelled', reason: 'refunded' };
}

/**
 * §3.5 The employer (or ops) cancelled funded work: the student earns 25% (less the platform
 * share), the rest is refunded. Since OUTCOMES_TOLD the internship is Cancelled at once, the
 * employer is told the refund and the kill fee, and the payout waits beside the status.
 */
export async function payKillFee(state: InternshipState): Promise<InternshipOutcome> {
  const { refundCents: refund } = killFeeSplit(state.feeCents, KILL_FEE_PCT);
  await payments.refundFee({
    internshipId: state.internshipId,
    step: 'kill-fee-refund',
    amountCents: refund,
  });
  const { by, textId, reason: said } = state.work.cancellation!;
  const reason = wordsOr(textId, { reason: said ?? '' });
  if (!run().outcomesTold) {
    await tell({
      internshipId: state.internshipId,
      to: 'student',
      kind: 'cancelled-kill-fee',
      facts: reason,
    });
    await payStudent(state, KILL_FEE_PCT);
    await moveTo(state, 'Cancelled', null);
    return { status: 'Cancelled', reason: 'kill_fee' };
  }
  await moveTo(state, 'Cancelled', null);
  const killFee = formatUsd(state.feeCents - refund);
  await Promise.all([
    tell({
      internshipId: state.internshipId,
      to: 'student',
      kind: 'cancelled-kill-fee',
      facts: { ...reason, amount: killFee },
    }),
    tell({
      internshipId: state.internshipId,
      to: 'employer',
      kind: 'cancelled-refund',
      facts: { by, ...reason, refund: formatUsd(refund), killFee },
    }),
  ]);
  await payStudent(state, KILL_FEE_PCT, { ended: true });
  return { status: 'Cancelled', reason: 'kill_fee' };
}

/** §3.6 InReview: `reviewWindow` to decide, reminders at 2 days and 1 day left; silence approves. */
async function reviewSubmission(state: InternshipState, input: InternshipInput): Promise<ReviewDecision> {
  const end = Date.now() + input.windows.reviewMs;
  const reviewBy = iso(end);
  const round = `round${state.work.changeRounds}`;
  await moveTo(state, 'InReview', reviewBy);
  await tell({
    internshipId: state.internshipId,
    to: 'employer',
    kind: 'submitted',
    occurrence: round,
    facts: { ...wordsOr(state.work.submission!.textId, { url: state.work.submission!.url ?? '' }), reviewBy },
  });
  const reviewed = () => state.work.review !== null || state.work.cancellation !== null;
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
  if (state.work.cancellation) return 'reject';
  const decision = decided ? state.work.review!.decision : 'approve';
  if (decision === 'approve') {
    await soon(() =>
      tell({
        internshipId: state.internshipId,
        to: 'student',
        kind: 'approved',
        facts: { auto: decided ? 'false' : 'true' },
      }),
    );
  }
  return decision;
}

/** §3.5 The student asks for more time: the request waits for the employer. */
export function requestExtension(
  state: InternshipState,
  { newDueAt, textId, reason }: ArgsOf<typeof requestExtensionUpdate>,
) {
  state.work.extensionsAsked += 1;
  state.work.extension = textId ? { newDueAt, textId } : { newDueAt, reason: reason ?? '' };
  return { status: 'pending' as const };
}

/** §3.5 The employer answers the extension request: approved moves the due date. */
export function decideExtension(state: InternshipState, { approve }: ArgsOf<typeof decideExtensionUpdate>) {
  const asked = state.work.extension!;
  state.work.extension = null;
  if (approve) moveDueDate(state, asked.newDueAt);
  state.work.lastExtensionDecision = approve ? 'approved' : 'declined';
  return { dueAt: state.work.dueAt! };
}

/** §3.5 After a missed deadline or a withdrawal, the employer chooses how to go on. */
export function chooseRecovery(
  state: InternshipState,
  { choice, newDueAt }: ArgsOf<typeof missedDeadlineDecisionUpdate>,
) {
  state.work.recovery = { choice, ...(newDueAt ? { newDueAt } : {}) };
  return { choice };
}

/** §3.6 The employer (or ops) cancels funded work; the kill fee follows. */
export function cancelWork(state: InternshipState, { by, textId, reason }: ArgsOf<typeof cancelUpdate>) {
  state.work.cancellation = textId ? { by, textId } : { by, reason: reason ?? '' };
  return { status: 'Cancelled' as const };
}

/** §3.6 The student hands in the deliverable. */
export function submitWork(state: InternshipState, { textId, url, notes }: ArgsOf<typeof submitWorkUpdate>) {
  const words = textId ? { textId } : { url: url ?? '', notes: notes ?? '' };
  state.work.submission = { ...words, submittedAt: new Date().toISOString() };
  return { submittedAt: state.work.submission.submittedAt };
}

/** §3.6 The employer reviews the submission: the status each decision leads to. */
export function reviewWork(state: InternshipState, review: ArgsOf<typeof reviewUpdate>) {
  state.work.review = review;
  const next = { approve: 'Paying', request_changes: 'InProgress', reject: 'Disputed' } as const;
  return { status: next[review.decision] };
}
