/**
 * §3.1 A student applies to a posting. The application is stored pending in Postgres (its pitch and
 * answers live there, for the employer's blind review), the workflow's apply Update takes it or
 * refuses it, and the row is then confirmed with the label the workflow gave. Every attempt of one
 * request (same Idempotency-Key) is the same application and the same Update, so a retry finishes
 * what an earlier attempt began instead of applying twice; the worker's reconciliation finishes it
 * when nobody retries (docs/READ-MODEL.md).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { z } from 'zod';
import {
  confirmApplication,
  discardPendingApplication,
  findApplication,
  findPendingApplication,
  storePendingApplication,
} from '../../db/applications';
import type { Internship } from '../../db/internships';
import type { Db } from '../../db/pool';
import { keyedApplicationId } from '../../lib/ids';
import { applicantsIn, ErrorType, internshipStateQuery, type ApplyInput } from '../../workflows/definitions';
import { keyReused } from '../idempotency';
import { conflict, HttpProblem, validationProblem } from '../problem';
import { applyBody } from '../schemas';
import { parse } from '../validate';
import { TEMPORAL_CALL_DEADLINE_MS } from '../workflow-errors';

/** The validated body: the pitch and one answer per screening question. */
type ApplyBody = z.infer<typeof applyBody>;

export interface ApplyDeps {
  db: Db;
  temporal: Client;
  maxOpenApplicationsPerStudent: number;
}

export interface ApplyRequest {
  internship: Internship;
  studentId: string;
  /** The request body, not yet validated. */
  body: unknown;
  /** The request's Idempotency-Key, if it has one. */
  key?: string;
  /** Sends the apply Update (through the internship's queue, audited), under `updateId` when given. */
  sendApply: (input: ApplyInput, updateId?: string) => Promise<{ label: string }>;
}

/** The application, taken: its id and the label the employer sees ("Applicant 3"). */
export interface Applied {
  applicationId: string;
  label: string;
}

export async function applyToPosting(deps: ApplyDeps, request: ApplyRequest): Promise<Applied> {
  const { internship, studentId } = request;
  const body = parse(applyBody, request.body, 'body');
  if (body.answers.length !== internship.screeningQuestions.length) {
    throw validationProblem([
      {
        field: 'answers',
        message: `must hold ${internship.screeningQuestions.length} answer(s), one per screening question`,
      },
    ]);
  }
  // With an Idempotency-Key the application's id follows from it, so every attempt of one request
  // is the same application, sent as the same Update: the Update that an attempt got accepted
  // before failing is this row's, and Temporal answers its retry with the first outcome.
  const applicationId = request.key
    ? keyedApplicationId(internship.id, studentId, request.key)
    : randomUUID();
  // The retry of a request whose attempt stored this application is answered from it, even when
  // that very application has since filled the posting (Selecting): the posting's state is not
  // what the student asked about, and a 409 there would send a careful client into retries.
  if (request.key && (await findApplication(deps.db, applicationId))) {
    return (
      (await resumeEarlierAttempt(deps, request, applicationId, body)) ??
      sendAndConfirm(deps, request, applicationId)
    );
  }
  refuseUnlessOpen(internship);
  const storing = await storePendingApplication(
    deps.db,
    { id: applicationId, internshipId: internship.id, studentId, pitch: body.pitch, answers: body.answers },
    deps.maxOpenApplicationsPerStudent,
  );
  if (storing.outcome === 'limit') {
    throw conflict(
      'TooManyOpenApplications',
      `You hold ${storing.open} open applications, the most one student may: withdraw one or wait for a decision`,
    );
  }
  if (storing.outcome !== 'stored') {
    const earlier = await resumeEarlierAttempt(deps, request, applicationId, body);
    if (earlier) return earlier;
  }
  return sendAndConfirm(deps, request, applicationId);
}

/**
 * A posting that is not open is refused from its row, without Temporal: the workflow opens it (and
 * reopens it after a withdrawal) by writing Open there before it takes applications.
 */
function refuseUnlessOpen(internship: Internship): void {
  if (internship.status === 'Open') return;
  // Selecting before the deadline: the cap closed it; a withdrawal may open a place again.
  const full = internship.status === 'Selecting' && Date.parse(internship.applicationDeadline) > Date.now();
  throw full
    ? conflict(
        ErrorType.PostingFull,
        'This posting has all the applicants it takes; a place opens again if one withdraws',
      )
    : conflict(ErrorType.PostingClosed, 'Applications for this posting are closed');
}

/**
 * The student has an application here already: this request's own from an earlier attempt (answered
 * as then, or sent again below when the workflow never saw it), or another one (409).
 */
async function resumeEarlierAttempt(
  deps: ApplyDeps,
  { internship, studentId, key }: ApplyRequest,
  applicationId: string,
  body: ApplyBody,
): Promise<Applied | undefined> {
  if (key) {
    // This request's own application (its id follows from the key). Its key was freed if an
    // attempt failed, so the middleware could not compare the bodies: compare them here.
    const mine = await findApplication(deps.db, applicationId);
    const sameBody =
      mine?.pitch === body.pitch && JSON.stringify(mine.answers) === JSON.stringify(body.answers);
    if (mine && !sameBody) throw keyReused();
    // Confirmed by an earlier attempt, or by the worker's reconciliation, before that attempt's
    // answer was recorded: answer as then.
    if (mine && mine.status !== 'pending') return { applicationId, label: mine.label };
  }
  // An earlier attempt may have been accepted by the workflow but not confirmed here (the API
  // stopped in between): the workflow is the truth, so finish that confirmation and answer as then.
  const earlier = await findPendingApplication(deps.db, internship.id, studentId);
  const state = earlier
    ? await deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_CALL_DEADLINE_MS, () =>
        deps.temporal.workflow.getHandle(internship.workflowId).query(internshipStateQuery),
      )
    : undefined;
  const accepted = (state ? applicantsIn(state) : []).find((a) => a.applicationId === earlier?.id);
  if (earlier && accepted) {
    await confirmApplication(deps.db, earlier.id, accepted.label);
    return { applicationId: earlier.id, label: accepted.label };
  }
  // The same request retried (its id follows from its key) whose Update the workflow has not
  // seen: the caller sends that Update again, under the same Update id.
  if (earlier?.id === applicationId) return undefined;
  // A pending row the workflow never accepted is left over from a failed attempt once it is
  // stale; a fresh one belongs to a request still running (a double click) and stays.
  if (earlier?.stale) await discardPendingApplication(deps.db, earlier.id);
  throw conflict(ErrorType.AlreadyApplied, 'You have already applied to this micro-internship');
}

/** Sends the apply Update and confirms the row with the workflow's label. */
async function sendAndConfirm(
  deps: ApplyDeps,
  { studentId, key, sendApply }: ApplyRequest,
  applicationId: string,
): Promise<Applied> {
  let label: string;
  try {
    // The pitch and answers are in the stored row: the Update carries ids only.
    ({ label } = await sendApply({ applicationId, studentId }, key ? `apply:${applicationId}` : undefined));
  } catch (err) {
    // A refusal (closed, full, twice) leaves nothing. Any other failure (a deadline, Temporal
    // unreachable) has an unknown outcome: the workflow may have accepted the Update, so the row
    // stays pending for the retry to confirm (see resumeEarlierAttempt).
    if (err instanceof HttpProblem) await discardPendingApplication(deps.db, applicationId);
    throw err;
  }
  await confirmApplication(deps.db, applicationId, label);
  return { applicationId, label };
}
