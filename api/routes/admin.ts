import { Router } from 'express';
import { decideFeeExceptionUpdate, resolveDisputeUpdate } from '../../workflows/definitions';
import type { RouteDeps } from '../deps';
import { internshipFor } from '../internship-lookup';
import { actingFor } from '../audited-handle';
import { requireRole } from '../auth';
import { feeExceptionBody, resolutionBody } from '../schemas';
import { parse } from '../validate';
import { runUpdate } from '../workflow-errors';

/** What only operations staff may do (DESIGN §2): fee exceptions and dispute resolutions. */
export function adminRoutes(deps: RouteDeps): Router {
  const { db } = deps;
  const router = Router();

  /** §3.1 Approve (→ Open, the application window starts now) or decline a fee below the floor. */
  router.post('/v1/admin/internships/:id/fee-exception', async (req, res) => {
    requireRole(res, 'ops');
    const internship = await internshipFor(db, req.params);
    const body = parse(feeExceptionBody, req.body, 'body');
    const result = await runUpdate(() =>
      actingFor(deps, internship, req, res).executeUpdate(decideFeeExceptionUpdate, {
        args: [body],
      }),
    );
    res.json(result);
  });

  /** §3.7 Settle a dispute with the student's share of the fee; the money follows, each movement once. */
  router.post('/v1/admin/internships/:id/resolution', async (req, res) => {
    requireRole(res, 'ops');
    const internship = await internshipFor(db, req.params);
    const body = parse(resolutionBody, req.body, 'body');
    const result = await runUpdate(() =>
      actingFor(deps, internship, req, res).executeUpdate(resolveDisputeUpdate, {
        args: [body],
      }),
    );
    res.status(202).json(result);
  });

  return router;
}
