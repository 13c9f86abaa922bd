/**
 * Three API processes and two workers on one Temporal server and one Postgres, as behind a load
 * balancer: a burst of applications to one posting, spread over the replicas, stays under the
 * server's limit of Updates in flight per workflow (Postgres leases shared by the replicas,
 * api/update-gate.ts), so none is aborted and every student is accepted.
 */
import { readFileSync } from 'node:fs';
import { freePort } from '../../scripts/stack/processes';
import { applyAs, newEmployer, newPosting, newStudent } from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { startApiProcess, startWorkerProcess } from '../helpers/worker-process';

const REPLICAS = 3;
const STUDENTS = 150;

let h: ApiHarness;
const stops: (() => Promise<void>)[] = [];
const apis: string[] = [];
beforeAll(async () => {
  h = await startApiHarness({ worker: false });
  const workers = await Promise.all([0, 1].map(() => startWorkerProcess(h)));
  stops.push(...workers.map((w) => () => w.stop()));
  for (let i = 0; i < REPLICAS; i++) {
    const port = await freePort();
    const api = await startApiProcess(h, port, { LOG_LEVEL: 'warn' });
    stops.push(() => api.stop());
    apis.push(`http://127.0.0.1:${port}`);
  }
}, 120_000);
afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
  await h?.stop();
});

/** Lines of the dev server's log that tell of an aborted Update (the log is global-setup's). */
function abortedUpdatesLogged(): number {
  const file = process.env.TEMPORAL_SERVER_LOG;
  if (!file) throw new Error('TEMPORAL_SERVER_LOG is not set (test/global-setup.ts sets it)');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => /update.*abort|abort.*update/i.test(line)).length;
}

test(`${STUDENTS} simultaneous applications to one posting through ${REPLICAS} API replicas: all 201, none aborted`, async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer, { maxApplicants: 200 });
  const students = [];
  for (let i = 0; i < STUDENTS; i += 25) {
    students.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(25, STUDENTS - i) }, (_, j) =>
          newStudent(h, `Replica Student${i + j}`),
        ),
      )),
    );
  }
  const abortedBefore = abortedUpdatesLogged();

  const timings: number[] = [];
  const answers = await Promise.all(
    students.map(async (student, i) => {
      const began = performance.now();
      const res = await applyAs({ ...h, baseUrl: apis[i % REPLICAS]! }, student, id);
      timings.push(performance.now() - began);
      return res;
    }),
  );
  timings.sort((a, b) => a - b);
  const p99 = timings[Math.ceil(timings.length * 0.99) - 1]!;
  process.stdout.write(
    `${STUDENTS} applications over ${REPLICAS} replicas and 2 workers: p50 ${Math.round(timings[timings.length >> 1]!)} ms, p99 ${Math.round(p99)} ms, max ${Math.round(timings.at(-1)!)} ms\n`,
  );

  expect(answers.filter((a) => a.status !== 201).map((a) => [a.status, a.body.type])).toEqual([]);
  expect(new Set(answers.map((a) => a.body.label)).size).toBe(STUDENTS);
  expect(abortedUpdatesLogged() - abortedBefore).toBe(0);
  const posting = await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: employer.token });
  expect(posting.body.applicantCount).toBe(STUDENTS);
}, 180_000);
