// First: tracing hooks `http` and `pg` before anything loads them.
import { tracing } from './tracing';
import { createServer } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { createPool, logIdleError } from '../db/pool';
import { loadConfig, loadDotEnv } from '../lib/config';
import { createLogger } from '../lib/logger';
import { createStripeClient } from '../lib/stripe';
import { TemporalRequests, temporalTarget } from '../lib/temporal';
import { createApp } from './app';
import { dataConverterFrom } from '../lib/data-converter';
import { ConnectionLimit } from './connection-limit';
import { createHttpMetrics, createMetricsApp } from './observability';
import { createSmtpMailer, smtpSettings } from '../lib/mail/mailer';
import { startOutboxRelay } from '../lib/mail/outbox-relay';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'api' });
  const db = createPool(config.DATABASE_URL, undefined, logIdleError(logger));
  const { namespace, ...connectionOptions } = temporalTarget();
  const temporalRequests = new TemporalRequests();
  const connection = await Connection.connect({
    ...connectionOptions,
    interceptors: temporalRequests.interceptors,
  });
  const temporal = new Client({
    connection,
    namespace,
    dataConverter: dataConverterFrom(config),
    // Starts, Updates, signals and queries carry the request's trace to the workflow (headers).
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer })] },
  });

  const stripe = createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE });
  const limit = new ConnectionLimit(config.CONNECTIONS_PER_ADDRESS);
  const metrics = createHttpMetrics(temporalRequests, limit);
  const mailer = createSmtpMailer(smtpSettings(config));
  // Sign-in emails go out in the background on connections of their own: a send holds one while
  // SMTP answers, and a slow mail server must not take those requests need. What a dying API leaves
  // unsent, the workers' relay sweeps up.
  const mailDb = createPool(config.DATABASE_URL, config.OUTBOX_SEND_CONCURRENCY + 1, logIdleError(logger));
  const relay = startOutboxRelay({
    db: mailDb,
    mailer,
    logger,
    intervalMs: 0,
    concurrency: config.OUTBOX_SEND_CONCURRENCY,
  });
  const app = createApp({
    db,
    temporal,
    temporalRequests,
    stripe,
    config,
    logger,
    connections: limit,
    metrics,
    mailer,
    sendSoon: relay.sendSoon,
  });
  // Metrics on their own port, off the public one (like the worker's).
  const metricsServer =
    config.METRICS_PORT > 0
      ? createMetricsApp(metrics).listen(config.METRICS_PORT, config.METRICS_HOST, () => {
          logger.info({ port: config.METRICS_PORT, host: config.METRICS_HOST }, 'API metrics listening');
        })
      : undefined;
  // A deep accept queue (the kernel caps it at net.core.somaxconn): with Node's 511, a burst of
  // thousands of new connections overflows it and every newcomer's connect waits out SYN retries.
  const server = limit.guard(createServer(app)).listen({ port: config.API_PORT, backlog: 4096 }, () => {
    logger.info({ port: config.API_PORT }, `API listening on ${config.PUBLIC_BASE_URL}`);
  });

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'API stopping: finishing in-flight requests');
    metricsServer?.close();
    server.close(() => {
      void relay
        .stop()
        .then(() => Promise.allSettled([connection.close(), db.end(), mailDb.end(), tracing.shutdown()]))
        .then(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
