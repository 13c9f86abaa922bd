import { randomUUID } from 'node:crypto';
import { insertEmployer } from '../../db/employers';
import { inTransaction } from '../../db/pool';
import { issueToken } from '../../db/tokens';
import type { RouteDeps } from '../deps';
import { requireRole } from '../auth';
import { DocumentedRouter } from '../documented-router';
import { json, jsonBody, problem, secured, unauthenticated, type Operation } from '../openapi-kit';
import { createEmployerBody, createEmployerResponse } from '../schemas';
import { parse } from '../validate';

const createEmployer: Operation = {
  method: 'post',
  path: '/v1/employers',
  summary: 'Create an employer (ops)',
  security: secured,
  request: { body: jsonBody(createEmployerBody) },
  responses: {
    201: json(createEmployerResponse, 'The employer and its API token'),
    ...unauthenticated,
    403: problem('Caller is not ops'),
    422: problem('Invalid body; `errors` names each wrong field'),
  },
};

export function employerRoutes({ db }: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();

  /** Ops onboards a company; the token in the answer is shown once and stored only as a hash. */
  routes.route(createEmployer, async (req, res) => {
    requireRole(res, 'ops');
    const body = parse(createEmployerBody, req.body, 'body');
    const { employer, token } = await inTransaction(db, async (tx) => {
      const employer = await insertEmployer(tx, {
        id: randomUUID(),
        companyName: body.companyName,
        contactName: body.contactName ?? null,
        contactEmail: body.contactEmail,
        timeZone: body.timeZone,
      });
      const token = await issueToken(tx, { role: 'employer', subjectId: employer.id });
      return { employer, token };
    });
    res.status(201).location(`/v1/employers/${employer.id}`).json({ employer, token });
  });

  return routes;
}
