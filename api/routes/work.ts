import { Router } from 'express';
import {
  cancelUpdate,
  decideExtensionUpdate,
  missedDeadlineDecisionUpdate,
  requestExtensionUpdate,
  reviewUpdate,
  submitWorkUpdate,
} from '../../workflows/definitions';
import type { RouteDeps } from '../deps';
import { internshipFor } from '../internship-lookup';
import { actingFor } from '../audited-handle';
import { requireRole } from '../auth';
import {
  cancelBody,
  extensionDecisionBody,
  extensionRequestBody,
  missedDeadlineDecisionBody,
  reviewBody,
  submissionBody,
} from '../schemas';
import { parse } from '../validate';
import { runUpdate } from '../workflow-errors';

export function workRoutes(deps: RouteDeps): Router {
  const { db } = deps;
  const router = Router();

  /** §3.6 The hired student submits a link to the deliverable with notes. */
  router.post('/v1/internships/:id/submissions', async (req, res) => {
    const { studentId } = requireRole(res, 'student');
    const internship = await internshipFor(db, req.params, { studentId });
    const body = parse(submissionBody, req.body, 'body');
    const { submittedAt } = await runUpdate(() =>
      actingFor(deps, internship, req, res).executeUpdate(submitWorkUpdate, {
        args: [{ studentId, url: body.url, notes: body.notes }],
      }),
    );
    res.status(201).json({ status: 'InReview', submittedAt });
  });

  /** §3.6 The employer approves, asks for changes, or (after the last round) rejects. */
  router.post('/v1/internships/:id/review', async (req, res) => {
    const { employerId } = requireRole(res, 'employer');
    const internship = await internshipFor(db, req.params, { employerId });
    const body = parse(reviewBody, req.body, 'body');
    const result = await runUpdate(() =>
      actingFor(deps, internship, req, res).executeUpdate(reviewUpdate, { args: [body] }),
    );
    res.json(result);
  });

  /** §3.5 The hired student asks for a later due date (at most twice, at most 14 days later). */
  router.post('/v1/internships/:id/extension-requests', async (req, res) => {
    const { studentId } = requireRole(res, 'student');
    const internship = await internshipFor(db, req.params, { studentId });
    const body = parse(extensionRequestBody, req.body, 'body');
    await runUpdate(() =>
      actingFor(deps, internship, req, res).executeUpdate(requestExtensionUpdate, {
        args: [{ studentId, newDueAt: new Date(body.newDueAt).toISOString(), reason: body.reason }],
      }),
    );
    res.status(202).json({ status: 'pending' });
  });

  /** §3.5 The employer decides the pending extension (the same as the email links). */
  router.post('/v1/internships/:id/extension-decision', async (req, res) => {
    const { employerId } = requireRole(res, 'employer');
    const internship = await internshipFor(db, req.params, { employerId });
    const body = parse(extensionDecisionBody, req.body, 'body');
    const result = await runUpdate(() =>
      actingFor(deps, internship, req, res).executeUpdate(decideExtensionUpdate, {
        args: [{ approve: body.approve, via: 'api' }],
      }),
    );
    res.json(result);
  });

  /** §3.5 After a missed deadline or a withdrawal: extend, re-select (money held) or cancel (refund). */
  router.post('/v1/internships/:id/missed-deadline-decision', async (req, res) => {
    const { employerId } = requireRole(res, 'employer');
    const internship = await internshipFor(db, req.params, { employerId });
    const body = parse(missedDeadlineDecisionBody, req.body, 'body');
    const result = await runUpdate(() =>
      actingFor(deps, internship, req, res).executeUpdate(missedDeadlineDecisionUpdate, {
        args: [
          {
            choice: body.choice,
            via: 'api',
            ...(body.newDueAt ? { newDueAt: new Date(body.newDueAt).toISOString() } : {}),
          },
        ],
      }),
    );
    res.json(result);
  });

  /** §3.5 The employer (or ops) cancels funded work: 25% kill fee to the student, the rest refunded. */
  router.post('/v1/internships/:id/cancel', async (req, res) => {
    const principal = requireRole(res, 'employer', 'ops');
    const internship = await internshipFor(db, req.params, {
      employerId: principal.role === 'employer' ? principal.employerId : undefined,
    });
    const body = parse(cancelBody, req.body, 'body');
    const result = await runUpdate(() =>
      actingFor(deps, internship, req, res).executeUpdate(cancelUpdate, {
        args: [{ by: principal.role === 'ops' ? 'ops' : 'employer', reason: body.reason }],
      }),
    );
    res.status(202).json(result);
  });

  return router;
}
