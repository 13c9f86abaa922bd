/**
 * The whole platform as separate processes in a throwaway folder, on free ports, for the benchmark,
 * the chaos run and the fuzzer: embedded Postgres, the Temporal dev server (SQLite file with WAL),
 * maildev, stripe-mock behind the recording StripeTestModeProxy, and the real worker and API entry
 * points. Each process can be killed with SIGKILL and started again on the same data, and its CPU
 * time and memory read from /proc.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../../db/migrate';
import { freePort, startProcess, type Service } from '../stack/processes';
import {
  startEmbeddedPostgres,
  startMaildev,
  startStripeMock,
  startTemporalDevServer,
  type TemporalService,
} from '../stack/services';
import { startStripeTestModeProxy } from '../stack/stripe-test-mode';
import { readTools, repoRoot } from '../stack/tools';

export const OPS_TOKEN = 'prove-ops-token-0123456789';
export const WEBHOOK_SECRET = 'whsec_prove_secret';

type Child = Service & { child: { pid?: number } };

export interface ProveStack {
  dir: string;
  apiUrl: string;
  /** The payload keys the worker and the API encrypt with (PAYLOAD_KEYS), for a client of its own. */
  payloadKeys: string;
  /** The API's metrics (their own port). */
  metricsUrl: string;
  databaseUrl: string;
  temporalAddress: string;
  temporalUiUrl: string;
  maildevUrl: string;
  stripeProxyUrl: string;
  taskQueue: string;
  /** Process-group ids by role, for CPU and memory readings. */
  groups(): Record<'temporal' | 'postgres' | 'worker' | 'api', number>;
  killWorker(): Promise<void>;
  killApi(): Promise<void>;
  /** SIGKILLs the dev server and starts it again on the same SQLite file and port. */
  restartTemporal(): Promise<void>;
  stop(): Promise<void>;
}

export interface ProveStackOptions {
  /** Variables for the worker and the API (HUMAN_DAY_SECONDS, LOG_LEVEL, ...). */
  env?: Record<string, string>;
  log?: (line: string) => void;
  keep?: boolean;
}

export async function startProveStack(options: ProveStackOptions = {}): Promise<ProveStack> {
  const say = options.log ?? (() => undefined);
  const tools = readTools();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mi-prove-'));
  chmodSync(dir, 0o755); // embedded Postgres runs as the 'postgres' user when we are root
  const logs = (name: string) => path.join(dir, 'logs', `${name}.log`);
  const [pgPort, temporalPort, smtpPort, webPort, stripePort, apiPort, metricsPort] = await Promise.all(
    Array.from({ length: 7 }, () => freePort()),
  );
  const services: Service[] = [];
  const track = <S extends Service>(s: S) => (services.push(s), s);
  let temporal: TemporalService | undefined;
  const dbFile = path.join(dir, 'temporal.sqlite');
  const startTemporal = () =>
    startTemporalDevServer({
      executable: tools.temporal,
      port: temporalPort!,
      uiPort: 0,
      headless: true,
      dbFile,
      logFile: logs('temporal'),
    });

  // Services still starting when another fails are stopped too, once they are up (see catch).
  let starting: Promise<unknown>[] = [];
  try {
    say(`stack in ${dir}`);
    const launched = [
      startEmbeddedPostgres({
        dataDir: path.join(dir, 'postgres'),
        port: pgPort!,
        database: 'prove',
        logFile: logs('postgres'),
      }).then(track),
      startTemporal().then((t) => (temporal = t)),
      startMaildev({ smtpPort: smtpPort!, webPort: webPort!, logFile: logs('maildev') }).then(track),
      startStripeMock({ executable: tools.stripeMock, port: stripePort!, logFile: logs('stripe-mock') }).then(
        track,
      ),
    ] as const;
    starting = [...launched];
    const [postgres, , mail, stripe] = await Promise.all(launched);
    await migrate(postgres.url);
    const proxy = await startStripeTestModeProxy({ upstream: stripe.apiBase });
    services.push({ name: 'stripe test-mode proxy', stop: () => proxy.stop() });

    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const taskQueue = 'internships';
    // Payloads encrypted as in production, with a key of this run's own.
    const payloadKeys = options.env?.PAYLOAD_KEYS ?? `prove-1:${randomBytes(32).toString('base64')}`;
    const env: Record<string, string> = {
      API_PORT: String(apiPort),
      PUBLIC_BASE_URL: apiUrl,
      OPS_TOKEN,
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporal!.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(mail.smtpPort),
      STRIPE_API_BASE: proxy.url,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_DEFAULT_PAYMENT_METHOD: 'pm_card_visa',
      WORKER_METRICS_PORT: '0',
      METRICS_PORT: String(metricsPort),
      PAYLOAD_KEYS: payloadKeys,
      // One load generator on one address stands for many people: the per-address limits are lifted.
      SIGNUP_RATE_LIMIT_PER_MINUTE: '1000000',
      SIGN_IN_EMAILS_PER_ADDRESS_PER_HOUR: '1000000',
      CODE_ATTEMPTS_PER_ADDRESS_PER_HOUR: '1000000',
      APPLICATIONS_PER_ADDRESS_PER_DAY: '1000000',
      POSTINGS_PER_ADDRESS_PER_DAY: '1000000',
      ACTION_LINK_RATE_LIMIT_PER_MINUTE: '1000000',
      WRITE_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000000',
      WRITE_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '1000000',
      // One load generator on one address stands for many clients (a burst opens hundreds at once).
      CONNECTIONS_PER_ADDRESS: '0',
      LOG_LEVEL: 'info',
      ...options.env,
    };
    let workers = 0;
    // The worker is ready when it logs "worker started", so it logs at info at least.
    const quiet = ['warn', 'error', 'fatal', 'silent'].includes(env.LOG_LEVEL ?? '');
    const startApp = (role: 'worker' | 'api'): Promise<Child> => {
      const log = logs(role === 'worker' ? `worker-${++workers}` : 'api');
      return startProcess({
        name: role,
        command: process.execPath,
        args: ['--import', 'tsx', path.join(repoRoot, role, 'main.ts')],
        cwd: repoRoot,
        env: role === 'worker' && quiet ? { ...env, LOG_LEVEL: 'info' } : env,
        logFile: log,
        ready:
          role === 'api'
            ? async () => (await fetch(`${apiUrl}/healthz`)).ok
            : () => Promise.resolve(readFileSync(log, 'utf8').includes('worker started')),
        readyTimeoutMs: 60_000,
      });
    };
    let worker = await startApp('worker');
    let api = await startApp('api');

    const kill = (pid: number | undefined) => {
      try {
        if (pid) process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const waitExit = async (service: Child) => {
      const child = service.child as { exitCode: number | null; signalCode: string | null };
      for (let i = 0; i < 100 && child.exitCode === null && child.signalCode === null; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const stack: ProveStack = {
      dir,
      apiUrl,
      payloadKeys,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      databaseUrl: postgres.url,
      temporalAddress: temporal!.address,
      temporalUiUrl: temporal!.uiUrl,
      maildevUrl: mail.webUrl,
      stripeProxyUrl: proxy.url,
      taskQueue,
      groups: () => ({
        temporal: pidOf(temporal!),
        postgres: pidOf(postgres),
        worker: worker.child.pid!,
        api: api.child.pid!,
      }),
      async killWorker() {
        kill(worker.child.pid);
        await waitExit(worker);
        worker = await startApp('worker');
      },
      async killApi() {
        kill(api.child.pid);
        await waitExit(api);
        api = await startApp('api');
      },
      async restartTemporal() {
        kill(pidOf(temporal!));
        await temporal!.stop();
        temporal = await startTemporal();
      },
      async stop() {
        await Promise.allSettled([worker.stop(), api.stop()]);
        await Promise.allSettled([temporal!.stop(), ...services.map((s) => s.stop())]);
        if (!options.keep) rmSync(dir, { recursive: true, force: true });
      },
    };
    // Ctrl-C or a kill of this program stops the stack too, so no server outlives it.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        say(`${signal}: stopping the stack`);
        void stack.stop().finally(() => process.exit(130));
      });
    }
    return stack;
  } catch (err) {
    await Promise.allSettled(starting);
    await Promise.allSettled([...services, ...(temporal ? [temporal] : [])].map((s) => s.stop()));
    throw err;
  }
}

const pidOf = (service: Service): number => (service as Child).child?.pid ?? 0;

/** CPU seconds (user + system, with reaped children) of every process in a process group. */
export function groupCpuSeconds(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command name "(...)": state is field 3; pgrp 5; utime 14 … cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** Resident memory (and its peak) of one process, in MiB. */
export function rssMiB(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}
