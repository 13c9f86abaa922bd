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
import {
  cancelBody,
  extensionDecisionBody,
  extensionRequestBody,
  missedDeadlineDecisionBody,
  reviewBody,
  submissionBody,
} from '../schemas';
import { updateRoute } from '../update-route';

/** §3.5–3.6 The work: submitting, reviewing, extensions, a missed deadline, cancelling. */
export function workRoutes(deps: RouteDeps): Router {
  const router = Router();

  /** §3.6 The hired student submits a link to the deliverable with notes. */
  updateRoute(router, deps, {
    path: '/v1/internships/:id/submissions',
    who: ['student'],
    body: submissionBody,
    update: submitWorkUpdate,
    args: (body, { studentId }) => ({ studentId, url: body.url, notes: body.notes }),
    status: 201,
    answer: ({ submittedAt }) => ({ status: 'InReview', submittedAt }),
  });

  /** §3.6 The employer approves, asks for changes, or (after the last round) rejects. */
  updateRoute(router, deps, {
    path: '/v1/internships/:id/review',
    who: ['employer'],
    body: reviewBody,
    update: reviewUpdate,
    args: (body) => body,
  });

  /** §3.5 The hired student asks for a later due date (at most twice, at most 14 days later). */
  updateRoute(router, deps, {
    path: '/v1/internships/:id/extension-requests',
    who: ['student'],
    body: extensionRequestBody,
    update: requestExtensionUpdate,
    args: (body, { studentId }) => ({
      studentId,
      newDueAt: new Date(body.newDueAt).toISOString(),
      reason: body.reason,
    }),
    status: 202,
    answer: () => ({ status: 'pending' }),
  });

  /** §3.5 The employer decides the pending extension (the same as the email links). */
  updateRoute(router, deps, {
    path: '/v1/internships/:id/extension-decision',
    who: ['employer'],
    body: extensionDecisionBody,
    update: decideExtensionUpdate,
    args: (body) => ({ approve: body.approve, via: 'api' }),
  });

  /** §3.5 After a missed deadline or a withdrawal: extend, re-select (money held) or cancel (refund). */
  updateRoute(router, deps, {
    path: '/v1/internships/:id/missed-deadline-decision',
    who: ['employer'],
    body: missedDeadlineDecisionBody,
    update: missedDeadlineDecisionUpdate,
    args: (body) => ({
      choice: body.choice,
      via: 'api',
      ...(body.newDueAt ? { newDueAt: new Date(body.newDueAt).toISOString() } : {}),
    }),
  });

  /** §3.5 The employer (or ops) cancels funded work: 25% kill fee to the student, the rest refunded. */
  updateRoute(router, deps, {
    path: '/v1/internships/:id/cancel',
    who: ['employer', 'ops'],
    body: cancelBody,
    update: cancelUpdate,
    args: (body, caller) => ({ by: caller.role === 'ops' ? 'ops' : 'employer', reason: body.reason }),
    status: 202,
  });

  return router;
}
