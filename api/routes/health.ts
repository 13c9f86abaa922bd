import { z } from 'zod';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { json } from '../openapi-kit';
import { readiness } from '../observability';

const readinessSchema = z.object({
  status: z.string(),
  temporal: z.enum(['ok', 'down']),
  postgres: z.enum(['ok', 'down']),
});

/** What load balancers ask: liveness and readiness. No token. (Metrics have their own port.) */
export function healthRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();
  routes.route(
    {
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the API process answers',
      responses: { 200: json(z.object({ status: z.literal('ok') }), 'Alive') },
    },
    (_req, res) => {
      res.json({ status: 'ok' });
    },
  );
  routes.route(
    {
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: Temporal and Postgres answer within 2 s',
      responses: {
        200: json(readinessSchema, 'Ready'),
        503: json(readinessSchema, 'Not ready; see Retry-After'),
      },
    },
    readiness(deps),
  );
  return routes;
}
