import { decideFeeExceptionUpdate, resolveDisputeUpdate } from '../../workflows/definitions';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { feeExceptionBody, resolutionBody, statusResponse } from '../schemas';
import { updateRoute, updateSpec } from '../update-route';

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

/** What only operations staff may do (DESIGN §2): fee exceptions and dispute resolutions. */
export function adminRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();

  updateRoute(routes, deps, feeException);
  updateRoute(routes, deps, resolution);

  return routes;
}
