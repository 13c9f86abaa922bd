/**
 * `npm run bench`: full micro-internship lifecycles through the HTTP API against a local stack of
 * real processes, then the same workflow straight through @temporalio/client, then HTTP again at
 * half the measured maximum rate for the latency figures. Prints a markdown report and writes it
 * with the raw figures as JSON to bench-results/.
 *
 *   npm run bench -- --lifecycles 300 --concurrency 12
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { repoRoot } from '../stack/tools';
import { internshipWorkflowId } from '../../workflows/definitions';
import { httpLifecycle, rawLifecycle, type Actors, type HttpOptions } from './lifecycle';
import { dataConverterFrom } from '../../lib/data-converter';
import { firstAdmin, signUpMany } from './people';
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
  OPS_TOKEN,
  rssMiB,
  startProveStack,
  WEBHOOK_SECRET,
  type ProveStack,
} from './stack';

const { values: args } = parseArgs({
  options: {
    lifecycles: { type: 'string', default: '240' },
    concurrency: { type: 'string', default: '10' },
    'half-rate-lifecycles': { type: 'string' },
    'day-seconds': { type: 'string', default: '600' },
    out: { type: 'string', default: path.join(repoRoot, 'bench-results') },
    check: { type: 'boolean', default: false },
    /** Payloads in plain text, to measure what encryption costs (never in production). */
    'no-encryption': { type: 'boolean', default: false },
  },
});
const total = Number(args.lifecycles);
const concurrency = Number(args.concurrency);
const halfRateTotal = Number(args['half-rate-lifecycles'] ?? Math.max(10, Math.round(total / 2)));
const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);

type Group = 'temporal' | 'postgres' | 'worker' | 'api' | 'bench';

interface PhaseReport {
  name: string;
  run: Omit<RunResult, 'errors'> & { firstErrors: string[] };
  routes: RouteSummary[];
  cpuSeconds: Record<Group, number>;
  cpuPercent: Record<Group, number>;
  workerRssMiB: { end: number; peak: number };
  updateP99: number;
  readP99: number;
}

const isRead = (route: string) => route.startsWith('GET ') || route === 'query state';
const isUpdate = (route: string) => !isRead(route) && route !== 'result' && route !== 'POST /webhooks/stripe';

async function phase(
  stack: ProveStack,
  name: string,
  body: (latencies: Latencies) => Promise<RunResult>,
): Promise<PhaseReport> {
  const latencies = new Latencies();
  const groups = stack.groups();
  const cpu = () => ({
    ...(Object.fromEntries(Object.entries(groups).map(([g, pid]) => [g, groupCpuSeconds(pid)])) as Record<
      Exclude<Group, 'bench'>,
      number
    >),
    bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  });
  const before = cpu();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(groups.worker).rss)), 500);
  say(`${name} ...`);
  const run = await body(latencies);
  clearInterval(sampler);
  const after = cpu();
  const cpuSeconds = Object.fromEntries(
    Object.keys(after).map((g) => [g, round(after[g as Group] - before[g as Group], 1)]),
  ) as Record<Group, number>;
  const cpuPercent = Object.fromEntries(
    Object.entries(cpuSeconds).map(([g, s]) => [g, round((s / run.seconds) * 100, 0)]),
  ) as Record<Group, number>;
  const rss = rssMiB(groups.worker);
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
    workerRssMiB: { end: round(rss.rss, 0), peak: round(Math.max(peak, rss.rss), 0) },
    updateP99: round(pooled(latencies, isUpdate, 99), 1),
    readP99: round(pooled(latencies, isRead, 99), 1),
  };
  say(
    `${name}: ${run.completed}/${run.completed + run.failed} in ${report.run.seconds} s = ` +
      `${report.run.perMinute} lifecycles/min; update p99 ${report.updateP99} ms, read p99 ${report.readP99} ms`,
  );
  for (const e of report.run.firstErrors) say(`  error: ${e}`);
  return report;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const began = new Date();
  const stack = await startProveStack({
    env: { HUMAN_DAY_SECONDS: args['day-seconds'], ...(args['no-encryption'] ? { PAYLOAD_KEYS: '' } : {}) },
    log: say,
  });
  const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 8 });
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
    const workflowIds: string[] = [];

    say('warm-up: 3 lifecycles');
    const warm = await actorsFor(3);
    await Promise.all(warm.map((a) => httpLifecycle(ctx(idle), a)));

    let actors: Actors[] = await actorsFor(total);
    const max = await phase(stack, `HTTP, ${concurrency} at a time`, (l) =>
      closedLoop(total, concurrency, async (n) => workflowIds.push(await httpLifecycle(ctx(l), actors[n]!))),
    );
    const raw = await phase(stack, `raw client, ${concurrency} at a time`, (l) =>
      closedLoop(total, concurrency, () =>
        rawLifecycle({ client, db, taskQueue: stack.taskQueue, record: l.record, statusTimeoutMs: 60_000 }),
      ),
    );
    const halfRate = max.run.perMinute / 2;
    actors = await actorsFor(halfRateTotal);
    const half = await phase(stack, `HTTP at half the maximum rate (${round(halfRate, 1)}/min)`, (l) =>
      openLoop(halfRateTotal, halfRate, async (n) =>
        workflowIds.push(await httpLifecycle(ctx(l), actors[n]!)),
      ),
    );

    const events: number[] = [];
    for (const internshipId of workflowIds.slice(0, 100)) {
      const info = await client.workflow.getHandle(internshipWorkflowId(internshipId)).describe();
      events.push(info.historyLength);
    }
    events.sort((a, b) => a - b);
    const history = {
      sampled: events.length,
      min: events[0] ?? 0,
      median: events[Math.floor(events.length / 2)] ?? 0,
      max: events.at(-1) ?? 0,
    };
    const ratio = round(max.run.perMinute / raw.run.perMinute, 2);
    const emails = await emailDelays(db);
    const report = {
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
      },
      phases: { max, raw, half },
      ratio,
      historyEventsPerLifecycle: history,
      emails,
      targets: {
        lifecyclesPerMinute: { goal: '>= 60', value: max.run.perMinute, met: max.run.perMinute >= 60 },
        errors: {
          goal: '0',
          value: max.run.failed + half.run.failed + raw.run.failed,
          met: max.run.failed + half.run.failed + raw.run.failed === 0,
        },
        ratio: { goal: '>= 0.8', value: ratio, met: ratio >= 0.8 },
        updateP99AtHalfRate: { goal: '<= 150 ms', value: half.updateP99, met: half.updateP99 <= 150 },
        readP99AtHalfRate: { goal: '<= 20 ms', value: half.readP99, met: half.readP99 <= 20 },
        historyEvents: { goal: '<= 200', value: history.max, met: history.max <= 200 },
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
    if (args.check && report.targets.errors.value > 0) process.exitCode = 1;
    if (missed.length) say(`targets missed: ${missed.map(([k]) => k).join(', ')}`);
  } finally {
    await connection.close();
    await db.end();
    await stack.stop();
  }
}

type Report = {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  settings: Record<string, number>;
  phases: Record<'max' | 'raw' | 'half', PhaseReport>;
  ratio: number;
  historyEventsPerLifecycle: Record<string, number>;
  emails: { sent: number; unsent: number; p50: number; p95: number; max: number };
  targets: Record<string, { goal: string; value: number; met: boolean }>;
};

function renderMarkdown(r: Report): string {
  const m = r.machine;
  const lines = [
    `### Benchmark ${r.date.slice(0, 10)} — ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}`,
    '',
    `${r.settings.lifecycles} lifecycles at concurrency ${r.settings.concurrency}, then ${r.settings.halfRateLifecycles} at half the maximum rate; a human day lasts ${r.settings.humanDaySeconds} s.`,
    '',
    '| Target | Goal | Measured | Met |',
    '| --- | --- | --- | --- |',
    ...Object.entries(r.targets).map(
      ([k, t]) => `| ${k} | ${t.goal} | ${t.value} | ${t.met ? 'yes' : '**no**'} |`,
    ),
    '',
    '| Phase | Completed | Failed | Seconds | Lifecycles/min | Update p99 ms | Read p99 ms | Worker RSS peak MiB | CPU % server / worker / API / Postgres / driver |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...Object.values(r.phases).map(
      (p) =>
        `| ${p.name} | ${p.run.completed} | ${p.run.failed} | ${p.run.seconds} | ${p.run.perMinute} | ${p.updateP99} | ${p.readP99} | ${p.workerRssMiB.peak} | ${p.cpuPercent.temporal} / ${p.cpuPercent.worker} / ${p.cpuPercent.api} / ${p.cpuPercent.postgres} / ${p.cpuPercent.bench} |`,
    ),
    '',
    `HTTP / raw client ratio: **${r.ratio}**. History events per lifecycle: median ${r.historyEventsPerLifecycle.median}, max ${r.historyEventsPerLifecycle.max} (${r.historyEventsPerLifecycle.sampled} sampled).`,
    '',
    `Emails: ${r.emails.sent} sent, ${r.emails.unsent} unsent at the end; queued → sent p50 ${r.emails.p50} ms, p95 ${r.emails.p95} ms, max ${r.emails.max} ms.`,
    '',
    `Per route at half the maximum rate (ms):`,
    '',
    '| Route | Count | p50 | p95 | p99 | Max |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.phases.half.routes.map(
      (x) => `| ${x.route} | ${x.count} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.max} |`,
    ),
  ];
  return lines.join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
