import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { Db } from '../db/pool';
import type { AppConfig } from '../lib/config';
import { authenticate } from './auth';
import { buildOpenApiDocument } from './openapi';
import { notFoundHandler, problemHandler } from './problem';
import { actionRoutes } from './routes/actions';
import { adminRoutes } from './routes/admin';
import { applicationRoutes } from './routes/applications';
import { employerRoutes } from './routes/employers';
import { followUpRoutes, publicFollowUpRoutes } from './routes/follow-up';
import { studentRoutes } from './routes/students';
import { webhookRoutes } from './routes/webhooks';
import { workRoutes } from './routes/work';
import { internshipRoutes } from './routes/internships';

export interface AppDeps {
  db: Db;
  temporal: Client;
  /** Only to verify webhook signatures: the API makes no Stripe calls (activities do). */
  stripe: Stripe;
  config: Pick<
    AppConfig,
    | 'OPS_TOKEN'
    | 'TEMPORAL_TASK_QUEUE'
    | 'MIN_HOURLY_RATE_CENTS'
    | 'STRIPE_WEBHOOK_SECRET'
    | 'PUBLIC_BASE_URL'
    | 'CREDENTIAL_SECRET'
  >;
  logger: Logger;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Before the JSON parser: signatures are checked on the raw body.
  app.use(webhookRoutes({ ...deps, webhookSecret: deps.config.STRIPE_WEBHOOK_SECRET }));
  app.use(express.json({ limit: '100kb' }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const spec = buildOpenApiDocument({ minHourlyRateCents: deps.config.MIN_HOURLY_RATE_CENTS });
  app.get('/openapi.json', (_req, res) => {
    res.json(spec);
  });
  // Swagger UI's assets come from the swagger-ui-dist package: the page works offline.
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(spec, { customSiteTitle: 'Micro-internships API' }));

  // Sign-up and email links need no bearer token; everything else under /v1 does.
  app.use(studentRoutes(deps));
  app.use(publicFollowUpRoutes(deps));
  app.use(express.urlencoded({ extended: false, limit: '1kb' }), actionRoutes(deps));

  const v1 = express.Router();
  v1.use('/v1', authenticate({ db: deps.db, opsToken: deps.config.OPS_TOKEN }));
  v1.use(employerRoutes(deps));
  v1.use(internshipRoutes(deps));
  v1.use(applicationRoutes(deps));
  v1.use(workRoutes(deps));
  v1.use(adminRoutes(deps));
  v1.use(followUpRoutes(deps));
  app.use(v1);

  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
