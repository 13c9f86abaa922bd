/**
 * One whole micro-internship, driven two ways:
 *  - `httpLifecycle`: as people and Stripe do, through the web API only (post, three applications,
 *    blind review, select, accept, funded, submit, approve, the account.updated webhook, paid,
 *    feedback from both sides, hiring offer, accepted → Closed), every route timed;
 *  - `rawLifecycle`: the same workflow through `@temporalio/client` alone (no HTTP, no read models),
 *    the baseline of what Temporal itself costs.
 * Both can retry through failures with their idempotency keys (the chaos run kills processes).
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type pg from 'pg';
import Stripe from 'stripe';
import { confirmApplication, insertPendingApplication } from '../../db/applications';
import { insertEmployer } from '../../db/employers';
import { insertInternship, postingRow } from '../../db/internships';
import { insertStudent } from '../../db/students';
import { saveText, type TextBodies, type TextKind } from '../../db/texts';
import {
  applyUpdate,
  giveFeedbackUpdate,
  internshipStateQuery,
  internshipWorkflowId,
  makeHiringOfferUpdate,
  respondToHiringOfferUpdate,
  respondToOfferUpdate,
  reviewUpdate,
  selectStudentsUpdate,
  stripeEventSignal,
  submitWorkUpdate,
  type InternshipInput,
} from '../../workflows/definitions';
import { DAY_MS } from '../../workflows/durations';

/** Called for every HTTP attempt, with the problem type when the answer was a problem. */
export type Recorder = (route: string, ms: number, status: number, problemType?: string) => void;

export interface HttpOptions {
  baseUrl: string;
  record: Recorder;
  /** Retry network errors and 5xx for this long (chaos); 0 fails at once (benchmark). */
  retryForMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HttpError extends Error {
  constructor(
    readonly route: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${route} answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
}

/** JSON over HTTP, timed per route template; retries what a careful client retries. */
export async function request(
  http: HttpOptions,
  route: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    rawBody?: string;
    key?: string;
    headers?: Record<string, string>;
    /** The route's own method unless said (a page, timed as `PAGE …`, is a GET). */
    method?: string;
  } = {},
): Promise<{ status: number; body: any; headers?: Headers }> {
  const method = options.method ?? route.split(' ')[0];
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.key) headers['idempotency-key'] = options.key;
  if (options.body !== undefined || options.rawBody !== undefined)
    headers['content-type'] = 'application/json';
  const giveUpAt = Date.now() + http.retryForMs;
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    let status = 0;
    let body: any;
    let retryAfter: string | null = null;
    let answered: Headers | undefined;
    try {
      const res = await fetch(`${http.baseUrl}${path}`, {
        method,
        headers,
        body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
        signal: AbortSignal.timeout(30_000),
      });
      status = res.status;
      answered = res.headers;
      retryAfter = res.headers.get('retry-after');
      const text = await res.text();
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    } catch (err) {
      body = String(err);
    }
    http.record(
      route,
      performance.now() - started,
      status,
      typeof body?.type === 'string' ? (body.type as string) : undefined,
    );
    // A 409 with Retry-After (the Idempotency-Key is still held by an earlier attempt, perhaps one
    // the load balancer sent to a replica that died before this first answer) means: try again.
    const retryable =
      status === 0 || status >= 500 || (status === 409 && options.key !== undefined && retryAfter !== null);
    if (retryable && Date.now() < giveUpAt) {
      await sleep(Math.min(2_000, 100 * attempt));
      continue;
    }
    return { status, body, headers: answered };
  }
}

/** `request`, failing unless the answer has the `expected` status; returns the body. */
export async function expectStatus(
  http: HttpOptions,
  route: string,
  path: string,
  expected: number,
  options: Parameters<typeof request>[3] = {},
) {
  const res = await request(http, route, path, options);
  if (res.status !== expected) throw new HttpError(route, res.status, res.body);
  return res.body;
}

/** A person of a lifecycle: their API session, and with `cookie` a browser session for the web app too. */
export interface Actor {
  id: string;
  token: string;
  email?: string;
  cookie?: string;
}

export interface Actors {
  employer: Actor;
  students: Actor[];
}

/** A posting as an employer writes it; the benchmark, chaos run, fuzzer, demo and tests start from it. */
export const samplePosting = {
  title: 'Clean a sales dataset',
  description: 'Deduplicate and normalise 5,000 CRM rows, then document the steps.',
  deliverable: 'A cleaned CSV and a one-page summary',
  skills: ['Excel', 'data cleaning'],
  estimatedHours: 10,
  feeCents: 25_000,
};

/** The lifecycle's posting: three applicants close applications, one screening question. */
const posting = {
  ...samplePosting,
  maxApplicants: 3,
  screeningQuestions: ['Which tool would you use, and why?'],
};

/** The profile of the n-th student of a lifecycle. */
export const studentProfile = (n: number, tag: string) => ({
  name: `Student ${n} ${tag}`,
  email: `student-${n}-${tag}@students.test`,
  school: 'Lakeside State University',
  major: 'Economics',
  graduationYear: 2027,
  skills: ['Excel', 'SQL'],
});

/** The employer's offer of a job after the work: a year's salary, answered within two weeks. */
export const hiringOfferTerms = () => ({
  role: 'Junior data analyst',
  type: 'full_time' as const,
  payCents: 5_500_000,
  payPeriod: 'year' as const,
  startDate: new Date(Date.now() + 30 * DAY_MS).toISOString().slice(0, 10),
  expiresAt: new Date(Date.now() + 14 * DAY_MS).toISOString(),
});

export interface HttpLifecycleContext {
  http: HttpOptions;
  /** Stripe's side of payout onboarding: finds the Connect account the platform made for the student. */
  db: pg.Pool;
  webhookSecret: string;
  /** How long to wait for a status the workflow reaches on its own. */
  statusTimeoutMs: number;
  onStarted?: (internshipId: string) => void;
}

const webhookSigner = new Stripe('sk_test_signing_only');

/**
 * Pages of the web app, opened as their viewer would (the cookie of a browser session; none for a
 * visitor), each timed as `PAGE <template>`; only when the lifecycle's people have browser sessions.
 */
async function viewPages(
  http: HttpOptions,
  viewer: Actor | 'visitor',
  pages: [template: string, path: string][],
): Promise<void> {
  if (viewer !== 'visitor' && !viewer.cookie) return;
  for (const [template, path] of pages) {
    const headers: Record<string, string> = viewer === 'visitor' ? {} : { cookie: viewer.cookie! };
    const res = await request(http, `PAGE ${template}`, path, { headers, method: 'GET' });
    if (res.status !== 200) {
      const shown = typeof res.body === 'string' ? res.body.replace(/<[^>]*>/g, ' ').slice(0, 300) : res.body;
      throw new HttpError(`PAGE ${template}`, res.status, shown);
    }
  }
}

/** post → 3 applications → select → accept → funded → submit → approve → paid → feedback → hiring offer → accepted. */
export async function httpLifecycle(ctx: HttpLifecycleContext, actors: Actors): Promise<string> {
  const { http } = ctx;
  const key = (step: string) => `${step}-${tag}`;
  const tag = randomUUID();
  const { employer, students } = actors;
  const hired = students[0]!;

  const { id } = await expectStatus(http, 'POST /v1/internships', '/v1/internships', 201, {
    token: employer.token,
    key: key('post'),
    body: posting,
  });
  ctx.onStarted?.(id);
  const base = `/v1/internships/${id}`;
  const withPages = hired.cookie !== undefined;
  if (withPages) {
    await viewPages(http, 'visitor', [['/app/postings?skill=', '/app/postings?skill=excel']]);
    await viewPages(http, hired, [['/app/postings/:id', `/app/postings/${id}`]]);
  }
  const applied: string[] = [];
  for (const s of students) {
    const { applicationId } = await expectStatus(
      http,
      'POST /v1/internships/:id/applications',
      `${base}/applications`,
      201,
      {
        token: s.token,
        key: key(`apply-${s.id}`),
        body: {
          pitch: 'I clean messy spreadsheets and document every step.',
          answers: ['Excel: pivot tables'],
        },
      },
    );
    applied.push(applicationId as string);
  }
  await viewPages(http, employer, [
    ['/app/employer/postings', '/app/employer/postings'],
    ['/app/employer/postings/:id/applicants', `/app/employer/postings/${id}/applicants`],
  ]);
  const list = await expectStatus(http, 'GET /v1/internships/:id/applications', `${base}/applications`, 200, {
    token: employer.token,
  });
  if ((list.items as unknown[]).length !== students.length) throw new Error(`${id}: blind list incomplete`);
  await expectStatus(http, 'POST /v1/internships/:id/selection', `${base}/selection`, 202, {
    token: employer.token,
    key: key('select'),
    body: { applicationIds: applied },
  });
  await waitForStatus(ctx, employer.token, id, ['Offered']);
  await viewPages(http, hired, [
    ['/app/applications', '/app/applications'],
    ['/app/postings/:id/offer', `/app/postings/${id}/offer`],
  ]);
  await expectStatus(http, 'POST /v1/internships/:id/offer-response', `${base}/offer-response`, 200, {
    token: hired.token,
    key: key('accept'),
    body: { accept: true },
  });
  await waitForStatus(ctx, employer.token, id, ['InProgress']);
  await viewPages(http, hired, [['/app/postings/:id/work', `/app/postings/${id}/work`]]);
  await viewPages(http, employer, [['/app/employer/postings/:id', `/app/employer/postings/${id}`]]);
  await expectStatus(http, 'POST /v1/internships/:id/submissions', `${base}/submissions`, 201, {
    token: hired.token,
    key: key('submit'),
    body: { url: 'https://example.com/cleaned.csv', notes: 'Cleaned, deduplicated, documented.' },
  });
  await expectStatus(http, 'POST /v1/internships/:id/review', `${base}/review`, 200, {
    token: employer.token,
    key: key('review'),
    body: { decision: 'approve' },
  });
  await waitForStatus(ctx, employer.token, id, ['Paying', 'Completed']);
  await payoutAccountReady(ctx, hired.id);
  await waitForStatus(ctx, employer.token, id, ['Completed']);
  for (const [who, token] of [
    ['employer', employer.token],
    ['student', hired.token],
  ] as const) {
    await expectStatus(http, 'POST /v1/internships/:id/feedback', `${base}/feedback`, 201, {
      token,
      key: key(`feedback-${who}`),
      body: { rating: 5, comment: 'Clear, kind and on time.' },
    });
  }
  await expectStatus(http, 'POST /v1/internships/:id/hiring-offer', `${base}/hiring-offer`, 201, {
    token: employer.token,
    key: key('hiring-offer'),
    body: hiringOfferTerms(),
  });
  await expectStatus(
    http,
    'POST /v1/internships/:id/hiring-offer/response',
    `${base}/hiring-offer/response`,
    200,
    {
      token: hired.token,
      key: key('hiring-accept'),
      body: { accept: true },
    },
  );
  await waitForStatus(ctx, employer.token, id, ['Closed']);
  return id;
}

/**
 * Polls the read model (GET /v1/internships/:id) until the status is one of `statuses`; returns
 * the posting as it read it then.
 */
export async function waitForStatus(
  ctx: Pick<HttpLifecycleContext, 'http' | 'statusTimeoutMs'>,
  token: string,
  id: string,
  statuses: string[],
) {
  const until = Date.now() + ctx.statusTimeoutMs;
  let last = '';
  for (let delay = 20; Date.now() < until; delay = Math.min(delay * 2, 250)) {
    const res = await request(ctx.http, 'GET /v1/internships/:id', `/v1/internships/${id}`, { token });
    last = res.body?.status ?? `HTTP ${res.status}`;
    if (statuses.includes(last)) return res.body;
    await sleep(delay);
  }
  throw new Error(`internship ${id} is ${last}, not ${statuses.join('/')}, after ${ctx.statusTimeoutMs} ms`);
}

let webhookEvents = 0;

/** Stripe's `account.updated` event for a Connect account whose payouts are now enabled, as sent. */
export const payoutsEnabledEvent = (accountId: string): string =>
  JSON.stringify({
    id: `evt_${randomUUID().replaceAll('-', '')}_${webhookEvents++}`,
    object: 'event',
    type: 'account.updated',
    data: { object: { id: accountId, object: 'account', payouts_enabled: true } },
  });

/**
 * Stripe tells the platform the student finished payout onboarding: a signed account.updated event
 * for the Connect account the platform made for the student; returns that account's id.
 */
export async function payoutAccountReady(
  ctx: Pick<HttpLifecycleContext, 'http' | 'db' | 'webhookSecret' | 'statusTimeoutMs'>,
  studentId: string,
): Promise<string> {
  let accountId: string | null = null;
  for (const until = Date.now() + ctx.statusTimeoutMs; !accountId && Date.now() < until;) {
    const { rows } = await ctx.db.query<{ stripe_account_id: string | null }>(
      'SELECT stripe_account_id FROM students WHERE id = $1',
      [studentId],
    );
    accountId = rows[0]?.stripe_account_id ?? null;
    if (!accountId) await sleep(50);
  }
  if (!accountId) throw new Error(`student ${studentId} never got a payout account`);
  const payload = payoutsEnabledEvent(accountId);
  const signature = webhookSigner.webhooks.generateTestHeaderString({ payload, secret: ctx.webhookSecret });
  await expectStatus(ctx.http, 'POST /webhooks/stripe', '/webhooks/stripe', 200, {
    rawBody: payload,
    headers: { 'stripe-signature': signature },
  });
  return accountId;
}

export interface RawContext {
  client: Client;
  db: pg.Pool;
  taskQueue: string;
  record: Recorder;
  statusTimeoutMs: number;
}

/** The same lifecycle straight through the Temporal client: the baseline without HTTP and read models. */
export async function rawLifecycle(ctx: RawContext): Promise<string> {
  const { db, client } = ctx;
  const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      ctx.record(label, performance.now() - started, 200);
    }
  };
  const tag = randomUUID();
  const employer = await insertEmployer(db, {
    id: randomUUID(),
    companyName: `Acme ${tag}`,
    contactName: 'Ada Lovelace',
    contactEmail: `hiring-${tag}@acme.test`,
  });
  const students = [];
  for (const n of [1, 2, 3]) {
    students.push(
      (await insertStudent(db, { id: randomUUID(), ...studentProfile(n, tag), skills: ['excel', 'sql'] }))!,
    );
  }
  const id = randomUUID();
  const input: InternshipInput = {
    internshipId: id,
    employerId: employer.id,
    feeCents: posting.feeCents,
    estimatedHours: posting.estimatedHours,
    maxApplicants: 3,
    applicationDeadline: new Date(Date.now() + 7 * DAY_MS).toISOString(),
    applicationWindowMs: 7 * DAY_MS,
    feeException: false,
    windows: { selectionMs: 5 * DAY_MS, acceptMs: 2 * DAY_MS, workMs: 14 * DAY_MS, reviewMs: 5 * DAY_MS },
  };
  // The workflow's activities read the posting, so it is stored as the API stores it.
  await insertInternship(db, postingRow(input, { ...posting, skills: ['excel', 'data cleaning'] }));
  // As the API does: what people write is stored first, and the Updates carry its id.
  const said = async <K extends TextKind>(kind: K, body: TextBodies[K]) => {
    const textId = randomUUID();
    await saveText(db, { id: textId, internshipId: id, authorId: null, kind, body });
    return textId;
  };
  const { expiresAt: offerExpiresAt, ...offerTerms } = hiringOfferTerms();
  const handle = await timed('start', () =>
    client.workflow.start('internshipWorkflow', {
      workflowId: internshipWorkflowId(id),
      taskQueue: ctx.taskQueue,
      args: [input],
    }),
  );
  const applications: string[] = [];
  for (const s of students) {
    const applicationId = randomUUID();
    const pitch = 'I clean messy spreadsheets and document every step.';
    await insertPendingApplication(db, {
      id: applicationId,
      internshipId: id,
      studentId: s.id,
      pitch,
      answers: ['Excel'],
    });
    const { label } = await timed('update apply', () =>
      handle.executeUpdate(applyUpdate, {
        args: [{ applicationId, studentId: s.id }],
      }),
    );
    await confirmApplication(db, applicationId, label);
    applications.push(applicationId);
  }
  const waitFor = async (statuses: string[]) => {
    const until = Date.now() + ctx.statusTimeoutMs;
    for (let delay = 20; Date.now() < until; delay = Math.min(delay * 2, 250)) {
      const state = await timed('query state', () => handle.query(internshipStateQuery));
      if (statuses.includes(state.status)) return;
      await sleep(delay);
    }
    throw new Error(`raw ${id} never reached ${statuses.join('/')}`);
  };
  const hired = students[0]!;
  await timed('update selectStudents', () =>
    handle.executeUpdate(selectStudentsUpdate, { args: [{ applicationIds: applications }] }),
  );
  await waitFor(['Offered']);
  await timed('update respondToOffer', () =>
    handle.executeUpdate(respondToOfferUpdate, { args: [{ studentId: hired.id, accept: true, via: 'api' }] }),
  );
  await waitFor(['InProgress']);
  await timed('update submitWork', async () =>
    handle.executeUpdate(submitWorkUpdate, {
      args: [
        {
          studentId: hired.id,
          textId: await said('submission', { url: 'https://example.com/cleaned.csv', notes: 'Done.' }),
        },
      ],
    }),
  );
  await timed('update review', async () =>
    handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'approve', textId: await said('review', { comments: '' }) }],
    }),
  );
  await waitFor(['Paying', 'Completed']);
  await timed('signal stripeEvent', () =>
    handle.signal(stripeEventSignal, { type: 'payout_account_ready', accountId: 'acct_raw' }),
  );
  await waitFor(['Completed']);
  for (const from of ['employer', 'student'] as const) {
    await timed('update giveFeedback', async () =>
      handle.executeUpdate(giveFeedbackUpdate, {
        args: [
          {
            from,
            rating: 5,
            textId: await said('feedback', { comment: 'Clear.', endorsedSkills: [] }),
            showRatingPublicly: false,
          },
        ],
      }),
    );
  }
  await timed('update makeHiringOffer', async () =>
    handle.executeUpdate(makeHiringOfferUpdate, {
      args: [{ expiresAt: offerExpiresAt, textId: await said('hiring-offer', offerTerms) }],
    }),
  );
  await timed('update respondToHiringOffer', () =>
    handle.executeUpdate(respondToHiringOfferUpdate, {
      args: [{ studentId: hired.id, accept: true, via: 'api' }],
    }),
  );
  await timed('result', () => handle.result());
  return id;
}
