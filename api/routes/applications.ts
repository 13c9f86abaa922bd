import { Router, type Request, type Response } from 'express';
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
import { internshipFor, ownerOf } from '../internship-lookup';
import { actingFor } from '../audited-handle';
import { requireRole } from '../auth';
import { idempotency, idempotencyKeyIn, respond } from '../idempotency';
import { notFound } from '../problem';
import { internshipIdParam, offerResponseBody, selectionBody } from '../schemas';
import { parse } from '../validate';
import { runUpdate } from '../workflow-errors';
import { updateRoute } from '../update-route';
import { applyToPosting } from '../use-cases/apply';

/** An application whose student was offered the place: a repeated answer gets the workflow's reply. */
const HAD_AN_OFFER = new Set(['offered', 'accepted', 'declined', 'lapsed']);

/** §3.1–3.3 Applications: applying and withdrawing, the employer's blind review and selection, the offer's answer. */
export function applicationRoutes(deps: RouteDeps): Router {
  const router = Router();
  applyingRoutes(router, deps);
  reviewingRoutes(router, deps);
  offerRoutes(router, deps);
  return router;
}

const handleOf = (deps: RouteDeps, i: Internship, req: Request, res: Response) =>
  actingFor(deps, i, req, res);

/** §3.1 The student's side: applying, and withdrawing before selection. */
function applyingRoutes(router: Router, deps: RouteDeps): void {
  const { db, temporal } = deps;
  /** §3.1 A student applies with a pitch and one answer per screening question (api/use-cases/apply.ts). */
  router.post('/v1/internships/:id/applications', idempotency(db), async (req, res) => {
    const { studentId } = requireRole(res, 'student');
    const internship = await internshipFor(db, req.params);
    const key = idempotencyKeyIn(res);
    const { applicationId, label } = await applyToPosting(
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
    );
    res.location(`/v1/internships/${internship.id}/applications/mine`);
    await respond(res, 201, { applicationId, label, status: 'submitted' });
  });

  /** A student withdraws before selection. */
  router.delete('/v1/internships/:id/applications/mine', async (req, res) => {
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
  });
}

/** §3.2 The employer's side: the blind review and the selection. */
function reviewingRoutes(router: Router, deps: RouteDeps): void {
  const { db } = deps;
  /** §3.2 Blind review: pitch, answers and skills under an anonymous label; the hired student is revealed. */
  router.get('/v1/internships/:id/applications', async (req, res) => {
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
}

/** §3.3 The offered student's answer. */
function offerRoutes(router: Router, deps: RouteDeps): void {
  const { db } = deps;
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
      handleOf(deps, internship, req, res).executeUpdate(respondToOfferUpdate, {
        args: [{ studentId, accept: body.accept, via: 'api' }],
      }),
    );
    res.json(result);
  });
}
