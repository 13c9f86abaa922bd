import express, { type Express } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { authenticate } from './auth';
import type { AppDeps, RouteDeps } from './deps';
import { buildOpenApiDocument } from './openapi';
import { createHttpMetrics, requestLogger } from './observability';
import { notFoundHandler, problemHandler } from './problem';
import { perAddress, writesPerAccount, writesPerAddress } from './rate-limits';
import { actionRoutes } from './routes/actions';
import { adminRoutes } from './routes/admin';
import { applicationRoutes } from './routes/applications';
import { employerRoutes } from './routes/employers';
import { followUpRoutes, publicFollowUpRoutes } from './routes/follow-up';
import { healthRoutes } from './routes/health';
import { studentRoutes } from './routes/students';
import { webhookRoutes } from './routes/webhooks';
import { workRoutes } from './routes/work';
import { internshipRoutes } from './routes/internships';
import { meRoutes } from './routes/me';
import { UpdateGate } from './update-gate';

export function createApp(appDeps: AppDeps): Express {
  const deps: RouteDeps = {
    ...appDeps,
    updateGate: new UpdateGate(
      appDeps.config.UPDATES_IN_FLIGHT_PER_INTERNSHIP,
      appDeps.config.UPDATES_QUEUED_PER_INTERNSHIP,
    ),
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', 'loopback');
  const metrics = createHttpMetrics(deps.temporalRequests, deps.connections);
  const webhooks = webhookRoutes({ ...deps, webhookSecret: deps.config.STRIPE_WEBHOOK_SECRET });
  const health = healthRoutes(deps, metrics.handler);
  const open = [studentRoutes(deps), publicFollowUpRoutes(deps)];
  const actions = actionRoutes(deps);
  const signedIn = [
    employerRoutes(deps),
    internshipRoutes(deps),
    applicationRoutes(deps),
    workRoutes(deps),
    adminRoutes(deps),
    followUpRoutes(deps),
    meRoutes(deps),
  ];
  const spec = buildOpenApiDocument(
    [webhooks, health, ...open, actions, ...signedIn].flatMap((routes) => routes.operations),
  );

  app.use(requestLogger(deps.logger));
  app.use(metrics.middleware);
  // Security headers; no CORS headers are sent, so browsers keep other origins out (CORS off).
  app.use(helmet());
  // Before the JSON parser: signatures are checked on the raw body.
  app.use(webhooks.router);
  // Before any body is read: a flood of writes from one address is refused for the cost of a count.
  app.use(writesPerAddress(deps.config.WRITE_RATE_LIMIT_PER_ADDRESS_PER_MINUTE));
  app.use(express.json({ limit: '100kb' }));
  app.use(health.router);

  app.get('/openapi.json', (_req, res) => {
    res.json(spec);
  });
  // Swagger UI's assets come from the swagger-ui-dist package: the page works offline.
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(spec, { customSiteTitle: 'Micro-internships API' }));

  // Sign-up and email links need no bearer token; everything else under /v1 does.
  app.post('/v1/students', perAddress(deps.config.SIGNUP_RATE_LIMIT_PER_MINUTE));
  app.use('/actions', perAddress(deps.config.ACTION_LINK_RATE_LIMIT_PER_MINUTE));
  for (const routes of open) app.use(routes.router);
  app.use(express.urlencoded({ extended: false, limit: '1kb' }), actions.router);

  const v1 = express.Router();
  v1.use('/v1', authenticate({ db: deps.db, opsToken: deps.config.OPS_TOKEN }));
  v1.use('/v1', writesPerAccount(deps.config.WRITE_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE));
  for (const routes of signedIn) v1.use(routes.router);
  app.use(v1);

  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
