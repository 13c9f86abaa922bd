/**
 * The alerts (ops/prometheus/alerts.yml) and the dashboard (ops/grafana/micro-internships.json) read
 * metrics a real API and a real worker export, and the API's backlog and webhook metrics move when
 * something happens: an email SMTP will not take, a payout waiting for its student, a refused webhook.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createApp } from '../../api/app';
import { createHttpMetrics, createMetricsApp } from '../../api/observability';
import { recordState } from '../../db/internships';
import { createPool } from '../../db/pool';
import { createSmtpMailer } from '../../lib/mail/mailer';
import { deliverOnce, sendQueued } from '../../lib/mail/outbox';
import type { InternshipSummary } from '../../workflows/definitions';
import { exportedMetrics, referencedMetrics, seriesNames } from '../../scripts/observability/ops-files';
import { freePort, waitFor } from '../../scripts/stack/processes';
import { uniqueSuffix } from '../helpers/env';
import { seedEmployer, seedPosting } from '../helpers/fixtures';
import { freshDatabase } from '../helpers/fresh-database';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { startWorkerProcess } from '../helpers/worker-process';

let h: ApiHarness;
/**
 * An API over a database of its own, so the backlog it reports is only what this file puts there;
 * its Temporal namespace does not exist (as when Temporal's store fails), so a webhook it verified
 * cannot be applied.
 */
let api: {
  baseUrl: string;
  metricsUrl: string;
  url: string;
  db: Awaited<ReturnType<typeof freshDatabase>>['db'];
};
let stopApi: () => Promise<void>;

beforeAll(async () => {
  h = await startApiHarness({ worker: false });
  const database = await freshDatabase(h);
  const metrics = createHttpMetrics(h.temporalRequests);
  const listen = (app: RequestListener) =>
    new Promise<Server>((resolve) => {
      const server = createServer(app).listen(0, '127.0.0.1', () => resolve(server));
    });
  const server = await listen(
    createApp({
      db: database.db,
      temporal: new Client({ connection: h.temporal.connection, namespace: `gone-${uniqueSuffix()}` }),
      temporalRequests: h.temporalRequests,
      stripe: h.stripe,
      mailer: h.mailer,
      metrics,
      config: { ...h.config, DATABASE_URL: database.url },
      logger: pino({ level: 'silent' }),
    }),
  );
  const metricsServer = await listen(createMetricsApp(metrics));
  const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  api = {
    baseUrl: url(server),
    metricsUrl: `${url(metricsServer)}/metrics`,
    url: database.url,
    db: database.db,
  };
  stopApi = async () => {
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => metricsServer.close(resolve));
    await database.db.end();
    const name = new URL(database.url).pathname.slice(1);
    await h.db.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
});
afterAll(async () => {
  await stopApi?.();
  await h?.stop();
});

/** The series names in a Prometheus text exposition. */
const seriesIn = (text: string) =>
  new Set(
    text
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => /^[^{ ]+/.exec(line)![0]),
  );

/** The value of one series (a name and, for labelled ones, labels it must carry). */
async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(api.metricsUrl)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) &&
        Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
    );
  if (!line) throw new Error(`${name} ${JSON.stringify(labels)} is not in the API's /metrics`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Delivers `payload` to the webhook as Stripe would, signed `ageSeconds` ago with the secret (or another). */
const deliver = (payload: string, options: { secret?: string; ageSeconds?: number } = {}) =>
  call(api.baseUrl, 'POST', '/webhooks/stripe', {
    rawBody: payload,
    headers: {
      'stripe-signature': h.stripe.webhooks.generateTestHeaderString({
        payload,
        secret: options.secret ?? h.config.STRIPE_WEBHOOK_SECRET,
        timestamp: Math.floor(Date.now() / 1000) - (options.ageSeconds ?? 0),
      }),
    },
  });
const anEvent = () =>
  JSON.stringify({ id: `evt_metrics_${uniqueSuffix()}`, object: 'event', type: 'customer.created' });
/** An event the API must signal to a workflow: with Temporal's namespace gone, it cannot. */
const aPayment = (id = `evt_metrics_${uniqueSuffix()}`) =>
  JSON.stringify({
    id,
    object: 'event',
    type: 'payment_intent.succeeded',
    data: {
      object: {
        id: `pi_${uniqueSuffix()}`,
        object: 'payment_intent',
        amount: 25_000,
        amount_received: 25_000,
        metadata: { internshipId: randomUUID() },
      },
    },
  });

test('every metric the alerts and the dashboard read is exported by the API or the worker', async () => {
  const referenced = [...referencedMetrics().keys()];
  const listed = exportedMetrics();
  // Every series the files read is in the list (the validation script checks it has nothing more).
  expect(listed.flatMap(seriesNames).filter((s) => referenced.includes(s))).toHaveLength(referenced.length);

  // A worker as deployed (a Worker Deployment version), whose database is gone: the ops digest's
  // activity fails, and a workflow type no worker knows fails its workflow task.
  const port = await freePort();
  const scheduleId = `metrics-digest-${uniqueSuffix()}`;
  const worker = await startWorkerProcess(h, {
    WORKER_METRICS_PORT: String(port),
    OPS_DIGEST_SCHEDULE_ID: scheduleId,
    TEMPORAL_WORKER_DEPLOYMENT: `metrics-${uniqueSuffix()}`,
    TEMPORAL_WORKER_BUILD_ID: 'v1',
    DATABASE_URL: h.config.DATABASE_URL.replace(/\/[^/?]+(\?|$)/, `/no_such_database_${uniqueSuffix()}$1`),
  });
  const started: string[] = [];
  try {
    await waitFor(
      'the worker version becomes current',
      () => Promise.resolve(worker.log().includes('worker version became current')),
      60_000,
    );
    for (const workflowType of ['opsDigestWorkflow', 'noSuchWorkflow']) {
      const handle = await h.temporal.workflow.start(workflowType, {
        workflowId: `metrics-${workflowType}-${uniqueSuffix()}`,
        taskQueue: h.config.TEMPORAL_TASK_QUEUE,
      });
      started.push(handle.workflowId);
    }
    const workerNames = listed.filter((m) => m.source === 'worker').flatMap(seriesNames);
    let workerSeries = new Set<string>();
    await waitFor(
      'the worker reports the failures',
      async () => {
        workerSeries = seriesIn(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
        return workerNames.every((name) => workerSeries.has(name));
      },
      60_000,
    ).catch(() => undefined); // the assertion below names what is missing
    // Requests, one answered 5xx (a webhook not applied), and the Temporal request that failed.
    expect((await fetch(`${api.baseUrl}/healthz`)).status).toBe(200);
    expect((await deliver(aPayment())).status).toBe(503);
    const apiSeries = seriesIn(await (await fetch(api.metricsUrl)).text());

    const missing = (source: string, series: Set<string>) =>
      listed
        .filter((m) => m.source === source)
        .flatMap(seriesNames)
        .filter((name) => !series.has(name));
    expect(missing('api', apiSeries)).toEqual([]);
    expect(missing('worker', workerSeries)).toEqual([]);
    // Prometheus writes `up` itself; everything else comes from one of the two processes.
    expect(
      referenced.filter((name) => name !== 'up' && !apiSeries.has(name) && !workerSeries.has(name)),
    ).toEqual([]);
  } finally {
    for (const id of started)
      await h.temporal.workflow
        .getHandle(id)
        .terminate('test finished')
        .catch(() => {});
    await h.temporal.schedule
      .getHandle(scheduleId)
      .delete()
      .catch(() => undefined);
    await worker.stop();
  }
});

test('an email SMTP does not take shows in the outbox gauges until it is sent', async () => {
  expect(await metric('microinternships_outbox_unsent')).toBe(0);
  expect(await metric('microinternships_outbox_oldest_unsent_age_seconds')).toBe(0);

  const closed = await freePort();
  const smtpDown = createSmtpMailer({
    host: '127.0.0.1',
    port: closed,
    secure: false,
    from: h.config.MAIL_FROM,
  });
  const logger = pino({ level: 'silent' });
  const dedupeKey = `metrics-test:${uniqueSuffix()}`;
  await deliverOnce(
    { db: api.db, mailer: smtpDown, logger },
    {
      dedupeKey,
      internshipId: null,
      to: 'ops@example.com',
      subject: 'Waiting',
      text: 'hi',
      html: '<p>hi</p>',
    },
  );
  expect(await metric('microinternships_outbox_unsent')).toBe(1);
  // It has been waiting 20 minutes.
  await api.db.query(
    `UPDATE email_outbox SET created_at = now() - interval '20 minutes' WHERE dedupe_key = $1`,
    [dedupeKey],
  );
  const age = await metric('microinternships_outbox_oldest_unsent_age_seconds');
  expect(age).toBeGreaterThanOrEqual(1200);
  expect(age).toBeLessThan(1260);

  // SMTP answers again: sent, nothing waits.
  expect(await sendQueued({ db: api.db, mailer: h.mailer, logger }, dedupeKey)).toMatchObject({ sent: true });
  expect(await metric('microinternships_outbox_unsent')).toBe(0);
  expect(await metric('microinternships_outbox_oldest_unsent_age_seconds')).toBe(0);
});

test('a payout waiting for its student shows in the payout gauges, for as long as it waits', async () => {
  expect(await metric('microinternships_payouts_waiting')).toBe(0);
  const employer = await seedEmployer(api.db);
  const posting = await seedPosting(api.db, employer, Date.now());
  const publish = (version: number, status: InternshipSummary['status'], payout: 'pending' | 'sent' | null) =>
    recordState(api.db, {
      internshipId: posting.internshipId,
      status,
      applicationDeadline: posting.applicationDeadline,
      nextDeadline: null,
      hiredStudentId: null,
      dueAt: null,
      paidBy: null,
      payout,
      version,
      task: { time: version, historyLength: version },
    });

  // The work was approved; the student has no payout account yet.
  expect(await publish(1, 'Paying', null)).toBe(true);
  expect(await metric('microinternships_payouts_waiting')).toBe(1);
  expect(await metric('microinternships_payouts_oldest_waiting_age_seconds')).toBeLessThan(60);

  // Fifteen days later the workflow reminds the student and publishes its state again: still waiting
  // since then.
  await api.db.query(
    `UPDATE internships SET payout_waiting_since = now() - interval '15 days' WHERE id = $1`,
    [posting.internshipId],
  );
  expect(await publish(2, 'Paying', null)).toBe(true);
  expect(await metric('microinternships_payouts_oldest_waiting_age_seconds')).toBeGreaterThanOrEqual(
    15 * 86_400,
  );

  // Paid.
  expect(await publish(3, 'Completed', 'sent')).toBe(true);
  expect(await metric('microinternships_payouts_waiting')).toBe(0);
  expect(await metric('microinternships_payouts_oldest_waiting_age_seconds')).toBe(0);

  // A cancelled engagement whose kill fee is still owed waits too.
  const cancelled = await seedPosting(api.db, employer, Date.now());
  await api.db.query(`UPDATE internships SET status = 'Cancelled', payout = 'pending' WHERE id = $1`, [
    cancelled.internshipId,
  ]);
  expect(await metric('microinternships_payouts_waiting')).toBe(1);
});

test('a refused Stripe webhook is counted under its reason; an applied one is not', async () => {
  const refused = (reason: string) => metric('microinternships_stripe_webhooks_refused_total', { reason });
  const before = {
    signature: await refused('signature'),
    stale: await refused('stale'),
    unparseable: await refused('unparseable'),
    handler_error: await refused('handler_error'),
  };
  const forged = await deliver(anEvent(), { secret: 'whsec_someone_else' });
  expect(forged.status).toBe(400);
  expect(await refused('signature')).toBe(before.signature + 1);

  const replayed = await deliver(anEvent(), { ageSeconds: 301 });
  expect(replayed.status).toBe(400);
  expect(await refused('stale')).toBe(before.stale + 1);

  const notJson = await deliver('{"id": "evt_cut_short", "type": ');
  expect(notJson.status).toBe(400);
  expect(notJson.headers.get('content-type')).toContain('application/problem+json');
  expect(notJson.body.errors).toEqual([{ field: 'body', message: 'is not valid JSON' }]);
  expect(await refused('unparseable')).toBe(before.unparseable + 1);

  expect((await deliver(anEvent())).status).toBe(200);
  expect(await refused('signature')).toBe(before.signature + 1);
  expect(await refused('stale')).toBe(before.stale + 1);
  expect(await refused('unparseable')).toBe(before.unparseable + 1);
  expect(await refused('handler_error')).toBe(before.handler_error);

  // Verified, but Temporal cannot take the signal: 503, and the event is not recorded as applied,
  // so Stripe's retry applies it.
  const id = `evt_metrics_${uniqueSuffix()}`;
  const notApplied = await deliver(aPayment(id));
  expect(notApplied.status).toBe(503);
  expect(notApplied.headers.get('content-type')).toContain('application/problem+json');
  expect(await refused('handler_error')).toBe(before.handler_error + 1);
  expect((await api.db.query('SELECT 1 FROM stripe_events WHERE event_id = $1', [id])).rowCount).toBe(0);
});

test('a database that does not answer within a second makes the gauges unknown, not the scrape hang', async () => {
  // Someone holds a lock on the outbox (a long migration, say).
  const other = createPool(api.url, 1);
  const locker = await other.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE email_outbox IN ACCESS EXCLUSIVE MODE');
    const started = Date.now();
    const text = await (await fetch(api.metricsUrl)).text();
    expect(Date.now() - started).toBeLessThan(2500);
    expect(text).toMatch(/^microinternships_outbox_unsent NaN$/im);
    expect(text).toMatch(/^microinternships_payouts_waiting NaN$/im);
    // The rest of the scrape is whole.
    expect(text).toMatch(/^microinternships_stripe_webhooks_refused_total\{reason="signature"\} \d+$/m);
    // Postgres cancelled the reading itself: nothing is left waiting for the lock.
    const { rows } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
      [new URL(api.url).pathname.slice(1)],
    );
    expect(rows[0]!.n).toBe(0);
  } finally {
    await locker.query('ROLLBACK');
    locker.release();
  }
  // Once the lock is gone, the gauges read again.
  expect(await metric('microinternships_outbox_unsent')).toBe(0);
  await other.end();
});
