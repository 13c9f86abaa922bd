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
import { buildWorkflowBundle } from '../../worker/workflow-bundle';
import {
  apiAnswers,
  entryPoint,
  freePort,
  startProcess,
  workerStarted,
  type Service,
} from '../stack/processes';
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
  /** Process-group ids by role (one per replica or worker), for CPU and memory readings. */
  groups(): Record<StackRole, number[]>;
  /** How many API replicas (behind the load balancer when more than one) and workers run. */
  apiReplicas: number;
  workers: number;
  /** SIGKILLs one worker (at random when there are several) and starts it again. */
  killWorker(): Promise<void>;
  /** SIGKILLs one API replica (at random) and starts it again on its port. */
  killApi(): Promise<void>;
  /** SIGKILLs the dev server and starts it again on the same SQLite file and port. */
  restartTemporal(): Promise<void>;
  stop(): Promise<void>;
}

export type StackRole = 'temporal' | 'postgres' | 'worker' | 'api' | 'lb';

export interface ProveStackOptions {
  /** API processes; with more than one, a load balancer process (scripts/stack/load-balancer.ts) fronts them. */
  apiReplicas?: number;
  /** Worker processes on the one task queue. */
  workers?: number;
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
  const replicas = Math.max(1, options.apiReplicas ?? 1);
  const workerCount = Math.max(1, options.workers ?? 1);
  const [pgPort, temporalPort, smtpPort, webPort, stripePort, lbPort, metricsPort, ...apiPorts] =
    await Promise.all(Array.from({ length: 7 + replicas }, () => freePort()));
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

    const apiUrl = `http://127.0.0.1:${replicas > 1 ? lbPort : apiPorts[0]}`;
    const taskQueue = 'internships';
    // Payloads encrypted as in production, with a key of this run's own.
    const payloadKeys = options.env?.PAYLOAD_KEYS ?? `prove-1:${randomBytes(32).toString('base64')}`;
    const env: Record<string, string> = {
      PUBLIC_BASE_URL: apiUrl,
      OPS_TOKEN,
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporal!.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(mail.smtpPort),
      MAIL_LOOKUP_URL: mail.webUrl,
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
    // The workflow code built once, as the image ships it: a killed worker is back in about a second.
    if (env.PAYLOAD_KEYS) {
      env.WORKFLOW_BUNDLE_PATH = path.join(dir, 'workflow-bundle.js');
      await buildWorkflowBundle(env.WORKFLOW_BUNDLE_PATH, {
        log: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
        debug: () => undefined,
        trace: () => undefined,
      });
    }
    let started = 0;
    // PROVE_CPU_PROFILE_DIR: each API and worker writes a V8 CPU profile there when it stops.
    const profiled = (role: string): string[] =>
      process.env.PROVE_CPU_PROFILE_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${path.join(process.env.PROVE_CPU_PROFILE_DIR, role)}`]
        : [];
    // The worker is ready when it logs "worker started", so it logs at info at least.
    const quiet = ['warn', 'error', 'fatal', 'silent'].includes(env.LOG_LEVEL ?? '');
    const startWorker = (): Promise<Child> => {
      const log = logs(`worker-${++started}`);
      return startProcess({
        name: 'worker',
        ...entryPoint('worker', profiled('worker')),
        env: quiet ? { ...env, LOG_LEVEL: 'info' } : env,
        logFile: log,
        ready: workerStarted(log),
        readyTimeoutMs: 60_000,
      });
    };
    /** API replica `i` on its own port; only the first serves metrics. */
    const startApi = (i: number): Promise<Child> =>
      startProcess({
        name: `api-${i + 1}`,
        ...entryPoint('api', profiled('api')),
        env: { ...env, API_PORT: String(apiPorts[i]), METRICS_PORT: i === 0 ? env.METRICS_PORT! : '0' },
        logFile: logs(replicas > 1 ? `api-${i + 1}` : 'api'),
        ready: apiAnswers(`http://127.0.0.1:${apiPorts[i]}`),
        readyTimeoutMs: 60_000,
      });
    const workers: Child[] = [];
    for (let i = 0; i < workerCount; i++) workers.push(await startWorker());
    const apis = await Promise.all(Array.from({ length: replicas }, (_, i) => startApi(i)));
    const lb =
      replicas > 1
        ? await startProcess({
            name: 'load balancer',
            command: process.execPath,
            args: [
              '--import',
              'tsx',
              path.join(repoRoot, 'scripts', 'stack', 'load-balancer.ts'),
              '--port',
              String(lbPort),
              '--backends',
              apiPorts.map((p) => `http://127.0.0.1:${p}`).join(','),
            ],
            cwd: repoRoot,
            logFile: logs('load-balancer'),
            ready: async () => (await fetch(`${apiUrl}/healthz`)).ok,
            readyTimeoutMs: 30_000,
          })
        : undefined;
    if (lb) services.push(lb);
    const any = (n: number) => Math.floor(Math.random() * n);

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
      apiReplicas: replicas,
      workers: workerCount,
      groups: () => ({
        temporal: [pidOf(temporal!)],
        postgres: [pidOf(postgres)],
        worker: workers.map((w) => w.child.pid!),
        api: apis.map((a) => a.child.pid!),
        lb: lb ? [pidOf(lb)] : [],
      }),
      async killWorker() {
        const i = any(workers.length);
        kill(workers[i]!.child.pid);
        await waitExit(workers[i]!);
        workers[i] = await startWorker();
      },
      async killApi() {
        const i = any(apis.length);
        kill(apis[i]!.child.pid);
        await waitExit(apis[i]!);
        apis[i] = await startApi(i);
      },
      async restartTemporal() {
        kill(pidOf(temporal!));
        await temporal!.stop();
        temporal = await startTemporal();
      },
      async stop() {
        await Promise.allSettled([...workers, ...apis].map((p) => p.stop()));
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

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, and cutime + cstime (its children that ended and were reaped), in ticks. */
  own: number;
  reaped: number;
}

function procStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name "(...)": state is field 3, ppid 4; utime 14 … cstime 17.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.push({
        pid: Number(entry),
        ppid: Number(f[1]),
        own: Number(f[11]) + Number(f[12]),
        reaped: Number(f[13]) + Number(f[14]),
      });
    } catch {
      // gone
    }
  }
  return stats;
}

/** The process and all its descendants. */
function tree(root: number, stats: ProcStat[]): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const self = stats.find((s) => s.pid === root);
  const found: ProcStat[] = [...(self ? [self] : []), ...(children.get(root) ?? [])];
  // Breadth first over the children lists: each process is read once.
  for (let i = self ? 1 : 0; i < found.length; i++) found.push(...(children.get(found[i]!.pid) ?? []));
  return found;
}

/**
 * CPU seconds (user + system) of a process and every descendant, living or ended. By the tree, not
 * the process group: Postgres puts each backend in a group of its own (setsid), so a group count sees
 * a connection's CPU only when it closes, all of it at once, in whatever phase that happens.
 */
export function groupCpuSeconds(root: number): number {
  return tree(root, procStats()).reduce((t, s) => t + s.own + s.reaped, 0) / 100; // USER_HZ is 100
}

/** CPU seconds of a process tree's descendants that have ended (reaped): closed connections, vacuums. */
export function reapedCpuSeconds(root: number): number {
  return tree(root, procStats()).reduce((t, s) => t + s.reaped, 0) / 100;
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
