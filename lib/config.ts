import { existsSync } from 'node:fs';
import { z } from 'zod';
import { ed25519KeyOf, ed25519JwkSchema } from './ed25519-jwk';

const port = z.coerce.number().int().min(1).max(65535);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/**
 * The keys of CREDENTIAL_SIGNING_KEYS, or why they are refused: not JSON, not Ed25519 JWKs, a first
 * key that cannot sign, a private half that is not the public half's, or two keys of one id.
 */
function signingKeysOf(text: string): z.infer<typeof ed25519JwkSchema>[] | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'must be a JSON array of Ed25519 private JWKs';
  }
  const parsed = z.array(ed25519JwkSchema).min(1).safeParse(json);
  if (!parsed.success) {
    const { path, message } = parsed.error.issues[0]!;
    const where =
      path.length > 0 ? `key ${Number(path[0]) + 1}${path[1] ? ` "${String(path[1])}"` : ''}: ` : '';
    return `${where}${message}`;
  }
  if (!parsed.data[0]!.d) return 'the first key signs: it needs its private half ("d")';
  try {
    const ids = parsed.data.map((jwk) => ed25519KeyOf(jwk).keyId);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    return twice ? `two keys have the id ${twice}` : parsed.data;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Settings of the API and the worker. Every variable is listed with its default in `.env.example`. */
const appSchema = z.object({
  API_PORT: port.default(3000),
  PUBLIC_BASE_URL: z.url().optional(),
  /**
   * Break-glass only: creates a staff admin (POST /v1/admin/staff) when no admin can sign in, and
   * nothing else; every use is in the audit trail. Everyone else signs in as a person.
   */
  OPS_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // Where Temporal is (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key) is read by
  // @temporalio/envconfig in lib/temporal.ts, not here.
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('internships'),
  TEMPORAL_UI_URL: z.url().default('http://localhost:8233'),
  /** The worker's SDK metrics (Prometheus, at /metrics on this port); 0 turns them off. */
  WORKER_METRICS_PORT: port.or(z.literal('0').transform(() => 0)).default(9464),
  /**
   * Workflows the worker keeps in memory between their tasks (the SDK's sticky cache). `npm run
   * soak` with 10,000 internships: 255 MiB with none cached, 485 MiB with 600, 896 MiB with 1,100
   * after 1,000 reminders in one minute (peak 926 MiB with NODE_OPTIONS=--max-old-space-size=384),
   * so 1,100 hold a burst of 1,000 timers without a replay. A workflow not in the cache is replayed
   * from its history at its next task or query: about 65 ms of worker CPU for a 55-event history,
   * so timers or actions on many evicted workflows at once are bound by CPU
   * (WORKER_WORKFLOW_THREADS). Raise this with the worker's memory; 0 turns the cache off.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(1100),
  /**
   * Threads running workflow code in one worker process, each with its share of the cache and a
   * heap of its own (about 70 MiB more at rest for the second). With one (the SDK's default), a
   * burst of timers on evicted workflows is bound by one core: in `npm run soak` on 2 cores, 1,000
   * reminders falling due over 207 s waited up to 10 s for the worker (schedule-to-start p99 9.9 s)
   * while the second core idled; with two, p99 16 ms and the worker used less CPU in all.
   */
  WORKER_WORKFLOW_THREADS: z.coerce.number().int().min(1).max(16).default(2),
  /** The Temporal Schedule of the daily ops digest, created by the first worker that starts. */
  OPS_DIGEST_SCHEDULE_ID: z.string().min(1).default('ops-daily-digest'),
  /**
   * The workflow code built ahead of time (`npm run build:workflows`, shipped in the image); without
   * it the worker bundles `workflows/` at start.
   */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  /**
   * Worker Versioning: the Worker Deployment this worker belongs to. Unset, workers are unversioned
   * and every worker on the task queue takes every task (docs/DEPLOYMENT.md, "Rolling out new code").
   */
  TEMPORAL_WORKER_DEPLOYMENT: z.string().min(1).optional(),
  /** This worker's version in that deployment; by default a hash of the workflow bundle. */
  TEMPORAL_WORKER_BUILD_ID: z.string().min(1).max(255).optional(),
  /**
   * The first version of a deployment makes itself current (worker/first-version.ts); false when
   * moving a task queue with running workflows from unversioned workers, to ramp instead.
   */
  TEMPORAL_WORKER_FIRST_VERSION_CURRENT: bool.default(true),

  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),

  /**
   * Payload encryption (AES-256-GCM, lib/payload-codec.ts): keys as `id:base64,id:base64` (32 bytes
   * each), and the id of the one that writes (the last by default). Keep older keys to read what
   * they wrote. Unset: payloads stay plain, which a live Stripe key refuses unless
   * PAYLOAD_ENCRYPTION=off says it is on purpose.
   */
  PAYLOAD_KEYS: optionalString,
  PAYLOAD_KEY_ID: optionalString,
  PAYLOAD_ENCRYPTION: z.literal('off').optional(),

  SMTP_HOST: z.string().min(1).default('localhost'),
  SMTP_PORT: port.default(1025),
  SMTP_SECURE: bool.default(false),
  SMTP_USER: optionalString,
  SMTP_PASSWORD: optionalString,
  MAIL_FROM: z.string().min(3).default('Micro-internships <no-reply@microinternships.local>'),
  /**
   * The HTTP API of a mail server that can say whether it already holds a message (MailDev's, e.g.
   * http://localhost:1080). A sender that died between the final "." and its COMMIT leaves its
   * email in doubt; with this set, the next sender looks the Message-ID up instead of sending again.
   */
  MAIL_LOOKUP_URL: z.url().optional(),
  OPS_EMAIL: z.email().default('ops@microinternships.local'),
  /** How often each worker sends the emails that SMTP refused when they were queued. */
  OUTBOX_RELAY_INTERVAL_MS: z.coerce.number().int().positive().default(15_000),
  /** Emails each worker sends at once (each holds an SMTP and a Postgres connection meanwhile). */
  OUTBOX_SEND_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(6),
  /** How often each worker reconciles applications a stopped request left pending. */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().positive().default(300_000),

  STRIPE_SECRET_KEY: z
    .string()
    .startsWith('sk_', 'must be a Stripe secret key (sk_...)')
    .default('sk_test_123'),
  STRIPE_API_BASE: z.url().optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).default('whsec_local'),
  /** Charged when an employer has no saved card: a Stripe test card; never set this with live keys. */
  STRIPE_DEFAULT_PAYMENT_METHOD: optionalString,

  /** Signs completion credentials; anyone may verify them through GET /v1/credentials/:id. */
  CREDENTIAL_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters')
    .default('local-credential-secret-change-me'),
  /**
   * Sign completion credentials as Open Badges (lib/open-badges.ts): a JSON array of Ed25519 private
   * JWKs ({"kty":"OKP","crv":"Ed25519","x","d","kid"}); the first signs, the others are published so
   * that what they signed still verifies (a retired key may drop its "d"). Unset: one key is
   * generated at first use and kept in Postgres (credential_signing_keys), for local stacks and tests.
   */
  CREDENTIAL_SIGNING_KEYS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return undefined;
      const keys = signingKeysOf(text);
      if (typeof keys === 'string') {
        ctx.addIssue({ code: 'custom', message: keys });
        return z.NEVER;
      }
      return keys;
    }),

  /** API metrics (Prometheus) on their own port, off the public one; 0 turns them off. */
  METRICS_PORT: port.or(z.literal('0').transform(() => 0)).default(9465),
  /** The address the metrics port listens on: loopback unless a scraper elsewhere must reach it. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),

  /** A session ends after this many days without a request, and this many days after sign-in. */
  SESSION_IDLE_DAYS: z.coerce.number().positive().max(90).default(7),
  SESSION_MAX_DAYS: z.coerce.number().positive().max(365).default(30),
  /** How long a sign-in (or sign-up) email's link and code work, once. */
  SIGN_IN_LINK_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** How long an invitation to an organisation or to the staff works, once. */
  INVITATION_DAYS: z.coerce.number().int().min(1).max(30).default(7),
  /** Whether the session cookie is sent over HTTPS only; by default, when PUBLIC_BASE_URL is https. */
  COOKIE_SECURE: bool.optional(),
  /**
   * The company's OpenID Connect provider for staff sign-in; unset, staff sign in by email like
   * everyone else. The redirect URI to register is PUBLIC_BASE_URL + /auth/oidc/callback.
   */
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  /** Only for a provider on this machine without TLS (tests, local stacks). */
  OIDC_ALLOW_HTTP: bool.default(false),

  /**
   * Abuse limits counted in Postgres, so every API process shares them (api/limits.ts). Sign-in
   * emails per address asked for (registered or not) and per client address, per hour; code
   * attempts per email and per address, per hour (and a code is locked after 5 wrong ones).
   */
  SIGN_IN_EMAILS_PER_EMAIL_PER_HOUR: z.coerce.number().int().positive().default(10),
  SIGN_IN_EMAILS_PER_ADDRESS_PER_HOUR: z.coerce.number().int().positive().default(100),
  CODE_ATTEMPTS_PER_EMAIL_PER_HOUR: z.coerce.number().int().positive().default(20),
  CODE_ATTEMPTS_PER_ADDRESS_PER_HOUR: z.coerce.number().int().positive().default(100),
  /** Applications per student and per client address, and postings per organisation and per address, per day. */
  APPLICATIONS_PER_STUDENT_PER_DAY: z.coerce.number().int().positive().default(25),
  APPLICATIONS_PER_ADDRESS_PER_DAY: z.coerce.number().int().positive().default(1000),
  POSTINGS_PER_ORGANISATION_PER_DAY: z.coerce.number().int().positive().default(50),
  POSTINGS_PER_ADDRESS_PER_DAY: z.coerce.number().int().positive().default(500),

  /** Per client address and minute: sign-ups (shared by every API process), and requests to email links. */
  SIGNUP_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(30),
  ACTION_LINK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(60),
  /**
   * Writes (POST, PUT, PATCH, DELETE) per minute from one client address, and from one signed-in
   * account wherever it comes from; Stripe's signed webhooks are not counted.
   */
  WRITE_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().positive().default(600),
  WRITE_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: z.coerce.number().int().positive().default(120),
  /**
   * Connections one client address may hold open at once; one more is answered 429 and closed, so
   * one client holding thousands of connections cannot keep others from connecting. 0 turns it off:
   * do so behind a load balancer or proxy (every connection then comes from its address) and set
   * its per-client connection limit instead.
   */
  CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).default(128),
  /**
   * Applications a student may hold open at once (waiting, or on offer); one more is refused with
   * 409 until one is decided or withdrawn, so a few accounts cannot fill every posting's places.
   */
  MAX_OPEN_APPLICATIONS_PER_STUDENT: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * Updates each API process sends at once to one micro-internship; the rest wait their turn (see
   * api/update-gate.ts). Keep (API replicas × this) at or under Temporal's per-workflow limit,
   * the dynamic config history.maxInFlightUpdates (10 by default).
   */
  UPDATES_IN_FLIGHT_PER_INTERNSHIP: z.coerce.number().int().min(1).max(100).default(5),
  /**
   * Calls each API process lets wait behind those Updates; one more is answered 503 InternshipBusy
   * at once. 200 lets every applicant of the largest posting apply in the same second.
   */
  UPDATES_QUEUED_PER_INTERNSHIP: z.coerce.number().int().min(0).max(10_000).default(200),

  /**
   * Seconds in a "day" of every human window (application, selection, acceptance, work, review,
   * pay link, grace, reminders, follow-up): 86400 is real time. Shorten it only for demos,
   * benchmarks and staging, e.g. 60 makes the 48-hour acceptance window two minutes.
   */
  HUMAN_DAY_SECONDS: z.coerce.number().positive().max(86_400).default(86_400),

  MIN_HOURLY_RATE_CENTS: z.coerce.number().int().positive().default(2000),
  PLATFORM_SHARE_PCT: z.coerce.number().int().min(0).max(100).default(10),
});

export type AppConfig = Omit<z.infer<typeof appSchema>, 'PUBLIC_BASE_URL' | 'COOKIE_SECURE'> & {
  PUBLIC_BASE_URL: string;
  COOKIE_SECURE: boolean;
};

/** Ports and places of the local stack that `npm start` and `npm test` run. */
const stackSchema = z.object({
  API_PORT: port.default(3000),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  /** Days a closed workflow's history is kept by the local Temporal (the namespace's retention). */
  TEMPORAL_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  POSTGRES_PORT: port.default(5433),
  MAILDEV_SMTP_PORT: port.default(1025),
  MAILDEV_WEB_PORT: port.default(1080),
  STRIPE_MOCK_PORT: port.default(12111),
  DATA_DIR: z.string().min(1).default('data'),
  DATABASE_URL: optionalString,
  OPS_TOKEN: z.string().min(16, 'must be at least 16 characters').default('local-ops-token-change-me'),
});

export type StackConfig = z.infer<typeof stackSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parse<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  // An empty value (VAR= in a .env file) means "use the default".
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(given);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const variable = issue.path.join('.') || '(environment)';
      const hint =
        issue.code === 'invalid_type' && env[variable] === undefined ? 'is required' : issue.message;
      return `  ${variable}: ${hint}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Reads ./.env into process.env when it exists; variables already set win. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/** Settings that are valid alone but not together: the first rule broken, naming its variables. */
function refuseCombinations(parsed: z.infer<typeof appSchema>): void {
  const refusals: [boolean, string][] = [
    [
      Boolean(parsed.OIDC_ISSUER && !(parsed.OIDC_CLIENT_ID && parsed.OIDC_CLIENT_SECRET)),
      'OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: required with OIDC_ISSUER',
    ],
    // Real money means real people: their histories are not kept in plain text by accident.
    [
      parsed.STRIPE_SECRET_KEY.startsWith('sk_live_') && !parsed.PAYLOAD_KEYS && !parsed.PAYLOAD_ENCRYPTION,
      'PAYLOAD_KEYS: required with a live Stripe key (sk_live_...), or workflow payloads are stored in plain text; set PAYLOAD_ENCRYPTION=off to run without encryption on purpose',
    ],
    [
      Boolean(parsed.PAYLOAD_ENCRYPTION && parsed.PAYLOAD_KEYS),
      'PAYLOAD_ENCRYPTION, PAYLOAD_KEYS: PAYLOAD_ENCRYPTION=off with keys given; drop one',
    ],
  ];
  const broken = refusals.find(([refused]) => refused);
  if (broken) throw new ConfigError(`Invalid configuration:\n  ${broken[1]}`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = parse(appSchema, env);
  const publicBaseUrl = parsed.PUBLIC_BASE_URL ?? `http://localhost:${parsed.API_PORT}`;
  refuseCombinations(parsed);
  return {
    ...parsed,
    PUBLIC_BASE_URL: publicBaseUrl,
    COOKIE_SECURE: parsed.COOKIE_SECURE ?? publicBaseUrl.startsWith('https:'),
  };
}

export function loadStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  return parse(stackSchema, env);
}
