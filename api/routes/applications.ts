import type { Request, Response } from 'express';
import { findApplicationOf, listApplications } from '../../db/applications';
import { type Internship } from '../../db/internships';
import { findStudent } from '../../db/students';
import {
  applyUpdate,
  respondToOfferUpdate,
  selectStudentsUpdate,
  withdrawApplicationUpdate,
} from '../../workflows/definitions';
import type { RouteDeps } from '../deps';
import { givenBackOnServerError } from '../limits';
import { internshipFor, ownerOf } from '../internship-lookup';
import { actingFor } from '../audited-handle';
import { requireRole } from '../auth';
import { DocumentedRouter } from '../documented-router';
import { idempotency, idempotencyKeyIn, respond } from '../idempotency';
import {
  idempotencyHeader,
  json,
  jsonBody,
  problem,
  secured,
  unauthenticated,
  type Operation,
} from '../openapi-kit';
import { notFound } from '../problem';
import {
  applicationCreatedResponse,
  applyBody,
  blindApplicationList,
  internshipIdParam,
  offerResponseBody,
  offerResponseResult,
  selectionBody,
  selectionResponse,
  withdrawResponse,
} from '../schemas';
import { parse } from '../validate';
import { runUpdate } from '../workflow-errors';
import { updateRoute } from '../update-route';
import { applyToPosting } from '../use-cases/apply';

/** An application whose student was offered the place: a repeated answer gets the workflow's reply. */
const HAD_AN_OFFER = new Set(['offered', 'accepted', 'declined', 'lapsed']);

/** §3.1–3.3 Applications: applying and withdrawing, the employer's blind review and selection, the offer's answer. */
export function applicationRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();
  applyingRoutes(routes, deps);
  reviewingRoutes(routes, deps);
  offerRoutes(routes, deps);
  return routes;
}

const handleOf = (deps: RouteDeps, i: Internship, req: Request, res: Response) =>
  actingFor(deps, i, req, res);

/** §3.1 A student applies with a pitch and one answer per screening question (api/use-cases/apply.ts). */
const applying: Operation = {
  method: 'post',
  path: '/v1/internships/{id}/applications',
  summary: 'Apply with a pitch and one answer per screening question (student)',
  security: secured,
  request: { params: internshipIdParam, headers: idempotencyHeader, body: jsonBody(applyBody) },
  responses: {
    201: json(applicationCreatedResponse, 'Applied'),
    ...unauthenticated,
    403: problem('Caller is not a student'),
    404: problem('Unknown posting'),
    409: problem(
      'Applications closed (PostingClosed), posting full until one withdraws (PostingFull), already applied (AlreadyApplied), or the student holds the most open applications one may (TooManyOpenApplications)',
    ),
    422: problem('Invalid body, or Idempotency-Key reused with another body'),
  },
};

/** §3.1 The student's side: applying, and withdrawing before selection. */
function applyingRoutes(routes: DocumentedRouter, deps: RouteDeps): void {
  const { db, temporal } = deps;
  routes.route(applying, idempotency(db), async (req, res) => {
    const { studentId } = requireRole(res, 'student');
    const internship = await internshipFor(db, req.params);
    const giveBack = await deps.limits.consume(
      ['application-student', studentId],
      ['application-address', req.ip ?? 'unknown'],
    );
    const key = idempotencyKeyIn(res);
    const { applicationId, label } = await givenBackOnServerError(
      giveBack,
      applyToPosting(
        { db, temporal, maxOpenApplicationsPerStudent: deps.config.MAX_OPEN_APPLICATIONS_PER_STUDENT },
        {
          internship,
          studentId,
          body: req.body,
          ...(key ? { key } : {}),
          sendApply: (input, updateId) =>
            runUpdate(() =>
              handleOf(deps, internship, req, res).executeUpdate(applyUpdate, {
                args: [input],
                ...(updateId ? { updateId } : {}),
              }),
            ),
        },
      ),
    );
    res.location(`/v1/internships/${internship.id}/applications/mine`);
    await respond(res, 201, { applicationId, label, status: 'submitted' });
  });

  /** A student withdraws before selection. */
  routes.route(
    {
      method: 'delete',
      path: '/v1/internships/{id}/applications/mine',
      summary: 'Withdraw before selection (student)',
      security: secured,
      request: { params: internshipIdParam },
      responses: {
        200: json(withdrawResponse, 'Withdrawn'),
        ...unauthenticated,
        403: problem('Caller is not a student'),
        404: problem('No application of yours here'),
        409: problem('Too late to withdraw'),
      },
    },
    async (req, res) => {
      const { studentId } = requireRole(res, 'student');
      const internship = await internshipFor(db, req.params);
      const mine = await findApplicationOf(db, internship.id, studentId);
      if (!mine) throw notFound('Application');
      await runUpdate(() =>
        handleOf(deps, internship, req, res).executeUpdate(withdrawApplicationUpdate, {
          args: [{ studentId }],
        }),
      );
      res.json({ applicationId: mine.id, status: 'withdrawn' });
    },
  );
}

/** §3.2 The employer's side: the blind review and the selection. */
function reviewingRoutes(routes: DocumentedRouter, deps: RouteDeps): void {
  const { db } = deps;
  /** §3.2 Blind review: pitch, answers and skills under an anonymous label; the hired student is revealed. */
  routes.route(
    {
      method: 'get',
      path: '/v1/internships/{id}/applications',
      summary: 'Blind applicant list: no name, email or school until a student accepts (owner, ops)',
      security: secured,
      request: { params: internshipIdParam },
      responses: {
        200: json(blindApplicationList, 'Applications in the order they came'),
        ...unauthenticated,
        403: problem('Caller is a student'),
        404: problem("Unknown, or another employer's"),
      },
    },
    async (req, res) => {
      const principal = requireRole(res, 'employer', 'ops');
      const internship = await internshipFor(db, req.params, ownerOf(principal));
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
    },
  );

  /** §3.2 The employer chooses one application or a ranked shortlist of up to three. */
  updateRoute(routes, deps, {
    path: '/v1/internships/{id}/selection',
    who: ['employer'],
    body: selectionBody,
    update: selectStudentsUpdate,
    args: (body) => ({ applicationIds: body.applicationIds }),
    status: 202,
    answer: ({ shortlist }) => ({ status: 'Offered', shortlist }),
    doc: {
      summary:
        'Choose one application or a ranked shortlist of up to 3 (a member of the posting organisation)',
      ok: [selectionResponse, 'The first is being offered'],
      refusals: {
        403: 'Caller is not an employer',
        404: "Unknown, or another employer's",
        409: 'Not Open or Selecting',
        422: 'An application cannot be selected',
      },
    },
  });
}

/** §3.3 The offered student's answer. */
function offerRoutes(routes: DocumentedRouter, deps: RouteDeps): void {
  const { db } = deps;
  /** §3.3 The offered student accepts or declines (the same decision as the email links). */
  routes.route(
    {
      method: 'post',
      path: '/v1/internships/{id}/offer-response',
      summary: 'Accept or decline an offer (the offered student)',
      security: secured,
      request: { params: internshipIdParam, body: jsonBody(offerResponseBody) },
      responses: {
        200: json(offerResponseResult, 'Recorded'),
        ...unauthenticated,
        403: problem('Caller is not a student'),
        404: problem('No open offer for the caller'),
      },
    },
    async (req, res) => {
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
        handleOf(deps, internship, req, res).executeUpdate(respondToOfferUpdate, {
          args: [{ studentId, accept: body.accept, via: 'api' }],
        }),
      );
      res.json(result);
    },
  );
}
