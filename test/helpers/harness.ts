import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, type Worker } from '@temporalio/worker';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { createApp } from '../../api/app';
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
  stripe: Stripe;
  config: AppConfig;
  db: Db;
  temporal: Client;
  /** Where that Temporal is, read from the environment as the API and the worker read it. */
  temporalTarget: TemporalTarget;
  /** What the API's Temporal client has sent so far (the worker's connection is not counted). */
  temporalRequests: TemporalRequests;
  stop(): Promise<void>;
}

/**
 * The API and a worker on the test stack's dev server, in this process: a unique task queue per
 * file, the workflow bundle built once, everything reached over real HTTP, gRPC, SQL and SMTP.
 */
export async function startApiHarness(
  options: {
    worker?: boolean;
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
  const temporal = new Client({ connection, namespace: target.namespace });
  const stripe = createStripeClient({
    secretKey: baseConfig.STRIPE_SECRET_KEY,
    apiBase: baseConfig.STRIPE_API_BASE,
  });
  const app = createApp({
    db,
    temporal,
    temporalRequests,
    stripe,
    config: baseConfig,
    logger: options.logger ?? pino({ level: 'silent' }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = { ...baseConfig, PUBLIC_BASE_URL: baseUrl };

  const { activities, stopRelay } = realActivities(config, db);
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  if (options.worker !== false) {
    nativeConnection = await NativeConnection.connect({ address: target.address });
    worker = await createWorker({
      connection: nativeConnection,
      namespace: target.namespace,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activities,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: require.resolve('../../workflows'),
        logger: silentBundlerLogger,
      }),
    });
    running = worker.run();
  }

  return {
    baseUrl,
    stripe,
    config,
    db,
    temporal,
    temporalTarget: target,
    temporalRequests,
    stop: async () => {
      await new Promise((resolve) => server.close(resolve));
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
