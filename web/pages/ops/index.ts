/** The ops staff's pages, mounted under /app/ops. */
import express, { type Router } from 'express';
import { asRoute } from '../../context';
import { auditTrail } from './audit';
import { dashboard } from './dashboard';
import { decideFeeException, showFeeException } from './fee-exception';
import { resolve, showResolve } from './resolve';

export function opsPages(): Router {
  const router = express.Router();
  router.get('/ops', asRoute(dashboard));
  router.get('/ops/internships/:id', asRoute(auditTrail));
  router.get('/ops/internships/:id/resolve', asRoute(showResolve));
  router.post('/ops/internships/:id/resolve', asRoute(resolve));
  router.get('/ops/internships/:id/fee-exception', asRoute(showFeeException));
  router.post('/ops/internships/:id/fee-exception', asRoute(decideFeeException));
  return router;
}
