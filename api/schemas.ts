/** Request and response shapes: the single source for validation, types and (later) the OpenAPI spec. */
import { z } from 'zod';
import { CREDENTIAL_VISIBILITIES } from '../db/follow-up';
import { decodeCursor } from '../db/keyset';
import { ORG_ROLES } from '../db/accounts';
import { canonicalTimeZone, isTimeZone } from '../lib/dates';
import {
  ACCEPT_WINDOW_HOURS,
  APPLICATION_WINDOW,
  ESTIMATED_HOURS,
  FEEDBACK_BLIND_DAYS,
  HIRING_OFFER_MAX_DAYS,
  MAX_APPLICANTS,
  REVIEW_WINDOW,
  SELECTION_WINDOW,
  WORK_DURATION,
  type BoundedWindow,
} from '../workflows/durations';
import {
  APPLICATION_STATUSES,
  INTERNSHIP_STATUSES,
  MAX_SHORTLIST,
  PAYOUT_STATUSES,
  RECOVERY_CHOICES,
  REVIEW_DECISIONS,
} from '../workflows/definitions';

/**
 * Text people type. Postgres text cannot hold NUL (U+0000), and a value with one failed its insert
 * (a 500) or, stored later by an activity, retried forever. Control characters are refused for the
 * same reason, and in one-line fields (names, titles, skills) line breaks too: a title with a planted
 * line would carry it into plain-text emails and the Temporal UI's details. Fields that are prose
 * (a pitch, notes, comments) keep their line breaks and tabs.
 */
// eslint-disable-next-line no-control-regex
const ONE_LINE = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;
// eslint-disable-next-line no-control-regex
const PROSE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;
const oneLine = { message: 'must be one line, without line breaks or control characters (such as NUL)' };
const prose = { message: 'must not contain control characters (such as NUL); line breaks and tabs are fine' };
/** A one-line field: a name, a title, a skill. */
export const line = (min: number, max: number) =>
  z.string().trim().min(min).max(max).regex(ONE_LINE, oneLine);
/** A field of prose, which may run over several lines: a pitch, notes, comments, a reason. */
const text = (min: number, max: number) => z.string().trim().min(min).max(max).regex(PROSE, prose);
/** The time zone someone's emails print dates in: an IANA name, spelt as the tz database spells it. */
export const timeZone = z
  .string()
  .refine(isTimeZone, 'must be an IANA time zone, such as Europe/Berlin or America/New_York')
  .overwrite(canonicalTimeZone)
  .describe('IANA time zone for the dates in emails, e.g. Europe/Berlin');
const windowDays = (w: BoundedWindow) => z.int().min(w.minDays).max(w.maxDays).default(w.defaultDays);

/** An email address as people type it: surrounding spaces dropped, compared without case. */
export const emailAddress = z.string().trim().pipe(z.email().max(254));

export const createEmployerBody = z
  .object({
    companyName: line(2, 200),
    contactName: line(1, 200).optional(),
    contactEmail: emailAddress.describe('The billing contact: money emails go here too'),
    timeZone: timeZone.default('UTC'),
    owner: z
      .object({ email: emailAddress, name: line(1, 200).optional() })
      .strict()
      .optional()
      .describe('Who is invited as its owner; the contact when not given'),
  })
  .strict();
export type CreateEmployerBody = z.infer<typeof createEmployerBody>;

/** Fair pay (DESIGN §3.1): the fee divided by the estimated hours is at least the hourly floor. */
export function createInternshipBody(minHourlyRateCents: number) {
  return z
    .object({
      title: line(5, 120),
      description: text(20, 5000),
      deliverable: text(10, 1000),
      skills: z.array(line(1, 40).toLowerCase()).min(1).max(10),
      estimatedHours: z.int().min(ESTIMATED_HOURS.min).max(ESTIMATED_HOURS.max),
      feeCents: z.int().positive().max(5_000_000),
      maxApplicants: z.int().min(MAX_APPLICANTS.min).max(MAX_APPLICANTS.max).default(MAX_APPLICANTS.default),
      applicationWindowDays: windowDays(APPLICATION_WINDOW),
      selectionWindowDays: windowDays(SELECTION_WINDOW),
      acceptWindowHours: z
        .int()
        .min(ACCEPT_WINDOW_HOURS.minHours)
        .max(ACCEPT_WINDOW_HOURS.maxHours)
        .default(ACCEPT_WINDOW_HOURS.defaultHours),
      workDurationDays: windowDays(WORK_DURATION),
      reviewWindowDays: windowDays(REVIEW_WINDOW),
      screeningQuestions: z.array(line(5, 300)).max(5).default([]),
      feeException: z
        .boolean()
        .default(false)
        .describe(
          'Ask ops to approve a fee below the fair-pay floor (the posting waits in AwaitingApproval)',
        ),
    })
    .strict()
    .superRefine((body, ctx) => {
      const floor = body.estimatedHours * minHourlyRateCents;
      if (body.feeCents < floor && !body.feeException) {
        ctx.addIssue({
          code: 'custom',
          path: ['feeCents'],
          message: `must be at least ${floor} cents for ${body.estimatedHours} hours (fair-pay floor of ${minHourlyRateCents} cents per hour), or ask for an exception with feeException: true`,
        });
      }
    });
}

export const internshipIdParam = z.object({ id: z.uuid() });

export const listInternshipsQuery = z
  .object({
    status: z.enum(INTERNSHIP_STATUSES).optional().describe('ops only'),
    skill: z
      .string()
      .trim()
      .toLowerCase()
      .min(1)
      .max(40)
      .regex(ONE_LINE, oneLine)
      .optional()
      .describe('students: postings needing this skill'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional(),
  })
  .strict();

/** Sign-up of a student. There is no GPA field, by design: the platform hires on demonstrated work. */
export const createStudentBody = z
  .object({
    name: line(1, 200),
    email: emailAddress,
    school: line(1, 200).optional(),
    major: line(1, 200),
    graduationYear: z.int().min(1950).max(2100),
    skills: z.array(line(1, 40).toLowerCase()).min(1).max(20),
    timeZone: timeZone.default('UTC'),
  })
  .strict();

/** `PUT /v1/me/time-zone`: the caller's own time zone. */
export const timeZoneBody = z.object({ timeZone }).strict();

export const applyBody = z
  .object({
    pitch: text(20, 2000),
    answers: z
      .array(text(1, 2000))
      .max(5)
      .default([])
      .describe("One answer per screening question, in the posting's order"),
  })
  .strict();

export const selectionBody = z
  .object({
    applicationIds: z
      .array(z.uuid())
      .min(1)
      .max(MAX_SHORTLIST)
      .describe('Ranked: the first is offered first'),
  })
  .strict();

export const offerResponseBody = z.object({ accept: z.boolean() }).strict();

export const submissionBody = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .regex(ONE_LINE, oneLine)
      .describe('Where the employer can see the deliverable'),
    notes: text(1, 5000),
  })
  .strict();

export const reviewBody = z
  .object({
    decision: z.enum(REVIEW_DECISIONS),
    comments: z.string().trim().max(5000).regex(PROSE, prose).default(''),
  })
  .strict()
  .refine((b) => b.decision === 'approve' || b.comments.length > 0, {
    path: ['comments'],
    message: 'say what should change (or why it is rejected)',
  });

// --- responses ---

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

export const employerSchema = z.object({
  id: z.uuid(),
  companyName: z.string(),
  contactName: z.string().nullable(),
  contactEmail: z.email(),
  timeZone: z.string(),
  createdAt: z.iso.datetime(),
});

export const memberSchema = z.object({
  accountId: z.uuid(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  role: z.enum(ORG_ROLES),
  joined: z.boolean().describe('Signed in at least once (the invitation was accepted)'),
  createdAt: z.iso.datetime(),
});

export const createEmployerResponse = z.object({
  employer: employerSchema,
  owner: memberSchema.describe('Invited by email: the invitation carries a sign-in link and code'),
});

export const internshipCreatedResponse = z.object({
  id: z.uuid(),
  status: z.enum(INTERNSHIP_STATUSES),
  workflowId: z.string(),
});

export const internshipSchema = z.object({
  id: z.uuid(),
  workflowId: z.string(),
  employerId: z.uuid(),
  title: z.string(),
  description: z.string(),
  deliverable: z.string(),
  skills: z.array(z.string()),
  estimatedHours: z.int(),
  feeCents: z.int(),
  maxApplicants: z.int(),
  status: z.enum(INTERNSHIP_STATUSES),
  applicantCount: z.int(),
  deadlines: z.object({
    applications: z.iso.datetime(),
    due: z.iso.datetime().nullable().describe('When the work is due, once it started'),
    next: z.iso
      .datetime()
      .nullable()
      .describe('When silence next changes something; null when nothing waits'),
  }),
  windows: z.object({ selectionMs: z.int(), acceptMs: z.int(), workMs: z.int(), reviewMs: z.int() }),
  paidBy: z.iso.datetime().nullable().describe('When the student can expect the money, once it is sent'),
  payout: z
    .enum(PAYOUT_STATUSES)
    .nullable()
    .describe(
      "Beside a status that ended with money owed to the student (a kill fee, a dispute's share): pending until sent, then sent; null otherwise",
    ),
  screeningQuestions: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  nextActions: z.array(z.string()).describe("What the caller can do now, e.g. 'apply', 'select'"),
  myApplication: z
    .object({ applicationId: z.uuid(), label: z.string(), status: z.enum(APPLICATION_STATUSES) })
    .optional()
    .describe('Students: their own application'),
  feedback: z
    .unknown()
    .optional()
    .describe(
      `Double-blind: your own feedback, and the other side's once both gave it or ${FEEDBACK_BLIND_DAYS} days passed`,
    ),
  credential: z
    .object({ credentialId: z.uuid(), visibility: z.enum(CREDENTIAL_VISIBILITIES) })
    .optional()
    .describe('The hired student: their completion credential, once issued, and who may see it'),
  reviews: z
    .array(z.object({ comments: z.string(), at: z.iso.datetime() }))
    .optional()
    .describe(
      "The hired student: the employer's review comments on their work (change requests), oldest first",
    ),
  auditTrail: z
    .array(
      z.object({
        at: z.iso.datetime(),
        actor: z.object({
          role: z.string(),
          id: z.string().nullable().describe("The person's account (older rows: the organisation)"),
          title: z.string().nullable().describe('owner/admin/member; support/finance/admin; student'),
          organisationId: z.string().nullable(),
        }),
        channel: z.enum(['api', 'email', 'browser', 'workflow']),
        action: z.string(),
        ref: z.string(),
      }),
    )
    .optional()
    .describe('Ops only: every state change and human action, with who, when and through which channel'),
  temporalUi: z
    .url()
    .nullable()
    .optional()
    .describe(
      "Ops only: the run's history in the Temporal UI (run id included); null if Temporal did not answer",
    ),
});

export const internshipPage = z.object({
  items: z.array(internshipSchema),
  nextCursor: z.string().nullable(),
});

export const myApplicationsQuery = listInternshipsQuery.pick({ limit: true, cursor: true }).strict();

export const myApplicationPage = z.object({
  items: z.array(
    internshipSchema
      .extend({ appliedAt: z.iso.datetime() })
      .describe('The posting as you see it, with your application'),
  ),
  nextCursor: z.string().nullable(),
});

export const studentSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.email(),
  school: z.string().nullable(),
  major: z.string(),
  graduationYear: z.int(),
  skills: z.array(z.string()),
  timeZone: z.string(),
  createdAt: z.iso.datetime(),
});

export const signUpAccepted = z.object({
  status: z.literal('check-your-email'),
  detail: z.string(),
});

export const applicationCreatedResponse = z.object({
  applicationId: z.uuid(),
  label: z.string(),
  status: z.enum(APPLICATION_STATUSES),
});

/** Blind: no name, email or school until the student accepts an offer. */
export const blindApplicationSchema = z.object({
  applicationId: z.uuid(),
  label: z.string(),
  pitch: z.string(),
  answers: z.array(z.object({ question: z.string(), answer: z.string() })),
  skills: z.array(z.string()),
  status: z.enum(APPLICATION_STATUSES),
  submittedAt: z.iso.datetime(),
  student: studentSchema
    .omit({ createdAt: true, timeZone: true })
    .optional()
    .describe('Only for the student who accepted'),
});

export const blindApplicationList = z.object({ items: z.array(blindApplicationSchema) });
export const selectionResponse = z.object({ status: z.string(), shortlist: z.array(z.uuid()) });
export const offerResponseResult = z.object({ accepted: z.boolean() });
export const withdrawResponse = z.object({ applicationId: z.uuid(), status: z.literal('withdrawn') });

export const extensionRequestBody = z.object({ newDueAt: z.iso.datetime(), reason: text(5, 2000) }).strict();
export const extensionDecisionBody = z.object({ approve: z.boolean() }).strict();
export const missedDeadlineDecisionBody = z
  .object({ choice: z.enum(RECOVERY_CHOICES), newDueAt: z.iso.datetime().optional() })
  .strict()
  .refine((b) => b.choice === 'extend' || b.newDueAt === undefined, {
    path: ['newDueAt'],
    message: 'only with choice "extend"',
  });
export const feedbackBody = z
  .object({
    rating: z.int().min(1).max(5),
    comment: text(1, 2000),
    endorsedSkills: z
      .array(line(1, 40).toLowerCase())
      .max(10)
      .default([])
      .describe('Employer: skills the student showed'),
    showRatingPublicly: z
      .boolean()
      .default(false)
      .describe("Student: show the employer's rating on the credential"),
  })
  .strict();

export const hiringOfferBody = z
  .object({
    role: line(2, 200),
    type: z.enum(['full_time', 'part_time', 'internship', 'contract']),
    payCents: z.int().positive().max(100_000_000),
    payPeriod: z.enum(['hour', 'month', 'year']),
    // Postgres dates have no year 0 (1 BC); any other ISO date is stored as given.
    startDate: z.iso.date().refine((d) => !d.startsWith('0000-'), 'year 0000 does not exist'),
    expiresAt: z.iso.datetime().describe(`At most ${HIRING_OFFER_MAX_DAYS} days from now`),
  })
  .strict();

export const credentialIdParam = z.object({ credentialId: z.uuid() });
export const credentialSharingBody = z
  .object({
    visibility: z
      .enum(CREDENTIAL_VISIBILITIES)
      .describe(
        'private: only you; link: anyone holding its link; portfolio: also listed in your public portfolio',
      ),
  })
  .strict();
export const studentIdParam = z.object({ id: z.uuid() });

export const myCredentialsQuery = myApplicationsQuery.extend({
  cursor: z
    .string()
    .max(200)
    .refine((c) => decodeCursor(c) !== undefined, 'is not a cursor this API issued')
    .optional(),
});

/** A student's own credential, as only they see it: whatever its visibility. */
export const myCredentialSchema = z.object({
  credentialId: z.uuid(),
  title: z.string().describe('The micro-internship, as the credential states it'),
  employer: z.string(),
  completedAt: z.iso.datetime(),
  issuedAt: z.iso.datetime(),
  visibility: credentialSharingBody.shape.visibility,
  page: z.url().describe('Its public page, to share: it answers only while the credential is not private'),
  badgeUrl: z.url().describe('Its Open Badge (VC-JWT): downloadable only while it is not private'),
});

export const myCredentialPage = z.object({
  items: z.array(myCredentialSchema),
  nextCursor: z.string().nullable(),
  portfolio: z
    .url()
    .nullable()
    .describe(
      'Your public portfolio, a page to share (/p/{id}; as JSON: GET /v1/students/{id}/portfolio), once you list a credential in it',
    ),
});

export const feeExceptionBody = z.object({ approve: z.boolean() }).strict();
export const resolutionBody = z.object({ studentSharePct: z.int().min(0).max(100) }).strict();
/** The share a resolution would be made at, to see its amounts first. */
export const resolutionQuery = z.object({ studentSharePct: z.coerce.number().int().min(0).max(100) });
/** §3.7 Where a disputed fee goes at a share, as the payout and the refund will move it. */
export const resolutionSplit = z.object({
  feeCents: z.int(),
  studentSharePct: z.int(),
  studentShareCents: z.int().describe("The student's share of the fee"),
  platformShareCents: z.int().describe("The platform's part of the student's share"),
  studentPaidCents: z.int().describe('Paid to the student: their share less the platform part'),
  employerRefundCents: z.int().describe('Refunded to the employer: the rest of the fee'),
});
/** One thing waiting on ops, with its workflow's run in the Temporal UI. */
const queueItem = z.object({
  internshipId: z.uuid(),
  workflowId: z.string(),
  title: z.string(),
  status: z.string(),
  feeCents: z.int(),
  since: z.iso.datetime().describe('Its deadline, or when it last changed'),
  temporalUi: z
    .url()
    .nullable()
    .describe("The run's history in the Temporal UI (run id included); null if Temporal did not answer"),
});
export const opsQueueResponse = z.object({
  overdueDecisions: z.array(queueItem).describe('A deadline passed while someone had to decide'),
  openDisputes: z.array(queueItem).describe('Work rejected after the last round: finance decides the share'),
  feeExceptions: z.array(queueItem).describe('A fee below the fair-pay floor, waiting for approval'),
  payoutsWaiting: z.array(queueItem).describe('A student owed a payout whose account is not ready'),
});

export const cancelBody = z.object({ reason: text(3, 2000) }).strict();
export const statusResponse = z.object({ status: z.string() });

export const submissionResponse = z.object({ status: z.literal('InReview'), submittedAt: z.iso.datetime() });
export const reviewResponse = z.object({ status: z.enum(INTERNSHIP_STATUSES) });
