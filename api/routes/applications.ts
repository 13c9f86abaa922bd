import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import {
  confirmApplication,
  discardPendingApplication,
  findApplication,
  findApplicationOf,
  findPendingApplication,
  storePendingApplication,
  listApplications,
} from '../../db/applications';
import { type Internship } from '../../db/internships';
import { findStudent } from '../../db/students';
import {
  applyUpdate,
  ErrorType,
  internshipStateQuery,
  respondToOfferUpdate,
  selectStudentsUpdate,
  withdrawApplicationUpdate,
} from '../../workflows/definitions';
import type { RouteDeps } from '../deps';
import { internshipFor } from '../internship-lookup';
import { actingFor } from '../audited-handle';
import { requireRole } from '../auth';
import { idempotency, idempotencyKeyIn, keyReused, respond } from '../idempotency';
import { conflict, HttpProblem, notFound, validationProblem } from '../problem';
import { applyBody, internshipIdParam, offerResponseBody, selectionBody } from '../schemas';
import { parse } from '../validate';
import { runUpdate, TEMPORAL_CALL_DEADLINE_MS } from '../workflow-errors';
import { updateRoute } from '../update-route';
import { keyedApplicationId } from '../../lib/ids';

/** An application whose student was offered the place: a repeated answer gets the workflow's reply. */
const HAD_AN_OFFER = new Set(['offered', 'accepted', 'declined', 'lapsed']);

export function applicationRoutes(deps: RouteDeps): Router {
  const { db, temporal } = deps;
  const router = Router();
  const handleOf = (i: Internship, req: Request, res: Response) => actingFor(deps, i, req, res);
  /** An application's 201: the first attempt's answer, and every retry's answer to the same request. */
  const answerApplied = (res: Response, internshipId: string, applicationId: string, label: string) => {
    res.location(`/v1/internships/${internshipId}/applications/mine`);
    return respond(res, 201, { applicationId, label, status: 'submitted' });
  };

  /** §3.1 A student applies with a pitch and one answer per screening question. */
  router.post('/v1/internships/:id/applications', idempotency(db), async (req, res) => {
    const { studentId } = requireRole(res, 'student');
    const internship = await internshipFor(db, req.params);
    // A posting that is not open is refused from its row, without Temporal: the workflow opens it
    // (and reopens it after a withdrawal) by writing Open there before it takes applications.
    if (internship.status !== 'Open') {
      // Selecting before the deadline: the cap closed it; a withdrawal may open a place again.
      const full =
        internship.status === 'Selecting' && Date.parse(internship.applicationDeadline) > Date.now();
      throw full
        ? conflict(
            ErrorType.PostingFull,
            'This posting has all the applicants it takes; a place opens again if one withdraws',
          )
        : conflict(ErrorType.PostingClosed, 'Applications for this posting are closed');
    }
    const body = parse(applyBody, req.body, 'body');
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
    const key = idempotencyKeyIn(res);
    const applicationId = key ? keyedApplicationId(internship.id, studentId, key) : randomUUID();
    const updateId = key ? `apply:${applicationId}` : undefined;
    const storing = await storePendingApplication(
      db,
      { id: applicationId, internshipId: internship.id, studentId, pitch: body.pitch, answers: body.answers },
      deps.config.MAX_OPEN_APPLICATIONS_PER_STUDENT,
    );
    if (storing.outcome === 'limit') {
      throw conflict(
        'TooManyOpenApplications',
        `You hold ${storing.open} open applications, the most one student may: withdraw one or wait for a decision`,
      );
    }
    const stored = storing.outcome === 'stored';
    if (!stored && key) {
      // This request's own application (its id follows from the key). Its key was freed if an
      // attempt failed, so the middleware could not compare the bodies: compare them here.
      const mine = await findApplication(db, applicationId);
      const sameBody =
        mine?.pitch === body.pitch && JSON.stringify(mine.answers) === JSON.stringify(body.answers);
      if (mine && !sameBody) throw keyReused();
      // Confirmed by an earlier attempt, or by the worker's reconciliation, before that attempt's
      // answer was recorded: answer as then.
      if (mine && mine.status !== 'pending') {
        await answerApplied(res, internship.id, applicationId, mine.label);
        return;
      }
    }
    if (!stored) {
      // An earlier attempt may have been accepted by the workflow but not confirmed here (the API
      // stopped in between): the workflow is the truth, so finish that confirmation and answer as then.
      const earlier = await findPendingApplication(db, internship.id, studentId);
      const state = earlier
        ? await temporal.connection.withDeadline(Date.now() + TEMPORAL_CALL_DEADLINE_MS, () =>
            temporal.workflow.getHandle(internship.workflowId).query(internshipStateQuery),
          )
        : undefined;
      const accepted = state?.applicants.find((a) => a.applicationId === earlier?.id);
      if (earlier && accepted) {
        await confirmApplication(db, earlier.id, accepted.label);
        await answerApplied(res, internship.id, earlier.id, accepted.label);
        return;
      }
      // The same request retried (its id follows from its key) whose Update the workflow has not
      // seen: send that Update again, under the same Update id, below.
      if (earlier?.id !== applicationId) {
        // A pending row the workflow never accepted is left over from a failed attempt once it is
        // stale; a fresh one belongs to a request still running (a double click) and stays.
        if (earlier?.stale) await discardPendingApplication(db, earlier.id);
        throw conflict(ErrorType.AlreadyApplied, 'You have already applied to this micro-internship');
      }
    }
    let label: string;
    try {
      ({ label } = await runUpdate(() =>
        handleOf(internship, req, res).executeUpdate(applyUpdate, {
          args: [{ applicationId, studentId, pitch: body.pitch, answers: body.answers }],
          ...(updateId ? { updateId } : {}),
        }),
      ));
    } catch (err) {
      // A refusal (closed, full, twice) leaves nothing. Any other failure (a deadline, Temporal
      // unreachable) has an unknown outcome: the workflow may have accepted the Update, so the row
      // stays pending for the retry to confirm (see the !stored branch above).
      if (err instanceof HttpProblem) await discardPendingApplication(db, applicationId);
      throw err;
    }
    await confirmApplication(db, applicationId, label);
    await answerApplied(res, internship.id, applicationId, label);
  });

  /** A student withdraws before selection. */
  router.delete('/v1/internships/:id/applications/mine', async (req, res) => {
    const { studentId } = requireRole(res, 'student');
    const internship = await internshipFor(db, req.params);
    const mine = await findApplicationOf(db, internship.id, studentId);
    if (!mine) throw notFound('Application');
    await runUpdate(() =>
      handleOf(internship, req, res).executeUpdate(withdrawApplicationUpdate, { args: [{ studentId }] }),
    );
    res.json({ applicationId: mine.id, status: 'withdrawn' });
  });

  /** §3.2 Blind review: pitch, answers and skills under an anonymous label; the hired student is revealed. */
  router.get('/v1/internships/:id/applications', async (req, res) => {
    const principal = requireRole(res, 'employer', 'ops');
    const internship = await internshipFor(db, req.params, {
      employerId: principal.role === 'employer' ? principal.employerId : undefined,
    });
    const applications = await listApplications(db, internship.id);
    const items = await Promise.all(
      applications.map(async (a) => {
        const student = await findStudent(db, a.studentId);
        const revealed = a.status === 'accepted' && internship.studentId === a.studentId && student;
        return {
          applicationId: a.id,
          label: a.label,
          pitch: a.pitch,
          answers: internship.screeningQuestions.map((question, i) => ({
            question,
            answer: a.answers[i] ?? '',
          })),
          skills: student?.skills ?? [],
          status: a.status,
          submittedAt: a.createdAt,
          ...(revealed
            ? {
                student: {
                  id: student.id,
                  name: student.name,
                  email: student.email,
                  school: student.school,
                  major: student.major,
                  graduationYear: student.graduationYear,
                  skills: student.skills,
                },
              }
            : {}),
        };
      }),
    );
    res.json({ items });
  });

  /** §3.2 The employer chooses one application or a ranked shortlist of up to three. */
  updateRoute(router, deps, {
    path: '/v1/internships/:id/selection',
    who: ['employer'],
    body: selectionBody,
    update: selectStudentsUpdate,
    args: (body) => ({ applicationIds: body.applicationIds }),
    status: 202,
    answer: ({ shortlist }) => ({ status: 'Offered', shortlist }),
  });

  /** §3.3 The offered student accepts or declines (the same decision as the email links). */
  router.post('/v1/internships/:id/offer-response', async (req, res) => {
    const { studentId } = requireRole(res, 'student');
    const { id } = parse(internshipIdParam, req.params, 'path');
    // Only the student whose application is on offer may answer: anyone else is refused here, from
    // Postgres, without a call to Temporal or a place in this internship's queue. The workflow marks
    // the application offered before it shows the posting as Offered (since 'applications-reopen').
    const mine = await findApplicationOf(db, id, studentId);
    if (!mine || !HAD_AN_OFFER.has(mine.status)) throw notFound('Offer');
    const internship = await internshipFor(db, req.params);
    const body = parse(offerResponseBody, req.body, 'body');
    const result = await runUpdate(() =>
      handleOf(internship, req, res).executeUpdate(respondToOfferUpdate, {
        args: [{ studentId, accept: body.accept, via: 'api' }],
      }),
    );
    res.json(result);
  });

  return router;
}
