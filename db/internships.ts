import {
  internshipWorkflowId,
  type InternshipInput,
  type InternshipStatus,
  type ApplicationStatus,
  type InternshipSummary,
  type PayoutStatus,
} from '../workflows/definitions';
import { toFeedback, type Feedback, type FeedbackRow } from './follow-up';
import { decodeCursor, encodeCursor, type ListPage } from './keyset';
import type { Queryable } from './pool';

export { decodeCursor, type ListPage };

export interface Internship {
  id: string;
  workflowId: string;
  employerId: string;
  title: string;
  description: string;
  deliverable: string;
  skills: string[];
  estimatedHours: number;
  feeCents: number;
  maxApplicants: number;
  applicationDeadline: string;
  windows: { selectionMs: number; acceptMs: number; workMs: number; reviewMs: number };
  screeningQuestions: string[];
  status: InternshipStatus;
  nextDeadline: string | null;
  applicantCount: number;
  /** The student who accepted the offer, once one did. */
  studentId: string | null;
  dueAt: string | null;
  /** When the student can expect the money, once it is sent. */
  paidBy: string | null;
  /** The student's payout beside an ended engagement's status: pending, then sent. */
  payout: PayoutStatus | null;
  createdAt: string;
  updatedAt: string;
}

export type NewInternship = Omit<
  Internship,
  'nextDeadline' | 'applicantCount' | 'studentId' | 'dueAt' | 'paidBy' | 'payout' | 'createdAt' | 'updatedAt'
>;

interface InternshipRow {
  id: string;
  workflow_id: string;
  employer_id: string;
  title: string;
  description: string;
  deliverable: string;
  skills: string[];
  estimated_hours: number;
  fee_cents: number;
  max_applicants: number;
  application_deadline: Date;
  selection_window_ms: number;
  accept_window_ms: number;
  work_duration_ms: number;
  review_window_ms: number;
  screening_questions: string[];
  status: InternshipStatus;
  next_deadline: Date | null;
  applicant_count: number;
  student_id: string | null;
  due_at: Date | null;
  paid_by: Date | null;
  payout: PayoutStatus | null;
  created_at: Date;
  updated_at: Date;
}

const toInternship = (row: InternshipRow): Internship => ({
  id: row.id,
  workflowId: row.workflow_id,
  employerId: row.employer_id,
  title: row.title,
  description: row.description,
  deliverable: row.deliverable,
  skills: row.skills,
  estimatedHours: row.estimated_hours,
  feeCents: row.fee_cents,
  maxApplicants: row.max_applicants,
  applicationDeadline: row.application_deadline.toISOString(),
  windows: {
    selectionMs: row.selection_window_ms,
    acceptMs: row.accept_window_ms,
    workMs: row.work_duration_ms,
    reviewMs: row.review_window_ms,
  },
  screeningQuestions: row.screening_questions,
  status: row.status,
  nextDeadline: row.next_deadline?.toISOString() ?? null,
  applicantCount: row.applicant_count,
  studentId: row.student_id,
  dueAt: row.due_at?.toISOString() ?? null,
  paidBy: row.paid_by?.toISOString() ?? null,
  payout: row.payout,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/**
 * The read-model row of a posting whose workflow starts with `input`, as the API stores it before it
 * starts the workflow (tests and the benchmark's raw client store theirs the same way).
 */
export function postingRow(
  input: InternshipInput,
  texts: Pick<NewInternship, 'title' | 'skills' | 'description' | 'deliverable' | 'screeningQuestions'>,
): NewInternship {
  return {
    id: input.internshipId,
    workflowId: internshipWorkflowId(input.internshipId),
    employerId: input.employerId,
    title: texts.title,
    description: texts.description,
    deliverable: texts.deliverable,
    screeningQuestions: texts.screeningQuestions,
    skills: texts.skills,
    estimatedHours: input.estimatedHours,
    feeCents: input.feeCents,
    maxApplicants: input.maxApplicants,
    applicationDeadline: input.applicationDeadline,
    windows: input.windows,
    status: input.feeException ? 'AwaitingApproval' : 'Open',
  };
}

/** Stores the posting; `postedBy` is the member who posted it (its emails go to them). */
export async function insertInternship(
  db: Queryable,
  i: NewInternship,
  postedBy: string | null = null,
): Promise<Internship> {
  const { rows } = await db.query<InternshipRow>(
    `INSERT INTO internships (id, workflow_id, employer_id, title, description, deliverable, skills,
       estimated_hours, fee_cents, max_applicants, application_deadline, selection_window_ms,
       accept_window_ms, work_duration_ms, review_window_ms, status, next_deadline, screening_questions,
       posted_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $11, $17, $18)
     RETURNING *`,
    [
      i.id,
      i.workflowId,
      i.employerId,
      i.title,
      i.description,
      i.deliverable,
      i.skills,
      i.estimatedHours,
      i.feeCents,
      i.maxApplicants,
      i.applicationDeadline,
      i.windows.selectionMs,
      i.windows.acceptMs,
      i.windows.workMs,
      i.windows.reviewMs,
      i.status,
      i.screeningQuestions,
      postedBy,
    ],
  );
  return toInternship(rows[0]!);
}

export async function deleteInternship(db: Queryable, id: string): Promise<void> {
  await db.query(`DELETE FROM internships WHERE id = $1`, [id]);
}

export async function findInternship(db: Queryable, id: string): Promise<Internship | undefined> {
  const { rows } = await db.query<InternshipRow>(`SELECT * FROM internships WHERE id = $1`, [id]);
  return rows[0] && toInternship(rows[0]);
}

/**
 * The row and its feedback in one statement (one round trip instead of two on the most frequent
 * read: an owner or ops polling a posting).
 */
export async function findInternshipWithFeedback(
  db: Queryable,
  id: string,
): Promise<{ internship: Internship; feedback: Feedback[] } | undefined> {
  const { rows } = await db.query<InternshipRow & { feedback_rows: FeedbackRow[] }>(
    `SELECT i.*, coalesce((SELECT json_agg(f) FROM feedback f WHERE f.internship_id = i.id), '[]') AS feedback_rows
       FROM internships i WHERE i.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { feedback_rows, ...internship } = row;
  return { internship: toInternship(internship), feedback: feedback_rows.map(toFeedback) };
}

/**
 * Mirrors the workflow's state. The write of a later workflow task wins, and within one task the
 * higher version: a task lost with its worker may have written a state the workflow never made
 * durable, and the task run in its place (a later attempt, with a later workflow time) overwrites
 * it, as does the first task of a run made by a reset (see migration 9). A write of an older task,
 * such as one from a worker that stalled past its task's timeout, is ignored. True when it wrote.
 */
export async function recordState(db: Queryable, state: InternshipSummary): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE internships
        SET status = $2, next_deadline = $3, student_id = $4, state_version = $5, due_at = $6, paid_by = $7,
            application_deadline = $8, state_task_time = $9, state_task = $10, payout = $11, state_recorded_at = now(),
            updated_at = now()
      WHERE id = $1 AND (state_task_time, state_task, state_version) < ($9, $10, $5)`,
    [
      state.internshipId,
      state.status,
      state.nextDeadline,
      state.hiredStudentId,
      state.version,
      state.dueAt,
      state.paidBy,
      state.applicationDeadline,
      state.task.time,
      state.task.historyLength,
      state.payout ?? null,
    ],
  );
  return rowCount === 1;
}

/**
 * The workflow state version the read model shows for an internship, if it was written in the last
 * `withinSeconds`.
 */
export async function recentlyPublishedVersion(
  db: Queryable,
  id: string,
  withinSeconds: number,
): Promise<number | undefined> {
  const { rows } = await db.query<{ state_version: number }>(
    `SELECT state_version FROM internships
      WHERE id = $1 AND state_recorded_at > now() - make_interval(secs => $2)`,
    [id, withinSeconds],
  );
  return rows[0]?.state_version;
}

/** Keyset pagination over (created_at, id), newest first; the cursor is opaque to callers. */
export async function listInternships(
  db: Queryable,
  filter: { employerId?: string; status?: InternshipStatus; skill?: string },
  page: { limit: number; cursor?: string },
): Promise<ListPage<Internship>> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.employerId) where.push(`employer_id = $${params.push(filter.employerId)}`);
  if (filter.status) where.push(`status = $${params.push(filter.status)}`);
  if (filter.skill) where.push(`skills @> ARRAY[$${params.push(filter.skill)}]::text[]`);
  const after = page.cursor ? decodeCursor(page.cursor) : undefined;
  if (after) where.push(`(created_at, id) < ($${params.push(after.createdAt)}, $${params.push(after.id)})`);
  const sql = `SELECT * FROM internships ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
               ORDER BY created_at DESC, id DESC LIMIT $${params.push(page.limit + 1)}`;
  const { rows } = await db.query<InternshipRow>(sql, params);
  const items = rows.slice(0, page.limit).map(toInternship);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      rows.length > page.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}

/** A student's application beside the posting it is for. */
export interface ApplicationOnPosting {
  application: { id: string; label: string; status: ApplicationStatus; createdAt: string };
  internship: Internship;
}

/** A student's own applications with their postings, newest first, in keyset pages over (created_at, id). */
export async function listApplicationsOfStudent(
  db: Queryable,
  studentId: string,
  page: { limit: number; cursor?: string },
): Promise<ListPage<ApplicationOnPosting>> {
  const params: unknown[] = [studentId];
  const after = page.cursor ? decodeCursor(page.cursor) : undefined;
  const keyset = after
    ? `AND (a.created_at, a.id) < ($${params.push(after.createdAt)}, $${params.push(after.id)})`
    : '';
  const { rows } = await db.query<
    InternshipRow & { a_id: string; a_label: string; a_status: ApplicationStatus; a_created_at: Date }
  >(
    `SELECT i.*, a.id AS a_id, a.label AS a_label, a.status AS a_status, a.created_at AS a_created_at
       FROM applications a JOIN internships i ON i.id = a.internship_id
      WHERE a.student_id = $1 AND a.status <> 'pending' ${keyset}
      ORDER BY a.created_at DESC, a.id DESC LIMIT $${params.push(page.limit + 1)}`,
    params,
  );
  const items = rows.slice(0, page.limit).map((r) => ({
    application: {
      id: r.a_id,
      label: r.a_label,
      status: r.a_status,
      createdAt: r.a_created_at.toISOString(),
    },
    internship: toInternship(r),
  }));
  const last = items[items.length - 1]?.application;
  return {
    items,
    nextCursor:
      rows.length > page.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}

export interface InternshipContact {
  internshipId: string;
  title: string;
  companyName: string;
  /**
   * Who the posting's emails are for: the member who posted it while they are a member, else the
   * organisation's billing contact (postings from before organisations, or a member since removed).
   */
  contactName: string | null;
  contactEmail: string;
  /** That person's time zone, for the dates in their emails. */
  timeZone: string;
  /** The member's account (their email links act as them); null when the emails go to the billing contact. */
  posterId: string | null;
  /** The organisation's billing contact: money emails go to them too. */
  billingEmail: string;
}

export async function findInternshipContact(
  db: Queryable,
  id: string,
): Promise<InternshipContact | undefined> {
  const { rows } = await db.query<{
    id: string;
    title: string;
    company_name: string;
    contact_name: string | null;
    contact_email: string;
    time_zone: string;
    poster_id: string | null;
    poster_name: string | null;
    poster_email: string | null;
    poster_time_zone: string | null;
  }>(
    `SELECT i.id, i.title, e.company_name, e.contact_name, e.contact_email, e.time_zone,
            a.id AS poster_id, a.name AS poster_name, a.email AS poster_email, m.time_zone AS poster_time_zone
       FROM internships i JOIN employers e ON e.id = i.employer_id
       LEFT JOIN members m ON m.account_id = i.posted_by AND m.employer_id = i.employer_id AND m.removed_at IS NULL
       LEFT JOIN accounts a ON a.id = m.account_id AND a.disabled_at IS NULL AND a.email IS NOT NULL
      WHERE i.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return undefined;
  const poster = row.poster_id && row.poster_email ? row : undefined;
  return {
    internshipId: row.id,
    title: row.title,
    companyName: row.company_name,
    contactName: poster ? row.poster_name : row.contact_name,
    contactEmail: poster ? row.poster_email! : row.contact_email,
    timeZone: poster ? row.poster_time_zone! : row.time_zone,
    posterId: poster ? row.poster_id : null,
    billingEmail: row.contact_email,
  };
}
