import { findInternship } from '../../db/internships';
import { opsQueue, type QueueItem } from '../../db/ops';
import { decideFeeExceptionUpdate, ErrorType, resolveDisputeUpdate } from '../../workflows/definitions';
import { disputeSplit } from '../../workflows/money';
import { requireRole } from '../auth';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { json, problems, secured, unauthenticated, type Operation } from '../openapi-kit';
import { conflict, notFound } from '../problem';
import {
  feeExceptionBody,
  internshipIdParam,
  opsQueueResponse,
  resolutionBody,
  resolutionQuery,
  resolutionSplit,
  statusResponse,
} from '../schemas';
import { runInTemporalUi } from '../temporal-links';
import { updateRoute, updateSpec } from '../update-route';
import { parse } from '../validate';

const refusals = {
  403: 'Caller is not finance staff',
  404: 'Unknown internship',
  409: 'Nothing of this kind is waiting',
  422: 'Invalid body',
};

/** §3.1 Approve (→ Open, the application window starts now) or decline a fee below the floor. */
const feeException = updateSpec({
  path: '/v1/admin/internships/{id}/fee-exception',
  who: ['ops'],
  staff: ['finance'],
  body: feeExceptionBody,
  update: decideFeeExceptionUpdate,
  args: (body) => body,
  doc: {
    summary: 'Approve or decline a fee below the fair-pay floor (ops)',
    ok: [statusResponse, 'Decided'],
    refusals,
  },
});

/** §3.7 Settle a dispute with the student's share of the fee; the money follows, each movement once. */
const resolution = updateSpec({
  path: '/v1/admin/internships/{id}/resolution',
  who: ['ops'],
  staff: ['finance'],
  body: resolutionBody,
  update: resolveDisputeUpdate,
  args: (body) => body,
  status: 202,
  doc: {
    summary: "Resolve a dispute with the student's share of the fee, 0-100% (ops)",
    ok: [statusResponse, 'Settling'],
    refusals,
  },
});

/** How many of each kind the queue lists, oldest first. */
const QUEUE_LIMIT = 50;

const queue: Operation = {
  method: 'get',
  path: '/v1/admin/queue',
  summary:
    'What waits on ops: overdue decisions, open disputes, fee exceptions, payouts waiting for an account (staff)',
  security: secured,
  responses: {
    200: json(opsQueueResponse, `Oldest first, at most ${QUEUE_LIMIT} of each`),
    ...unauthenticated,
    ...problems({ 403: 'Caller is not staff' }),
  },
};

const resolutionPreview: Operation = {
  method: 'get',
  path: '/v1/admin/internships/{id}/resolution',
  summary: 'What resolving a dispute at a share would pay the student and refund the employer (staff)',
  description: 'Nothing changes: the amounts to confirm before POSTing the same share.',
  security: secured,
  request: { params: internshipIdParam, query: resolutionQuery },
  responses: {
    200: json(resolutionSplit, 'The amounts, in cents'),
    ...unauthenticated,
    ...problems({
      403: 'Caller is not staff',
      404: 'Unknown internship',
      409: 'It is not in dispute',
      422: 'Invalid share',
    }),
  },
};

/** Each item with the address of its run in the Temporal UI (looked up once per workflow). */
async function withTemporalLinks(deps: RouteDeps, lists: Record<string, QueueItem[]>) {
  const ids = [...new Set(Object.values(lists).flatMap((items) => items.map((i) => i.workflowId)))];
  const urls = new Map(
    await Promise.all(ids.map(async (id) => [id, await runInTemporalUi(deps, id)] as const)),
  );
  return Object.fromEntries(
    Object.entries(lists).map(([kind, items]) => [
      kind,
      items.map((i) => ({ ...i, temporalUi: urls.get(i.workflowId) ?? null })),
    ]),
  );
}

/** What only operations staff may do (DESIGN §2): fee exceptions and dispute resolutions, and what waits on them. */
export function adminRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();

  updateRoute(routes, deps, feeException);
  updateRoute(routes, deps, resolution);

  routes.route(queue, async (_req, res) => {
    requireRole(res, 'ops');
    res.json(await withTemporalLinks(deps, await opsQueue(deps.db, QUEUE_LIMIT)));
  });

  routes.route(resolutionPreview, async (req, res) => {
    requireRole(res, 'ops');
    const { id } = parse(internshipIdParam, req.params, 'path');
    const { studentSharePct } = parse(resolutionQuery, req.query, 'query');
    const internship = await findInternship(deps.db, id);
    if (!internship) throw notFound('Internship');
    if (internship.status !== 'Disputed') throw conflict(ErrorType.WrongState, 'It is not in dispute');
    const split = disputeSplit(internship.feeCents, studentSharePct, deps.config.PLATFORM_SHARE_PCT);
    res.json({ feeCents: internship.feeCents, studentSharePct, ...split });
  });

  return routes;
}
