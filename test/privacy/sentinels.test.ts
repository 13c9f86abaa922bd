/**
 * Students' words stay out of Temporal: every free-text field is filled with a sentinel word, three
 * internships are walked through the real API and worker processes (the whole paid path with an
 * extension, a round of changes, feedback and a hiring offer; a kill fee; a dispute), and then every
 * event and every payload of their histories, decoded, and both processes' logs are searched for
 * it. The words are in Postgres, where they belong. The same scan over the histories saved before
 * words left the histories finds the words those scenarios wrote; over those saved after, none.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dataConverterFrom } from '../../lib/data-converter';
import { freePort } from '../../scripts/stack/processes';
import { payoutsEnabledEvent } from '../../scripts/prove/lifecycle';
import { newEmployer, newStudent, staffSession } from '../helpers/actors';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { textOfHistory } from '../helpers/history-text';
import { startApiProcess, startWorkerProcess } from '../helpers/worker-process';

const WORD = `Zq${uniqueSuffix()}Sentinel`;
const codec = () => dataConverterFrom(h.config).payloadCodecs![0]!;

let h: ApiHarness;
let via: ApiHarness;
let logs: () => string;
let stop: () => Promise<void>;

beforeAll(async () => {
  h = await startApiHarness({ worker: false });
  const port = await freePort();
  const worker = await startWorkerProcess(h, { LOG_LEVEL: 'debug' });
  const api = await startApiProcess(h, port, { LOG_LEVEL: 'debug' });
  via = { ...h, baseUrl: `http://127.0.0.1:${port}` };
  logs = () => api.log() + worker.log();
  stop = async () => {
    await api.stop();
    await worker.stop();
  };
}, 120_000);
afterAll(async () => {
  await stop?.();
  await h?.stop();
});

const post = async (token: string, route: string, body: object, expected: number) => {
  const res = await call(via.baseUrl, 'POST', route, { token, body });
  if (res.status !== expected) throw new Error(`${route}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

async function statusOf(token: string, id: string, want: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await call(via.baseUrl, 'GET', `/v1/internships/${id}`, { token })).body.status === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${id} never reached ${want}`);
}

/** A posting and an offered student, every word of both a sentinel. */
async function hired() {
  const employer = await newEmployer(via, `Company ${WORD}`);
  const student = await newStudent(via, `Stu ${WORD}`, `School ${WORD}`);
  const { id } = await post(
    employer.token,
    '/v1/internships',
    {
      title: `Title ${WORD}`,
      description: `Description of the work ${WORD}, long enough.`,
      deliverable: `Deliverable ${WORD}`,
      skills: [`skill${WORD}`],
      estimatedHours: 10,
      feeCents: 25_000,
      screeningQuestions: [`Question ${WORD}?`],
    },
    201,
  );
  const { applicationId } = await post(
    student.token,
    `/v1/internships/${id}/applications`,
    {
      pitch: `My pitch ${WORD} goes on for a while.`,
      answers: [`Answer ${WORD}`],
    },
    201,
  );
  await post(employer.token, `/v1/internships/${id}/selection`, { applicationIds: [applicationId] }, 202);
  await statusOf(employer.token, id, 'Offered');
  await post(student.token, `/v1/internships/${id}/offer-response`, { accept: true }, 200);
  await statusOf(employer.token, id, 'InProgress');
  return { employer, student, id: id as string };
}

const submit = (token: string, id: string, round: number) =>
  post(
    token,
    `/v1/internships/${id}/submissions`,
    {
      url: `https://example.com/${WORD}/v${round}`,
      notes: `Notes ${WORD} round ${round}`,
    },
    201,
  );

test('no sentinel in any event, decoded payload or log line of three whole internships; all of them in Postgres', async () => {
  const ids: string[] = [];

  // 1. Extension, a round of changes, approval, payout, feedback from both sides, a hiring offer.
  const one = await hired();
  ids.push(one.id);
  const due = (await call(via.baseUrl, 'GET', `/v1/internships/${one.id}`, { token: one.employer.token }))
    .body.deadlines.due as string;
  await post(
    one.student.token,
    `/v1/internships/${one.id}/extension-requests`,
    {
      newDueAt: new Date(Date.parse(due) + 2 * 86_400_000).toISOString(),
      reason: `Reason ${WORD}`,
    },
    202,
  );
  await post(one.employer.token, `/v1/internships/${one.id}/extension-decision`, { approve: true }, 200);
  await submit(one.student.token, one.id, 1);
  await statusOf(one.employer.token, one.id, 'InReview');
  await post(
    one.employer.token,
    `/v1/internships/${one.id}/review`,
    {
      decision: 'request_changes',
      comments: `Comments ${WORD}`,
    },
    200,
  );
  await statusOf(one.employer.token, one.id, 'InProgress');
  await submit(one.student.token, one.id, 2);
  await statusOf(one.employer.token, one.id, 'InReview');
  await post(
    one.employer.token,
    `/v1/internships/${one.id}/review`,
    { decision: 'approve', comments: `Bravo ${WORD}` },
    200,
  );
  await statusOf(one.employer.token, one.id, 'Paying');
  const { rows } = await h.db.query<{ stripe_account_id: string }>(
    `SELECT stripe_account_id FROM students WHERE id = $1`,
    [one.student.id],
  );
  for (let i = 0; i < 100 && !rows[0]?.stripe_account_id; i++) {
    await new Promise((r) => setTimeout(r, 100));
    rows.splice(
      0,
      1,
      ...(await h.db.query(`SELECT stripe_account_id FROM students WHERE id = $1`, [one.student.id])).rows,
    );
  }
  const payload = payoutsEnabledEvent(rows[0]!.stripe_account_id);
  await call(via.baseUrl, 'POST', '/webhooks/stripe', {
    rawBody: payload,
    headers: {
      'stripe-signature': h.stripe.webhooks.generateTestHeaderString({
        payload,
        secret: h.config.STRIPE_WEBHOOK_SECRET,
      }),
    },
  });
  await statusOf(one.employer.token, one.id, 'Completed');
  for (const token of [one.employer.token, one.student.token]) {
    await post(
      token,
      `/v1/internships/${one.id}/feedback`,
      {
        rating: 5,
        comment: `Feedback ${WORD}`,
        endorsedSkills: [`endorsed${WORD}`],
      },
      201,
    );
  }
  await post(
    one.employer.token,
    `/v1/internships/${one.id}/hiring-offer`,
    {
      role: `Role ${WORD}`,
      type: 'full_time',
      payCents: 5_500_000,
      payPeriod: 'year',
      startDate: '2027-03-01',
      expiresAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
    },
    201,
  );
  await post(one.student.token, `/v1/internships/${one.id}/hiring-offer/response`, { accept: true }, 200);
  await statusOf(one.employer.token, one.id, 'Closed');

  // 2. Cancelled with a reason: the kill fee.
  const two = await hired();
  ids.push(two.id);
  await post(two.employer.token, `/v1/internships/${two.id}/cancel`, { reason: `Cancelled ${WORD}` }, 202);
  await statusOf(two.employer.token, two.id, 'Cancelled');

  // 3. Two rounds of changes, a rejection, a dispute settled by finance.
  const three = await hired();
  ids.push(three.id);
  for (const [round, decision] of (['request_changes', 'request_changes', 'reject'] as const).entries()) {
    await submit(three.student.token, three.id, round + 1);
    await statusOf(three.employer.token, three.id, 'InReview');
    await post(
      three.employer.token,
      `/v1/internships/${three.id}/review`,
      { decision, comments: `Round ${round} ${WORD}` },
      200,
    );
    await statusOf(three.employer.token, three.id, decision === 'reject' ? 'Disputed' : 'InProgress');
  }
  await post(
    await staffSession(via, 'finance'),
    `/v1/admin/internships/${three.id}/resolution`,
    { studentSharePct: 50 },
    202,
  );

  const found: string[] = [];
  for (const id of ids) {
    const history = await h.temporal.workflow.getHandle(`internship:${id}`).fetchHistory();
    const text = await textOfHistory(history, codec());
    expect(text).toContain(id); // the scan reads the decoded payloads: the ids are there
    if (text.toLowerCase().includes(WORD.toLowerCase())) found.push(`history of ${id}`);
  }
  if (logs().toLowerCase().includes(WORD.toLowerCase())) found.push('API or worker log');
  expect(found).toEqual([]);

  // The words live in Postgres.
  const { rows: texts } = await h.db.query(
    `SELECT kind FROM texts WHERE internship_id = ANY($1) AND body::text LIKE $2 ORDER BY kind`,
    [ids, `%${WORD}%`],
  );
  expect(new Set(texts.map((t) => t.kind))).toEqual(
    new Set(['submission', 'review', 'extension', 'cancellation', 'feedback', 'hiring-offer']),
  );
}, 300_000);

/** Words the recorded workflow tests write (test/workflow, test/helpers/hired.ts and fixtures.ts). */
const RECORDED_WORDS = [
  'the project was dropped',
  'Exams this week.',
  'Done, with a summary.',
  'Please add a summary tab.',
  'Not there yet.',
  'Not usable.',
  'More detail.',
  'Clear brief.',
  'Great mentor.',
  'Junior Data Analyst',
  'https://example.com/cleaned.csv',
  'I love tidy data and document every step.',
];
const dir = path.join(__dirname, '..', 'histories');

async function wordsIn(folder: string): Promise<{ files: number; found: string[] }> {
  const files = readdirSync(path.join(dir, folder)).filter((f) => f.endsWith('.json'));
  const found: string[] = [];
  for (const file of files) {
    const text = await textOfHistory(
      historyFromJSON(JSON.parse(readFileSync(path.join(dir, folder, file), 'utf8'))),
      codec(),
    );
    for (const word of RECORDED_WORDS) if (text.includes(word)) found.push(`${file}: ${word}`);
  }
  return { files: files.length, found };
}

test('the same scan finds the recorded scenarios’ words in the histories saved before, and none in those saved after', async () => {
  const before = await wordsIn('before-ids-not-words');
  expect(before.files).toBeGreaterThanOrEqual(20);
  expect(before.found.length).toBeGreaterThan(10);
  const after = await wordsIn('.');
  expect(after.files).toBeGreaterThanOrEqual(20);
  expect(after.found).toEqual([]);
});
