/**
 * The words of each notice (workflows/notices.ts): one template per kind, typed by the facts that
 * kind carries, with the windows read from workflows/durations.ts so the emails say what the
 * workflow does.
 */
import {
  FEEDBACK_BLIND_DAYS,
  DUE_SOON_HOURS,
  HIRING_OFFER_MAX_DAYS,
  KILL_FEE_PCT,
  LINK_EXTENSION_DAYS,
  PAY_LINK_WINDOW_DAYS,
} from '../workflows/durations';
import { forPeople } from '../lib/dates';
import type { NoticeFacts, NoticeKind } from '../workflows/notices';
import * as emails from './emails';

/** The words on the buttons of action links. */
export const ACTION_LABELS: Record<string, string> = {
  'funding.pay': 'Pay now',
  'payout.onboard': 'Set up payouts',
  'extension.approve': 'Approve the new due date',
  'extension.decline': 'Keep the current due date',
  'recovery.extend': `Extend by ${LINK_EXTENSION_DAYS} days`,
  'recovery.reselect': 'Choose another applicant (the fee stays held)',
  'recovery.cancel': 'Cancel with a full refund',
  'hiring.accept': 'Accept the job offer',
  'hiring.decline': 'Decline the job offer',
};

/** What every notice's email may say about its posting, looked up by the send activity. */
export interface PostingFacts {
  internshipId: string;
  title: string;
  company: string;
  employerName: string;
  studentName: string;
  fee: string;
  postingUrl: string;
  /** The recipient's time zone (UTC for ops): every date in the email is written in it. */
  timeZone: string;
}

const toStudent = (f: PostingFacts) => `Hi ${f.studentName?.split(' ')[0] ?? ''},`;
const toEmployer = (f: PostingFacts) => `Hello ${f.employerName},`;
/** A date fact (an ISO string from the workflow) as the recipient reads it. */
const dateFor = (f: PostingFacts, iso: string) => forPeople(iso, f.timeZone);

/** A notice's facts once its words were read from their text: what a template writes from. */
export type ResolvedFacts<K extends NoticeKind> = Exclude<NoticeFacts[K], { textId: string }>;

type Templates = { [K in NoticeKind]: (f: PostingFacts & ResolvedFacts<K>) => emails.EmailContent };

/** What each side of a settled dispute is told: the share and the refund, in money. */
function disputeOutcome(
  audience: 'employer' | 'student',
  pct: string,
  share: string,
  refund: string,
): string[] {
  if (audience === 'employer') {
    return [
      `Our operations team decided that the student receives ${pct}% of the fee: ${share}.`,
      pct === '100' ? 'Nothing is refunded.' : `${refund} is refunded to the card you paid with.`,
    ];
  }
  return [
    pct === '0'
      ? 'Our operations team decided that the fee goes back to the employer in full; you receive nothing from it.'
      : `Our operations team decided that you receive ${pct}% of the fee: ${share}, less the platform share. We will send it to your payout account.`,
  ];
}

const templates: Templates = {
  'pay-link': (f) =>
    emails.notice({
      subject: `Action needed: pay ${f.fee} for "${f.title}"`,
      greeting: toEmployer(f),
      lines: [
        `We could not charge your saved card for "${f.title}" (${f.reason ?? 'declined'}).`,
        `Please pay ${f.fee} by ${dateFor(f, f.deadline)}. Your student is waiting to start; if the fee is not paid by then, the micro-internship is cancelled.`,
      ],
    }),
  'unfunded-employer': (f) =>
    emails.notice({
      subject: `"${f.title}" was cancelled: the fee was not paid`,
      greeting: toEmployer(f),
      lines: [
        `The fee for "${f.title}" was not paid within ${PAY_LINK_WINDOW_DAYS} days, so the micro-internship is cancelled. Nothing was charged.`,
      ],
    }),
  'unfunded-student': (f) =>
    emails.notice({
      subject: `"${f.title}" will not go ahead`,
      greeting: toStudent(f),
      lines: [
        `We are sorry: ${f.company} did not fund "${f.title}", so it is cancelled. This was not about your work.`,
        'New micro-internships are posted every week.',
      ],
    }),
  'work-started': (f) =>
    emails.notice({
      subject: `You can start "${f.title}": due ${dateFor(f, f.dueAt)}`,
      greeting: toStudent(f),
      lines: [
        `${f.company} has funded "${f.title}" (${f.fee}). The deliverable is due ${dateFor(f, f.dueAt)}.`,
      ],
      link: { href: f.postingUrl, label: 'The brief' },
    }),
  'work-started-employer': (f) =>
    emails.notice({
      subject: `${f.studentName} has started "${f.title}"`,
      greeting: toEmployer(f),
      lines: [
        `Your payment of ${f.fee} is held until the work is approved, and ${f.studentName} has started. The deliverable is due ${dateFor(f, f.dueAt)}.`,
      ],
    }),
  'work-midpoint': (f) =>
    emails.notice({
      subject: `Halfway there: "${f.title}" is due ${dateFor(f, f.dueAt)}`,
      greeting: toStudent(f),
      lines: [
        `You are halfway to the due date of "${f.title}" (${dateFor(f, f.dueAt)}). If you need more time, ask for an extension now.`,
      ],
    }),
  'work-due-soon': (f) =>
    emails.notice({
      subject: `Due in ${DUE_SOON_HOURS} hours: "${f.title}"`,
      greeting: toStudent(f),
      lines: [
        `"${f.title}" is due ${dateFor(f, f.dueAt)}. Submit a link to your deliverable with a few notes.`,
      ],
    }),
  submitted: (f) =>
    emails.notice({
      subject: `Submitted for review: "${f.title}"`,
      greeting: toEmployer(f),
      lines: [
        `${f.studentName} submitted the deliverable for "${f.title}": ${f.url}`,
        `Please approve it or ask for changes by ${dateFor(f, f.reviewBy)}. If we hear nothing by then, it is approved automatically and the student is paid.`,
      ],
    }),
  'review-reminder': (f) =>
    emails.notice({
      subject: `${f.daysLeft === '1' ? '1 day' : `${f.daysLeft} days`} left to review "${f.title}"`,
      greeting: toEmployer(f),
      lines: [
        `Your review of "${f.title}" is due ${dateFor(f, f.reviewBy)}. Without a decision by then, the work is approved automatically.`,
      ],
    }),
  'changes-requested': (f) =>
    emails.notice({
      subject: `Changes requested on "${f.title}"`,
      greeting: toStudent(f),
      lines: [`${f.company} asked for changes: ${f.comments}`, `Please resubmit by ${dateFor(f, f.dueAt)}.`],
    }),
  disputed: (f) =>
    emails.notice({
      subject: `"${f.title}" is with our team for a decision`,
      greeting: f.audience === 'employer' ? toEmployer(f) : toStudent(f),
      lines: [
        'The work was rejected after the last round of changes. Our operations team will review it and decide how the fee is shared; the money stays held until then.',
      ],
    }),
  approved: (f) =>
    emails.notice({
      subject: `Approved: "${f.title}"`,
      greeting: toStudent(f),
      lines: [
        `Your work on "${f.title}" was approved${f.auto === 'true' ? ' (the review window ended without objections)' : ''}. Your payment is on its way.`,
      ],
    }),
  'payout-onboarding': (f) =>
    emails.notice({
      subject: `Set up payouts to receive your pay for "${f.title}"`,
      greeting: toStudent(f),
      lines: [
        'To receive your pay we need a payout account. It takes a few minutes with our payments partner, Stripe.',
      ],
    }),
  'extension-requested': (f) =>
    emails.notice({
      subject: `${f.studentName} asks for more time on "${f.title}"`,
      greeting: toEmployer(f),
      lines: [
        `${f.studentName} asks to move the due date of "${f.title}" from ${dateFor(f, f.dueAt)} to ${dateFor(f, f.newDueAt)}.`,
        `Their reason: ${f.reason}`,
        'Please answer before the current due date.',
      ],
    }),
  'extension-decided': (f) =>
    emails.notice({
      subject:
        f.decision === 'approved'
          ? `Extension approved: "${f.title}" is now due ${dateFor(f, f.dueAt)}`
          : `Extension declined for "${f.title}"`,
      greeting: toStudent(f),
      lines: [
        f.decision === 'approved'
          ? `${f.company} approved your extension. The new due date is ${dateFor(f, f.dueAt)}.`
          : `${f.company} could not extend the due date. It stays ${dateFor(f, f.dueAt)}.`,
      ],
    }),
  'deadline-missed': (f) =>
    emails.notice({
      subject: `The due date of "${f.title}" has passed`,
      greeting: f.audience === 'employer' ? toEmployer(f) : toStudent(f),
      lines: [
        f.audience === 'employer'
          ? `The deliverable for "${f.title}" was not submitted by its due date. The student has until ${dateFor(f, f.graceEnd)} to submit; then we will ask you how to go on. Your money stays held.`
          : `The due date of "${f.title}" has passed without a submission. You can still submit until ${dateFor(f, f.graceEnd)}.`,
      ],
    }),
  'recovery-choice': (f) =>
    emails.notice({
      subject: `How should "${f.title}" go on?`,
      greeting: toEmployer(f),
      lines: [
        `The work on "${f.title}" was not submitted, even after the grace period. Please choose by ${dateFor(f, f.decideBy)}: extend the due date, choose another applicant (your fee stays held), or cancel with a full refund.`,
        'If we hear nothing by then, the micro-internship is cancelled and the fee refunded in full.',
      ],
    }),
  'student-withdrew': (f) =>
    emails.notice({
      subject: `${f.studentName} withdrew from "${f.title}"`,
      greeting: toEmployer(f),
      lines: [
        `${f.studentName} can no longer complete "${f.title}". Please choose by ${dateFor(f, f.decideBy)}: another applicant (your fee stays held) or a full refund.`,
        'If we hear nothing by then, the fee is refunded in full.',
      ],
    }),
  'withdrawal-confirmed': (f) =>
    emails.notice({
      subject: `You have withdrawn from "${f.title}"`,
      greeting: toStudent(f),
      lines: [
        'Thank you for telling the employer. Your withdrawal is recorded; nothing more is needed from you.',
      ],
    }),
  replaced: (f) =>
    emails.notice({
      subject: `"${f.title}" has moved on`,
      greeting: toStudent(f),
      lines: [
        `As the work was not submitted, ${f.company} has chosen to continue "${f.title}" with another applicant.`,
      ],
    }),
  refunded: (f) =>
    emails.notice({
      subject: `Refunded: "${f.title}" is cancelled`,
      greeting: toEmployer(f),
      lines: [`"${f.title}" is cancelled and the fee of ${f.fee} is refunded in full.`],
    }),
  'cancelled-kill-fee': (f) =>
    emails.notice({
      subject: `"${f.title}" was cancelled: you receive a kill fee`,
      greeting: toStudent(f),
      lines: [
        `${f.company} cancelled "${f.title}" (${f.reason}).`,
        f.amount
          ? `For the time you already put in, you receive ${KILL_FEE_PCT}% of the fee (${f.amount}), less the platform share. We will send it to your payout account.`
          : `For the time you already put in, you receive ${KILL_FEE_PCT}% of the fee, less the platform share. We will send it to your payout account.`,
      ],
    }),
  'fee-exception-waiting': (f) =>
    emails.notice({
      subject: `Waiting for ops: a fee below the floor on "${f.title}" (day ${f.days})`,
      greeting: 'Hello ops,',
      lines: [
        `${f.company} asked for an exception to the fair-pay floor for "${f.title}" (${f.fee}). It has waited ${f.days} day(s).`,
        'Approve or decline it from its page in the ops dashboard.',
      ],
      link: { href: f.postingUrl, label: 'The posting' },
    }),
  'fee-declined': (f) =>
    emails.notice({
      subject: `"${f.title}" was not approved`,
      greeting: toEmployer(f),
      lines: [
        `Every micro-internship on the platform is paid fairly. The fee of ${f.fee} for "${f.title}" is below our hourly floor and the exception was declined, so the posting is cancelled. Nothing was charged.`,
        'You are welcome to post it again with a fee at or above the floor.',
      ],
    }),
  'fee-approved': (f) =>
    emails.notice({
      subject: `"${f.title}" is approved and open for applications`,
      greeting: toEmployer(f),
      lines: [
        `Our operations team approved the fee of ${f.fee} for "${f.title}", below the usual hourly floor. The posting is open now, and students can apply until ${dateFor(f, f.applicationDeadline)}.`,
        'Nothing is charged until you select a student and they accept.',
      ],
      link: { href: f.postingUrl, label: 'The posting' },
    }),
  'dispute-open': (f) =>
    emails.notice({
      subject: `Dispute open for ${f.days} day(s): "${f.title}"`,
      greeting: 'Hello ops,',
      lines: [
        `The work on "${f.title}" (${f.company}, ${f.fee}) was rejected after the last round of changes and waits for your decision.`,
        "Resolve it with the student's share from its page in the ops dashboard.",
      ],
      link: { href: f.postingUrl, label: 'The internship' },
    }),
  'dispute-resolved': (f) =>
    emails.notice({
      subject: `The dispute on "${f.title}" is resolved`,
      greeting: f.audience === 'employer' ? toEmployer(f) : toStudent(f),
      lines:
        f.refund === undefined || f.share === undefined
          ? [
              `Our operations team decided that the student receives ${f.pct}% of the fee (less the platform share); the rest is refunded to the employer.`,
            ]
          : disputeOutcome(f.audience, f.pct, f.share, f.refund),
    }),
  'credential-issued': (f) =>
    emails.notice({
      subject: `Your credential for "${f.title}" is ready`,
      greeting: toStudent(f),
      lines: [
        `Congratulations on completing "${f.title}" for ${f.company}. A verifiable credential is now in your portfolio.`,
        `Tell us how it went: your feedback and theirs stay hidden from each other until both are in, or for ${FEEDBACK_BLIND_DAYS} days.`,
      ],
    }),
  'feedback-revealed': (f) =>
    emails.notice({
      subject: `Feedback on "${f.title}" is now visible`,
      greeting: f.audience === 'employer' ? toEmployer(f) : toStudent(f),
      lines: ['The feedback for this micro-internship can now be read by both sides.'],
      link: { href: f.postingUrl, label: 'Read it' },
    }),
  'hiring-nudge': (f) =>
    emails.notice({
      subject: `Hire ${f.studentName}? It has been ${f.days} days since "${f.title}"`,
      greeting: toEmployer(f),
      lines: [
        `${f.studentName} completed "${f.title}" ${f.days} days ago. Micro-internships are a way to hire on demonstrated work: if you liked it, make an offer.`,
        `Make the offer from the internship's page: the role, type, pay, start date and an expiry of up to ${HIRING_OFFER_MAX_DAYS} days.`,
      ],
      link: { href: f.postingUrl, label: 'The internship' },
    }),
  'hiring-offer': (f) =>
    emails.notice({
      subject: `${f.company} offers you a job: ${f.role}`,
      greeting: toStudent(f),
      lines: [
        `After your work on "${f.title}", ${f.company} offers you the role of ${f.role} at ${f.pay}, starting ${dateFor(f, f.startDate)}.`,
        `Please answer by ${dateFor(f, f.expiresAt)}.`,
      ],
    }),
  'hiring-answered': (f) =>
    emails.notice({
      subject: `${f.studentName} ${f.answer} your offer for ${f.role}`,
      greeting: toEmployer(f),
      lines: [`${f.studentName} ${f.answer} the offer for ${f.role}.`],
    }),
  'cancelled-refund': (f) =>
    emails.notice({
      subject: `"${f.title}" is cancelled: ${f.refund} refunded`,
      greeting: toEmployer(f),
      lines: [
        f.by === 'ops'
          ? `Our operations team cancelled "${f.title}" (${f.reason}).`
          : `You cancelled "${f.title}" (${f.reason}).`,
        `${f.studentName} receives the kill fee of ${f.killFee} (${KILL_FEE_PCT}% of the fee of ${f.fee}) for the time already put in.`,
        `The other ${100 - KILL_FEE_PCT}%, ${f.refund}, is refunded to the card you paid with.`,
      ],
    }),
  paid: (f) =>
    emails.notice({
      subject: `You have been paid for "${f.title}"`,
      greeting: toStudent(f),
      lines: [`We sent ${f.amount} to your payout account. Expect it by ${dateFor(f, f.paidBy)}.`],
    }),
};

/** The email of one notice, from its posting's facts and its own. */
export function noticeContent<K extends NoticeKind>(
  kind: K,
  facts: PostingFacts & ResolvedFacts<K>,
): emails.EmailContent {
  return (templates[kind] as (f: PostingFacts & ResolvedFacts<K>) => emails.EmailContent)(facts);
}
