/**
 * The contract between the API, the worker and the internship workflow: ids, status values,
 * search attributes, payload types, and every query, signal and update. The API imports this file
 * and only `import type`s the workflow itself.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export const internshipWorkflowId = (internshipId: string): string => `internship:${internshipId}`;

/** Idempotency key of one business step of one internship, e.g. `internship:42:charge`. */
export const stepKey = (internshipId: string, step: string): string =>
  `${internshipWorkflowId(internshipId)}:${step}`;

export const INTERNSHIP_STATUSES = [
  'AwaitingApproval',
  'Open',
  'Selecting',
  'Offered',
  'Funding',
  'InProgress',
  'InReview',
  'Disputed',
  'Paying',
  'Completed',
  'Closed',
  'Cancelled',
  'Expired',
] as const;
export type InternshipStatus = (typeof INTERNSHIP_STATUSES)[number];

/** Custom search attributes; `scripts/stack` registers them on the dev server, compose on a cluster. */
export const searchAttributes = {
  status: defineSearchAttributeKey('InternshipStatus', SearchAttributeType.KEYWORD),
  employerId: defineSearchAttributeKey('EmployerId', SearchAttributeType.KEYWORD),
  studentId: defineSearchAttributeKey('StudentId', SearchAttributeType.KEYWORD),
  nextDeadline: defineSearchAttributeKey('NextDeadline', SearchAttributeType.DATETIME),
  feeCents: defineSearchAttributeKey('FeeCents', SearchAttributeType.INT),
} as const;

/** `--search-attribute` values for `temporal server start-dev` / `temporal operator search-attribute create`. */
export const SEARCH_ATTRIBUTE_DEFINITIONS: Record<string, 'Keyword' | 'Datetime' | 'Int'> = {
  InternshipStatus: 'Keyword',
  EmployerId: 'Keyword',
  StudentId: 'Keyword',
  NextDeadline: 'Datetime',
  FeeCents: 'Int',
};

/** The posting as validated by the API; windows are already resolved to milliseconds. */
export interface InternshipInput {
  internshipId: string;
  employerId: string;
  /** Inputs from before words left the histories carried the title and skills; none is read. */
  title?: string;
  feeCents: number;
  estimatedHours: number;
  skills?: string[];
  maxApplicants: number;
  /** ISO 8601; fixed when the posting is created so the API and the workflow agree on it. */
  applicationDeadline: string;
  /** The application window, to restart it when ops approve a fee below the floor. */
  applicationWindowMs: number;
  /** The fee is below the fair-pay floor and the employer asked ops for an exception. */
  feeException: boolean;
  windows: {
    selectionMs: number;
    acceptMs: number;
    workMs: number;
    reviewMs: number;
  };
  /**
   * How long a "day" of the platform's own windows lasts (pay link, grace, reminders, follow-up …),
   * from HUMAN_DAY_SECONDS; absent in real time. Shortened only for demos, benchmarks and staging.
   */
  dayMs?: number;
}

export type ExpiryReason =
  | 'no_applicants'
  | 'no_selection'
  | 'unpaid'
  | 'refunded'
  | 'kill_fee'
  | 'fee_declined'
  | 'dispute_refunded'
  | 'dispute_settled'
  | 'hired'
  | 'follow_up_ended';

export interface InternshipOutcome {
  status: InternshipStatus;
  reason?: ExpiryReason;
}

export const APPLICATION_STATUSES = [
  /** Stored by the API, not yet accepted by the workflow (never shown). */
  'pending',
  'submitted',
  'withdrawn',
  'offered',
  'declined',
  'lapsed',
  'accepted',
  'not_selected',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** One application as the workflow tracks it; pitch and answers live only in Postgres. */
export interface Applicant {
  applicationId: string;
  studentId: string;
  /** "Applicant 3": what the employer sees instead of a name during blind review. */
  label: string;
  status: ApplicationStatus;
}

export interface Offer {
  applicationId: string;
  studentId: string;
  expiresAt: string;
  response: 'accept' | 'decline' | null;
  /** Set the moment the window lapses or an answer lands, so a late answer is refused. */
  closed: boolean;
}

/** §3.1 The posting: its application window and who applied. */
export interface PostingState {
  applicationDeadline: string;
  applicationsClosed: boolean;
  applicants: Applicant[];
  /** Ops' answer to a fee below the floor. */
  feeDecision: 'approved' | 'declined' | null;
}

/** §3.2–3.3 The selection: the ranked shortlist and the offer out now. */
export interface SelectionState {
  /** Ranked application ids still to be offered, first next. */
  shortlist: string[];
  offer: Offer | null;
  /** 0 for the first selection, 1 after a shortlist ran out (the window restarts once). */
  selectionRound: number;
}

/** §3.5–3.6 The work: due date, extensions, submission and review, and how it can stop early. */
export interface WorkState {
  /** InProgress: when the work is due. */
  dueAt: string | null;
  /** Bumped whenever the due date moves (an approved extension), so waits recompute. */
  dueVersion: number;
  workStartedAt: string | null;
  /** The submission's link and notes are the text `textId` (Postgres); runs from before kept them here. */
  submission: ({ textId?: string; submittedAt: string } & Legacy<{ url: string; notes: string }>) | null;
  /** Review rounds used by "request changes" (at most MAX_CHANGE_ROUNDS). */
  changeRounds: number;
  review: ({ decision: ReviewDecision; textId?: string } & Legacy<{ comments: string }>) | null;
  /** Reminders already sent, as `kind@dueAt`: a moved due date earns its own reminders. */
  remindersSent: string[];
  extensionsAsked: number;
  /** Whether the employer has been emailed about the pending extension request. */
  extensionAnnounced: boolean;
  /** The employer's last answer, until the student has been told. */
  lastExtensionDecision: 'approved' | 'declined' | null;
  extension: ({ newDueAt: string; textId?: string } & Legacy<{ reason: string }>) | null;
  studentWithdrew: boolean;
  /** Set while the employer must choose how to go on after a missed deadline or a withdrawal. */
  awaitingRecovery: boolean;
  recovery: { choice: RecoveryChoice; newDueAt?: string } | null;
  cancellation: ({ by: 'employer' | 'ops'; textId?: string } & Legacy<{ reason: string }>) | null;
}

/**
 * Words a person wrote, as runs from before the words left the histories carried them: read when
 * such a history replays or such a run goes on, never written any more.
 */
export type Legacy<T> = { [K in keyof T]?: T[K] };

/** §3.4, §3.7–3.8 The money: the fee held, a late payment, the payout account, a dispute's share. */
export interface MoneyState {
  /** The fee is held (charged, not yet paid out or refunded). */
  funded: boolean;
  /** Funding: the payment that arrived through a webhook after the saved card failed. */
  paymentReceived: { paymentIntentId: string; amountCents: number } | null;
  payoutAccountReady: boolean;
  /** Ops' share of the fee for the student in a dispute, 0-100. */
  resolution: { studentSharePct: number } | null;
  /** When the student can expect the money, once the transfer is made. */
  paidBy: string | null;
  /**
   * The student's payout beside an engagement's status (since 'outcomes-told'): pending until the
   * transfer is made (the student may still have to set up payouts), then sent.
   */
  payout: PayoutStatus | null;
}

export const PAYOUT_STATUSES = ['pending', 'sent'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

/** §3.9–3.10 The follow-up: feedback from both sides, nudges sent, the hiring offer. */
export interface FollowUpState {
  feedbackGiven: { employer: boolean; student: boolean };
  /** Feedback accepted by the Update and not yet stored: the follow-up loop stores it in order. */
  feedbackToRecord?: FeedbackInput[];
  feedbackRevealed: boolean;
  nudgesSent: number[];
  hiringOffer:
    | ({
        textId?: string;
        expiresAt: string;
        offerNo: number;
        response: 'accepted' | 'declined' | 'expired' | null;
      } & Legacy<Omit<HiringOfferTerms, 'expiresAt'>>)
    | null;
}

/** What the workflow knows now, by phase; the read model in Postgres mirrors its summary. */
export interface InternshipState {
  internshipId: string;
  feeCents: number;
  status: InternshipStatus;
  /** The next moment at which silence changes something, or null when nothing waits on a clock. */
  nextDeadline: string | null;
  hiredStudentId: string | null;
  /** Increases with every change, so the read model never goes backwards on a retried write. */
  version: number;
  posting: PostingState;
  selection: SelectionState;
  work: WorkState;
  money: MoneyState;
  followUp: FollowUpState;
}

/**
 * What the state query answers callers: the state by phase without the workflow's own bookkeeping
 * (reminders and nudges sent, feedback not yet stored, whether an email went out).
 */
export interface InternshipView extends Omit<InternshipState, 'work' | 'followUp'> {
  work: Omit<WorkState, 'remindersSent' | 'dueVersion' | 'extensionAnnounced'>;
  followUp: Omit<FollowUpState, 'feedbackToRecord' | 'nudgesSent'>;
}

/** The part of the state the read model keeps. */
export interface InternshipSummary {
  internshipId: string;
  status: InternshipStatus;
  applicationDeadline: string;
  nextDeadline: string | null;
  hiredStudentId: string | null;
  dueAt: string | null;
  paidBy: string | null;
  /** Absent from workers before 'outcomes-told'. */
  payout?: PayoutStatus | null;
  version: number;
  /**
   * The workflow task that published this state: its workflow time (ms) and the history length it
   * started at. A task lost with its worker is run again later, and may then publish something
   * else under the same version; the read model keeps the later task's write.
   */
  task: { time: number; historyLength: number };
}

/** What an Update's refusal carries besides its type and message. */
export interface RefusalDetails {
  /** The workflow state version the validator judged. */
  stateVersion: number;
}

export const internshipStateQuery = defineQuery<InternshipView>('internshipState');

/**
 * The applicants in the state query's answer. A worker from before the state was grouped by phase
 * (still running during a rolling deploy) answers them at the top level.
 */
export function applicantsIn(view: InternshipView): Applicant[] {
  const answer = view as Partial<InternshipView> & { applicants?: Applicant[] };
  return answer.posting?.applicants ?? answer.applicants ?? [];
}

export interface ApplyInput {
  applicationId: string;
  studentId: string;
  /** The pitch and answers live in Postgres (the API stored the application first); once sent, never read. */
  pitch?: string;
  answers?: string[];
}
export interface ApplyResult {
  applicationId: string;
  label: string;
}
/** A student applies; refused when applications are closed, the posting is full, or they applied already. */
export const applyUpdate = defineUpdate<ApplyResult, [ApplyInput]>('apply');

/** A student withdraws before an employer's selection reaches them. */
export const withdrawApplicationUpdate = defineUpdate<void, [{ studentId: string }]>('withdrawApplication');

/** The employer picks one application or a ranked shortlist of up to 3; the first is offered at once. */
export const selectStudentsUpdate = defineUpdate<{ shortlist: string[] }, [{ applicationIds: string[] }]>(
  'selectStudents',
);

export type Channel = 'api' | 'email';
/** The offered student accepts or declines, through the API or an email link. */
export const respondToOfferUpdate = defineUpdate<
  { accepted: boolean },
  [{ studentId: string; accept: boolean; via: Channel }]
>('respondToOffer');

export const MAX_SHORTLIST = 3;

/** The student hands in the deliverable: its link and notes are the text `textId`. */
export const submitWorkUpdate = defineUpdate<
  { submittedAt: string },
  [{ studentId: string; textId?: string } & Legacy<{ url: string; notes: string }>]
>('submitWork');

export const REVIEW_DECISIONS = ['approve', 'request_changes', 'reject'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
/** Rounds of "request changes" an employer may ask for; reject is possible only after the last. */
export const MAX_CHANGE_ROUNDS = 2;

/** The employer reviews the submission; the comments are the text `textId`. */
export const reviewUpdate = defineUpdate<
  { status: InternshipStatus },
  [{ decision: ReviewDecision; textId?: string } & Legacy<{ comments: string }>]
>('review');

/** At most this many extension requests per internship, each moving the due date by at most 14 days. */
export const MAX_EXTENSIONS = 2;
export const MAX_EXTENSION_DAYS = 14;

/** The student asks for more time; the reason is the text `textId`. */
export const requestExtensionUpdate = defineUpdate<
  { status: 'pending' },
  [{ studentId: string; newDueAt: string; textId?: string } & Legacy<{ reason: string }>]
>('requestExtension');

/** The employer approves or declines the pending extension request (API or email link). */
export const decideExtensionUpdate = defineUpdate<{ dueAt: string }, [{ approve: boolean; via: Channel }]>(
  'decideExtension',
);

export const RECOVERY_CHOICES = ['extend', 'reselect', 'cancel'] as const;
export type RecoveryChoice = (typeof RECOVERY_CHOICES)[number];
/** After a missed deadline (and its grace) or a withdrawal: extend, choose again with the money held, or refund. */
export const missedDeadlineDecisionUpdate = defineUpdate<
  { choice: RecoveryChoice },
  [{ choice: RecoveryChoice; newDueAt?: string; via: Channel }]
>('missedDeadlineDecision');

/** The employer (or ops) cancels funded work: the student gets the kill fee, the employer the rest back. */
export const cancelUpdate = defineUpdate<
  { status: InternshipStatus },
  [{ by: 'employer' | 'ops'; textId?: string } & Legacy<{ reason: string }>]
>('cancel');

export interface HiringOfferTerms {
  role: string;
  type: 'full_time' | 'part_time' | 'internship' | 'contract';
  payCents: number;
  payPeriod: 'hour' | 'month' | 'year';
  startDate: string;
  expiresAt: string;
}

export interface FeedbackInput extends Legacy<{
  comment: string;
  /** Employer: skills the student showed; student: skills practised. Both appear on the credential. */
  endorsedSkills: string[];
}> {
  from: 'employer' | 'student';
  rating: number;
  /** The comment and endorsed skills: the text of this id. */
  textId?: string;
  /** The student shows the employer's rating on the credential. */
  showRatingPublicly: boolean;
}

/** §3.9 Feedback from either side; double-blind until both gave it or 14 days passed. */
export const giveFeedbackUpdate = defineUpdate<{ revealed: boolean }, [FeedbackInput]>('giveFeedback');

/** §3.10 The employer turns the work into a job offer: its terms are the text `textId`; the workflow keeps the expiry. */
export const makeHiringOfferUpdate = defineUpdate<
  { expiresAt: string },
  [{ expiresAt: string; textId?: string } & Legacy<Omit<HiringOfferTerms, 'expiresAt'>>]
>('makeHiringOffer');

/** §3.10 The student answers the hiring offer (API or email link). */
export const respondToHiringOfferUpdate = defineUpdate<
  { accepted: boolean },
  [{ studentId: string; accept: boolean; via: Channel }]
>('respondToHiringOffer');

/** Ops approve (→ Open, the application window starts now) or decline (→ Cancelled) a fee below the floor. */
export const decideFeeExceptionUpdate = defineUpdate<{ status: InternshipStatus }, [{ approve: boolean }]>(
  'decideFeeException',
);

/** Ops settle a dispute: the student receives this share of the fee (less the platform share), the rest is refunded. */
export const resolveDisputeUpdate = defineUpdate<{ status: InternshipStatus }, [{ studentSharePct: number }]>(
  'resolveDispute',
);

/** Facts from Stripe, verified and de-duplicated by the webhook endpoint. */
export type StripeFact =
  | { type: 'payment_succeeded'; paymentIntentId: string; amountCents: number }
  | { type: 'payout_account_ready'; accountId: string };
export const stripeEventSignal = defineSignal<[StripeFact]>('stripeEvent');

/** The employer opened the pay link: a fresh Stripe Checkout page for the fee. */
export const openPaymentPageUpdate = defineUpdate<
  { url: string },
  [{ successUrl: string; cancelUrl: string }]
>('openPaymentPage');

/** The student opened the payout link: a fresh Stripe onboarding page. */
export const openPayoutOnboardingUpdate = defineUpdate<
  { url: string },
  [{ refreshUrl: string; returnUrl: string }]
>('openPayoutOnboarding');

/** Failure types thrown by activities and mapped by the API; workflows branch on them. */
export const ErrorType = {
  NotFound: 'NotFound',
  /** Applications are closed (deadline, cap, or a selection was made). */
  PostingClosed: 'PostingClosed',
  PostingFull: 'PostingFull',
  AlreadyApplied: 'AlreadyApplied',
  /** The action does not fit the internship's current status. */
  WrongState: 'WrongState',
  /** The selection names an application that is unknown, withdrawn or already passed over. */
  InvalidSelection: 'InvalidSelection',
  /** The caller holds no open offer on this internship. */
  NotOffered: 'NotOffered',
  /** A requested date is outside what the lifecycle allows. */
  InvalidDate: 'InvalidDate',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];
