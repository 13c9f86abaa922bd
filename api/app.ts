import cookieParser from 'cookie-parser';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { authenticate, breakGlassOnlyFor, optionalPrincipal } from './auth';
import { registerBacklogMetrics } from './backlog-metrics';
import type { AppDeps, RouteDeps } from './deps';
import { SharedLimits } from './limits';
import { OidcSignIn } from './oidc';
import { buildOpenApiDocument } from './openapi';
import { createHttpMetrics, requestLogger } from './observability';
import { forbidden, notFoundHandler, problemHandler } from './problem';
import { perAddress, writesPerAccount, writesPerAddress } from './rate-limits';
import { actionRoutes } from './routes/actions';
import { adminRoutes } from './routes/admin';
import { applicationRoutes } from './routes/applications';
import { billingRoutes } from './routes/billing';
import { authRoutes } from './routes/auth';
import { codecBody, codecRoutes } from './routes/codec';
import { employerRoutes } from './routes/employers';
import { followUpRoutes, publicFollowUpRoutes } from './routes/follow-up';
import { healthRoutes } from './routes/health';
import { internshipRoutes } from './routes/internships';
import { meRoutes } from './routes/me';
import { myApplicationRoutes } from './routes/my-applications';
import { myCredentialRoutes } from './routes/my-credentials';
import { privacyRoutes } from './routes/privacy';
import { payoutRoutes } from './routes/payouts';
import { progressRoutes } from './routes/progress';
import { signInForm, signInPages } from './routes/sign-in-pages';
import { isBreakGlassRequest, staffRoutes } from './routes/staff';
import { studentRoutes } from './routes/students';
import { webhookRoutes } from './routes/webhooks';
import { workRoutes } from './routes/work';
import { SharedUpdateGate } from './update-gate';
import { sessionLifetime } from './use-cases/sign-in';
import { webRouter } from '../web/router';

/** Support staff read everything ops read and change nothing but their own sessions and tokens. */
const supportReadsOnly: RequestHandler = (req, res, next) => {
  const p = optionalPrincipal(res);
  const path = `${req.baseUrl}${req.path}`;
  const own = path.startsWith('/v1/me/') || path === '/v1/auth/sign-out';
  if (p?.role === 'ops' && p.staffRole === 'support' && req.method !== 'GET' && !own) {
    throw forbidden('Support staff read; finance and admin staff make changes');
  }
  next();
};

/** What the routes share besides the app's own dependencies: the Update queue, the limits, OIDC. */
function routeDeps(appDeps: AppDeps): RouteDeps {
  const { config } = appDeps;
  return {
    ...appDeps,
    updateGate: new SharedUpdateGate(
      appDeps.db,
      config.UPDATES_IN_FLIGHT_PER_INTERNSHIP,
      config.UPDATES_QUEUED_PER_INTERNSHIP,
    ),
    limits: new SharedLimits(appDeps.db, config),
    oidc:
      config.OIDC_ISSUER && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET
        ? new OidcSignIn(appDeps.db, {
            ...config,
            OIDC_ISSUER: config.OIDC_ISSUER,
            OIDC_CLIENT_ID: config.OIDC_CLIENT_ID,
            OIDC_CLIENT_SECRET: config.OIDC_CLIENT_SECRET,
          })
        : undefined,
  };
}

/** The routes that need a signed-in caller, in the order they are matched. */
const signedInRoutes = (deps: RouteDeps) => [
  authRoutes(deps),
  meRoutes(deps),
  privacyRoutes(deps),
  employerRoutes(deps),
  billingRoutes(deps),
  staffRoutes(deps),
  internshipRoutes(deps),
  applicationRoutes(deps),
  myApplicationRoutes(deps),
  myCredentialRoutes(deps),
  workRoutes(deps),
  progressRoutes(deps),
  payoutRoutes(deps),
  adminRoutes(deps),
  followUpRoutes(deps),
];

export function createApp(appDeps: AppDeps): Express {
  const { config } = appDeps;
  const deps = routeDeps(appDeps);
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', 'loopback');
  const metrics = deps.metrics ?? createHttpMetrics(deps.temporalRequests, deps.connections);
  // What waits in Postgres (outbox, payouts) is read at each scrape of this app's metrics.
  registerBacklogMetrics(metrics.registry, deps.db, deps.logger);
  const webhooks = webhookRoutes({
    ...deps,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    refused: metrics.webhookRefused,
  });
  const health = healthRoutes(deps);
  const open = [studentRoutes(deps), publicFollowUpRoutes(deps)];
  const actions = actionRoutes(deps);
  const pages = signInPages(deps);
  const auth = { db: deps.db, opsToken: config.OPS_TOKEN, sessions: sessionLifetime(config) };
  const codec = codecRoutes(deps, auth);
  const signedIn = signedInRoutes(deps);
  const spec = buildOpenApiDocument(
    [webhooks, health, ...open, actions, pages, ...signedIn, codec].flatMap((routes) => routes.operations),
  );

  app.use(requestLogger(deps.logger));
  app.use(metrics.middleware);
  // Security headers; no CORS headers are sent, so browsers keep other origins out (CORS off).
  app.use(helmet());
  // Before the JSON parser: signatures are checked on the raw body.
  app.use(webhooks.router);
  // Before any body is read: a flood of writes from one address is refused for the cost of a count.
  app.use(writesPerAddress(config.WRITE_RATE_LIMIT_PER_ADDRESS_PER_MINUTE));
  // The codec server for ops (its own body size, its own CORS), before the API's body limit.
  app.use('/codec', cookieParser(), codecBody);
  app.use(codec.router);
  app.use(express.json({ limit: '100kb' }));
  app.use(health.router);

  app.get('/openapi.json', (_req, res) => {
    res.json(spec);
  });
  // Swagger UI's assets come from the swagger-ui-dist package: the page works offline.
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(spec, { customSiteTitle: 'Micro-internships API' }));

  app.use(cookieParser());
  // Sign-up and email links need no sign-in (sign-up's limits are shared, in Postgres).
  app.use('/actions', perAddress(config.ACTION_LINK_RATE_LIMIT_PER_MINUTE));
  app.use('/sign-in', perAddress(config.ACTION_LINK_RATE_LIMIT_PER_MINUTE));
  app.use('/auth/oidc', perAddress(config.ACTION_LINK_RATE_LIMIT_PER_MINUTE));
  for (const routes of open) app.use(routes.router);
  app.use(express.urlencoded({ extended: false, limit: '1kb' }), actions.router);
  app.use(signInForm, pages.router);

  // The caller, from a session (bearer or cookie) or an API token; the posting board is public.
  const v1 = express.Router();
  v1.use('/v1', authenticate(auth));
  v1.use('/v1', breakGlassOnlyFor(isBreakGlassRequest));
  v1.use('/v1', supportReadsOnly);
  v1.use('/v1', writesPerAccount(config.WRITE_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE));
  for (const routes of signedIn) v1.use(routes.router);
  app.use(v1);
  app.use(webRouter(deps)); // the web app's pages (web/): they call this API over loopback, as the viewer

  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
