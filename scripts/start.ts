/**
 * `npm start`: the whole platform on this machine. Starts Postgres (or uses DATABASE_URL), the
 * Temporal dev server with the read-only Temporal UI beside it, maildev and stripe-mock, applies
 * migrations, then runs the worker and the API as child processes, restarting either when it dies.
 * Ctrl-C or SIGTERM stops everything it started.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { migrate } from '../db/migrate';
import { loadDotEnv, loadStackConfig } from '../lib/config';
import { apiAnswers, entryPoint, type Service } from './stack/processes';
import {
  startEmbeddedPostgres,
  startMaildev,
  startStripeMock,
  setNamespaceRetention,
  startTemporalDevServer,
} from './stack/services';
import { startStripeTestModeProxy } from './stack/stripe-test-mode';
import { supervise } from './stack/supervisor';
import { startTemporalUiServer } from './stack/temporal-ui';
import { readTools, repoRoot } from './stack/tools';
import { buildWorkflowBundle } from '../worker/workflow-bundle';

const say = (line: string) => process.stdout.write(`[start] ${line}\n`);

/**
 * The payload key of this machine's stack, made once and kept with its data (the histories in
 * data/temporal.sqlite need it to be read): payloads are encrypted locally as in production.
 */
async function workflowBundle(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'workflow-bundle.js');
  const began = performance.now();
  const { bytes, buildId } = await buildWorkflowBundle(file);
  say(
    `workflow bundle built in ${Math.round(performance.now() - began)} ms (${(bytes / 1e6).toFixed(1)} MB, ${buildId})`,
  );
  return file;
}

function localPayloadKeys(dataDir: string): string {
  const file = path.join(dataDir, 'payload-keys');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `local-1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    say(`payload encryption key made in ${file} (keep it with the data)`);
  }
  return readFileSync(file, 'utf8').trim();
}

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadStackConfig();
  const tools = readTools();
  const dataDir = path.resolve(repoRoot, config.DATA_DIR);
  const logs = (name: string) => path.join(dataDir, 'logs', `${name}.log`);
  const started: Service[] = [];
  let stopping = false;

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping ...');
    for (const service of started.reverse()) {
      await service.stop().catch((err: unknown) => say(`${service.name}: ${(err as Error).message}`));
    }
    say('stopped');
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      say(`postgres (embedded) on port ${config.POSTGRES_PORT}, data in ${path.join(dataDir, 'postgres')}`);
      const postgres = await startEmbeddedPostgres({
        dataDir: path.join(dataDir, 'postgres'),
        port: config.POSTGRES_PORT,
        database: 'microinternships',
        logFile: logs('postgres'),
      });
      started.push(postgres);
      databaseUrl = postgres.url;
    }
    say('migrations');
    await migrate(databaseUrl);

    // The dev server's own UI has write actions on, with no switch: it stands in only when the
    // read-only UI server could not be built.
    const uiServer = tools.temporalUiServer;
    say(
      `temporal dev server on port ${config.TEMPORAL_PORT}` +
        (uiServer ? ' (headless)' : `, its own UI on ${config.TEMPORAL_UI_PORT}`),
    );
    const temporal = await startTemporalDevServer({
      executable: tools.temporal,
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      logFile: logs('temporal'),
      headless: uiServer !== undefined,
    });
    started.push(temporal);
    const retention = await setNamespaceRetention(
      temporal.address,
      'default',
      config.TEMPORAL_RETENTION_DAYS,
    );
    say(`temporal namespace "default" keeps closed histories ${retention} days (TEMPORAL_RETENTION_DAYS)`);
    let temporalUiUrl = temporal.uiUrl;
    if (uiServer) {
      say(`temporal UI (read-only) on port ${config.TEMPORAL_UI_PORT}`);
      const ui = await startTemporalUiServer({
        executable: uiServer,
        port: config.TEMPORAL_UI_PORT,
        temporalAddress: temporal.address,
        logFile: logs('temporal-ui'),
        dataDir: path.join(dataDir, 'temporal-ui'),
        // Payloads are encrypted: the UI asks the API's codec server, which answers staff signed in
        // on the API in this browser (its session cookie; same site, localhost).
        codecEndpoint: `http://localhost:${config.API_PORT}/codec`,
        codecIncludeCredentials: true,
      });
      started.push(ui);
      temporalUiUrl = ui.url;
    } else {
      say(
        'WARNING: no Temporal UI server was built (see the [tools] lines above), so the Temporal UI ' +
          'has its write actions ON: cancel, terminate, signal, update and reset work from the browser',
      );
    }

    say(`maildev: SMTP ${config.MAILDEV_SMTP_PORT}, inbox ${config.MAILDEV_WEB_PORT}`);
    const mail = await startMaildev({
      smtpPort: config.MAILDEV_SMTP_PORT,
      webPort: config.MAILDEV_WEB_PORT,
      logFile: logs('maildev'),
    });
    started.push(mail);

    say(`stripe-mock on port ${config.STRIPE_MOCK_PORT}`);
    const stripe = await startStripeMock({
      executable: tools.stripeMock,
      port: config.STRIPE_MOCK_PORT,
      logFile: logs('stripe-mock'),
    });
    started.push(stripe);
    // stripe-mock plus Stripe's test-card outcomes (see stripe-test-mode.ts); a fake, for local use only.
    const stripeTestMode = await startStripeTestModeProxy({ upstream: stripe.apiBase });
    started.push({ name: 'stripe test-mode proxy', stop: () => stripeTestMode.stop() });

    const apiUrl = `http://localhost:${config.API_PORT}`;
    const env = {
      API_PORT: String(config.API_PORT),
      PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? apiUrl,
      OPS_TOKEN: config.OPS_TOKEN,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_UI_URL: temporalUiUrl,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(mail.smtpPort),
      MAIL_LOOKUP_URL: mail.webUrl,
      STRIPE_API_BASE: stripeTestMode.url,
      STRIPE_DEFAULT_PAYMENT_METHOD: process.env.STRIPE_DEFAULT_PAYMENT_METHOD ?? 'pm_card_visa',
      PAYLOAD_KEYS: process.env.PAYLOAD_KEYS || localPayloadKeys(dataDir),
      // Built once here, so a worker the supervisor restarts is polling again in about a second.
      WORKFLOW_BUNDLE_PATH: await workflowBundle(dataDir),
    };
    // The worker and the API are restarted when they die (with backoff); the services are not.
    const worker = await supervise(
      {
        name: 'worker',
        ...entryPoint('worker'),
        env,
        ready: () => Promise.resolve(true),
      },
      say,
    );
    started.push(worker);

    const api = await supervise(
      {
        name: 'API',
        ...entryPoint('api'),
        env,
        ports: [{ port: config.API_PORT, variable: 'API_PORT' }],
        ready: apiAnswers(apiUrl),
        readyTimeoutMs: 60_000,
      },
      say,
    );
    started.push(api);

    process.stdout.write(
      [
        '',
        'Micro-internships is running:',
        `  Web app      ${apiUrl}/app`,
        `  API          ${apiUrl}`,
        `  API docs     ${apiUrl}/docs`,
        `  Temporal UI  ${temporalUiUrl}${uiServer ? ' (read-only)' : ' (write actions ON)'}`,
        `  Inbox        ${mail.webUrl}/index.html`,
        `  Postgres     ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}`,
        `  stripe-mock  ${stripe.apiBase} (test-mode proxy ${stripeTestMode.url})`,
        `  Metrics      http://127.0.0.1:${process.env.METRICS_PORT ?? 9465}/metrics (API), :${process.env.WORKER_METRICS_PORT ?? 9464}/metrics (worker)`,
        `  Sign in      by email (POST /v1/auth/sign-in; the code arrives in the inbox). The first staff admin:`,
        `               POST /v1/admin/staff with the break-glass OPS_TOKEN${process.env.OPS_TOKEN ? '' : ` (local default: ${config.OPS_TOKEN})`} (README, "Sign-in")`,
        `  Logs         worker and API below; services in ${path.join(dataDir, 'logs')}`,
        '',
        'Press Ctrl-C to stop everything.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    say(`failed: ${(err as Error).message}`);
    await stopAll(1);
  }
}

void main();
