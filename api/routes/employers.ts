import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { insertEmployer } from '../../db/employers';
import { inTransaction } from '../../db/pool';
import { issueToken } from '../../db/tokens';
import type { RouteDeps } from '../deps';
import { requireRole } from '../auth';
import { createEmployerBody } from '../schemas';
import { parse } from '../validate';

export function employerRoutes({ db }: RouteDeps): Router {
  const router = Router();

  /** Ops onboards a company; the token in the answer is shown once and stored only as a hash. */
  router.post('/v1/employers', async (req, res) => {
    requireRole(res, 'ops');
    const body = parse(createEmployerBody, req.body, 'body');
    const { employer, token } = await inTransaction(db, async (tx) => {
      const employer = await insertEmployer(tx, {
        id: randomUUID(),
        companyName: body.companyName,
        contactName: body.contactName ?? null,
        contactEmail: body.contactEmail,
      });
      const token = await issueToken(tx, { role: 'employer', subjectId: employer.id });
      return { employer, token };
    });
    res.status(201).location(`/v1/employers/${employer.id}`).json({ employer, token });
  });

  return router;
}
