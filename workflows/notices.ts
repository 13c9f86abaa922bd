/**
 * The notices the internship workflow sends (one email to one party each), as a contract: each kind
 * names the facts its email needs. The workflow builds them; activities/notice-templates.ts writes
 * each kind's email from its facts. Facts are strings, as they always were on the wire, so the
 * activity's input is the same for every worker version.
 */

/** No facts beyond the posting's own (title, company, names, fee), which the activity looks up. */
type None = Record<never, never>;
type Audience = { audience: 'employer' | 'student' };
/**
 * Words a person wrote, by the id of the text that holds them (the activity reads it from Postgres);
 * runs from before that carried the words themselves, which the activity still takes.
 */
type Words<T> = { textId: string } | T;

export interface NoticeFacts {
  'pay-link': { reason: string; deadline: string };
  'unfunded-employer': None;
  'unfunded-student': None;
  'work-started': { dueAt: string };
  'work-started-employer': { dueAt: string };
  'work-midpoint': { dueAt: string };
  'work-due-soon': { dueAt: string };
  submitted: Words<{ url: string }> & { reviewBy: string };
  'review-reminder': { daysLeft: string; reviewBy: string };
  'changes-requested': Words<{ comments: string }> & { dueAt: string };
  disputed: Audience;
  /** `auto`: the review window ended without a decision. */
  approved: { auto: 'true' | 'false' };
  'payout-onboarding': None;
  paid: { paidBy: string; amount: string };
  'extension-requested': Words<{ reason: string }> & { newDueAt: string; dueAt: string };
  'extension-decided': { decision: 'approved' | 'declined'; dueAt: string };
  'deadline-missed': Audience & { graceEnd: string };
  'recovery-choice': { decideBy: string };
  'student-withdrew': { decideBy: string };
  'withdrawal-confirmed': None;
  replaced: None;
  refunded: None;
  /** `amount`: the kill fee before the platform share (older runs left it out). */
  'cancelled-kill-fee': Words<{ reason: string }> & { amount?: string };
  /** To the employer: who cancelled, the refund and the kill fee (since 'outcomes-told'). */
  'cancelled-refund': Words<{ reason: string }> & { by: 'employer' | 'ops'; refund: string; killFee: string };
  'fee-exception-waiting': { days: string };
  'fee-declined': None;
  /** To the employer, since 'fee-approval-told': the posting is open until `applicationDeadline`. */
  'fee-approved': { applicationDeadline: string };
  'dispute-open': { days: string };
  /** `refund` to the employer and `share` for the student (older runs left them out). */
  'dispute-resolved': Audience & { pct: string; refund?: string; share?: string };
  'credential-issued': None;
  'feedback-revealed': Audience;
  'hiring-nudge': { days: string };
  'hiring-offer': Words<{ role: string; pay: string; startDate: string }> & { expiresAt: string };
  'hiring-answered': Words<{ role: string }> & { answer: 'accepted' | 'declined' };
}

export type NoticeKind = keyof NoticeFacts;

interface NoticeBase {
  internshipId: string;
  to: 'employer' | 'student' | 'ops';
  /** Tells apart notices of one kind to one party (a round, a day, a due date): part of the dedupe key. */
  occurrence?: string;
  /** Action links in the email, single use, valid until `expiresAt`. */
  links?: { actions: string[]; decisionKey: string; expiresAt: string };
}

/** One notice: its kind and exactly the facts that kind needs (none for some). */
export type Notice = {
  [K in NoticeKind]: NoticeBase & { kind: K } & (None extends NoticeFacts[K]
      ? { facts?: NoticeFacts[K] }
      : { facts: NoticeFacts[K] });
}[NoticeKind];

/** The emails that carry more than one party's notice, each with its own input. */

/** §3.2 The employer is reminded to choose, `daysLeft` days before the selection `deadline`. */
export interface SelectionReminderEmail {
  internshipId: string;
  daysLeft: number;
  /** 0 for the first selection window, 1 for the one after a shortlist ran out. */
  round: number;
  deadline: string;
}

/** §3.3 The offered student's Accept and Decline links, valid until `expiresAt`. */
export interface OfferEmail {
  internshipId: string;
  applicationId: string;
  studentId: string;
  expiresAt: string;
}

/** §3.3 The hire: the employer meets the student, the other applicants are told. */
export interface HireEmail {
  internshipId: string;
  applicationId: string;
  /** Older workers left it out; the activity then finds the student from the application. */
  studentId?: string;
}
