/**
 * Every window in which a person may act, in one place, with what silence means.
 * Windows a posting may override carry their bounds; the API validates against them.
 * Pure values only: imported by the workflow sandbox and by the API alike.
 */

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

export interface BoundedWindow {
  readonly defaultDays: number;
  readonly minDays: number;
  readonly maxDays: number;
}

/** Applications close when it ends; silence (no applicants) expires the posting and the employer is told. */
export const APPLICATION_WINDOW: BoundedWindow = { defaultDays: 7, minDays: 1, maxDays: 30 };

/** Time to choose once applications close; silence expires the posting and every applicant is told. */
export const SELECTION_WINDOW: BoundedWindow = { defaultDays: 5, minDays: 1, maxDays: 14 };

/** Time for the offered student to accept; silence counts as a decline and the runner-up is offered. */
export const ACCEPT_WINDOW_HOURS = { defaultHours: 48, minHours: 24, maxHours: 168 } as const;

/** From acceptance to the due date; a missed date starts the grace period. */
export const WORK_DURATION: BoundedWindow = { defaultDays: 14, minDays: 3, maxDays: 30 };

/** Time for the employer to review a submission; silence approves it. */
export const REVIEW_WINDOW: BoundedWindow = { defaultDays: 5, minDays: 2, maxDays: 14 };

/** Estimated effort of a micro-internship, in hours. */
export const ESTIMATED_HOURS = { min: 5, max: 40 } as const;

/** Applicants a posting accepts before applications close at once. */
export const MAX_APPLICANTS = { default: 25, min: 1, max: 200 } as const;

export const days = (n: number): number => n * DAY_MS;
export const hours = (n: number): number => n * HOUR_MS;

/** Time for the employer to pay through the pay link after the saved card failed; silence cancels. */
export const PAY_LINK_WINDOW_DAYS = 3;

/** Reminders while working: at the midpoint of the work window and this long before it ends. */
export const DUE_SOON_HOURS = 24;

/** Each "request changes" round gives the student this long to resubmit. */
export const CHANGES_WINDOW_DAYS = 3;

/** Reminders to the employer this many days before the review window ends (silence approves). */
export const REVIEW_REMINDER_DAYS = [2, 1] as const;

/** While the payout account is not ready, the student is reminded this often. */
export const PAYOUT_REMINDER_DAYS = 3;

/** How long after the transfer the money reaches a Connect Express account on the standard schedule. */
export const PAYOUT_SETTLEMENT_DAYS = 2;

/** After a missed due date the student still has this long to submit before the employer is asked. */
export const GRACE_HOURS = 48;

/** The employer's time to choose extend / re-select / cancel; silence cancels with a full refund. */
export const RECOVERY_WINDOW_DAYS = 7;

/** What an "extend" by email link grants (the API may name any date up to 14 days later). */
export const LINK_EXTENSION_DAYS = 7;

/** The kill fee: share of the fee the student earns when the employer cancels funded work. */
export const KILL_FEE_PCT = 25;

/** Ops are reminded this often of a fee exception or a dispute waiting for them. */
export const OPS_REMINDER_DAYS = 1;

/** Feedback stays double-blind until both sides gave it, or this long after completion. */
export const FEEDBACK_BLIND_DAYS = 14;

/** The employer is nudged to make a hiring offer this many days after completion. */
export const HIRING_NUDGE_DAYS = [7, 30] as const;

/** A hiring offer may stay open at most this long. */
export const HIRING_OFFER_MAX_DAYS = 30;

/** The follow-up ends (→ Closed) this long after completion, unless an offer is answered first. */
export const FOLLOW_UP_DAYS = 90;
