import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, type Worker } from '@temporalio/worker';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { createApp } from '../../api/app';
import { dataConverterFrom } from '../../lib/data-converter';
import { workflowBundleOptions } from '../../worker/workflow-bundle';
import { createHttpMetrics, createMetricsApp } from '../../api/observability';
import { createSmtpMailer, smtpSettings, type Mailer } from '../../lib/mail/mailer';
import type { Db } from '../../db/pool';
import type { AppConfig } from '../../lib/config';
import { createWorker } from '../../worker/create-worker';
import { createPool } from '../../db/pool';
import { createStripeClient, type Stripe } from '../../lib/stripe';
import { TemporalRequests, temporalTarget, type TemporalTarget } from '../../lib/temporal';
import { realActivities, silentBundlerLogger } from './activities';
import { testConfig, uniqueSuffix } from './env';

export interface ApiHarness {
  baseUrl: string;
  /** The API's metrics, on their own port as in production. */
  metricsUrl: string;
  /** SMTP to the test stack's catcher, for an app a test builds itself. */
  mailer: Mailer;
  stripe: Stripe;
  config: AppConfig;
  db: Db;
  temporal: Client;
  /** Where that Temporal is, read from the environment as the API and the worker read it. */
  temporalTarget: TemporalTarget;
  /** What the API's Temporal client has sent so far (the worker's connection is not counted). */
  temporalRequests: TemporalRequests;
  /** With `worker: 'later'`: starts the in-process worker now (its bundle already built). */
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The API and a worker on the test stack's dev server, in this process: a unique task queue per
 * file, the workflow bundle built once, everything reached over real HTTP, gRPC, SQL and SMTP.
 */
export async function startApiHarness(
  options: {
    /** false: no worker; 'later': none until `startWorker()`. */
    worker?: boolean | 'later';
    config?: Partial<Record<keyof AppConfig, string>>;
    /** Where the API logs (silent when not given). */
    logger?: Logger;
  } = {},
): Promise<ApiHarness> {
  const baseConfig = testConfig({ TEMPORAL_TASK_QUEUE: `api-test-${uniqueSuffix()}`, ...options.config });
  const db = createPool(baseConfig.DATABASE_URL, 4);
  const target = temporalTarget();
  const temporalRequests = new TemporalRequests();
  const connection = await Connection.connect({
    address: target.address,
    interceptors: temporalRequests.interceptors,
  });
  const dataConverter = dataConverterFrom(baseConfig);
  const temporal = new Client({ connection, namespace: target.namespace, dataConverter });
  const stripe = createStripeClient({
    secretKey: baseConfig.STRIPE_SECRET_KEY,
    apiBase: baseConfig.STRIPE_API_BASE,
  });
  // Listening first, so the links in the API's own emails (sign-in) carry its real address.
  const server: Server = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The links in emails go to this server, unless a test names the public address (one that must
  // stay the same across restarts, as credentials' issuer does).
  const config = { ...baseConfig, PUBLIC_BASE_URL: options.config?.PUBLIC_BASE_URL ?? baseUrl };
  const metrics = createHttpMetrics(temporalRequests);
  const mailer = createSmtpMailer(smtpSettings(config));
  const app = createApp({
    db,
    temporal,
    temporalRequests,
    stripe,
    config,
    metrics,
    mailer,
    logger: options.logger ?? pino({ level: 'silent' }),
  });
  server.on('request', app);
  const metricsServer: Server = await new Promise((resolve) => {
    const s = createMetricsApp(metrics).listen(0, '127.0.0.1', () => resolve(s));
  });
  const metricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics`;

  const { activities, stopRelay } = realActivities(config, db);
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  const bundle =
    options.worker === false
      ? undefined
      : await bundleWorkflowCode({ ...workflowBundleOptions(dataConverter), logger: silentBundlerLogger });
  const startWorker = async () => {
    if (!bundle || worker) return;
    nativeConnection = await NativeConnection.connect({ address: target.address });
    worker = await createWorker({
      connection: nativeConnection,
      namespace: target.namespace,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activities,
      dataConverter,
      workflowBundle: bundle,
    });
    running = worker.run();
  };
  if (options.worker !== false && options.worker !== 'later') await startWorker();

  return {
    baseUrl,
    metricsUrl,
    mailer,
    stripe,
    config,
    db,
    temporal,
    temporalTarget: target,
    temporalRequests,
    startWorker,
    stop: async () => {
      await new Promise((resolve) => server.close(resolve));
      await new Promise((resolve) => metricsServer.close(resolve));
      worker?.shutdown();
      await running;
      await connection.close();
      await nativeConnection?.close();
      await stopRelay();
      await db.end();
    },
  };
}

/** JSON over HTTP with an optional bearer token; returns status, headers and parsed body. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined || options.rawBody !== undefined)
    headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, headers: response.headers, body };
}
