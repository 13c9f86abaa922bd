/**
 * One trace per request, across processes: the API and the worker run as their own processes with
 * OpenTelemetry on (lib/tracing.ts), exporting OTLP/HTTP (JSON) to a receiver in this test. An
 * application and an approval each leave one trace, from the HTTP request through the Update, the
 * workflow, the activity, to the Postgres, SMTP and Stripe calls, each span the child of the one
 * that caused it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../scripts/stack/processes';
import {
  applyAs,
  newEmployer,
  newPosting,
  newStudent,
  payoutAccountReady,
  selectAcceptAndSubmit,
  waitForStatus,
} from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { waitForEmail } from '../helpers/inbox';
import { startApiProcess, startWorkerProcess } from '../helpers/worker-process';

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  service: string;
  attributes: Record<string, unknown>;
}

/** An OTLP/HTTP receiver: what the exporters of both processes send, flattened. */
function startReceiver(): Promise<{ server: Server; url: string; spans: Span[] }> {
  const spans: Span[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: {
          resource: { attributes: { key: string; value: { stringValue?: string } }[] };
          scopeSpans: { spans: (Omit<Span, 'service' | 'attributes'> & { attributes?: unknown[] })[] }[];
        }[];
      };
      for (const rs of body.resourceSpans ?? []) {
        const service =
          rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
        for (const ss of rs.scopeSpans)
          for (const s of ss.spans) {
            const attributes = Object.fromEntries(
              ((s.attributes ?? []) as { key: string; value: Record<string, unknown> }[]).map((a) => [
                a.key,
                Object.values(a.value)[0],
              ]),
            );
            spans.push({ ...s, parentSpanId: s.parentSpanId || undefined, service, attributes });
          }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans }),
    ),
  );
}

let h: ApiHarness;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let api: string;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
  h = await startApiHarness({ worker: false });
  const otel = {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  const worker = await startWorkerProcess(h, otel);
  stops.push(() => worker.stop());
  const port = await freePort();
  const apiProcess = await startApiProcess(h, port, otel);
  stops.push(() => apiProcess.stop());
  api = `http://127.0.0.1:${port}`;
}, 120_000);
afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
  await h?.stop();
  receiver?.server.close();
});

/**
 * The trace whose root is an API span for `route`, once every span `until` names has arrived with
 * its whole chain of ancestors: the worker exports the workflow's spans (through a sink) apart
 * from the activities' spans, so a child can arrive before its parent.
 */
async function traceOf(route: string, until: ((s: Span, trace: Span[]) => boolean)[]): Promise<Span[]> {
  for (let i = 0; i < 150; i++) {
    const roots = receiver.spans.filter((s) => s.service === 'micro-internships-api' && s.name === route);
    for (const root of roots) {
      const spans = receiver.spans.filter((s) => s.traceId === root.traceId);
      if (until.every((p) => spans.some((x) => p(x, spans) && rooted(spans, x)))) return spans;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const root = receiver.spans.find((s) => s.name === route);
  const seen = root ? printTree(receiver.spans.filter((s) => s.traceId === root.traceId)) : '(no such span)';
  throw new Error(`no complete trace for ${route}; its trace so far:\n${seen}`);
}

/** Whether every ancestor of `leaf` up to a span without a parent is among `spans`. */
function rooted(spans: Span[], leaf: Span): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  let s: Span | undefined = leaf;
  while (s?.parentSpanId) s = byId.get(s.parentSpanId);
  return s !== undefined;
}

/** The span's chain of ancestors, as "service: name" from the root down. */
function chainTo(spans: Span[], leaf: Span): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain: string[] = [];
  for (let s: Span | undefined = leaf; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) {
    chain.unshift(`${s.service.replace('micro-internships-', '')}: ${s.name}`);
  }
  return chain;
}

function printTree(spans: Span[]): string {
  const kids = new Map<string | undefined, Span[]>();
  for (const s of spans) kids.set(s.parentSpanId, [...(kids.get(s.parentSpanId) ?? []), s]);
  const lines: string[] = [];
  const walk = (s: Span, depth: number) => {
    lines.push(`${'  '.repeat(depth)}${s.service.replace('micro-internships-', '')}: ${s.name}`);
    for (const k of kids.get(s.spanId) ?? []) walk(k, depth + 1);
  };
  const ids = new Set(spans.map((s) => s.spanId));
  for (const root of spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId))) walk(root, 0);
  return lines.join('\n');
}

test('an application: one trace from the HTTP request through the Update into the workflow', async () => {
  const employer = await newEmployer(h);
  const student = await newStudent(h, 'Tomas Varga');
  const id = await newPosting(h, employer);
  const applied = await applyAs({ ...h, baseUrl: api }, student, id);
  expect(applied.status).toBe(201);

  const route = 'POST /v1/internships/:id/applications';
  const spans = await traceOf(route, [
    (x) => x.name === 'HandleUpdate:apply',
    (x) => x.name === 'ValidateUpdate:apply',
  ]);
  expect(chainTo(spans, only(spans, 'HandleUpdate:apply'))).toEqual([
    `api: ${route}`,
    'api: StartWorkflowUpdate:apply',
    'worker: HandleUpdate:apply',
  ]);
  expect(chainTo(spans, only(spans, 'ValidateUpdate:apply')).slice(0, 2)).toEqual([
    `api: ${route}`,
    'api: StartWorkflowUpdate:apply',
  ]);
  // The API's own writes are in it: the pending application stored before the Update.
  const insert = spans.find((s) => /INSERT INTO applications/.test(String(s.attributes['db.statement'])));
  expect(insert && chainTo(spans, insert)).toEqual([`api: ${route}`, 'api: pg.query:INSERT test']);
  // Statements, never values: the pitch the student wrote is nowhere in the trace.
  expect(JSON.stringify(spans)).not.toContain('messy spreadsheets');
}, 60_000);

test('approve → payout: the review leads to the payout account and the emails, the account-ready webhook to the transfer', async () => {
  const employer = await newEmployer(h);
  const student = await newStudent(h, 'Ines Halvorsen');
  const id = await newPosting(h, employer);
  const applied = await applyAs(h, student, id);
  await selectAcceptAndSubmit(h, employer, student, id, applied.body.applicationId);
  const approved = await call(api, 'POST', `/v1/internships/${id}/review`, {
    token: employer.token,
    body: { decision: 'approve' },
  });
  expect(approved.status).toBe(200);
  await waitForEmail(student.email, /Set up payouts/);
  expect((await payoutAccountReady({ ...h, baseUrl: api }, student)).status).toBe(200);
  await waitForStatus(h, student, id, 'Completed', 30_000);

  // The approval: the Update, the activities the workflow ran for it, and what they called.
  const review = 'POST /v1/internships/:id/review';
  const approval = await traceOf(review, [
    (x) => x.name === 'SMTP send',
    (x) => stripeCall(x, '/v1/accounts'),
    (x, trace) => isRecordedState(trace, x),
  ]);
  const handled = [`api: ${review}`, 'api: StartWorkflowUpdate:review', 'worker: HandleUpdate:review'];
  const account = approval.find((x) => stripeCall(x, '/v1/accounts') && rooted(approval, x))!;
  expect(chainTo(approval, account)).toEqual([
    ...handled,
    'worker: StartActivity:preparePayoutAccount',
    'worker: RunActivity:preparePayoutAccount',
    'worker: POST',
  ]);
  const smtp = approval.find((x) => x.name === 'SMTP send' && rooted(approval, x))!;
  expect(chainTo(approval, smtp)).toEqual([
    ...handled,
    'worker: StartActivity:notifyParty',
    'worker: RunActivity:notifyParty',
    'worker: SMTP send',
  ]);
  const recorded = approval.find((x) => isRecordedState(approval, x));
  expect(recorded).toBeDefined();

  // Stripe says the payout account is ready: its webhook's trace reaches the transfer.
  const webhook = 'POST /webhooks/stripe';
  const payout = await traceOf(webhook, [(x) => stripeCall(x, '/v1/transfers')]);
  expect(
    chainTo(
      payout,
      payout.find((x) => stripeCall(x, '/v1/transfers') && rooted(payout, x))!,
    ),
  ).toEqual([
    `api: ${webhook}`,
    'api: SignalWorkflow:stripeEvent',
    'worker: HandleSignal:stripeEvent',
    'worker: StartActivity:payStudent',
    'worker: RunActivity:payStudent',
    'worker: POST',
  ]);
}, 120_000);

/** A Postgres statement run by the activity that writes the read model. */
const isRecordedState = (trace: Span[], x: Span) =>
  x.name.startsWith('pg.query') && chainTo(trace, x).includes('worker: RunActivity:recordInternshipState');

function only(spans: Span[], name: string): Span {
  const found = spans.filter((s) => s.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** An outgoing HTTP call to Stripe's `path` (stripe-mock here, behind the test-mode proxy). */
const stripeCall = (s: Span, path: string) =>
  s.kind === 3 &&
  s.name === 'POST' &&
  String(s.attributes['http.url'] ?? s.attributes['url.full']).includes(path);
