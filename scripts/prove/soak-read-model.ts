/**
 * The read model at scale, for `npm run soak`: postings and applications stored straight into
 * Postgres with generate_series (valid for every constraint, owned by the soak's real employers so
 * their applicant lists can be read), then the three reads people make timed through the API, and
 * the plan of every SQL statement each read runs — captured from db/*.ts, so it is the code's SQL —
 * with EXPLAIN ANALYZE, so a read that scans a whole table shows.
 */
import type pg from 'pg';
import { findApplicationOf, listApplications } from '../../db/applications';
import { listFeedback } from '../../db/follow-up';
import { findInternship, listInternships } from '../../db/internships';
import type { Queryable } from '../../db/pool';
import { findStudent } from '../../db/students';
import { request, type HttpOptions } from './lifecycle';
import { Latencies, percentile, type RouteSummary } from './measure';

/** Skills of the postings (real and stored): a browse by one of them finds a share of the open ones. */
export const SKILLS = [
  'excel',
  'sql',
  'python',
  'data cleaning',
  'copywriting',
  'figma',
  'market research',
  'javascript',
  'social media',
  'financial modelling',
  'customer interviews',
  'seo',
  'ux research',
  'power bi',
  'tableau',
  'react',
  'public speaking',
  'grant writing',
  'translation',
  'video editing',
  'accounting',
  'r',
  'statistics',
  'product management',
  'qa testing',
  'technical writing',
  'illustration',
  'sales outreach',
  'event planning',
  'hr operations',
  'legal research',
  'data visualisation',
  'cloud basics',
  'networking',
  'photography',
  'procurement',
  'logistics',
  'sustainability',
  'community management',
  'email marketing',
] as const;

const STORED_STATUSES = [
  'Open',
  'Open',
  'Completed',
  'Completed',
  'Completed',
  'Closed',
  'Closed',
  'Expired',
  'Cancelled',
  'InProgress',
];

export interface StoredRows {
  postings: number;
  applications: number;
  students: number;
  applicationsPerPosting: number;
  seconds: { students: number; postings: number; applications: number; analyze: number };
  /** A sample of the stored postings, to read through the API. */
  sample: { id: string; employerId: string; status: string }[];
}

/**
 * Stores `postings` postings of the `employerIds` (spread over the last 90 days, a fifth of them
 * Open, two skills each) and `applications` applications from students stored alongside (about 50
 * applications each, at most one per posting), then ANALYZEs the tables.
 */
export async function storeRows(
  pool: pg.Pool,
  opts: {
    postings: number;
    applications: number;
    employerIds: string[];
    tag: string;
    log: (s: string) => void;
  },
): Promise<StoredRows> {
  const perPosting = Math.max(1, Math.ceil(opts.applications / Math.max(1, opts.postings)));
  const students = Math.max(perPosting + 1, 50, Math.ceil(opts.applications / 50));
  const c = await pool.connect();
  const timed = async (what: string, work: () => Promise<unknown>) => {
    const began = performance.now();
    await work();
    const s = (performance.now() - began) / 1000;
    opts.log(`${what} in ${s.toFixed(1)} s`);
    return Math.round(s * 10) / 10;
  };
  try {
    await c.query('DROP TABLE IF EXISTS soak_students, soak_postings');
    const studentsSeconds = await timed(`${students} students stored`, async () => {
      await c.query(
        `CREATE TEMP TABLE soak_students AS SELECT n, gen_random_uuid() AS id FROM generate_series(1, $1::int) n`,
        [students],
      );
      await c.query('CREATE UNIQUE INDEX ON soak_students (n)');
      await c.query(
        `INSERT INTO accounts (id, email, kind, name, email_verified_at)
         SELECT id, 'soak-' || $1::text || '-' || n || '@students.test', 'student', 'Stored student ' || n, now()
           FROM soak_students`,
        [opts.tag],
      );
      await c.query(
        `INSERT INTO students (id, name, school, major, graduation_year, skills)
         SELECT id, 'Stored student ' || n, 'Lakeside State University', 'Economics', 2027, ARRAY['excel', 'sql']
           FROM soak_students`,
      );
    });
    const postingsSeconds = await timed(`${opts.postings} postings stored`, async () => {
      await c.query(
        `CREATE TEMP TABLE soak_postings AS
         SELECT n, gen_random_uuid() AS id,
                ($1::uuid[])[1 + n % cardinality($1::uuid[])] AS employer_id,
                ($2::text[])[1 + n % cardinality($2::text[])] AS status,
                date_trunc('milliseconds', now() - make_interval(secs => n * $3::float8)) AS created_at
           FROM generate_series(1, $4::int) n`,
        [opts.employerIds, STORED_STATUSES, (90 * 86_400) / Math.max(1, opts.postings), opts.postings],
      );
      await c.query('CREATE UNIQUE INDEX ON soak_postings (n)');
      await c.query(
        `INSERT INTO internships (id, workflow_id, employer_id, title, description, deliverable, skills,
           estimated_hours, fee_cents, max_applicants, application_deadline, selection_window_ms,
           accept_window_ms, work_duration_ms, review_window_ms, status, next_deadline, applicant_count,
           screening_questions, created_at, updated_at)
         SELECT id, 'internship:' || id, employer_id, 'Stored posting ' || n,
                'A posting stored straight into the read model, to measure reads at scale.',
                'A cleaned CSV and a one-page summary',
                ARRAY[($1::text[])[1 + n % $2::int], ($1::text[])[1 + (n % $2::int + 1 + (n / $2::int) % ($2::int - 1)) % $2::int]],
                10, 25000, 25,
                CASE WHEN status = 'Open' THEN greatest(created_at + interval '7 days', now() + interval '1 day')
                     ELSE created_at + interval '7 days' END,
                432000000, 172800000, 1209600000, 432000000, status,
                CASE WHEN status = 'Open' THEN greatest(created_at + interval '7 days', now() + interval '1 day') END,
                $3::int, '{}', created_at, created_at
           FROM soak_postings`,
        [SKILLS, SKILLS.length, perPosting],
      );
    });
    const applicationsSeconds = await timed(`${opts.applications} applications stored`, () =>
      c.query(
        `INSERT INTO applications (id, internship_id, student_id, label, pitch, answers, status, created_at, updated_at)
         SELECT gen_random_uuid(), p.id, s.id, 'Applicant ' || (k + 1),
                'I clean messy spreadsheets and document every step.', '{}',
                CASE WHEN p.status = 'Open' THEN 'submitted'
                     WHEN k = 0 AND p.status IN ('Completed', 'Closed', 'InProgress') THEN 'accepted'
                     ELSE 'not_selected' END,
                p.created_at + make_interval(mins => k), p.created_at + make_interval(mins => k)
           FROM soak_postings p
           CROSS JOIN generate_series(0, $1::int - 1) k
           JOIN soak_students s ON s.n = 1 + (p.n * 13 + k) % $2::int
          WHERE (p.n - 1) * $1::int + k < $3::int`,
        [perPosting, students, opts.applications],
      ),
    );
    const analyzeSeconds = await timed('ANALYZE', () =>
      c.query('ANALYZE internships, applications, students, accounts, feedback'),
    );
    const { rows: sample } = await c.query<{ id: string; employer_id: string; status: string }>(
      `SELECT id, employer_id, status FROM soak_postings ORDER BY random() LIMIT 3000`,
    );
    await c.query('DROP TABLE soak_students, soak_postings');
    return {
      postings: opts.postings,
      applications: opts.applications,
      students,
      applicationsPerPosting: perPosting,
      seconds: {
        students: studentsSeconds,
        postings: postingsSeconds,
        applications: applicationsSeconds,
        analyze: analyzeSeconds,
      },
      sample: sample.map((r) => ({ id: r.id, employerId: r.employer_id, status: r.status })),
    };
  } finally {
    c.release();
  }
}

export interface Reader {
  /** An employer and its session, by organisation id. */
  employers: Map<string, string>;
  /** Real students with one internship each they applied to. */
  students: { token: string; internshipId: string }[];
}

export interface ReadTimings {
  routes: (RouteSummary & { variant: string })[];
  /** Per route, all variants pooled: what the goals read. */
  pooled: Record<
    'show' | 'browse' | 'applicants',
    { count: number; failed: number; p50: number; p99: number }
  >;
  browsePagesWalked: number;
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/**
 * The three reads, `samples` of each, one request at a time after a warm-up:
 *  - GET /v1/internships/:id as its employer (any posting), as a visitor (an open one) and as a
 *    student who applied (a real one), in turn;
 *  - browsing open postings by skill (GET /v1/internships?skill=…) as a student and as a visitor,
 *    walking up to five pages by their cursors;
 *  - the employer's blind applicant list (GET /v1/internships/:id/applications) of stored postings.
 */
export async function timeReads(
  baseUrl: string,
  who: Reader,
  stored: StoredRows['sample'],
  samples: number,
): Promise<ReadTimings> {
  const latencies = new Latencies();
  const failures = new Map<string, number>();
  const http = (variant: string): HttpOptions => ({
    baseUrl,
    retryForMs: 0,
    record: (route, ms, status) => {
      latencies.record(`${route}|${variant}`, ms, status);
      if (status !== 200) failures.set(`${route}|${variant}`, (failures.get(`${route}|${variant}`) ?? 0) + 1);
    },
  });
  const warm: HttpOptions = { baseUrl, retryForMs: 0, record: () => undefined };
  const owned = stored.filter((p) => who.employers.has(p.employerId));
  const open = stored.filter((p) => p.status === 'Open');
  const pick = <T>(xs: T[], i: number): T => xs[i % xs.length]!;
  const student = (i: number) => pick(who.students, i);
  const show = '/v1/internships/:id';

  for (let i = 0; i < 30; i++) {
    const p = pick(owned, i * 7);
    await request(warm, `GET ${show}`, `/v1/internships/${p.id}`, {
      token: who.employers.get(p.employerId)!,
    });
    await request(
      warm,
      'GET /v1/internships',
      `/v1/internships?skill=${encodeURIComponent(pick([...SKILLS], i))}`,
    );
    await request(warm, `GET ${show}/applications`, `/v1/internships/${p.id}/applications`, {
      token: who.employers.get(p.employerId)!,
    });
  }

  for (let i = 0; i < samples; i++) {
    const variant = i % 3;
    if (variant === 0) {
      const p = pick(owned, i);
      await request(http('employer'), `GET ${show}`, `/v1/internships/${p.id}`, {
        token: who.employers.get(p.employerId)!,
      });
    } else if (variant === 1) {
      await request(http('visitor'), `GET ${show}`, `/v1/internships/${pick(open, i).id}`);
    } else {
      const s = student(i);
      await request(http('student'), `GET ${show}`, `/v1/internships/${s.internshipId}`, { token: s.token });
    }
  }

  let pages = 0;
  for (let walk = 0, calls = 0; calls < samples; walk++) {
    const skill = pick([...SKILLS], walk * 7 + 3);
    const asStudent = walk % 2 === 0;
    const variant = asStudent ? 'student' : 'visitor';
    let cursor: string | undefined;
    for (let page = 0; page < 5 && calls < samples; page++) {
      const query = `skill=${encodeURIComponent(skill)}&limit=20${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await request(http(variant), 'GET /v1/internships?skill', `/v1/internships?${query}`, {
        ...(asStudent ? { token: student(walk).token } : {}),
      });
      calls++;
      pages++;
      cursor = (res.body as { nextCursor?: string | null })?.nextCursor ?? undefined;
      if (!cursor) break;
    }
  }

  for (let i = 0; i < samples; i++) {
    const p = pick(owned, i * 11 + 5);
    await request(http('employer'), `GET ${show}/applications`, `/v1/internships/${p.id}/applications`, {
      token: who.employers.get(p.employerId)!,
    });
  }

  const routes = latencies.summary().map((r) => {
    const [route, variant] = r.route.split('|') as [string, string];
    return {
      route,
      variant,
      count: r.count,
      failed: failures.get(r.route) ?? 0,
      p50: round(r.p50),
      p95: round(r.p95),
      p99: round(r.p99),
      max: round(r.max),
    };
  });
  const poolOf = (route: string) => {
    const keys = latencies
      .summary()
      .map((r) => r.route)
      .filter((k) => k.startsWith(`${route}|`));
    const all = keys.flatMap((k) => latencies.samplesOf(k)).sort((a, b) => a - b);
    return {
      count: all.length,
      failed: keys.reduce((a, k) => a + (failures.get(k) ?? 0), 0),
      p50: round(percentile(all, 50)),
      p99: round(percentile(all, 99)),
    };
  };
  return {
    routes,
    pooled: {
      show: poolOf(`GET ${show}`),
      browse: poolOf('GET /v1/internships?skill'),
      applicants: poolOf(`GET ${show}/applications`),
    },
    browsePagesWalked: pages,
  };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

export interface QueryPlan {
  route: string;
  statement: string;
  sql: string;
  /** Each scan of the plan, e.g. "Index Scan using internships_pkey on internships". */
  scans: string[];
  /** Tables of the read model read by a sequential scan (none is the goal). */
  seqScans: string[];
  executionMs: number;
}

/** Runs `call` against a stand-in database that records the SQL and parameters it is given. */
async function sqlOf(
  call: (db: Queryable) => Promise<unknown>,
): Promise<{ sql: string; params: unknown[] }[]> {
  const seen: { sql: string; params: unknown[] }[] = [];
  const recorder = {
    query: (sql: string, params: unknown[] = []) => {
      seen.push({ sql, params });
      return Promise.resolve({ rows: [], rowCount: 0 });
    },
  } as unknown as Queryable;
  await call(recorder);
  return seen;
}

/**
 * The plans of the SQL behind the three reads, with real parameters: the posting's row, a student's
 * application and the feedback (GET /v1/internships/:id), a page and a later page of open postings by
 * skill (browse), the applications and each applicant's profile (the applicant list).
 */
export async function explainReads(
  pool: pg.Pool,
  sample: {
    internshipId: string;
    studentId: string;
    skill: string;
    cursor: string | undefined;
    rareSkill: string;
  },
): Promise<QueryPlan[]> {
  const statements: { route: string; statement: string; call: (db: Queryable) => Promise<unknown> }[] = [
    {
      route: 'GET /v1/internships/:id',
      statement: 'findInternship',
      call: (db) => findInternship(db, sample.internshipId),
    },
    {
      route: 'GET /v1/internships/:id',
      statement: 'findApplicationOf',
      call: (db) => findApplicationOf(db, sample.internshipId, sample.studentId),
    },
    {
      route: 'GET /v1/internships/:id',
      statement: 'listFeedback',
      call: (db) => listFeedback(db, sample.internshipId),
    },
    {
      route: 'browse',
      statement: `listInternships (skill ${sample.skill}, first page)`,
      call: (db) => listInternships(db, { status: 'Open', skill: sample.skill }, { limit: 20 }),
    },
    {
      route: 'browse',
      statement: `listInternships (skill ${sample.rareSkill}, first page)`,
      call: (db) => listInternships(db, { status: 'Open', skill: sample.rareSkill }, { limit: 20 }),
    },
    ...(sample.cursor
      ? [
          {
            route: 'browse',
            statement: `listInternships (skill ${sample.skill}, next page)`,
            call: (db: Queryable) =>
              listInternships(
                db,
                { status: 'Open', skill: sample.skill },
                { limit: 20, cursor: sample.cursor! },
              ),
          },
        ]
      : []),
    {
      route: 'GET /v1/internships/:id/applications',
      statement: 'listApplications',
      call: (db) => listApplications(db, sample.internshipId),
    },
    {
      route: 'GET /v1/internships/:id/applications',
      statement: 'findStudent',
      call: (db) => findStudent(db, sample.studentId),
    },
  ];
  const plans: QueryPlan[] = [];
  for (const s of statements) {
    for (const { sql, params } of await sqlOf(s.call)) {
      const { rows } = await pool.query<{ 'QUERY PLAN': { Plan: PlanNode; 'Execution Time': number }[] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
        params,
      );
      const root = rows[0]!['QUERY PLAN'][0]!;
      const scans: string[] = [];
      const seqScans: string[] = [];
      const walk = (node: PlanNode) => {
        if (!node['Relation Name'] && node['Index Name']) {
          scans.push(`${node['Node Type']} using ${node['Index Name']}`);
        } else if (node['Relation Name']) {
          scans.push(
            `${node['Node Type']}${node['Index Name'] ? ` using ${node['Index Name']}` : ''} on ${node['Relation Name']}`,
          );
          if (node['Node Type'] === 'Seq Scan') seqScans.push(node['Relation Name']);
        }
        for (const child of node.Plans ?? []) walk(child);
      };
      walk(root.Plan);
      plans.push({
        route: s.route,
        statement: s.statement,
        sql: sql.replace(/\s+/g, ' ').trim(),
        scans,
        seqScans: seqScans.filter((t) => ['internships', 'applications', 'students', 'accounts'].includes(t)),
        executionMs: round(root['Execution Time'], 2),
      });
    }
  }
  return plans;
}
