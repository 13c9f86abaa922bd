/**
 * Students' words stay out of Temporal: every free-text field is filled with a sentinel word, four
 * internships are walked through the real API and worker processes (the whole paid path with an
 * extension, a round of changes, feedback and a hiring offer; a kill fee; a dispute; a withdrawal
 * and a cancellation by finance), and then every event and every payload of their histories,
 * decoded, the answers of their state query and both processes' logs are searched for it. The words
 * are in Postgres, where they belong. Every recorded scenario is scanned too: the words each one
 * sent, read from its history saved before words left the histories, are found there and in no
 * history saved since.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dataConverterFrom } from '../../lib/data-converter';
import { freePort } from '../../scripts/stack/processes';
import { payoutsEnabledEvent } from '../../scripts/prove/lifecycle';
import { internshipStateQuery, internshipWorkflowId } from '../../workflows/definitions';
import { newEmployer, newStudent, staffSession } from '../helpers/actors';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { patternOfWord, textOfHistory, wordsSentIn } from '../helpers/history-text';
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

/**
 * A posting and a hired student, every word of both a sentinel; with `withdrawal`, another student
 * applies first and withdraws before the selection.
 */
async function hired({ withdrawal = false } = {}) {
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
  if (withdrawal) {
    const other = await newStudent(via, `Other ${WORD}`, `School ${WORD}`);
    await post(
      other.token,
      `/v1/internships/${id}/applications`,
      { pitch: `Another pitch ${WORD}.`, answers: [`Another answer ${WORD}`] },
      201,
    );
    const res = await call(via.baseUrl, 'DELETE', `/v1/internships/${id}/applications/mine`, {
      token: other.token,
    });
    if (res.status !== 200) throw new Error(`withdrawal: ${res.status} ${JSON.stringify(res.body)}`);
  }
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

test('no sentinel in any event, decoded payload, state query answer or log line of four whole internships; all of them in Postgres', async () => {
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

  // 4. Another student withdraws before the selection; finance cancels the work with a reason.
  const four = await hired({ withdrawal: true });
  ids.push(four.id);
  await post(
    await staffSession(via, 'finance'),
    `/v1/internships/${four.id}/cancel`,
    { reason: `Ops cancelled ${WORD}` },
    202,
  );
  await statusOf(four.employer.token, four.id, 'Cancelled');

  const found: string[] = [];
  for (const id of ids) {
    const handle = h.temporal.workflow.getHandle(internshipWorkflowId(id));
    const text = await textOfHistory(await handle.fetchHistory(), codec());
    expect(text).toContain(id); // the scan reads the decoded payloads: the ids are there
    if (text.toLowerCase().includes(WORD.toLowerCase())) found.push(`history of ${id}`);
    // The query's answer, decoded by the client's codec: what ops and the UI read from the workflow
    const answer = JSON.stringify(await handle.query(internshipStateQuery));
    expect(answer).toContain(id);
    if (answer.toLowerCase().includes(WORD.toLowerCase())) found.push(`state query of ${id}`);
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

const dir = path.join(__dirname, '..', 'histories');
const BEFORE = path.join(dir, 'before-ids-not-words');

/** The histories saved as JSON in a folder, by file name. */
const savedIn = (folder: string) =>
  readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({
      file,
      history: historyFromJSON(JSON.parse(readFileSync(path.join(folder, file), 'utf8'))),
    }));

test('the words every recorded scenario sent are in its history saved before ids replaced them, and in no history saved since', async () => {
  // Given the words each scenario sent, read from its history recorded before this change
  const before = savedIn(BEFORE);
  const words = new Set<string>();
  const wordless: string[] = [];
  for (const { file, history } of before) {
    const sent = await wordsSentIn(history, codec());
    if (sent.length === 0) wordless.push(file);
    const text = await textOfHistory(history, codec());
    expect(sent.filter((word) => !patternOfWord(word).test(text))).toEqual([]); // the scan finds them there
    sent.forEach((word) => words.add(word));
  }
  expect(wordless).toEqual([]);
  expect(before.length).toBeGreaterThanOrEqual(25);
  expect(words.size).toBeGreaterThanOrEqual(30);

  // When every history saved since is scanned: one for each scenario recorded before, and any new
  // scenario's too (its own words are not in the list, so it is held to the rule that found them)
  const after = savedIn(dir);
  const paired = after.filter(({ file }) => before.some((b) => b.file === file));
  const notRecordedAgain = before.filter(({ file }) => !after.some((a) => a.file === file));
  expect(notRecordedAgain.map(({ file }) => file)).toEqual([]);
  const found: string[] = [];
  for (const { file, history } of after) {
    const text = await textOfHistory(history, codec());
    for (const word of words) if (patternOfWord(word).test(text)) found.push(`${file}: ${word}`);
    for (const word of await wordsSentIn(history, codec())) found.push(`${file} (sent): ${word}`);
  }
  console.log(
    `${words.size} words from ${before.length} histories recorded before; ${after.length} histories saved since scanned (${paired.length} paired by name, ${after.length - paired.length} new)`,
  );

  // Then none of them is there
  expect(after.length).toBeGreaterThanOrEqual(25);
  expect(found).toEqual([]);
});
