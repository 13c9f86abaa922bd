/**
 * Starts the real services every suite uses, each on a free port with a throwaway data directory:
 * Postgres (migrated), the Temporal dev server, maildev and stripe-mock. Time-skipping suites start
 * their own Java test server per file (time skipping is global to a server), from the same tool path;
 * here it is started once to prove it works and to report its start time.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../db/migrate';
import { freePort, portOpen, startProcess, type Service } from '../scripts/stack/processes';
import {
  startEmbeddedPostgres,
  startMaildev,
  startStripeMock,
  startTemporalDevServer,
} from '../scripts/stack/services';
import { startStripeTestModeProxy } from '../scripts/stack/stripe-test-mode';
import { readTools } from '../scripts/stack/tools';

declare global {
  var __TEST_SERVICES__: { services: Service[]; pending: Promise<unknown>[]; dir: string } | undefined;
}

const log = (line: string) => process.stdout.write(`[test stack] ${line}\n`);

async function timed<T>(label: string, start: () => Promise<T>): Promise<T> {
  const begin = performance.now();
  const result = await start();
  log(`${label} ready in ${Math.round(performance.now() - begin)} ms`);
  return result;
}

export default async function globalSetup(): Promise<void> {
  try {
    await startStack();
  } catch (err) {
    // Jest runs no teardown when setup fails: stop whatever did start, or it outlives the run.
    await stopStack();
    throw err;
  }
}

export async function stopStack(): Promise<void> {
  const stack = globalThis.__TEST_SERVICES__;
  if (!stack) return;
  await Promise.allSettled(stack.pending);
  await Promise.all(
    stack.services.map(async (service) => {
      const begin = performance.now();
      await service.stop().catch(() => undefined);
      if (process.env.DEBUG_TEST_STACK)
        log(`${service.name} stopped in ${Math.round(performance.now() - begin)} ms`);
    }),
  );
  if (!process.env.KEEP_TEST_DATA) rmSync(stack.dir, { recursive: true, force: true });
  globalThis.__TEST_SERVICES__ = undefined;
}

async function startStack(): Promise<void> {
  const tools = readTools();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mi-test-'));
  chmodSync(dir, 0o755); // embedded Postgres runs as the 'postgres' user when we are root
  const logs = (name: string) => path.join(dir, 'logs', `${name}.log`);
  const services: Service[] = [];
  const pending: Promise<unknown>[] = [];
  globalThis.__TEST_SERVICES__ = { services, pending, dir };
  log(`data and logs in ${dir}`);

  const [pgPort, temporalPort, smtpPort, webPort, stripePort, testServerPort] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  const track = <S extends Service>(service: S) => (services.push(service), service);
  const starting = [
    timed('postgres', () =>
      startEmbeddedPostgres({
        dataDir: path.join(dir, 'postgres'),
        port: pgPort!,
        database: 'test',
        logFile: logs('postgres'),
      }),
    ).then(track),
    timed('temporal dev server', () =>
      startTemporalDevServer({
        executable: tools.temporal,
        port: temporalPort!,
        uiPort: 0,
        headless: true,
        dbFile: path.join(dir, 'temporal.sqlite'),
        logFile: logs('temporal'),
      }),
    ).then(track),
    timed('maildev', () =>
      startMaildev({ smtpPort: smtpPort!, webPort: webPort!, logFile: logs('maildev') }),
    ).then(track),
    timed('stripe-mock', () =>
      startStripeMock({ executable: tools.stripeMock, port: stripePort!, logFile: logs('stripe-mock') }),
    ).then(track),
  ] as const;
  pending.push(...starting);
  const [postgres, temporal, mail, stripe] = await Promise.all(starting);
  await timed('migrations', () => migrate(postgres.url));
  const stripeTestMode = await startStripeTestModeProxy({ upstream: stripe.apiBase });
  services.push({ name: 'stripe test-mode proxy', stop: () => stripeTestMode.stop() });

  if (tools.temporalTestServer !== 'sdk-download') {
    const testServer = await timed('time-skipping test server (JVM start)', () =>
      startProcess({
        name: 'temporal-test-server',
        command: tools.temporalTestServer,
        args: [String(testServerPort)],
        logFile: logs('test-server'),
        ready: () => portOpen(testServerPort!),
      }),
    );
    await testServer.stop();
  }

  Object.assign(process.env, {
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: temporal.address,
    // Tests that must show the server complained of nothing read its log.
    TEMPORAL_SERVER_LOG: logs('temporal'),
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(mail.smtpPort),
    MAILDEV_URL: mail.webUrl,
    MAIL_LOOKUP_URL: mail.webUrl,
    STRIPE_API_BASE: stripeTestMode.url,
    STRIPE_MOCK_URL: stripe.apiBase,
    STRIPE_WEBHOOK_SECRET: 'whsec_test_secret',
    STRIPE_DEFAULT_PAYMENT_METHOD: 'pm_card_visa',
    TEMPORAL_TEST_SERVER: tools.temporalTestServer,
    OPS_TOKEN: 'test-ops-token-0123456789',
    // Every suite runs with payload encryption on; a key for tests only.
    PAYLOAD_KEYS: `test-1:${Buffer.alloc(32, 7).toString('base64')}`,
    LOG_LEVEL: 'silent',
    // Suites sign up many students from one address; the limiter has its own test.
    SIGNUP_RATE_LIMIT_PER_MINUTE: '100000',
    ACTION_LINK_RATE_LIMIT_PER_MINUTE: '100000',
    WRITE_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '100000',
    WRITE_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '100000',
    // Every suite signs in from 127.0.0.1, and the shared limits count across suites (in Postgres):
    // the per-address ones are lifted; the limits test sends its own X-Forwarded-For addresses.
    SIGN_IN_EMAILS_PER_ADDRESS_PER_HOUR: '1000000',
    CODE_ATTEMPTS_PER_ADDRESS_PER_HOUR: '1000000',
    APPLICATIONS_PER_ADDRESS_PER_DAY: '1000000',
    POSTINGS_PER_ADDRESS_PER_DAY: '1000000',
    POSTINGS_PER_ORGANISATION_PER_DAY: '100000',
    APPLICATIONS_PER_STUDENT_PER_DAY: '100000',
  });
}
