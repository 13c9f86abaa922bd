import { z } from 'zod';
import {
  cancelUpdate,
  decideExtensionUpdate,
  MAX_CHANGE_ROUNDS,
  MAX_EXTENSION_DAYS,
  MAX_EXTENSIONS,
  missedDeadlineDecisionUpdate,
  RECOVERY_CHOICES,
  requestExtensionUpdate,
  reviewUpdate,
  submitWorkUpdate,
} from '../../workflows/definitions';
import { KILL_FEE_PCT } from '../../workflows/durations';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import {
  cancelBody,
  extensionDecisionBody,
  extensionRequestBody,
  missedDeadlineDecisionBody,
  reviewBody,
  reviewResponse,
  statusResponse,
  submissionBody,
  submissionResponse,
} from '../schemas';
import { updateRoute, updateSpec } from '../update-route';

/** §3.6 The hired student submits a link to the deliverable with notes. */
const submitWork = updateSpec({
  path: '/v1/internships/{id}/submissions',
  who: ['student'],
  body: submissionBody,
  update: submitWorkUpdate,
  words: { kind: 'submission', of: (body) => ({ url: body.url, notes: body.notes }) },
  args: (_body, { studentId }, textId) => ({ studentId, textId }),
  status: 201,
  answer: ({ submittedAt }) => ({ status: 'InReview', submittedAt }),
  doc: {
    summary: 'Submit the deliverable: a link and notes (the hired student)',
    ok: [submissionResponse, 'Submitted; the employer reviews it'],
    refusals: {
      403: 'Caller is not a student',
      404: 'Not your micro-internship',
      409: 'Not in progress, or already submitted',
      422: 'Invalid body',
    },
  },
});

/** §3.6 The employer approves, asks for changes, or (after the last round) rejects. */
const review = updateSpec({
  path: '/v1/internships/{id}/review',
  who: ['employer'],
  body: reviewBody,
  update: reviewUpdate,
  words: { kind: 'review', of: (body) => ({ comments: body.comments ?? '' }) },
  args: (body, _caller, textId) => ({ decision: body.decision, textId }),
  doc: {
    summary: `Approve, request changes (at most ${MAX_CHANGE_ROUNDS} times), or reject after the last round (a member of the posting organisation)`,
    ok: [reviewResponse, 'The status the internship moves to'],
    refusals: {
      403: 'Caller is not an employer',
      404: "Unknown, or another employer's",
      409: 'Nothing to review, or the decision is not allowed in this round',
      422: 'Invalid body',
    },
  },
});

/** §3.5 The hired student asks for a later due date (MAX_EXTENSIONS times, each MAX_EXTENSION_DAYS at most). */
const requestExtension = updateSpec({
  path: '/v1/internships/{id}/extension-requests',
  who: ['student'],
  body: extensionRequestBody,
  update: requestExtensionUpdate,
  words: { kind: 'extension', of: (body) => ({ reason: body.reason }) },
  args: (body, { studentId }, textId) => ({
    studentId,
    newDueAt: new Date(body.newDueAt).toISOString(),
    textId,
  }),
  status: 202,
  answer: () => ({ status: 'pending' }),
  doc: {
    summary: `Ask for a later due date, at most ${MAX_EXTENSIONS} times and ${MAX_EXTENSION_DAYS} days later each (the hired student)`,
    ok: [z.object({ status: z.literal('pending') }), 'Sent to the employer'],
    refusals: {
      403: 'Caller is not a student',
      404: 'Not your micro-internship',
      409: `Not working, a request is pending, or ${MAX_EXTENSIONS} asked already`,
      422: 'Invalid body or date',
    },
  },
});

/** §3.5 The employer decides the pending extension (the same as the email links). */
const decideExtension = updateSpec({
  path: '/v1/internships/{id}/extension-decision',
  who: ['employer'],
  body: extensionDecisionBody,
  update: decideExtensionUpdate,
  args: (body) => ({ approve: body.approve, via: 'api' }),
  doc: {
    summary: 'Approve or decline the pending extension (a member of the posting organisation)',
    ok: [z.object({ dueAt: z.iso.datetime() }), 'The due date now'],
    refusals: {
      403: 'Caller is not an employer',
      404: "Unknown, or another employer's",
      409: 'No request is pending',
    },
  },
});

/** §3.5 After a missed deadline or a withdrawal: extend, re-select (money held) or cancel (refund). */
const missedDeadlineDecision = updateSpec({
  path: '/v1/internships/{id}/missed-deadline-decision',
  who: ['employer'],
  body: missedDeadlineDecisionBody,
  update: missedDeadlineDecisionUpdate,
  args: (body) => ({
    choice: body.choice,
    via: 'api',
    ...(body.newDueAt ? { newDueAt: new Date(body.newDueAt).toISOString() } : {}),
  }),
  doc: {
    summary:
      'After a missed deadline or a withdrawal: extend, re-select (fee held) or cancel (refund) (a member of the posting organisation)',
    ok: [z.object({ choice: z.enum(RECOVERY_CHOICES) }), 'Recorded'],
    refusals: {
      403: 'Caller is not an employer',
      404: "Unknown, or another employer's",
      409: 'No such decision is waiting',
      422: 'Invalid body or date',
    },
  },
});

/** §3.5 The employer (or ops) cancels funded work: the kill fee to the student, the rest refunded. */
const cancel = updateSpec({
  path: '/v1/internships/{id}/cancel',
  who: ['employer', 'ops'],
  staff: ['finance'],
  body: cancelBody,
  update: cancelUpdate,
  words: { kind: 'cancellation', of: (body) => ({ reason: body.reason }) },
  args: (_body, caller, textId) => ({
    by: caller.role === 'ops' ? ('ops' as const) : ('employer' as const),
    textId,
  }),
  status: 202,
  doc: {
    summary: `Cancel funded work: ${KILL_FEE_PCT}% kill fee to the student, the rest refunded (the organisation's members; finance staff)`,
    ok: [statusResponse, 'Cancelling'],
    refusals: {
      403: 'Caller is a student',
      404: "Unknown, or another employer's",
      409: 'Not in progress or in review',
    },
  },
});

/** §3.5–3.6 The work: submitting, reviewing, extensions, a missed deadline, cancelling. */
export function workRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();

  updateRoute(routes, deps, submitWork);
  updateRoute(routes, deps, review);
  updateRoute(routes, deps, requestExtension);
  updateRoute(routes, deps, decideExtension);
  updateRoute(routes, deps, missedDeadlineDecision);
  updateRoute(routes, deps, cancel);

  return routes;
}
