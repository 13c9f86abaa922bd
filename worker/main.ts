// First: tracing hooks `http` and `pg` before anything loads them.
import { tracing } from './tracing';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createSmtpMailer, smtpSettings } from '../lib/mail/mailer';
import { createPool, logIdleError } from '../db/pool';
import { loadConfig, loadDotEnv, type AppConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { createStripeClient } from '../lib/stripe';
import { temporalTarget } from '../lib/temporal';
import { createWorker } from './create-worker';
import { becomeCurrentIfFirst } from './first-version';
import { prebuiltBundle } from './workflow-bundle';
import { dataConverterFrom } from '../lib/data-converter';
import { startOutboxRelay } from '../lib/mail/outbox-relay';
import { reconcilePendingApplications } from './reconcile-applications';
import { ensureOpsDigestSchedule } from './schedules';
import { Client, Connection } from '@temporalio/client';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  // The SDK's own logs go through pino too, so ops read one JSON format.
  const sdkLevel: LogLevel = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN';
  Runtime.install({
    ...(config.WORKER_METRICS_PORT
      ? {
          telemetryOptions: {
            metrics: { prometheus: { bindAddress: `0.0.0.0:${config.WORKER_METRICS_PORT}` } },
          },
        }
      : {}),
    logger: new DefaultLogger(sdkLevel, ({ level, message, meta }) => {
      const method =
        level === 'TRACE'
          ? 'trace'
          : level === 'DEBUG'
            ? 'debug'
            : level === 'INFO'
              ? 'info'
              : level === 'WARN'
                ? 'warn'
                : 'error';
      logger[method]({ sdk: true, ...meta }, message);
    }),
  });

  const db = createPool(config.DATABASE_URL, undefined, logIdleError(logger));
  const mailer = createSmtpMailer(smtpSettings(config));
  // The relay has connections of its own: a send holds one while SMTP answers, and a burst of
  // emails must not take those the activities need.
  const relayDb = createPool(config.DATABASE_URL, config.OUTBOX_SEND_CONCURRENCY + 1, logIdleError(logger));
  const relay = startOutboxRelay({
    db: relayDb,
    mailer,
    logger,
    intervalMs: config.OUTBOX_RELAY_INTERVAL_MS,
    concurrency: config.OUTBOX_SEND_CONCURRENCY,
  });
  const temporal = temporalTarget();
  const { namespace, ...connectionOptions } = temporal;
  const connection = await NativeConnection.connect(connectionOptions);
  const dataConverter = dataConverterFrom(config);
  const code = workflowCode(config, !!dataConverter.failureConverterPath);
  const worker = await createWorker({
    connection,
    namespace,
    dataConverter,
    ...code,
    tracing,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    workflowThreads: config.WORKER_WORKFLOW_THREADS,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: createActivities({
      db,
      mailer,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      opsEmail: config.OPS_EMAIL,
      credentialSecret: config.CREDENTIAL_SECRET,
      credentialSigningKeys: config.CREDENTIAL_SIGNING_KEYS,
      logger,
      sendSoon: relay.sendSoon,
      stripe: createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE }),
      platformSharePct: config.PLATFORM_SHARE_PCT,
      defaultPaymentMethod: config.STRIPE_DEFAULT_PAYMENT_METHOD,
    }),
  });

  const client = new Client({
    connection: await Connection.connect(connectionOptions),
    namespace,
    dataConverter,
  });
  const schedule = await ensureOpsDigestSchedule(
    client,
    config.TEMPORAL_TASK_QUEUE,
    config.OPS_DIGEST_SCHEDULE_ID,
  );
  logger.info(
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      namespace,
      address: temporal.address,
      opsDigestSchedule: schedule,
      workflowBundle: config.WORKFLOW_BUNDLE_PATH ?? 'built at start',
      tracing: tracing.enabled,
      ...(code.version ? { deployment: code.version.deploymentName, buildId: code.version.buildId } : {}),
    },
    'worker started',
  );
  // Applications a stopped request left pending: confirmed or removed by what the workflow says.
  const reconciling = setInterval(() => {
    reconcilePendingApplications({ db, client, logger }).catch((err: unknown) =>
      logger.warn({ err: (err as Error).message }, 'pending applications: pass failed'),
    );
  }, config.RECONCILE_INTERVAL_MS);
  reconciling.unref();
  // run() resolves after SIGINT/SIGTERM once in-flight tasks have drained (the SDK installs the handlers).
  const running = worker.run();
  if (code.version && config.TEMPORAL_WORKER_FIRST_VERSION_CURRENT) {
    becomeCurrentIfFirst({
      workflowService: connection.workflowService,
      namespace,
      version: code.version,
      logger,
    }).catch((err: unknown) =>
      logger.warn({ err: (err as Error).message }, 'worker version: could not read the deployment'),
    );
  }
  await running;
  clearInterval(reconciling);
  await relay.stop();
  await relayDb.end();
  await connection.close();
  await client.connection.close();
  await db.end();
  await tracing.shutdown();
  logger.info('worker stopped');
}

/**
 * The workflow code (prebuilt, or bundled by the worker at start) and, when the worker belongs to a
 * Worker Deployment, its version: TEMPORAL_WORKER_BUILD_ID, else the prebuilt bundle's hash.
 */
function workflowCode(config: AppConfig, encrypted: boolean) {
  if (config.WORKFLOW_BUNDLE_PATH && !encrypted) {
    throw new Error('WORKFLOW_BUNDLE_PATH: the prebuilt bundle is for encrypted payloads; set PAYLOAD_KEYS');
  }
  const prebuilt = config.WORKFLOW_BUNDLE_PATH ? prebuiltBundle(config.WORKFLOW_BUNDLE_PATH) : undefined;
  const deploymentName = config.TEMPORAL_WORKER_DEPLOYMENT;
  if (!deploymentName) return { workflowBundle: prebuilt?.workflowBundle };
  const buildId = config.TEMPORAL_WORKER_BUILD_ID ?? prebuilt?.buildId;
  if (!buildId) {
    throw new Error(
      'TEMPORAL_WORKER_DEPLOYMENT needs TEMPORAL_WORKER_BUILD_ID or a prebuilt WORKFLOW_BUNDLE_PATH',
    );
  }
  return { workflowBundle: prebuilt?.workflowBundle, version: { deploymentName, buildId } };
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
