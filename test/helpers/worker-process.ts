import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  apiAnswers,
  entryPoint,
  startProcess,
  workerStarted,
  type Service,
} from '../../scripts/stack/processes';
import type { ApiHarness } from './harness';

let started = 0;

/**
 * The real worker entry point (worker/main.ts) as its own process, on the harness's task queue and
 * services; `env` adds or overrides variables. Resolves once it logged "worker started".
 */
export function startWorkerProcess(
  h: ApiHarness,
  env: Record<string, string> = {},
): Promise<Service & { child: { pid?: number }; log: () => string }> {
  return startAppProcess(h, 'worker', env);
}

/** The real API entry point (api/main.ts) as its own process; resolves once /healthz answers. */
export function startApiProcess(
  h: ApiHarness,
  port: number,
  env: Record<string, string> = {},
): Promise<Service & { child: { pid?: number }; log: () => string }> {
  return startAppProcess(
    h,
    'api',
    { API_PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, ...env },
    apiAnswers(`http://127.0.0.1:${port}`),
  );
}

async function startAppProcess(
  h: ApiHarness,
  role: 'worker' | 'api',
  env: Record<string, string> = {},
  ready?: () => Promise<boolean>,
): Promise<Service & { child: { pid?: number }; log: () => string }> {
  const logFile = path.join(os.tmpdir(), `mi-${role}-${process.pid}-${Date.now()}-${++started}.log`);
  const read = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const service = await startProcess({
    name: role,
    ...entryPoint(role),
    env: {
      DATABASE_URL: h.config.DATABASE_URL,
      TEMPORAL_ADDRESS: h.temporalTarget.address,
      TEMPORAL_TASK_QUEUE: h.config.TEMPORAL_TASK_QUEUE,
      SMTP_HOST: h.config.SMTP_HOST,
      SMTP_PORT: String(h.config.SMTP_PORT),
      MAIL_LOOKUP_URL: h.config.MAIL_LOOKUP_URL ?? '',
      STRIPE_API_BASE: h.config.STRIPE_API_BASE ?? '',
      STRIPE_DEFAULT_PAYMENT_METHOD: 'pm_card_visa',
      STRIPE_WEBHOOK_SECRET: h.config.STRIPE_WEBHOOK_SECRET,
      OPS_TOKEN: h.config.OPS_TOKEN,
      PUBLIC_BASE_URL: h.baseUrl,
      LOG_LEVEL: 'info',
      WORKER_METRICS_PORT: '0',
      // Several API processes run at once in a test run: metrics only where a test asks for a port.
      METRICS_PORT: '0',
      ...env,
    },
    logFile,
    ready: ready ?? workerStarted(logFile),
    readyTimeoutMs: 60_000,
  });
  return { ...service, log: read };
}
