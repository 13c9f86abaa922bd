/**
 * `npm run bench`: full micro-internship lifecycles through the HTTP API against a local stack of
 * real processes, then the same workflow straight through @temporalio/client, then HTTP again at
 * half the measured maximum rate for the latency figures. Prints a markdown report and writes it
 * with the raw figures as JSON to bench-results/.
 *
 *   npm run bench -- --lifecycles 300 --concurrency 12
 *   npm run bench -- --lifecycles 120 --runs 3 --topologies 1x1,3x2   (API replicas × workers)
 *   npm run bench -- --payloads encrypted,plain   (what the payload codec costs, in one sitting)
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { repoRoot } from '../stack/tools';
import { internshipWorkflowId } from '../../workflows/definitions';
import { httpLifecycle, rawLifecycle, type Actors, type HttpOptions } from './lifecycle';
import { dataConverterFrom } from '../../lib/data-converter';
import { firstAdmin, signUpMany, withBrowserSessions } from './people';
import {
  closedLoop,
  emailDelays,
  Latencies,
  openLoop,
  pooled,
  type RouteSummary,
  type RunResult,
} from './measure';
import {
  groupCpuSeconds,
  reapedCpuSeconds,
  OPS_TOKEN,
  rssMiB,
  startProveStack,
  WEBHOOK_SECRET,
  type ProveStack,
  type StackRole,
} from './stack';

const { values: args } = parseArgs({
  options: {
    lifecycles: { type: 'string', default: '240' },
    concurrency: { type: 'string', default: '10' },
    'half-rate-lifecycles': { type: 'string' },
    /** Lifecycles of the web pages phase (0: none): their people open the app's pages as they go. */
    'page-lifecycles': { type: 'string' },
    'day-seconds': { type: 'string', default: '600' },
    /** Runs per topology, on one stack: the spread, and how the figures move as the tables grow. */
    runs: { type: 'string', default: '1' },
    /** API replicas × workers, comma-separated: "1x1,3x2" measures both in one sitting. */
    topologies: { type: 'string', default: '1x1' },
    out: { type: 'string', default: path.join(repoRoot, 'bench-results') },
    check: { type: 'boolean', default: false },
    /**
     * "encrypted", "plain" or both, comma-separated: each topology is measured with each, so
     * "encrypted,plain" states what the codec costs in one sitting (plain: never in production).
     */
    payloads: { type: 'string', default: 'encrypted' },
    /** The same as --payloads plain. */
    'no-encryption': { type: 'boolean', default: false },
  },
});
const total = Number(args.lifecycles);
const concurrency = Number(args.concurrency);
const halfRateTotal = Number(args['half-rate-lifecycles'] ?? Math.max(10, Math.round(total / 2)));
const pageTotal = Number(args['page-lifecycles'] ?? Math.max(6, Math.round(halfRateTotal / 3)));
const runs = Math.max(1, Number(args.runs));
const topologies = args.topologies.split(',').map((t) => {
  const [apis, workers] = t.split('x').map(Number);
  if (!apis || !workers) throw new Error(`--topologies: "${t}" is not REPLICASxWORKERS, e.g. 3x2`);
  return { apis, workers };
});
const payloadModes = (args['no-encryption'] ? 'plain' : args.payloads).split(',').map((p) => {
  if (p !== 'encrypted' && p !== 'plain') throw new Error(`--payloads: "${p}" is not encrypted or plain`);
  return p;
});
const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);

type Group = StackRole | 'bench';

interface PhaseReport {
  name: string;
  run: Omit<RunResult, 'errors'> & { firstErrors: string[] };
  routes: RouteSummary[];
  cpuSeconds: Record<Group, number>;
  cpuPercent: Record<Group, number>;
  /** Postgres CPU per lifecycle, in ms: flat when nothing grows with the data. */
  postgresCpuMsPerLifecycle: number;
  /** Autovacuum and autoanalyze runs in this phase, by table. */
  autovacuum: { table: string; vacuums: number; analyzes: number }[];
  /** Postgres CPU of processes that ended in this phase (autovacuum workers, closed connections). */
  postgresReapedCpuSeconds: number;
  /** Tables read by sequential scans in this phase, rows read (the biggest first). */
  seqScans: { table: string; scans: number; rows: number }[];
  /** Connections opened to the database in this phase (each one a new Postgres backend). */
  newConnections: number;
  /** What Postgres backends were seen doing, sampled every 25 ms (pg_stat_activity): where its CPU goes. */
  activeSamples: { what: string; samples: number }[];
  /** The statements that took the most Postgres time in this phase (pg_stat_statements). */
  topStatements: { query: string; calls: number; totalMs: number; msPerCall: number }[];
  /** Statements run per completed lifecycle, by every process (each a round trip to Postgres). */
  statementsPerLifecycle: number;
  /** The statements run most often in this phase. */
  mostCalled: { query: string; calls: number; perLifecycle: number }[];
  workerRssMiB: { end: number; peak: number };
  updateP99: number;
  readP99: number;
}

const isRead = (route: string) => route.startsWith('GET ') || route === 'query state';
/** A page of the web app (its server time includes the API calls it makes over loopback). */
const isPage = (route: string) => route.startsWith('PAGE ');
const isUpdate = (route: string) =>
  !isRead(route) && !isPage(route) && route !== 'result' && route !== 'POST /webhooks/stripe';
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

type SeqScanCounters = Map<string, { scans: number; rows: number; vacuums: number; analyzes: number }>;
async function seqScanCounters(db: pg.Pool): Promise<SeqScanCounters> {
  const { rows } = await db.query<{
    relname: string;
    seq_scan: string;
    seq_tup_read: string;
    v: string;
    a: string;
  }>(
    `SELECT relname, seq_scan, seq_tup_read, autovacuum_count AS v, autoanalyze_count AS a FROM pg_stat_user_tables`,
  );
  return new Map(
    rows.map((r) => [
      r.relname,
      {
        scans: Number(r.seq_scan),
        rows: Number(r.seq_tup_read),
        vacuums: Number(r.v),
        analyzes: Number(r.a),
      },
    ]),
  );
}

/** Samples the other backends' state every 25 ms until stopped: the busiest first. */
function sampleActivity(db: pg.Pool) {
  const seen = new Map<string, number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await db.query<{ what: string }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') || ' ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS what
           FROM pg_stat_activity
          WHERE state = 'active' AND pid <> pg_backend_pid() AND datname = current_database()`,
      );
      for (const r of rows) seen.set(r.what, (seen.get(r.what) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return [...seen]
        .map(([what, samples]) => ({ what, samples }))
        .sort((a, b) => b.samples - a.samples)
        .slice(0, 8);
    },
  };
}

const sessions = async (db: pg.Pool) =>
  Number(
    (
      await db.query<{ n: string }>(
        'SELECT sessions AS n FROM pg_stat_database WHERE datname = current_database()',
      )
    ).rows[0]!.n,
  );

type StatementCounters = Map<string, { query: string; calls: number; ms: number }>;
async function statementCounters(db: pg.Pool): Promise<StatementCounters> {
  const { rows } = await db.query<{ queryid: string; query: string; calls: string; ms: number }>(
    `SELECT queryid::text, query, calls, total_exec_time AS ms FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return new Map(rows.map((r) => [r.queryid, { query: r.query, calls: Number(r.calls), ms: r.ms }]));
}

async function phase(
  stack: ProveStack,
  db: pg.Pool,
  name: string,
  body: (latencies: Latencies) => Promise<RunResult>,
): Promise<PhaseReport> {
  const latencies = new Latencies();
  const groups = stack.groups();
  const cpu = () => ({
    ...(Object.fromEntries(
      Object.entries(groups).map(([g, pids]) => [g, sum(pids.map(groupCpuSeconds))]),
    ) as Record<StackRole, number>),
    bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  });
  const scansBefore = await seqScanCounters(db);
  const statementsBefore = await statementCounters(db);
  const sessionsBefore = await sessions(db);
  const activity = sampleActivity(db);
  const before = cpu();
  const reapedBefore = sum(groups.postgres.map(reapedCpuSeconds));
  const workerRss = () => Math.max(0, ...groups.worker.map((pid) => rssMiB(pid).rss));
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, workerRss())), 500);
  say(`${name} ...`);
  const run = await body(latencies);
  clearInterval(sampler);
  const after = cpu();
  const reapedAfter = sum(groups.postgres.map(reapedCpuSeconds));
  const scansAfter = await seqScanCounters(db);
  const statementsAfter = await statementCounters(db);
  const newConnections = (await sessions(db)) - sessionsBefore;
  const activeSamples = await activity.stop();
  const statements = [...statementsAfter]
    .map(([id, a]) => {
      const b = statementsBefore.get(id) ?? { calls: 0, ms: 0 };
      const calls = a.calls - b.calls;
      const totalMs = a.ms - b.ms;
      return {
        query: a.query.replace(/\s+/g, ' ').slice(0, 160),
        calls,
        totalMs: round(totalMs, 0),
        msPerCall: round(totalMs / Math.max(1, calls), 2),
      };
    })
    // The benchmark's own sampling of pg_stat_activity is not the platform's.
    .filter((x) => x.calls > 0 && !x.query.includes('pg_stat_activity'));
  const topStatements = [...statements].sort((x, y) => y.totalMs - x.totalMs).slice(0, 8);
  // Each statement is a round trip from a process to Postgres: what the platform asks per lifecycle.
  const statementsPerLifecycle = round(
    statements.reduce((n, x) => n + x.calls, 0) / Math.max(1, run.completed),
    1,
  );
  const mostCalled = [...statements]
    .sort((x, y) => y.calls - x.calls)
    .slice(0, 15)
    .map((x) => ({ ...x, perLifecycle: round(x.calls / Math.max(1, run.completed), 1) }));
  const cpuSeconds = Object.fromEntries(
    Object.keys(after).map((g) => [g, round(after[g as Group] - before[g as Group], 1)]),
  ) as Record<Group, number>;
  const cpuPercent = Object.fromEntries(
    Object.entries(cpuSeconds).map(([g, s]) => [g, round((s / run.seconds) * 100, 0)]),
  ) as Record<Group, number>;
  const autovacuum = [...scansAfter]
    .map(([table, a]) => {
      const b = scansBefore.get(table) ?? { vacuums: 0, analyzes: 0 };
      return { table, vacuums: a.vacuums - b.vacuums, analyzes: a.analyzes - b.analyzes };
    })
    .filter((t) => t.vacuums + t.analyzes > 0);
  const seqScans = [...scansAfter]
    .map(([table, a]) => {
      const b = scansBefore.get(table) ?? { scans: 0, rows: 0 };
      return { table, scans: a.scans - b.scans, rows: a.rows - b.rows };
    })
    .filter((t) => t.rows > 0)
    .sort((x, y) => y.rows - x.rows)
    .slice(0, 5);
  const report: PhaseReport = {
    name,
    run: {
      completed: run.completed,
      failed: run.failed,
      seconds: round(run.seconds, 1),
      perMinute: round(run.perMinute, 1),
      firstErrors: run.errors.slice(0, 5),
    },
    routes: latencies.summary().map((r) => ({
      ...r,
      p50: round(r.p50, 1),
      p95: round(r.p95, 1),
      p99: round(r.p99, 1),
      max: round(r.max, 1),
    })),
    cpuSeconds,
    cpuPercent,
    postgresCpuMsPerLifecycle: round(
      ((after.postgres - before.postgres) * 1000) / Math.max(1, run.completed),
      0,
    ),
    seqScans,
    autovacuum,
    postgresReapedCpuSeconds: round(reapedAfter - reapedBefore, 1),
    topStatements,
    statementsPerLifecycle,
    mostCalled,
    newConnections,
    activeSamples,
    workerRssMiB: { end: round(workerRss(), 0), peak: round(Math.max(peak, workerRss()), 0) },
    updateP99: round(pooled(latencies, isUpdate, 99), 1),
    readP99: round(pooled(latencies, isRead, 99), 1),
  };
  say(
    `${name}: ${run.completed}/${run.completed + run.failed} in ${report.run.seconds} s = ` +
      `${report.run.perMinute} lifecycles/min; update p99 ${report.updateP99} ms, read p99 ${report.readP99} ms; ` +
      `Postgres ${report.postgresCpuMsPerLifecycle} ms CPU per lifecycle, ${statementsPerLifecycle} statements ` +
      `per lifecycle, ${newConnections} new connections`,
  );
  const pageTimes = report.routes.filter((x) => isPage(x.route));
  if (pageTimes.length > 0)
    say(`  pages p95: ${pageTimes.map((x) => `${x.route.slice(5)} ${x.p95} ms`).join(', ')}`);
  for (const e of report.run.firstErrors) say(`  error: ${e}`);
  return report;
}

/**
 * Waits until the stack is idle: no email waiting in the outbox, and the worker, the API, Temporal
 * and Postgres together under a tenth of a core for a second. Each phase starts on a drained stack.
 * Then empties the mail catcher, which is not part of the platform: every look for a sign-in code
 * makes maildev scan all it holds, and at 300 lifecycles × 3 runs (some 30,000 emails) its answers
 * slowed until codes came after the people gave up. Nobody waits for an email while the stack drains.
 */
async function drain(stack: ProveStack, db: pg.Pool): Promise<number> {
  const began = performance.now();
  const busy = () => {
    const g = stack.groups();
    return sum([...g.worker, ...g.api, ...g.temporal, ...g.postgres].map(groupCpuSeconds));
  };
  for (let quiet = 0; performance.now() - began < 120_000 && quiet < 2;) {
    const before = busy();
    await new Promise((r) => setTimeout(r, 1_000));
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM email_outbox WHERE sent_at IS NULL`,
    );
    quiet = busy() - before < 0.1 && Number(rows[0]!.n) === 0 ? quiet + 1 : 0;
  }
  await fetch(`${stack.maildevUrl}/api/email/all`, { method: 'DELETE' });
  return round((performance.now() - began) / 1000, 1);
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

interface RunReport {
  run: number;
  order: string;
  internshipsBefore: number;
  phases: Record<'max' | 'raw' | 'half', PhaseReport> & { pages?: PhaseReport };
  drainedSeconds: number[];
  ratio: number;
}

interface TopologyReport {
  apiReplicas: number;
  workers: number;
  payloads: 'encrypted' | 'plain';
  runs: RunReport[];
  historyEventsPerLifecycle: Record<string, number>;
  emails: { sent: number; unsent: number; p50: number; p95: number; max: number };
}

async function benchTopology(
  apis: number,
  workers: number,
  payloads: 'encrypted' | 'plain',
): Promise<TopologyReport> {
  const stack = await startProveStack({
    env: { HUMAN_DAY_SECONDS: args['day-seconds'], ...(payloads === 'plain' ? { PAYLOAD_KEYS: '' } : {}) },
    log: say,
    apiReplicas: apis,
    workers,
  });
  const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 8 });
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({
    connection,
    dataConverter: dataConverterFrom({ PAYLOAD_KEYS: stack.payloadKeys }),
  });
  try {
    const idle = new Latencies();
    const http = (record: Latencies['record']): HttpOptions => ({
      baseUrl: stack.apiUrl,
      record,
      retryForMs: 0,
    });
    // Everyone signs in by email, as people do: sessions drive every lifecycle.
    const inbox = { url: stack.maildevUrl };
    const admin = await firstAdmin(http(idle.record), inbox, OPS_TOKEN, `${Date.now()}`);
    const actorsFor = (n: number) =>
      signUpMany(http(idle.record), inbox, admin, n, (i) => `${Date.now()}-${i}`);
    const ctx = (latencies: Latencies) => ({
      http: http(latencies.record),
      db,
      webhookSecret: WEBHOOK_SECRET,
      statusTimeoutMs: 60_000,
    });
    const raw = (l: Latencies) =>
      rawLifecycle({ client, db, taskQueue: stack.taskQueue, record: l.record, statusTimeoutMs: 60_000 });
    const workflowIds: string[] = [];

    // Both paths warm alike: the API's and the worker's code paths, connections and caches.
    say(`${apis} API × ${workers} worker: warm-up, 3 lifecycles through HTTP and 3 through the client`);
    const warm = await actorsFor(3);
    await Promise.all(warm.map((a) => httpLifecycle(ctx(idle), a)));
    await Promise.all([0, 1, 2].map(() => raw(idle)));

    const reports: RunReport[] = [];
    for (let r = 1; r <= runs; r++) {
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM internships');
      const drained = [await drain(stack, db)];
      let actors: Actors[] = await actorsFor(total);
      const httpPhase = () =>
        phase(stack, db, `run ${r}: HTTP, ${concurrency} at a time`, (l) =>
          closedLoop(total, concurrency, async (n) =>
            workflowIds.push(await httpLifecycle(ctx(l), actors[n]!)),
          ),
        );
      const rawPhase = () =>
        phase(stack, db, `run ${r}: raw client, ${concurrency} at a time`, (l) =>
          closedLoop(total, concurrency, () => raw(l)),
        );
      // The order alternates, so neither path always runs on the fuller tables.
      const httpFirst = r % 2 === 1;
      const first = httpFirst ? await httpPhase() : await rawPhase();
      drained.push(await drain(stack, db));
      const second = httpFirst ? await rawPhase() : await httpPhase();
      drained.push(await drain(stack, db));
      const [max, rawReport] = httpFirst ? [first, second] : [second, first];
      const halfRate = max.run.perMinute / 2;
      actors = await actorsFor(halfRateTotal);
      drained.push(await drain(stack, db));
      const half = await phase(
        stack,
        db,
        `run ${r}: HTTP at half the maximum rate (${round(halfRate, 1)}/min)`,
        (l) =>
          openLoop(halfRateTotal, halfRate, async (n) =>
            workflowIds.push(await httpLifecycle(ctx(l), actors[n]!)),
          ),
      );
      // The web app's pages at the same rate, in a phase of their own so the API's goals above
      // are read without them: the hired student and the employer each sign in as a browser too.
      let pages: PhaseReport | undefined;
      if (pageTotal > 0) {
        drained.push(await drain(stack, db));
        actors = await withBrowserSessions(http(idle.record), inbox, await actorsFor(pageTotal));
        drained.push(await drain(stack, db));
        pages = await phase(stack, db, `run ${r}: web pages at half the maximum rate`, (l) =>
          openLoop(pageTotal, halfRate, async (n) =>
            workflowIds.push(await httpLifecycle(ctx(l), actors[n]!)),
          ),
        );
      }
      reports.push({
        run: r,
        order: httpFirst ? 'HTTP, raw, half' : 'raw, HTTP, half',
        internshipsBefore: Number(rows[0]!.n),
        phases: { max, raw: rawReport, half, ...(pages ? { pages } : {}) },
        drainedSeconds: drained,
        ratio: round(max.run.perMinute / rawReport.run.perMinute, 2),
      });
      say(`run ${r}: ratio ${reports.at(-1)!.ratio}; drained in ${drained.join(' / ')} s`);
    }

    const events: number[] = [];
    for (const internshipId of workflowIds.slice(0, 100)) {
      const info = await client.workflow.getHandle(internshipWorkflowId(internshipId)).describe();
      events.push(info.historyLength);
    }
    events.sort((a, b) => a - b);
    return {
      apiReplicas: apis,
      workers,
      payloads,
      runs: reports,
      historyEventsPerLifecycle: {
        sampled: events.length,
        min: events[0] ?? 0,
        median: events[Math.floor(events.length / 2)] ?? 0,
        max: events.at(-1) ?? 0,
      },
      emails: await emailDelays(db),
    };
  } catch (err) {
    // The processes' logs go with the report when a topology fails.
    const kept = path.join(args.out, `bench-${apis}x${workers}-${Date.now()}-logs`);
    cpSync(path.join(stack.dir, 'logs'), kept, { recursive: true });
    say(`logs kept in ${kept}`);
    throw err;
  } finally {
    await connection.close();
    await db.end();
    await stack.stop();
  }
}

async function main(): Promise<void> {
  const began = new Date();
  const measured: TopologyReport[] = [];
  for (const t of topologies) {
    for (const payloads of payloadModes) measured.push(await benchTopology(t.apis, t.workers, payloads));
  }
  const allRuns = measured.flatMap((t) => t.runs);
  const everyRun = (pick: (r: RunReport) => boolean) => allRuns.every(pick);
  const failed = sum(allRuns.flatMap((r) => Object.values(r.phases).map((p) => p.run.failed)));
  const base = measured[0]!.runs;
  const pgFirst = base[0]!.phases.max.postgresCpuMsPerLifecycle;
  const pgLast = base.at(-1)!.phases.max.postgresCpuMsPerLifecycle;
  const historyMax = Math.max(...measured.map((t) => t.historyEventsPerLifecycle.max ?? 0));
  const report: Report = {
    date: began.toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: `${os.type()} ${os.release()}`,
    },
    settings: {
      lifecycles: total,
      concurrency,
      halfRateLifecycles: halfRateTotal,
      humanDaySeconds: Number(args['day-seconds']),
      runs,
    },
    topologies: measured,
    targets: {
      lifecyclesPerMinute: {
        goal: '>= 60 (every run)',
        value: Math.min(...allRuns.map((r) => r.phases.max.run.perMinute)),
        met: everyRun((r) => r.phases.max.run.perMinute >= 60),
      },
      errors: { goal: '0', value: failed, met: failed === 0 },
      ratio: {
        goal: '>= 0.8 (every run)',
        value: Math.min(...allRuns.map((r) => r.ratio)),
        met: everyRun((r) => r.ratio >= 0.8),
      },
      updateP99AtHalfRate: {
        goal: '<= 150 ms (every run)',
        value: Math.max(...allRuns.map((r) => r.phases.half.updateP99)),
        met: everyRun((r) => r.phases.half.updateP99 <= 150),
      },
      readP99AtHalfRate: {
        goal: '<= 20 ms (every run)',
        value: Math.max(...allRuns.map((r) => r.phases.half.readP99)),
        met: everyRun((r) => r.phases.half.readP99 <= 20),
      },
      postgresCpuPerLifecycleGrowth: {
        goal: '<= 1.5× from the first run to the last',
        value: round(pgLast / Math.max(1, pgFirst), 2),
        met: pgLast <= 1.5 * Math.max(1, pgFirst),
      },
      historyEvents: { goal: '<= 200', value: historyMax, met: historyMax <= 200 },
    },
  };
  const markdown = renderMarkdown(report);
  mkdirSync(args.out, { recursive: true });
  const stamp = began.toISOString().replace(/[:.]/g, '-');
  writeFileSync(path.join(args.out, `bench-${stamp}.json`), JSON.stringify(report, null, 2));
  writeFileSync(path.join(args.out, `bench-${stamp}.md`), markdown);
  process.stdout.write(`\n${markdown}\n`);
  say(`written to ${path.join(args.out, `bench-${stamp}.{json,md}`)}`);
  const missed = Object.entries(report.targets).filter(([, t]) => !t.met);
  if (args.check && failed > 0) process.exitCode = 1;
  if (missed.length) say(`targets missed: ${missed.map(([k]) => k).join(', ')}`);
}

type Report = {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  settings: Record<string, number>;
  topologies: TopologyReport[];
  targets: Record<string, { goal: string; value: number; met: boolean }>;
};

/** min / median / max of a figure over the runs. */
function spread(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 1 ? `${s[0]}` : `${s[0]} / ${s[Math.floor(s.length / 2)]} / ${s.at(-1)}`;
}

function renderMarkdown(r: Report): string {
  const m = r.machine;
  const topologyName = (t: TopologyReport) =>
    `${t.apiReplicas} API × ${t.workers} worker${t.workers > 1 ? 's' : ''}${t.payloads === 'plain' ? ', plain payloads' : ''}`;
  const lines = [
    `### Benchmark ${r.date.slice(0, 10)} — ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}`,
    '',
    `${r.settings.runs} run(s) per topology on one stack each: ${r.settings.lifecycles} lifecycles at concurrency ${r.settings.concurrency} through HTTP and through the raw client (alternating which goes first), then ${r.settings.halfRateLifecycles} through HTTP at half the maximum rate; every phase starts on a drained stack; a human day lasts ${r.settings.humanDaySeconds} s.`,
    '',
    '| Target | Goal | Measured (worst run) | Met |',
    '| --- | --- | --- | --- |',
    ...Object.entries(r.targets).map(
      ([k, t]) => `| ${k} | ${t.goal} | ${t.value} | ${t.met ? 'yes' : '**no**'} |`,
    ),
    '',
    'Over the runs (min / median / max):',
    '',
    '| Topology | HTTP lifecycles/min | Raw lifecycles/min | Ratio | Update p99 at half rate (ms) | Read p99 at half rate (ms) | Postgres ms CPU per lifecycle, run by run |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...r.topologies.map(
      (t) =>
        `| ${topologyName(t)} | ${spread(t.runs.map((x) => x.phases.max.run.perMinute))} | ${spread(t.runs.map((x) => x.phases.raw.run.perMinute))} | ${spread(t.runs.map((x) => x.ratio))} | ${spread(t.runs.map((x) => x.phases.half.updateP99))} | ${spread(t.runs.map((x) => x.phases.half.readP99))} | ${t.runs.map((x) => x.phases.max.postgresCpuMsPerLifecycle).join(' → ')} |`,
    ),
    '',
    '| Topology | Run | Phase | Completed | Failed | Seconds | Lifecycles/min | Update p99 ms | Read p99 ms | Worker RSS peak MiB | CPU % server / workers / APIs / Postgres / LB / driver | Postgres ms/lifecycle |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.topologies.flatMap((t) =>
      t.runs.flatMap((run) =>
        Object.values(run.phases).map(
          (p) =>
            `| ${topologyName(t)} | ${run.run} | ${p.name.replace(/^run \d+: /, '')} | ${p.run.completed} | ${p.run.failed} | ${p.run.seconds} | ${p.run.perMinute} | ${p.updateP99} | ${p.readP99} | ${p.workerRssMiB.peak} | ${p.cpuPercent.temporal} / ${p.cpuPercent.worker} / ${p.cpuPercent.api} / ${p.cpuPercent.postgres} / ${p.cpuPercent.lb} / ${p.cpuPercent.bench} | ${p.postgresCpuMsPerLifecycle} |`,
        ),
      ),
    ),
    '',
    ...r.topologies.map(
      (t) =>
        `${topologyName(t)}: history events per lifecycle median ${t.historyEventsPerLifecycle.median}, max ${t.historyEventsPerLifecycle.max}; emails ${t.emails.sent} sent, ${t.emails.unsent} unsent at the end, queued → sent p50 ${t.emails.p50} ms, p95 ${t.emails.p95} ms.`,
    ),
    '',
    "Where Postgres spent its time in the first topology's last run, half-rate phase (pg_stat_statements):",
    '',
    '| Statement | Calls | Total ms | ms per call |',
    '| --- | --- | --- | --- |',
    ...r.topologies[0]!.runs.at(-1)!.phases.half.topStatements.map(
      (x) => `| \`${x.query.replace(/\|/g, '\\|')}\` | ${x.calls} | ${x.totalMs} | ${x.msPerCall} |`,
    ),
    '',
    `Autovacuum in that phase: ${
      r.topologies[0]!.runs.at(-1)!
        .phases.half.autovacuum.map((a) => `${a.table} ${a.vacuums}/${a.analyzes}`)
        .join(', ') || 'none'
    } (vacuums/analyzes). Sequential scans (rows read):`,
    '',
    ...r.topologies[0]!.runs.at(-1)!.phases.half.seqScans.map(
      (x) => `- ${x.table}: ${x.scans} scans, ${x.rows} rows`,
    ),
    '',
    `Per route at half the maximum rate, the first topology's last run (ms):`,
    '',
    '| Route | Count | p50 | p95 | p99 | Max |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.topologies[0]!.runs.at(-1)!.phases.half.routes.map(
      (x) => `| ${x.route} | ${x.count} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.max} |`,
    ),
    ...pagesTable(r.topologies[0]!.runs.at(-1)!.phases.pages),
  ];
  return lines.join('\n');
}

/** The web app's pages at half the maximum rate: each one's server time (as its viewer waited). */
function pagesTable(pages: PhaseReport | undefined): string[] {
  if (!pages) return [];
  return [
    '',
    `Per page of the web app at half the maximum rate (its own phase, ${pages.run.completed} lifecycles; a page's time includes the API calls it makes), ms:`,
    '',
    '| Page | Count | p50 | p95 | p99 | Max |',
    '| --- | --- | --- | --- | --- | --- |',
    ...pages.routes
      .filter((x) => isPage(x.route))
      .map((x) => `| ${x.route.slice(5)} | ${x.count} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.max} |`),
  ];
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
