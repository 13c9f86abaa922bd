import { Router } from 'express';
import { decideFeeExceptionUpdate, resolveDisputeUpdate } from '../../workflows/definitions';
import type { RouteDeps } from '../deps';
import { feeExceptionBody, resolutionBody } from '../schemas';
import { updateRoute } from '../update-route';

/** What only operations staff may do (DESIGN §2): fee exceptions and dispute resolutions. */
export function adminRoutes(deps: RouteDeps): Router {
  const router = Router();

  /** §3.1 Approve (→ Open, the application window starts now) or decline a fee below the floor. */
  updateRoute(router, deps, {
    path: '/v1/admin/internships/:id/fee-exception',
    who: ['ops'],
    body: feeExceptionBody,
    update: decideFeeExceptionUpdate,
    args: (body) => body,
  });

  /** §3.7 Settle a dispute with the student's share of the fee; the money follows, each movement once. */
  updateRoute(router, deps, {
    path: '/v1/admin/internships/:id/resolution',
    who: ['ops'],
    body: resolutionBody,
    update: resolveDisputeUpdate,
    args: (body) => body,
    status: 202,
  });

  return router;
}
