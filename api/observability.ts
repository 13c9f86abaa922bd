import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/pool';
import { emailsHidden, errorWithoutEmails } from '../lib/logger';
import type { TemporalRequests } from '../lib/temporal';

/** What api/connection-limit.ts counts. */
export interface ConnectionCounts {
  readonly connections: number;
  readonly refused: number;
}

/** Why a Stripe webhook was refused (the `reason` of microinternships_stripe_webhooks_refused_total). */
export const WEBHOOK_REFUSALS = ['signature', 'stale', 'unparseable', 'handler_error'] as const;
export type WebhookRefusal = (typeof WEBHOOK_REFUSALS)[number];

/** The client connections open now and those refused for their address (api/connection-limit.ts). */
function countConnections(registry: Registry, connections: ConnectionCounts): void {
  new Gauge({
    name: 'http_connections_open',
    help: 'Client connections open now',
    registers: [registry],
    collect() {
      this.set(connections.connections);
    },
  });
  new Counter({
    name: 'http_connections_refused_total',
    help: 'Connections answered 429 and closed: their address already had CONNECTIONS_PER_ADDRESS open',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(connections.refused);
    },
  });
}

/** The gRPC requests the API sent to Temporal, read from lib/temporal.ts's count when scraped. */
function countTemporalRequests(registry: Registry, temporalRequests: TemporalRequests): void {
  new Counter({
    name: 'temporal_requests_total',
    help: 'gRPC requests sent to Temporal, by method (each attempt)',
    labelNames: ['method'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [method, count] of temporalRequests.byMethod) this.inc({ method }, count);
    },
  });
}

/** Requests, server errors and latency by method, route and status, counted by a middleware. */
function countRequests(registry: Registry): RequestHandler {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests',
    labelNames,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'http_request_errors_total',
    help: 'HTTP responses with status >= 500',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return (req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      // The matched route pattern, never the raw path: ids would explode the label set.
      const route = req.route ? `${req.baseUrl}${(req.route as { path: string }).path}` : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      requests.inc(labels);
      if (res.statusCode >= 500) errors.inc(labels);
      end(labels);
    });
    next();
  };
}

/** The Stripe webhooks refused, by reason; what the webhook route calls to count one. */
function countWebhookRefusals(registry: Registry): (reason: WebhookRefusal) => void {
  const webhooksRefused = new Counter({
    name: 'microinternships_stripe_webhooks_refused_total',
    help: 'Stripe webhooks answered with an error, by reason: signature (missing or wrong), stale (signed more than 5 minutes ago), unparseable (body unreadable, not JSON, or fields missing), handler_error (not applied; Stripe retries)',
    labelNames: ['reason'],
    registers: [registry],
  });
  // Every reason from 0, so the first refusal is an increase Prometheus sees.
  for (const reason of WEBHOOK_REFUSALS) webhooksRefused.inc({ reason }, 0);
  return (reason) => webhooksRefused.inc({ reason });
}

/**
 * Prometheus metrics of the API: requests, latency and errors by route, the requests it sent to
 * Temporal, its client connections and the Stripe webhooks it refused (one registry per app). The
 * backlog gauges read from Postgres are added by the app (api/backlog-metrics.ts).
 */
export function createHttpMetrics(temporalRequests?: TemporalRequests, connections?: ConnectionCounts) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  if (connections) countConnections(registry, connections);
  if (temporalRequests) countTemporalRequests(registry, temporalRequests);
  const middleware = countRequests(registry);
  const webhookRefused = countWebhookRefusals(registry);
  const handler: RequestHandler = async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  };
  return { middleware, handler, registry, webhookRefused };
}

export type HttpMetrics = ReturnType<typeof createHttpMetrics>;

/**
 * The metrics endpoint, on its own port (METRICS_PORT, loopback by default), like the worker's: what
 * the API counts is for the operators' Prometheus, not for the public.
 */
export function createMetricsApp(metrics: HttpMetrics): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metrics.handler);
  return app;
}

/** A request's address as it may be logged: email-link and sign-in tokens and the OIDC callback's code cut. */
export const withoutCredentials = (url: string) =>
  url
    .replace(/\/(actions|sign-in)\/[^/?#]+/, '/$1/[redacted]')
    .replace(/^(\/auth\/oidc\/callback)\?.*$/, '$1?[redacted]');

const withProblem = (res: { locals?: { problemType?: string } }, line: object) => {
  const problem = res.locals?.problemType;
  return problem ? { ...line, problem } : line;
};

/** JSON request logs with a request id (X-Request-Id is honoured and echoed); secrets redacted. */
export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customProps: (req) => {
      const match = /\/internships\/([0-9a-f-]{36})/.exec(req.url ?? '');
      return match ? { internshipId: match[1], workflowId: `internship:${match[1]}` } : {};
    },
    // The problem a refused or failed request was answered with (api/problem.ts).
    customSuccessObject: (_req, res, line: object) => withProblem(res, line),
    customErrorObject: (_req, res, _err, line: object) => withProblem(res, line),
    serializers: {
      // No headers (bearer tokens, Stripe signatures), no link tokens (an email link is a
      // credential) and no query of the OIDC callback (its code and state).
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: emailsHidden(withoutCredentials(req.url)),
      }),
      // The status only: the response's headers carry session cookies.
      res: (res: { statusCode: number | null }) => ({ statusCode: res.statusCode }),
      err: errorWithoutEmails,
    },
  });
}

/** Readiness: Temporal and Postgres answer within 2 seconds; otherwise 503 with Retry-After. */
/** A workflow id that never exists: describing it reads Temporal's store and answers NOT_FOUND. */
const READINESS_PROBE_ID = 'readiness-probe';
const GRPC_NOT_FOUND = 5;
const PROBE_MS = 2000;
/** Probes are shared for this long, so a flood of /readyz costs Temporal one call a second. */
const PROBE_REUSE_MS = 1000;

type Check = 'ok' | 'down';

async function check(probe: () => Promise<unknown>, okWhen: (err: unknown) => boolean = () => false) {
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), PROBE_MS)),
    ]);
    return 'ok' as const;
  } catch (err) {
    return okWhen(err) ? ('ok' as const) : ('down' as const);
  }
}

/**
 * Ready when both stores can serve: Postgres answers a query, and Temporal reads a workflow from its
 * persistence (a connection alone is not enough: a frontend whose store fails still answers
 * GetSystemInfo).
 */
export function readiness(deps: { db: Db; temporal: Client }): RequestHandler {
  let last: { at: number; result: Promise<[Check, Check]> } | undefined;
  const probe = (): Promise<[Check, Check]> =>
    Promise.all([
      // A gRPC deadline, not only a race: the client's retries must stop with the probe.
      check(
        () =>
          deps.temporal.connection.withDeadline(Date.now() + PROBE_MS, () =>
            deps.temporal.workflowService.describeWorkflowExecution({
              namespace: deps.temporal.options.namespace,
              execution: { workflowId: READINESS_PROBE_ID },
            }),
          ),
        (err) => (err as { code?: unknown }).code === GRPC_NOT_FOUND,
      ),
      check(() => deps.db.query('SELECT 1')),
    ]);
  return async (_req, res) => {
    if (!last || Date.now() - last.at > PROBE_REUSE_MS) last = { at: Date.now(), result: probe() };
    const [temporal, postgres] = await last.result;
    const ready = temporal === 'ok' && postgres === 'ok';
    if (!ready) res.setHeader('Retry-After', '5');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', temporal, postgres });
  };
}
