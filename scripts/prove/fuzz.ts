/**
 * The API fuzzed against its own OpenAPI document: Schemathesis (from PyPI, in a virtualenv this
 * script makes in the per-user cache) sends generated requests — valid and invalid bodies, queries,
 * headers and ids — to a local stack of real processes, with the session tokens of a finance staff
 * member, an employer organisation's owner and a student (each signed in by the code in their email), and with the ids of real postings in several states, so requests reach the
 * workflow's validators and not only the 401/404 answers.
 *
 * Every response is checked: no 5xx, and a status code, content type and body the spec documents.
 * Requests are counted twice — as Schemathesis' NDJSON report records them, and where they land, in
 * the API's own Prometheus counters (also a source of the 5xx count) — and the smaller count is the
 * figure. Writes bench-results/fuzz-<time>.json and exits non-zero on any 5xx, any violation, any
 * Schemathesis error, or fewer requests than asked for. Postgres errors and worker warnings during
 * the run are listed too: a value the API let through that an activity then fails on.
 *
 *   node --import tsx scripts/prove/fuzz.ts                    # 10,000 requests, about 3.5 minutes
 *   node --import tsx scripts/prove/fuzz.ts --requests 1000    # the CI size, about 2 minutes
 *
 * The first round always runs Schemathesis' coverage phase for each of the three roles (about 4,700
 * requests in all, whatever the size asked for); later rounds fuzz with fresh seeds up to the count.
 * --seed makes a run repeatable; --keep leaves the stack's folder (logs, reports) in place.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { repoRoot } from '../stack/tools';
import {
  payoutAccountReady,
  request,
  samplePosting,
  waitForStatus as waitForReadModel,
  type HttpOptions,
} from './lifecycle';
import { firstAdmin, signUpEmployer, signUpStudent, staffMember } from './people';
import { OPS_TOKEN, startProveStack, WEBHOOK_SECRET, type ProveStack } from './stack';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    out: { type: 'string', default: path.join(repoRoot, 'bench-results') },
    keep: { type: 'boolean', default: false },
  },
});
const wanted = Number(args.requests);
if (!Number.isInteger(wanted) || wanted < 1) throw new Error(`--requests must be a positive integer`);
const baseSeed = args.seed ? Number(args.seed) : Math.floor(Math.random() * 2 ** 31);
const say = (line: string) => process.stdout.write(`[fuzz] ${line}\n`);

/** The checks every response must pass; together: "valid against the spec", and never a 5xx. */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
] as const;
const CONFORMANCE = new Set<string>(CHECKS.filter((c) => c !== 'not_a_server_error'));
/** Schemathesis 4's CLI (checks, dictionaries, NDJSON report) is what this script speaks. */
const SCHEMATHESIS_REQUIREMENT = 'schemathesis>=4.32,<5';

// --- the virtualenv ---

function cacheDir(): string {
  return (
    process.env.MI_TOOLS_DIR ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'microinternships')
  );
}

/** Schemathesis in a virtualenv of its own under the per-user cache, made and installed once. */
function ensureSchemathesis(): { bin: string; version: string } {
  const venv = process.env.SCHEMATHESIS_VENV ?? path.join(cacheDir(), 'schemathesis-venv');
  const bin = path.join(venv, 'bin', 'schemathesis');
  const version = () => {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    return r.status === 0 ? /version (\d+\.\d+\.\d+)/.exec(r.stdout)?.[1] : undefined;
  };
  const run = (command: string, argv: string[]) => {
    say(`$ ${command} ${argv.join(' ')}`);
    const r = spawnSync(command, argv, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${command} ${argv.join(' ')} failed (exit ${r.status})`);
  };
  let found = existsSync(bin) ? version() : undefined;
  if (!found || !found.startsWith('4.')) {
    if (!existsSync(path.join(venv, 'bin', 'python'))) {
      try {
        run('python3', ['-m', 'venv', venv]);
      } catch (err) {
        throw new Error(
          `${(err as Error).message}: Python 3 with venv is needed (Debian/Ubuntu: python3-venv)`,
          { cause: err },
        );
      }
    }
    run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--upgrade', SCHEMATHESIS_REQUIREMENT]);
    found = version();
    if (!found) throw new Error(`${bin} does not run after the install`);
  }
  return { bin, version: found };
}

// --- the actors and postings the fuzzer acts with ---

interface Fixtures {
  /** Session tokens. */
  tokens: Record<Role, string>;
  /** The session of a student signed in only to be signed out by the sign-out pass. */
  throwaway: string;
  internshipIds: string[];
  employerIds: string[];
  studentIds: string[];
  applicationIds: string[];
}
type Role = 'ops' | 'employer' | 'student';

const httpOf = (stack: ProveStack): HttpOptions => ({
  baseUrl: stack.apiUrl,
  record: () => undefined,
  retryForMs: 0,
});

/** A request the fixtures need to succeed; returns its body. */
async function call(
  stack: ProveStack,
  method: string,
  route: string,
  options: Parameters<typeof request>[3] = {},
): Promise<any> {
  const res = await request(httpOf(stack), `${method} ${route}`, route, options);
  if (res.status >= 300)
    throw new Error(`${method} ${route} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

const posting = (change: object = {}) => ({ ...samplePosting, ...change });

const waitForStatus = (stack: ProveStack, token: string, id: string, status: string) =>
  waitForReadModel({ http: httpOf(stack), statusTimeoutMs: 60_000 }, token, id, [status]);

/**
 * An employer, two students and postings in the states where most actions are possible: Open,
 * AwaitingApproval (a fee exception for ops), Offered to the fuzzing student, InProgress with them
 * hired, and Completed (feedback, a hiring offer).
 */
async function makeFixtures(stack: ProveStack, db: pg.Pool): Promise<Fixtures> {
  // People with sessions, signed in through their emails' codes: staff (finance acts as ops), an
  // employer organisation's owner and two students.
  const inbox = { url: stack.maildevUrl };
  const admin = await firstAdmin(httpOf(stack), inbox, OPS_TOKEN, 'fuzz');
  const finance = await staffMember(httpOf(stack), inbox, admin, 'finance', 'fuzz');
  const employer = await signUpEmployer(httpOf(stack), inbox, admin, 'fuzz');
  const signUp = (n: number) =>
    signUpStudent(httpOf(stack), inbox, {
      name: `Fuzz Student ${n}`,
      email: `student-${n}@fuzz.test`,
      major: 'Economics',
      graduationYear: 2027,
      skills: ['Excel'],
    });
  const student = await signUp(1);
  const other = await signUp(2);
  const throwaway = (await signUp(3)).token;
  const emp = employer.token;
  const stu = student.token;
  const post = async (change: object = {}) =>
    (await call(stack, 'POST', '/v1/internships', { token: emp, body: posting(change) })).id as string;
  const apply = async (id: string, token: string) =>
    (
      await call(stack, 'POST', `/v1/internships/${id}/applications`, {
        token,
        body: { pitch: 'I clean messy spreadsheets and document every step.' },
      })
    ).applicationId as string;
  const applicationIds: string[] = [];
  /** A posting where the fuzzing student (and another) applied and was chosen. */
  const chosen = async () => {
    const id = await post();
    const mine = await apply(id, stu);
    applicationIds.push(mine, await apply(id, other.token));
    await call(stack, 'POST', `/v1/internships/${id}/selection`, {
      token: emp,
      body: { applicationIds: [mine] },
    });
    await waitForStatus(stack, emp, id, 'Offered');
    return id;
  };
  const hired = async () => {
    const id = await chosen();
    await call(stack, 'POST', `/v1/internships/${id}/offer-response`, { token: stu, body: { accept: true } });
    await waitForStatus(stack, emp, id, 'InProgress');
    return id;
  };

  const open = await post();
  const awaitingApproval = await post({ feeCents: 500, feeException: true });
  const offered = await chosen();
  const inProgress = await hired();
  const completed = await hired();
  await call(stack, 'POST', `/v1/internships/${completed}/submissions`, {
    token: stu,
    body: { url: 'https://example.com/cleaned.csv', notes: 'Cleaned and documented.' },
  });
  await call(stack, 'POST', `/v1/internships/${completed}/review`, {
    token: emp,
    body: { decision: 'approve' },
  });
  await waitForStatus(stack, emp, completed, 'Paying');
  await payoutAccountReady(
    { http: httpOf(stack), db, webhookSecret: WEBHOOK_SECRET, statusTimeoutMs: 30_000 },
    student.id,
  );
  await waitForStatus(stack, emp, completed, 'Completed');
  return {
    tokens: { ops: finance, employer: emp, student: stu },
    throwaway,
    internshipIds: [open, awaitingApproval, offered, inProgress, completed],
    employerIds: [employer.id],
    studentIds: [student.id, other.id],
    applicationIds,
  };
}

// --- counting ---

/** http_requests_total from the API's /metrics: all requests, and those answered 5xx by route. */
async function apiCounters(
  stack: ProveStack,
): Promise<{ total: number; errors: Record<string, number>; byRoute: Record<string, number> }> {
  const text = await (await fetch(stack.metricsUrl)).text();
  let total = 0;
  const errors: Record<string, number> = {};
  const byRoute: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^http_requests_total\{(.*)\} (\d+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    const n = Number(m[2]);
    total += n;
    const route = `${labels.method} ${labels.route}`;
    byRoute[route] = (byRoute[route] ?? 0) + n;
    if (labels.status?.startsWith('5')) {
      const key = `${labels.method} ${labels.route} ${labels.status}`;
      errors[key] = (errors[key] ?? 0) + n;
    }
  }
  return { total, errors, byRoute };
}

const diff = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
      .filter(([, v]) => v > 0),
  );

interface Violation {
  check: string;
  operation: string;
  title: string;
  message: string;
  request: string;
  status: number | null;
}

interface RunReport {
  role: Role;
  seed: number;
  maxExamples: number;
  phases: string;
  requests: number;
  statuses: Record<string, number>;
  checks: Record<string, { passed: number; failed: number }>;
  violations: Violation[];
  errors: string[];
  exitCode: number | null;
  seconds: number;
}

/** Reads Schemathesis' NDJSON event stream: every request with its response, every check's outcome. */
async function readReport(
  file: string,
): Promise<Omit<RunReport, 'role' | 'seed' | 'maxExamples' | 'phases' | 'exitCode' | 'seconds'>> {
  const statuses: Record<string, number> = {};
  const checks: Record<string, { passed: number; failed: number }> = {};
  const violations: Violation[] = [];
  const errors: string[] = [];
  let requests = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as Record<string, any>;
    const [kind, body] = Object.entries(event)[0]!;
    if (kind === 'NonFatalError' || kind === 'FatalError') {
      errors.push(String(body?.info?.message ?? body?.value ?? JSON.stringify(body)).slice(0, 500));
      continue;
    }
    if (kind !== 'ScenarioFinished') continue;
    const recorder = body.recorder as {
      label: string;
      interactions: Record<
        string,
        { request: { method: string; uri: string }; response?: { status_code: number } }
      >;
      checks: Record<
        string,
        { name: string; status: string; failure_info?: { failure: Record<string, string> } }[]
      >;
    };
    for (const interaction of Object.values(recorder.interactions ?? {})) {
      requests += 1;
      const status = String(interaction.response?.status_code ?? 'no response');
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
    for (const [caseId, results] of Object.entries(recorder.checks ?? {})) {
      for (const result of results) {
        const tally = (checks[result.name] ??= { passed: 0, failed: 0 });
        if (result.status !== 'failure') {
          tally.passed += 1;
          continue;
        }
        const failure = result.failure_info?.failure ?? {};
        const interaction = recorder.interactions?.[caseId];
        // A credential's badge answers a JWT in its compact form (application/jwt, RFC 7519 §10.3.1,
        // documented as a string). Schemathesis 4 lists application/jwt among its JSON media types
        // (core/media_types.py JSON_MEDIA_TYPES), so its built-in JSON reader, which a hook cannot
        // displace, calls the body malformed: not a violation of the spec, and the only report left
        // out (the route's own test checks the answer).
        if (
          result.name === 'response_schema_conformance' &&
          /\/v1\/credentials\/[^/]+\/badge/.test(interaction?.request.uri ?? '') &&
          /JSON deserialization/i.test(String(failure.title ?? ''))
        ) {
          tally.passed += 1;
          continue;
        }
        tally.failed += 1;
        violations.push({
          check: result.name,
          operation: failure.operation ?? recorder.label,
          title: failure.title ?? '',
          message: String(failure.message ?? '').slice(0, 1000),
          request: interaction ? `${interaction.request.method} ${interaction.request.uri}` : caseId,
          status: interaction?.response?.status_code ?? null,
        });
      }
    }
  }
  return { requests, statuses, checks, violations, errors };
}

// --- one Schemathesis run ---

/** Real ids in place of generated ones most of the time, so requests reach the workflow. */
function configFile(dir: string, fixtures: Fixtures): string {
  const list = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
  const file = path.join(dir, 'schemathesis.toml');
  writeFileSync(
    file,
    [
      '[dictionaries]',
      `internships = { values = ${list(fixtures.internshipIds)} }`,
      `students = { values = ${list(fixtures.studentIds)} }`,
      `applications = { values = ${list(fixtures.applicationIds)} }`,
      `employers = { values = ${list(fixtures.employerIds)} }`,
      '',
      '[parameters]',
      '"path.id" = { dictionary = "internships", probability = 0.8 }',
      '"body.applicationIds[*]" = { dictionary = "applications", probability = 0.5 }',
      '',
      '[[operations]]',
      'include-path = "/v1/students/{id}/portfolio"',
      'parameters = { "path.id" = { dictionary = "students", probability = 0.8 } }',
      '',
      '[[operations]]',
      'include-path-regex = "^/v1/employers/"',
      'parameters = { "path.id" = { dictionary = "employers", probability = 0.8 } }',
      '',
    ].join('\n'),
  );
  return file;
}

async function runSchemathesis(
  bin: string,
  stack: ProveStack,
  workDir: string,
  config: string,
  options: {
    role: Role;
    token: string;
    seed: number;
    maxExamples: number;
    phases: string;
    /** Only this path (the sign-out pass); otherwise every path but sign-out. */
    only?: string;
  },
): Promise<RunReport> {
  const { role, token, seed, maxExamples, phases, only } = options;
  const started = performance.now();
  const runDir = path.join(workDir, `${role}-${seed}`);
  mkdirSync(runDir, { recursive: true });
  const ndjson = path.join(runDir, 'events.ndjson');
  const argv = [
    '--config-file',
    config,
    'run',
    `${stack.apiUrl}/openapi.json`,
    '--header',
    `Authorization: Bearer ${token}`,
    // Signing out would end the session the rest of the run sends: it has a pass of its own.
    ...(only ? ['--include-path', only] : ['--exclude-path', '/v1/auth/sign-out']),
    '--checks',
    CHECKS.join(','),
    '--phases',
    phases,
    '--max-examples',
    String(maxExamples),
    '--seed',
    String(seed),
    '--continue-on-failure',
    '--generation-database',
    'none',
    '--request-timeout',
    '30',
    '--report',
    'ndjson,junit',
    '--report-ndjson-path',
    ndjson,
    '--report-junit-path',
    path.join(runDir, 'junit.xml'),
    '--no-color',
  ];
  const log = path.join(runDir, 'schemathesis.log');
  const child = spawn(bin, argv, { cwd: runDir, stdio: ['ignore', 'pipe', 'pipe'] });
  current = child;
  const out: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => out.push(chunk));
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  current = undefined;
  writeFileSync(log, Buffer.concat(out));
  if (!existsSync(ndjson)) throw new Error(`schemathesis wrote no report (exit ${exitCode}); see ${log}`);
  const report = await readReport(ndjson);
  return {
    role,
    seed,
    maxExamples,
    phases,
    exitCode,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    ...report,
  };
}

let current: ReturnType<typeof spawn> | undefined;

// --- main ---

async function main(): Promise<void> {
  const began = new Date();
  const schemathesis = ensureSchemathesis();
  say(`schemathesis ${schemathesis.version}; ${wanted} requests; seed ${baseSeed}`);
  const stack = await startProveStack({ log: say, keep: args.keep });
  // The stack stops itself on SIGINT/SIGTERM; the Schemathesis run in flight goes with it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => current?.kill('SIGTERM'));
  const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
  try {
    const fixtures = await makeFixtures(stack, db);
    say(
      `fixtures: ${fixtures.internshipIds.length} postings (Open, AwaitingApproval, Offered, InProgress, Completed)`,
    );
    const workDir = path.join(stack.dir, 'schemathesis');
    mkdirSync(workDir, { recursive: true });
    const config = configFile(workDir, fixtures);

    const roles: Role[] = ['ops', 'employer', 'student'];
    const before = await apiCounters(stack);
    let ownRequests = 1; // the /metrics read just made lands in the next reading
    const runs: RunReport[] = [];
    let counted = 0;
    // Round 1 runs every phase: the examples, the coverage phase (each constraint of each operation
    // just inside and just outside its bounds, about 1,300 requests per role whatever the size) and
    // some fuzzing and stateful sequences. Later rounds fuzz with new seeds until the count is
    // reached, sized from the requests per example measured so far (about 28 for this spec).
    let perExample = 28;
    for (let round = 0; counted < wanted && round < 8; round++) {
      const first = round === 0;
      const remaining = wanted - counted;
      const maxExamples = first ? 10 : Math.max(1, Math.ceil((remaining / roles.length / perExample) * 1.1));
      const phases = first ? 'examples,coverage,fuzzing,stateful' : 'fuzzing,stateful';
      for (const [i, role] of roles.entries()) {
        const seed = baseSeed + round * roles.length + i;
        const run = await runSchemathesis(schemathesis.bin, stack, workDir, config, {
          role,
          token: fixtures.tokens[role],
          seed,
          maxExamples,
          phases,
        });
        runs.push(run);
        const now = await apiCounters(stack);
        counted = now.total - before.total - ownRequests;
        ownRequests += 1;
        say(
          `round ${round + 1} ${role}: ${run.requests} requests in ${run.seconds} s (${phases}, ` +
            `max-examples ${maxExamples}), ${run.violations.length} failed checks; ${counted} requests so far`,
        );
      }
      const later = runs.filter((r) => r.phases !== 'examples,coverage,fuzzing,stateful');
      if (later.length) {
        perExample = later.reduce((n, r) => n + r.requests, 0) / later.reduce((n, r) => n + r.maxExamples, 0);
      }
    }
    // Sign-out, with a session of its own: the first request that signs out ends it, the rest are
    // refused like any other caller without a session.
    runs.push(
      await runSchemathesis(schemathesis.bin, stack, workDir, config, {
        role: 'student',
        token: fixtures.throwaway,
        seed: baseSeed + 99,
        maxExamples: 20,
        phases: 'examples,coverage,fuzzing',
        only: '/v1/auth/sign-out',
      }),
    );
    say(`sign-out pass: ${runs.at(-1)!.requests} requests, ${runs.at(-1)!.violations.length} failed checks`);
    const after = await apiCounters(stack);
    // Counted twice: what Schemathesis recorded sending, and what reached the API (which also has
    // its fetches of /openapi.json); the smaller is the figure. 5xx likewise, the larger.
    const requestsAtApi = after.total - before.total - ownRequests;
    const requestsSent = runs.reduce((n, r) => n + r.requests, 0);
    const requests = Math.min(requestsAtApi, requestsSent);
    const serverErrorsByRoute = diff(after.errors, before.errors);
    // What reached each route, by the API's own count: the coverage of the run.
    const requestsByRoute = diff(after.byRoute, before.byRoute);
    const serverErrors = Math.max(
      Object.values(serverErrorsByRoute).reduce((a, b) => a + b, 0),
      runs.reduce(
        (n, r) => n + Object.entries(r.statuses).reduce((m, [s, k]) => m + (s.startsWith('5') ? k : 0), 0),
        0,
      ),
    );
    const violations = runs.flatMap((r) => r.violations.filter((v) => CONFORMANCE.has(v.check)));
    const schemathesisErrors = runs.flatMap((r) => r.errors);
    const dbErrors = postgresErrors(stack.dir);
    const workerLog = workerProblems(stack.dir);
    const apiErrors = apiServerErrors(stack.dir);

    const report = {
      date: began.toISOString(),
      seconds: Math.round((Date.now() - began.getTime()) / 1000),
      schemathesis: schemathesis.version,
      checks: CHECKS,
      seed: baseSeed,
      requested: wanted,
      requests,
      requestsAtApi,
      requestsSent,
      serverErrors,
      serverErrorsByRoute,
      requestsByRoute,
      schemaViolations: violations.length,
      violations: violations.slice(0, 50),
      serverErrorFailures: runs
        .flatMap((r) => r.violations.filter((v) => v.check === 'not_a_server_error'))
        .slice(0, 20),
      schemathesisErrors,
      databaseErrors: dbErrors,
      workerWarnings: workerLog,
      apiServerErrors: apiErrors,
      runs: runs.map(({ violations: v, errors, ...run }) => ({
        ...run,
        violations: v.length,
        errors: errors.length,
      })),
      fixtures: { internshipIds: fixtures.internshipIds },
    };
    mkdirSync(args.out, { recursive: true });
    const file = path.join(args.out, `fuzz-${began.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2));

    for (const v of report.violations.slice(0, 10))
      say(`violation: ${v.check} ${v.request} → ${v.status}: ${v.title}`);
    for (const [route, n] of Object.entries(serverErrorsByRoute)) say(`5xx: ${route} × ${n}`);
    for (const e of schemathesisErrors.slice(0, 5)) say(`schemathesis error: ${e}`);
    for (const e of dbErrors.slice(0, 10)) say(`postgres: ${e}`);
    for (const e of workerLog.slice(0, 10)) say(`worker: ${e}`);
    for (const e of apiErrors.slice(0, 10)) say(`API answered: ${e}`);
    const reached = Object.keys(requestsByRoute).filter((r) => !r.endsWith(' unmatched'));
    say(
      `routes reached: ${reached.length}; the least: ${reached
        .sort((a, b) => requestsByRoute[a]! - requestsByRoute[b]!)
        .slice(0, 3)
        .map((r) => `${r} × ${requestsByRoute[r]}`)
        .join(', ')}`,
    );
    say(`report: ${file}`);
    process.stdout.write(
      `fuzz: ${requests} requests, ${serverErrors} 5xx, ${violations.length} schema violations\n`,
    );
    const ok =
      serverErrors === 0 && violations.length === 0 && schemathesisErrors.length === 0 && requests >= wanted;
    if (!ok) process.exitCode = 1;
  } finally {
    await db.end();
    await stack.stop();
  }
}

/** The JSON lines of the stack's logs whose file name starts with `prefix`. */
function* jsonLogLines<T>(dir: string, prefix: string): Generator<T> {
  const logs = path.join(dir, 'logs');
  for (const name of readdirSync(logs).filter((f) => f.startsWith(prefix))) {
    for (const line of readFileSync(path.join(logs, name), 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        yield JSON.parse(line) as T;
      } catch {
        // a line cut short
      }
    }
  }
}

/** Warnings and errors the worker logged (an activity failing on a value the API let through). */
function workerProblems(dir: string): string[] {
  const seen = new Map<string, number>();
  for (const entry of jsonLogLines<{ level?: number; msg?: string; err?: { message?: string } }>(
    dir,
    'worker',
  )) {
    if ((entry.level ?? 0) < 40) continue;
    const key = `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message.slice(0, 200)}` : ''}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].map(([message, n]) => `${message} (× ${n})`);
}

/** The API's own line for each 5xx it answered: method, path, status and the problem it sent. */
function apiServerErrors(dir: string): string[] {
  type Line = { req?: { method?: string; url?: string }; res?: { statusCode?: number }; problem?: string };
  const found: string[] = [];
  for (const entry of jsonLogLines<Line>(dir, 'api')) {
    const status = entry.res?.statusCode ?? 0;
    if (status < 500) continue;
    const url = (entry.req?.url ?? '').split('?')[0];
    found.push(`${entry.req?.method} ${url} ${status} ${entry.problem ?? ''}`.trim());
  }
  return found;
}

/**
 * ERROR lines of Postgres during the run: a value the API let through but the database refused
 * (a 500 in the API, or an activity of a workflow retrying forever). Informational: they also show
 * as 5xx, or as the workflow not moving on.
 */
function postgresErrors(dir: string): string[] {
  const logs = path.join(dir, 'logs');
  const seen = new Map<string, number>();
  for (const name of readdirSync(logs).filter((f) => f.startsWith('postgres'))) {
    for (const line of readFileSync(path.join(logs, name), 'utf8').split('\n')) {
      const m = /ERROR:\s+(.*)$/.exec(line);
      if (m) seen.set(m[1]!, (seen.get(m[1]!) ?? 0) + 1);
    }
  }
  return [...seen].map(([message, n]) => `${message} (× ${n})`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[fuzz] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
