/**
 * `npm run demo`: walks one micro-internship through its whole life against a running `npm start`,
 * through the HTTP API and the links in the emails (read from the inbox, maildev), and narrates each
 * step: the status, the emails sent, and where to watch the workflow in the Temporal UI.
 *
 * Start the platform with short human windows to watch timers fire, e.g. a day of 10 seconds:
 *   HUMAN_DAY_SECONDS=10 npm start        # then, in another terminal:
 *   npm run demo
 * In real time (the default) the demo answers every step itself instead of waiting for a timer.
 */
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { loadDotEnv, loadStackConfig } from '../../lib/config';
import { firstAdmin, signUpEmployer, signUpStudent } from './people';
import { workflowHistoryUrl, workflowListUrl } from '../../lib/temporal-ui';
import { internshipWorkflowId } from '../../workflows/definitions';
import {
  expectStatus,
  hiringOfferTerms,
  payoutAccountReady as playStripeAccountReady,
  request,
  samplePosting,
  waitForStatus,
  type HttpOptions,
} from './lifecycle';

loadDotEnv();
const stack = loadStackConfig();
const API = process.env.DEMO_API_URL ?? `http://localhost:${stack.API_PORT}`;
const INBOX = process.env.DEMO_INBOX_URL ?? `http://localhost:${stack.MAILDEV_WEB_PORT}`;
const UI = process.env.TEMPORAL_UI_URL ?? `http://localhost:${stack.TEMPORAL_UI_PORT}`;
const OPS_TOKEN = process.env.OPS_TOKEN ?? stack.OPS_TOKEN;
const WEBHOOK_SECRET = process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_local';
const TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${stack.TEMPORAL_PORT}`;
const NAMESPACE = process.env.TEMPORAL_NAMESPACE ?? 'default';
const DATABASE_URL =
  stack.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${stack.POSTGRES_PORT}/microinternships`;

const http: HttpOptions = { baseUrl: API, record: () => undefined, retryForMs: 10_000 };
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
let stepNo = 0;
const step = (title: string) => process.stdout.write(`\n${bold(`${++stepNo}. ${title}`)}\n`);
const say = (line: string) => process.stdout.write(`   ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The Temporal UI's page of the workflow's current run (lib/temporal-ui.ts). */
async function historyUrl(workflowId: string): Promise<string> {
  const connection = await Connection.connect({ address: TEMPORAL_ADDRESS });
  try {
    return await workflowHistoryUrl(connection, { baseUrl: UI, namespace: NAMESPACE }, workflowId);
  } finally {
    await connection.close();
  }
}

const call = (method: string, path: string, options: Parameters<typeof request>[3], expected: number) =>
  expectStatus(http, method, path, expected, options);

interface Email {
  id: string;
  subject: string;
  text: string;
  to: { address: string }[];
}
const seen = new Set<string>();

/** Waits for an email to `address` whose subject matches, prints it, and returns it. */
async function email(address: string, subject: RegExp, timeoutMs = 30_000): Promise<Email> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const all = (await (await fetch(`${INBOX}/api/email`)).json()) as Email[];
    const found = all.find(
      (e) => !seen.has(e.id) && subject.test(e.subject) && e.to.some((t) => t.address === address),
    );
    if (found) {
      seen.add(found.id);
      say(`✉  to ${address}: "${found.subject}"`);
      return found;
    }
    if (Date.now() > until) throw new Error(`no email to ${address} matching ${subject}`);
    await sleep(250);
  }
}

const unescape = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const link = (mail: Email, label: string) => {
  const url = new RegExp(`${label}: (\\S+)`).exec(mail.text)?.[1];
  if (!url) throw new Error(`no "${label}" link in "${mail.subject}"`);
  return url;
};

/** Opens an email link as a browser would (GET shows the page), then presses its button (POST). */
async function click(url: string): Promise<string> {
  const page = await (await fetch(url)).text();
  const question = unescape(/<h1>([^<]+)<\/h1>/.exec(page)?.[1] ?? '');
  const done = await fetch(url, { method: 'POST', redirect: 'manual' });
  const answer = unescape(/<h1>([^<]+)<\/h1>/.exec(await done.text())?.[1] ?? `HTTP ${done.status}`);
  say(`🔗 opened the link: "${question}" → pressed the button: "${answer}"`);
  return answer;
}

async function status(token: string, id: string, want: string[]) {
  const posting = await waitForStatus({ http, statusTimeoutMs: 60_000 }, token, id, want);
  const next = posting.nextDeadline ? dim(` (next deadline ${posting.nextDeadline})`) : '';
  say(`status: ${bold(posting.status)}${next}`);
  return posting;
}

async function main(): Promise<void> {
  const health = await fetch(`${API}/readyz`).catch(() => undefined);
  if (!health?.ok) {
    throw new Error(
      `the API at ${API} is not ready: start it first with 'npm start' (or HUMAN_DAY_SECONDS=10 npm start)`,
    );
  }
  const tag = randomUUID().slice(0, 8);
  process.stdout.write(
    bold(`Micro-internship demo against ${API} (inbox ${INBOX}/index.html, Temporal UI ${UI})\n`),
  );

  step('People sign in by email: a staff admin, an employer organisation, three students (no GPA)');
  const mailbox = { url: INBOX };
  // The OPS_TOKEN's one use (break-glass): a staff admin, who then signs in with an emailed code.
  const admin = await firstAdmin(http, mailbox, OPS_TOKEN, tag);
  say(`staff admin admin-${tag}@ops.test signed in with the code from their email`);
  const org = await signUpEmployer(http, mailbox, admin, tag);
  const employer = { token: org.token, email: org.email };
  say(`employer organisation Acme ${tag}: its owner <${employer.email}> accepted the emailed invitation`);
  const students = [];
  for (const [name, school] of [
    ['Ana Lopez', 'Riverside Community College'],
    ['Ben Okafor', 'Lakeside State University'],
    ['Chloé Martin', 'Online bootcamp graduate'],
  ] as const) {
    const email = `${name
      .split(' ')[0]!
      .normalize('NFD')
      .replace(/[^a-z]/gi, '')
      .toLowerCase()}-${tag}@students.test`;
    const s = await signUpStudent(http, mailbox, {
      name,
      email,
      school,
      major: 'Any',
      graduationYear: 2026,
      skills: ['Excel', 'SQL'],
    });
    students.push({ name, email, token: s.token, id: s.id });
    say(`student ${name} (${school}) signed up and confirmed the address with the emailed code`);
  }

  step('The employer posts a paid micro-internship: $250 for ~10 hours, 3 applicants at most');
  const posted = await call(
    'POST',
    '/v1/internships',
    {
      token: employer.token,
      key: `demo-post-${tag}`,
      body: {
        ...samplePosting,
        maxApplicants: 3,
        applicationWindowDays: 2,
        acceptWindowHours: 24,
        screeningQuestions: ['Which tool would you use, and why?'],
      },
    },
    201,
  );
  const id = posted.id as string;
  const workflowId = internshipWorkflowId(id);
  say(`internship ${id}`);
  say(`watch it live: ${await historyUrl(workflowId)}`);
  const open = await status(employer.token, id, ['Open']);
  const dayMs = (Date.parse(open.deadlines.applications) - Date.now()) / 2;
  const shortDays = dayMs < 5 * 60_000;
  say(
    shortDays
      ? `a "day" lasts ${Math.round(dayMs / 1000)} s here (HUMAN_DAY_SECONDS): timers will fire while you watch`
      : 'real time: the demo answers each step instead of waiting days (HUMAN_DAY_SECONDS=10 npm start shortens them)',
  );

  step('Three students apply with a pitch; the cap closes applications');
  const applications: string[] = [];
  for (const s of students) {
    const applied = await call(
      'POST',
      `/v1/internships/${id}/applications`,
      {
        token: s.token,
        key: `demo-apply-${tag}-${s.id}`,
        body: {
          pitch: `${s.name.split(' ')[0]}: I clean messy spreadsheets and write down every step.`,
          answers: ['Excel and Power Query'],
        },
      },
      201,
    );
    applications.push(applied.applicationId);
    say(`${s.name} applied (${applied.label})`);
  }
  await status(employer.token, id, ['Selecting']);
  const blind = await call('GET', `/v1/internships/${id}/applications`, { token: employer.token }, 200);
  say(
    `the employer reviews blind: ${blind.items.map((a: { label: string }) => a.label).join(', ')} — no names, schools or emails`,
  );

  step('The employer ranks a shortlist: Ana first, Ben as runner-up');
  await call(
    'POST',
    `/v1/internships/${id}/selection`,
    {
      token: employer.token,
      key: `demo-select-${tag}`,
      body: { applicationIds: [applications[0], applications[1]] },
    },
    202,
  );
  await status(employer.token, id, ['Offered']);
  const firstOffer = await email(students[0]!.email, /You have an offer/);
  if (shortDays) {
    say(
      `Ana does not answer: the 24-hour accept window is ${Math.round(dayMs / 1000)} s here — waiting for the timer…`,
    );
  } else {
    say('Ana declines through the link in her email');
    await click(link(firstOffer, 'Decline'));
  }
  const secondOffer = await email(students[1]!.email, /You have an offer/, shortDays ? dayMs * 2 : 30_000);
  say('the offer moved on to the runner-up, Ben');

  step('Ben accepts through the link in his email; the card on file is charged once');
  await click(link(secondOffer, 'Accept'));
  await status(employer.token, id, ['InProgress']);
  await email(students[1]!.email, /You can start/);
  await email(employer.email, /has started/);
  await email(students[2]!.email, /An update on/);
  await email(employer.email, /accepted: meet your student/);

  step('Ben submits his work; the employer approves it');
  await call(
    'POST',
    `/v1/internships/${id}/submissions`,
    {
      token: students[1]!.token,
      key: `demo-submit-${tag}`,
      body: {
        url: 'https://example.com/cleaned.csv',
        notes: 'Deduplicated 5,000 rows; steps in the summary.',
      },
    },
    201,
  );
  await email(employer.email, /Submitted for review/);
  await call(
    'POST',
    `/v1/internships/${id}/review`,
    { token: employer.token, key: `demo-review-${tag}`, body: { decision: 'approve' } },
    200,
  );
  await status(employer.token, id, ['Paying', 'Completed']);
  await email(students[1]!.email, /Approved/);

  step('Ben sets up payouts (Stripe Connect); Stripe reports the account ready; 90 % is transferred');
  const onboarding = await email(students[1]!.email, /Set up payouts/);
  say(`the email links to Stripe's onboarding: ${link(onboarding, 'Set up payouts')}`);
  await payoutAccountReady(students[1]!.id);
  await status(employer.token, id, ['Completed']);
  await email(students[1]!.email, /You have been paid/);
  await email(students[1]!.email, /Your credential/);

  step('Both give double-blind feedback; it is revealed once both gave it');
  for (const [token, who] of [
    [employer.token, 'employer'],
    [students[1]!.token, 'student'],
  ] as const) {
    await call(
      'POST',
      `/v1/internships/${id}/feedback`,
      { token, key: `demo-feedback-${who}-${tag}`, body: { rating: 5, comment: 'Clear, kind and on time.' } },
      201,
    );
  }
  await email(employer.email, /Feedback on .* is now visible/);
  await email(students[1]!.email, /Feedback on .* is now visible/);

  step('Ben finds his credential (private until he chooses) and lists it in his public portfolio');
  const mine = await call('GET', `/v1/internships/${id}`, { token: students[1]!.token }, 200);
  const { credentialId } = mine.credential as { credentialId: string };
  await call('GET', `/v1/credentials/${credentialId}`, {}, 404);
  await call(
    'PUT',
    `/v1/credentials/${credentialId}/sharing`,
    { token: students[1]!.token, body: { visibility: 'portfolio' } },
    200,
  );
  const portfolio = await call('GET', `/v1/students/${students[1]!.id}/portfolio`, {}, 200);
  say(`Ben's portfolio shows a signed credential: ${JSON.stringify(portfolio.items[0]).slice(0, 140)}…`);

  step('The employer offers Ben a job; he accepts through the email link');
  await call(
    'POST',
    `/v1/internships/${id}/hiring-offer`,
    {
      token: employer.token,
      key: `demo-hire-${tag}`,
      body: hiringOfferTerms(),
    },
    201,
  );
  const jobOffer = await email(students[1]!.email, /offers you a job/);
  await click(link(jobOffer, 'Accept the job offer'));
  await status(employer.token, id, ['Closed']);
  await email(employer.email, /accepted your offer/);

  step('Done');
  const inbox = (await (await fetch(`${INBOX}/api/email`)).json()) as Email[];
  const ours = inbox.filter((e) => e.to.some((t) => t.address.includes(tag)));
  say(`${ours.length} emails went to these five people; read them at ${INBOX}/index.html`);
  say(`the whole history, step by step: ${await historyUrl(workflowId)}`);
  say(
    `ops view of every internship by status: ${workflowListUrl({ baseUrl: UI, namespace: NAMESPACE }, 'InternshipStatus="Closed"')}`,
  );
}

/** Plays Stripe: the student finished Connect onboarding, so Stripe sends a signed account.updated event. */
async function payoutAccountReady(studentId: string) {
  const db = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  try {
    const ctx = { http, db, webhookSecret: WEBHOOK_SECRET, statusTimeoutMs: 20_000 };
    const account = await playStripeAccountReady(ctx, studentId);
    say(`Stripe (played by the demo) sent a signed account.updated webhook for ${account}`);
  } finally {
    await db.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`\n[demo] ${(err as Error).message}\n`);
  process.exit(1);
});
