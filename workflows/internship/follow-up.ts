/**
 * §3.9–3.10 Completed: the student's credential is signed; feedback stays double-blind until both
 * gave it or 14 days passed; the employer is nudged at 7 and 30 days to hire; a hiring offer is
 * answered or expires. Closed at 90 days, or as soon as an offer is answered. Feedback, the offer
 * and its answer arrive as Updates.
 */
import { condition, patched } from '@temporalio/workflow';
import type {
  FeedbackInput,
  InternshipOutcome,
  InternshipState,
  makeHiringOfferUpdate,
  respondToHiringOfferUpdate,
} from '../definitions';
import { FEEDBACK_BLIND_DAYS, FOLLOW_UP_DAYS, HIRING_NUDGE_DAYS } from '../durations';
import { formatUsd } from '../money';
import type { ArgsOf } from '../rules';
import { handlerRecords, noticesSent, records, tell } from './proxies';
import { days, iso, LEAN_HISTORY } from './run';
import { moveTo, wordsOr } from './steps';

type HiringOffer = NonNullable<InternshipState['followUp']['hiringOffer']>;

/** The clock of the follow-up: when the work was completed, and what falls due after it. */
interface FollowUpClock {
  completedAt: number;
  revealAt: number;
  closeAt: number;
  /** What the credential states, re-signed when feedback is revealed; null when none was issued. */
  credential: { internshipId: string; completedAt: string; startedAt: string | null } | null;
}

/** `credential`: false after a dispute settled with part of the fee (the work was not accepted in full). */
export async function followUp(
  state: InternshipState,
  { credential }: { credential: boolean } = { credential: true },
): Promise<InternshipOutcome> {
  const clock = credential ? await issueCredential(state) : startClock(null);
  let announcedOfferNo = 0;

  for (;;) {
    if (await storeAcceptedFeedback(state)) continue;
    const offer = state.followUp.hiringOffer;
    // An offer is announced (stored, student emailed) before its answer is recorded, even when
    // both are waiting: a quick student may answer through the API before the email went out.
    if (offer && offer.offerNo !== announcedOfferNo) {
      announcedOfferNo = offer.offerNo;
      await announceHiringOffer(state, offer);
      continue;
    }
    if (offer?.response === 'accepted' || offer?.response === 'declined') {
      await recordHiringAnswer(state, offer, offer.response);
      break;
    }
    if (Date.now() >= clock.closeAt) break;
    if (offer && !offer.response && Date.now() >= Date.parse(offer.expiresAt)) {
      offer.response = 'expired';
      await records.recordHiringOutcome({
        internshipId: state.internshipId,
        offerNo: offer.offerNo,
        outcome: 'expired',
      });
      continue;
    }
    if (await revealFeedbackWhenDue(state, clock)) continue;
    if (await nudgeToHireWhenDue(state, clock, offer)) continue;
    await nextFollowUpEvent(state, clock, offer);
  }
  while (await storeAcceptedFeedback(state));
  await moveTo(state, 'Closed', null);
  const hired = state.followUp.hiringOffer?.response === 'accepted';
  return { status: 'Closed', reason: hired ? 'hired' : 'follow_up_ended' };
}

/** The credential is signed and the student told; the follow-up's clock starts. */
async function issueCredential(state: InternshipState): Promise<FollowUpClock> {
  const completedAt = Date.now();
  const credential = {
    internshipId: state.internshipId,
    completedAt: iso(completedAt),
    startedAt: state.work.workStartedAt,
  };
  await records.issueCredential(credential);
  await tell({ internshipId: state.internshipId, to: 'student', kind: 'credential-issued' });
  await noticesSent();
  return startClock(credential, completedAt);
}

function startClock(credential: FollowUpClock['credential'], completedAt = Date.now()): FollowUpClock {
  return {
    completedAt,
    revealAt: completedAt + days(FEEDBACK_BLIND_DAYS),
    closeAt: completedAt + days(FOLLOW_UP_DAYS),
    credential,
  };
}

/** §3.10 The employer's hiring offer is stored and the student emailed Accept and Decline links. */
async function announceHiringOffer(state: InternshipState, offer: HiringOffer): Promise<void> {
  await records.recordHiringOffer({ internshipId: state.internshipId, offerNo: offer.offerNo, offer });
  await tell({
    internshipId: state.internshipId,
    to: 'student',
    kind: 'hiring-offer',
    occurrence: String(offer.offerNo),
    facts: {
      ...wordsOr(offer.textId, {
        role: offer.role ?? '',
        pay: `${formatUsd(offer.payCents ?? 0)} per ${offer.payPeriod ?? ''}`,
        startDate: offer.startDate ?? '',
      }),
      expiresAt: offer.expiresAt,
    },
    links: {
      actions: ['hiring.accept', 'hiring.decline'],
      decisionKey: `hiring:${state.internshipId}:${offer.offerNo}`,
      expiresAt: offer.expiresAt,
    },
  });
}

/** §3.10 The student answered: recorded, and the employer told. */
async function recordHiringAnswer(
  state: InternshipState,
  offer: HiringOffer,
  answer: 'accepted' | 'declined',
): Promise<void> {
  await records.recordHiringOutcome({
    internshipId: state.internshipId,
    offerNo: offer.offerNo,
    outcome: answer,
  });
  await tell({
    internshipId: state.internshipId,
    to: 'employer',
    kind: 'hiring-answered',
    facts: { answer, ...wordsOr(offer.textId, { role: offer.role ?? '' }) },
  });
}

/** §3.9 Both gave feedback, or 14 days passed: each side's is shown to the other, the credential re-signed. */
async function revealFeedbackWhenDue(state: InternshipState, clock: FollowUpClock): Promise<boolean> {
  const bothGave = state.followUp.feedbackGiven.employer && state.followUp.feedbackGiven.student;
  if (state.followUp.feedbackRevealed || !(bothGave || Date.now() >= clock.revealAt)) return false;
  state.followUp.feedbackRevealed = true;
  await records.revealFeedback(state.internshipId);
  if (clock.credential) await records.issueCredential(clock.credential);
  const reveal = (to: 'employer' | 'student') =>
    tell({ internshipId: state.internshipId, to, kind: 'feedback-revealed', facts: { audience: to } });
  if (patched(LEAN_HISTORY)) {
    await Promise.all([reveal('employer'), reveal('student')]);
  } else {
    for (const to of ['employer', 'student'] as const) await reveal(to);
  }
  return true;
}

/** §3.10 A nudge to hire falls due: the employer is emailed unless an offer is already made. */
async function nudgeToHireWhenDue(
  state: InternshipState,
  clock: FollowUpClock,
  offer: HiringOffer | null,
): Promise<boolean> {
  const nudge = HIRING_NUDGE_DAYS.find(
    (d) => !state.followUp.nudgesSent.includes(d) && Date.now() >= clock.completedAt + days(d),
  );
  if (nudge === undefined) return false;
  state.followUp.nudgesSent.push(nudge);
  if (!offer) {
    await tell({
      internshipId: state.internshipId,
      to: 'employer',
      kind: 'hiring-nudge',
      occurrence: `${nudge}d`,
      facts: { days: String(nudge) },
    });
  }
  return true;
}

/** Sleeps until the next thing due, or until an offer, an answer or feedback arrives. */
async function nextFollowUpEvent(
  state: InternshipState,
  clock: FollowUpClock,
  offer: HiringOffer | null,
): Promise<void> {
  const wakeups = [
    clock.closeAt,
    ...(state.followUp.feedbackRevealed ? [] : [clock.revealAt]),
    ...HIRING_NUDGE_DAYS.filter((d) => !state.followUp.nudgesSent.includes(d)).map(
      (d) => clock.completedAt + days(d),
    ),
    ...(offer && !offer.response ? [Date.parse(offer.expiresAt)] : []),
  ];
  const wakeAt = Math.min(...wakeups);
  const seen = {
    offer: state.followUp.hiringOffer,
    response: state.followUp.hiringOffer?.response,
    given: { ...state.followUp.feedbackGiven },
  };
  await condition(
    () =>
      state.followUp.hiringOffer !== seen.offer ||
      state.followUp.hiringOffer?.response !== seen.response ||
      state.followUp.feedbackGiven.employer !== seen.given.employer ||
      state.followUp.feedbackGiven.student !== seen.given.student,
    Math.max(0, wakeAt - Date.now()),
  );
}

/** The feedback row to store: its words by the id of their text (a run from before: the words). */
const feedbackRow = (state: InternshipState, feedback: FeedbackInput) => ({
  internshipId: state.internshipId,
  fromRole: feedback.from,
  rating: feedback.rating,
  ...(feedback.textId
    ? { textId: feedback.textId }
    : { comment: feedback.comment ?? '', endorsedSkills: feedback.endorsedSkills ?? [] }),
  showRatingPublicly: feedback.showRatingPublicly,
});

/** Stores the oldest feedback the Update accepted but nobody stored yet; false when there is none. */
async function storeAcceptedFeedback(state: InternshipState): Promise<boolean> {
  const feedback = state.followUp.feedbackToRecord?.[0];
  if (!feedback) return false;
  await records.recordFeedback(feedbackRow(state, feedback));
  state.followUp.feedbackToRecord!.shift();
  return true;
}

/** §3.9 Feedback from either side: counted at once, stored by the follow-up loop (older runs: here). */
export async function giveFeedback(state: InternshipState, feedback: FeedbackInput) {
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
}

/** §3.10 The employer makes a hiring offer: numbered after any earlier one, announced by the loop. */
export function makeHiringOffer(state: InternshipState, terms: ArgsOf<typeof makeHiringOfferUpdate>) {
  state.followUp.hiringOffer = {
    ...terms,
    offerNo: (state.followUp.hiringOffer?.offerNo ?? 0) + 1,
    response: null,
  };
  return { expiresAt: terms.expiresAt };
}

/** §3.10 The student answers the hiring offer; the loop records it and tells the employer. */
export function respondToHiringOffer(
  state: InternshipState,
  { accept }: ArgsOf<typeof respondToHiringOfferUpdate>,
) {
  state.followUp.hiringOffer!.response = accept ? 'accepted' : 'declined';
  return { accepted: accept };
}
