import { Router } from 'express';
import { findInternship } from '../../db/internships';
import { reviewUpdate, submitWorkUpdate } from '../../workflows/definitions';
import type { AppDeps } from '../app';
import { requireRole } from '../auth';
import { notFound } from '../problem';
import { internshipIdParam, reviewBody, submissionBody } from '../schemas';
import { parse } from '../validate';
import { runUpdate } from '../workflow-errors';

export function workRoutes({ db, temporal }: AppDeps): Router {
  const router = Router();

  /** §3.6 The hired student submits a link to the deliverable with notes. */
  router.post('/v1/internships/:id/submissions', async (req, res) => {
    const { studentId } = requireRole(res, 'student');
    const { id } = parse(internshipIdParam, req.params, 'path');
    const internship = await findInternship(db, id);
    if (!internship || internship.studentId !== studentId) throw notFound('Internship');
    const body = parse(submissionBody, req.body, 'body');
    const { submittedAt } = await runUpdate(() =>
      temporal.workflow.getHandle(internship.workflowId).executeUpdate(submitWorkUpdate, {
        args: [{ studentId, url: body.url, notes: body.notes }],
      }),
    );
    res.status(201).json({ status: 'InReview', submittedAt });
  });

  /** §3.6 The employer approves, asks for changes, or (after the last round) rejects. */
  router.post('/v1/internships/:id/review', async (req, res) => {
    const { employerId } = requireRole(res, 'employer');
    const { id } = parse(internshipIdParam, req.params, 'path');
    const internship = await findInternship(db, id);
    if (!internship || internship.employerId !== employerId) throw notFound('Internship');
    const body = parse(reviewBody, req.body, 'body');
    const result = await runUpdate(() =>
      temporal.workflow.getHandle(internship.workflowId).executeUpdate(reviewUpdate, { args: [body] }),
    );
    res.json(result);
  });

  return router;
}
