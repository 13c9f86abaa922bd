/**
 * Postgres ending the API's and the worker's idle connections — a restart, a failover, a DBA's
 * pg_terminate_backend — costs them nothing: each process logs it and opens new connections on its
 * next query. Before, the pool's `error` event had no listener and took the process down.
 */
import { createPool } from '../../db/pool';
import { freePort } from '../../scripts/stack/processes';
import { newEmployer, newPosting, newStudent, waitForStatus, applyAs } from '../helpers/actors';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { startApiProcess, startWorkerProcess } from '../helpers/worker-process';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ worker: false });
});
afterAll(() => h?.stop());

test('the API and the worker keep serving after Postgres ends every idle connection of theirs', async () => {
  // Each process's connections carry a name of their own, so only theirs are ended.
  const name = `mi_conn_${uniqueSuffix()}`.replace(/\W/g, '_');
  const urlFor = (role: string) => {
    const url = new URL(h.config.DATABASE_URL);
    url.searchParams.set('application_name', `${name}_${role}`);
    return url.toString();
  };
  const port = await freePort();
  const worker = await startWorkerProcess(h, { DATABASE_URL: urlFor('worker') });
  const api = await startApiProcess(h, port, { DATABASE_URL: urlFor('api') });
  const via: ApiHarness = { ...h, baseUrl: `http://127.0.0.1:${port}` };
  const idle = async (role: string) =>
    (
      await h.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle'`,
        [`${name}_${role}`],
      )
    ).rows[0]!.n;
  try {
    const employer = await newEmployer(via);
    const student = await newStudent(via, 'Grace Hopper');
    const first = await newPosting(via, employer);
    // The application's notice is written by the worker: it holds a connection, idle, afterwards.
    expect((await applyAs(via, student, first)).status).toBe(201);
    for (let i = 0; i < 100 && ((await idle('worker')) === 0 || (await idle('api')) === 0); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await idle('worker')).toBeGreaterThan(0);
    expect(await idle('api')).toBeGreaterThan(0);

    await h.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1`,
      [`${name}_%`],
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(api.log()).toMatch(/Postgres closed an idle connection/);
    expect(worker.log()).toMatch(/Postgres closed an idle connection/);

    // Both still run: the API answers, reads and writes; the worker runs the new workflow (the
    // read model shows its posting open) and takes an application.
    expect((await call(via.baseUrl, 'GET', '/healthz')).status).toBe(200);
    const second = await newPosting(via, employer);
    await waitForStatus(via, employer, second, 'Open');
    expect((await applyAs(via, student, second)).status).toBe(201);
  } finally {
    await api.stop();
    await worker.stop();
  }
});

test('a connection in use that Postgres ends fails its query, not the process', async () => {
  const name = `mi_busy_${uniqueSuffix()}`.replace(/\W/g, '_');
  const url = new URL(h.config.DATABASE_URL);
  url.searchParams.set('application_name', name);
  const pool = createPool(url.toString(), 1);
  try {
    // Held as a send holds its row while SMTP answers: a transaction open, no query running.
    const client = await pool.connect();
    await client.query('BEGIN');
    await h.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [
      name,
    ]);
    await new Promise((r) => setTimeout(r, 500));
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(true);
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
  } finally {
    await pool.end();
  }
});
