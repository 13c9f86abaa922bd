/**
 * The contract between the API, the worker and the internship workflow: ids, status values,
 * search attributes, payload types, and every query, signal and update. The API imports this file
 * and only `import type`s the workflow itself.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';

export const TASK_QUEUE_DEFAULT = 'internships';

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

export const TERMINAL_STATUSES: readonly InternshipStatus[] = ['Closed', 'Cancelled', 'Expired'];

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
  title: string;
  feeCents: number;
  estimatedHours: number;
  skills: string[];
  maxApplicants: number;
  /** ISO 8601; fixed when the posting is created so the API and the workflow agree on it. */
  applicationDeadline: string;
  windows: {
    selectionMs: number;
    acceptMs: number;
    workMs: number;
    reviewMs: number;
  };
}

export type ExpiryReason = 'no_applicants';

export interface InternshipOutcome {
  status: InternshipStatus;
  reason?: ExpiryReason;
}

/** What the workflow knows now; the read model in Postgres mirrors it. */
export interface InternshipState {
  internshipId: string;
  status: InternshipStatus;
  applicationDeadline: string;
  /** The next moment at which silence changes something, or null when nothing waits on a clock. */
  nextDeadline: string | null;
  applicantCount: number;
  /** Increases with every change, so the read model never goes backwards on a retried write. */
  version: number;
}

export const internshipStateQuery = defineQuery<InternshipState>('internshipState');

/** Failure types thrown by activities and mapped by the API; workflows branch on them. */
export const ErrorType = {
  NotFound: 'NotFound',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];
