/**
 * `npm run chaos`: full lifecycles through the HTTP API while the worker is killed with SIGKILL, the
 * API is killed with SIGKILL and the Temporal dev server is killed and restarted on the same SQLite
 * file. Clients retry through every failure with their idempotency keys, as a careful client does.
 * Then it counts what users and Stripe would notice:
 *  - lifecycles completed / started;
 *  - effective money movements per internship as the recording Stripe proxy saw them (charges,
 *    transfers, refunds: requests that were not idempotent replays and succeeded);
 *  - emails delivered per dedupe key, read from the SMTP catcher by their Message-ID;
 *  - the ledger invariant (charged = refunded + transferred + platform share) for every ended internship.
 *
 *   npm run chaos -- --lifecycles 200 --worker-kills 8 --api-kills 2 --server-restarts 1
 *   npm run chaos -- --api-replicas 3 --workers 2   (behind a local load balancer; kills pick at random)
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { StateCatchingUp } from '../../api/workflow-errors';
import { messageIdFor } from '../../lib/mail/mailer';
import { unbalancedEndedInternships } from '../../db/ledger';
import { internshipWorkflowId } from '../../workflows/definitions';
import { repoRoot } from '../stack/tools';
import { httpLifecycle, type Actors, type HttpOptions } from './lifecycle';
import { firstAdmin, signUpMany } from './people';
import { closedLoop, emailDelays, Latencies } from './measure';
import { OPS_TOKEN, startProveStack, WEBHOOK_SECRET, type ProveStack } from './stack';

const { values: args } = parseArgs({
  options: {
    lifecycles: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '10' },
    'worker-kills': { type: 'string', default: '8' },
    'api-kills': { type: 'string', default: '2' },
    'server-restarts': { type: 'string', default: '1' },
    /** API processes behind the local load balancer, and workers; kills pick one of each at random. */
    'api-replicas': { type: 'string', default: '1' },
    workers: { type: 'string', default: '1' },
    out: { type: 'string', default: path.join(repoRoot, 'bench-results') },
  },
});
const total = Number(args.lifecycles);
const concurrency = Number(args.concurrency);
const say = (line: string) => process.stdout.write(`[chaos] ${line}\n`);

type Fault = 'worker' | 'api' | 'server';

const bare = (messageId: string) => messageId.replace(/^<|>$/g, '');

/** Faults spread evenly: worker kills with the API and server faults between them. */
function schedule(workers: number, apis: number, servers: number): Fault[] {
  const faults: Fault[] = Array<Fault>(workers).fill('worker');
  const others: Fault[] = [...Array<Fault>(apis).fill('api'), ...Array<Fault>(servers).fill('server')];
  others.forEach((fault, i) => {
    const at = Math.round(((i + 1) * faults.length) / (others.length + 1)) + i;
    faults.splice(at, 0, fault);
  });
  return faults;
}

async function inject(stack: ProveStack, fault: Fault): Promise<number> {
  const started = performance.now();
  if (fault === 'worker') await stack.killWorker();
  else if (fault === 'api') await stack.killApi();
  else await stack.restartTemporal();
  return Math.round(performance.now() - started);
}

interface StripeRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  replayed: boolean;
  status: number;
}

async function main(): Promise<void> {
  const began = new Date();
  const stack = await startProveStack({
    env: { HUMAN_DAY_SECONDS: '600' },
    log: say,
    apiReplicas: Number(args['api-replicas']),
    workers: Number(args.workers),
  });
  const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 4 });
  try {
    // Widen the window in which a kill lands mid-payment.
    for (const p of ['/v1/payment_intents', '/v1/transfers', '/v1/refunds']) {
      await fetch(`${stack.stripeProxyUrl}/__proxy/latency`, {
        method: 'POST',
        body: JSON.stringify({ path: p, ms: 400 }),
      });
    }
    const latencies = new Latencies();
    // Answers asking the client to retry because the read model showed a state of a lost workflow task.
    let catchingUp = 0;
    const http: HttpOptions = {
      baseUrl: stack.apiUrl,
      record: (route, ms, status, problemType) => {
        latencies.record(route, ms, status);
        if (problemType === StateCatchingUp.type) catchingUp++;
      },
      retryForMs: 180_000,
    };
    say(`signing up ${total} employers and ${total * 3} students`);
    const mailbox = { url: stack.maildevUrl };
    const admin = await firstAdmin(http, mailbox, OPS_TOKEN, `${Date.now()}`);
    const actors: Actors[] = await signUpMany(http, mailbox, admin, total, (i) => `${Date.now()}-${i}`);

    const started: string[] = [];
    const completed: string[] = [];
    const faults = schedule(
      Number(args['worker-kills']),
      Number(args['api-kills']),
      Number(args['server-restarts']),
    );
    const injected: { fault: Fault; atLifecycle: number; recoveredMs: number }[] = [];
    let finished = false;
    const chaos = (async () => {
      for (const [i, fault] of faults.entries()) {
        // Spread the faults over the run: the i-th waits until its share of lifecycles has started.
        const due = Math.floor(((i + 1) * total) / (faults.length + 2));
        while (!finished && started.length < due) await new Promise((r) => setTimeout(r, 200));
        if (finished) return;
        await new Promise((r) => setTimeout(r, 500 + Math.random() * 1500));
        const recoveredMs = await inject(stack, fault);
        injected.push({ fault, atLifecycle: started.length, recoveredMs });
        say(`SIGKILL ${fault} at lifecycle ${started.length}/${total}, back in ${recoveredMs} ms`);
      }
    })();

    say(`${total} lifecycles, ${concurrency} at a time, faults: ${faults.join(' ')}`);
    const run = await closedLoop(total, concurrency, async (n) => {
      const id = await httpLifecycle(
        {
          http,
          db,
          webhookSecret: WEBHOOK_SECRET,
          statusTimeoutMs: 300_000,
          onStarted: (internshipId) => started.push(internshipId),
        },
        actors[n]!,
      );
      completed.push(id);
    });
    finished = true;
    await chaos;
    for (const e of run.errors.slice(0, 10)) say(`error: ${e}`);

    // Money as Stripe saw it.
    const requests = (await (
      await fetch(`${stack.stripeProxyUrl}/__proxy/requests`)
    ).json()) as StripeRequest[];
    const moves = {
      charges: '/v1/payment_intents',
      transfers: '/v1/transfers',
      refunds: '/v1/refunds',
    } as const;
    const perInternship = new Map<string, Record<keyof typeof moves, number>>();
    let unkeyed = 0;
    let replays = 0;
    for (const r of requests) {
      const kind = (Object.keys(moves) as (keyof typeof moves)[]).find(
        (k) => r.method === 'POST' && r.path.split('?')[0] === moves[k],
      );
      if (!kind) continue;
      if (r.replayed) {
        replays++;
        continue;
      }
      if (r.status >= 300) continue;
      if (!r.idempotencyKey) {
        unkeyed++;
        continue;
      }
      const internshipId = /^internship:([0-9a-f-]{36}):/.exec(r.idempotencyKey)?.[1] ?? r.idempotencyKey;
      const counts = perInternship.get(internshipId) ?? { charges: 0, transfers: 0, refunds: 0 };
      counts[kind]++;
      perInternship.set(internshipId, counts);
    }
    const money = {
      internshipsWithMoney: perInternship.size,
      idempotentReplaysSeen: replays,
      unkeyedMovements: unkeyed,
      exactlyOneCharge: started.filter((id) => perInternship.get(id)?.charges === 1).length,
      moreThanOneCharge: [...perInternship.values()].filter((c) => c.charges > 1).length,
      moreThanOneTransfer: [...perInternship.values()].filter((c) => c.transfers > 1).length,
      moreThanOneRefund: [...perInternship.values()].filter((c) => c.refunds > 1).length,
    };

    // Emails as the inbox received them: one Message-ID per dedupe key. The relay sends in the
    // background and sweeps what a killed worker left, so wait for the outbox to drain first.
    for (let i = 0; i < 120; i++) {
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM email_outbox WHERE sent_at IS NULL`,
      );
      if (rows[0]!.n === '0') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 1_000)); // the last deliveries reach the inbox
    const { rows: outbox } = await db.query<{ dedupe_key: string; sent_at: Date | null }>(
      `SELECT dedupe_key, sent_at FROM email_outbox`,
    );
    const inbox = (await (await fetch(`${stack.maildevUrl}/api/email`)).json()) as {
      messageId?: string;
      headers?: Record<string, string>;
    }[];
    const received = new Map<string, number>();
    for (const mail of inbox) {
      const id = bare(mail.headers?.['message-id'] ?? mail.messageId ?? '');
      received.set(id, (received.get(id) ?? 0) + 1);
    }
    const delays = await emailDelays(db);
    const emails = {
      queuedToSentMs: { p50: delays.p50, p95: delays.p95, max: delays.max },
      queued: outbox.length,
      unsent: outbox.filter((r) => !r.sent_at).length,
      received: inbox.length,
      duplicateKeys: outbox.filter((r) => (received.get(bare(messageIdFor(r.dedupe_key))) ?? 0) > 1).length,
      duplicated: outbox
        .filter((r) => (received.get(bare(messageIdFor(r.dedupe_key))) ?? 0) > 1)
        .map((r) => r.dedupe_key)
        .slice(0, 20),
      missingKeys: outbox.filter((r) => r.sent_at && !received.has(bare(messageIdFor(r.dedupe_key)))).length,
    };

    const unbalanced = await unbalancedEndedInternships(db);
    const { rows: statuses } = await db.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM internships WHERE id = ANY($1) GROUP BY status`,
      [started],
    );
    const report = {
      date: began.toISOString(),
      settings: { lifecycles: total, concurrency, apiReplicas: stack.apiReplicas, workers: stack.workers },
      faults: {
        planned: faults.length,
        injected: injected.length,
        workerKills: injected.filter((f) => f.fault === 'worker').length,
        apiKills: injected.filter((f) => f.fault === 'api').length,
        serverRestarts: injected.filter((f) => f.fault === 'server').length,
        log: injected,
      },
      lifecycles: {
        started: started.length,
        completed: completed.length,
        seconds: Math.round(run.seconds),
        statuses: Object.fromEntries(statuses.map((r) => [r.status, Number(r.n)])),
        firstErrors: run.errors.slice(0, 5),
      },
      money,
      emails,
      ledger: { unbalancedEndedInternships: unbalanced.length, ids: unbalanced.slice(0, 10) },
      httpFailuresRetried: latencies.summary().reduce((n, r) => n + r.failed, 0),
      stateCatchingUpAnswers: catchingUp,
      workflowIdExample: started[0] ? internshipWorkflowId(started[0]) : null,
    };
    const ok =
      report.faults.workerKills >= Number(args['worker-kills']) &&
      report.faults.apiKills >= Number(args['api-kills']) &&
      report.faults.serverRestarts >= Number(args['server-restarts']) &&
      completed.length === total &&
      money.exactlyOneCharge === total &&
      money.moreThanOneCharge +
        money.moreThanOneTransfer +
        money.moreThanOneRefund +
        money.unkeyedMovements ===
        0 &&
      emails.duplicateKeys === 0 &&
      emails.missingKeys === 0 &&
      emails.unsent === 0 &&
      unbalanced.length === 0;
    const markdown = [
      `### Chaos run ${report.date.slice(0, 10)} — ${stack.apiReplicas} API ${stack.apiReplicas > 1 ? 'replicas behind a load balancer' : 'process'}, ${stack.workers} worker${stack.workers > 1 ? 's' : ''}`,
      '',
      '| Measure | Value |',
      '| --- | --- |',
      `| Faults injected | ${report.faults.workerKills} worker SIGKILLs, ${report.faults.apiKills} API SIGKILLs, ${report.faults.serverRestarts} dev-server kill + restart${stack.apiReplicas > 1 || stack.workers > 1 ? ' (each kill on a replica or worker picked at random)' : ''} |`,
      `| Lifecycles completed / started | ${completed.length} / ${started.length} (of ${total}) in ${report.lifecycles.seconds} s |`,
      `| Internships charged exactly once | ${money.exactlyOneCharge} |`,
      `| Internships with > 1 charge / transfer / refund | ${money.moreThanOneCharge} / ${money.moreThanOneTransfer} / ${money.moreThanOneRefund} |`,
      `| Stripe requests answered as idempotent replays | ${money.idempotentReplaysSeen} |`,
      `| Emails queued / received / unsent | ${emails.queued} / ${emails.received} / ${emails.unsent} |`,
      `| Email queued → sent, p50 / p95 / max | ${delays.p50} / ${delays.p95} / ${delays.max} ms |`,
      `| Dedupe keys received more than once / marked sent but never received | ${emails.duplicateKeys} / ${emails.missingKeys} |`,
      `| Ended internships breaking the ledger invariant | ${unbalanced.length} |`,
      `| HTTP attempts that failed and were retried | ${report.httpFailuresRetried} |`,
      `| … of which 503 StateCatchingUp (the read model showed a state of a workflow task lost with its worker) | ${catchingUp} |`,
    ].join('\n');
    mkdirSync(args.out, { recursive: true });
    const stamp = began.toISOString().replace(/[:.]/g, '-');
    writeFileSync(path.join(args.out, `chaos-${stamp}.json`), JSON.stringify(report, null, 2));
    writeFileSync(path.join(args.out, `chaos-${stamp}.md`), markdown);
    process.stdout.write(`\n${markdown}\n\n`);
    say(ok ? 'PASS' : 'FAIL');
    if (!ok) {
      // The processes' logs (worker, API, Temporal, Postgres, maildev) go with the report.
      const kept = path.join(args.out, `chaos-${stamp}-logs`);
      cpSync(path.join(stack.dir, 'logs'), kept, { recursive: true });
      say(`logs kept in ${kept}`);
      process.exitCode = 1;
    }
  } finally {
    await db.end();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[chaos] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
