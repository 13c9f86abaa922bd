/** What ops watch and what protects the API: metrics, readiness, request ids, headers, rate limits. */
import { Client, Connection } from '@temporalio/client';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import pino from 'pino';
import { createApp } from '../../api/app';
import { startTemporalDevServer } from '../../scripts/stack/services';
import { freePort } from '../../scripts/stack/processes';
import { readTools } from '../../scripts/stack/tools';
import { newEmployer, newStudent, samplePosting, staffSession } from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { uniqueSuffix } from '../helpers/env';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

async function listen(app: ReturnType<typeof createApp>): Promise<{ url: string; server: Server }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test('/metrics counts requests by route pattern and status', async () => {
  await call(h.baseUrl, 'GET', '/v1/internships/00000000-0000-0000-0000-000000000000', {
    token: await staffSession(h, 'admin'),
  });
  await call(h.baseUrl, 'POST', '/v1/internships', { body: {} });
  const text = await (await fetch(h.metricsUrl)).text();
  // Not on the public port.
  expect((await fetch(`${h.baseUrl}/metrics`)).status).toBe(404);
  expect(text).toMatch(
    /http_requests_total\{method="GET",route="\/v1\/internships\/:id",status="404"\} [1-9]/,
  );
  expect(text).toMatch(
    /http_requests_total\{method="POST",route="unmatched",status="401"\} [1-9]|http_requests_total\{method="POST",route="\/v1\/internships",status="401"\} [1-9]/,
  );
  expect(text).toContain('http_request_duration_seconds_bucket');
  expect(text).not.toContain('00000000-0000-0000-0000-000000000000');
});

test('every answer carries a request id (a given X-Request-Id is echoed) and security headers, and no CORS grant', async () => {
  const res = await fetch(`${h.baseUrl}/healthz`, {
    headers: { 'x-request-id': 'trace-123', origin: 'https://evil.example' },
  });
  expect(res.headers.get('x-request-id')).toBe('trace-123');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(res.headers.get('access-control-allow-origin')).toBeNull();
  expect((await fetch(`${h.baseUrl}/healthz`)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

test('sign-ups and email links are rate limited per address with a 429 problem', async () => {
  const { url, server } = await listen(
    createApp({
      db: h.db,
      temporal: h.temporal,
      stripe: h.stripe,
      mailer: h.mailer,
      config: { ...h.config, SIGNUP_RATE_LIMIT_PER_MINUTE: 2, ACTION_LINK_RATE_LIMIT_PER_MINUTE: 3 },
      logger: pino({ level: 'silent' }),
    }),
  );
  try {
    // Sign-ups are counted in Postgres, which every suite shares: this one comes from its own address.
    const from = { 'x-forwarded-for': `203.0.113.${Math.floor(Math.random() * 250) + 1}` };
    await h.db.query(`DELETE FROM rate_limits WHERE key = $1`, [
      `sign-up-address:${from['x-forwarded-for']}`,
    ]);
    const signUp = () =>
      call(url, 'POST', '/v1/students', {
        headers: from,
        body: {
          name: 'Sam Limit',
          email: `limit-${uniqueSuffix()}@students.test`,
          major: 'History',
          graduationYear: 2027,
          skills: ['writing'],
        },
      });
    expect((await signUp()).status).toBe(202);
    expect((await signUp()).status).toBe(202);
    const limited = await signUp();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(url, 'GET', '/openapi.json')).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${url}/actions/mi_${'A'.repeat(43)}`)).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('writes are limited per account and per address with a 429 problem; reads are not', async () => {
  const { url, server } = await listen(
    createApp({
      db: h.db,
      temporal: h.temporal,
      stripe: h.stripe,
      mailer: h.mailer,
      config: {
        ...h.config,
        WRITE_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: 3,
        WRITE_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: 5,
      },
      logger: pino({ level: 'silent' }),
    }),
  );
  try {
    const [ana, ben] = [await newStudent(h, 'Ana Bot'), await newStudent(h, 'Ben Bot')];
    const nowhere = '/v1/internships/00000000-0000-4000-8000-000000000000/applications/mine';
    const withdraw = (who: typeof ana) => call(url, 'DELETE', nowhere, { token: who.token });
    const statuses = async (n: number, act: () => Promise<{ status: number }>) => {
      const seen: number[] = [];
      for (let i = 0; i < n; i++) seen.push((await act()).status);
      return seen;
    };
    // One account: 3 writes a minute, then 429 naming the account; its reads still answer.
    expect(await statuses(4, () => withdraw(ana))).toEqual([404, 404, 404, 429]);
    // The 429 is held a second (REFUSAL_HOLD_MS); a read sent with it is answered meanwhile.
    const asked = performance.now();
    const since = () => performance.now() - asked;
    const [limited, read] = await Promise.all([
      withdraw(ana).then((answer) => ({ ...answer, ms: since() })),
      call(url, 'GET', '/v1/internships', { token: ana.token }).then((answer) => ({
        ...answer,
        ms: since(),
      })),
    ]);
    expect(limited.ms).toBeGreaterThanOrEqual(950);
    expect(read).toMatchObject({ status: 200, ms: expect.any(Number) });
    expect(read.ms).toBeLessThan(limited.ms);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.body).toMatchObject({ status: 429, detail: expect.stringContaining('account') });
    expect((await call(url, 'GET', '/v1/internships', { token: ana.token })).status).toBe(200);
    // The address has sent 5 writes: the next account from it is refused too, before its token is read.
    const fromAddress = await withdraw(ben);
    expect(fromAddress.status).toBe(429);
    expect(fromAddress.body).toMatchObject({ detail: expect.stringContaining('address') });
    expect((await call(url, 'POST', '/v1/internships', { body: {} })).status).toBe(429);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test("a web page's form post counts once against the address, not again for the API call it makes", async () => {
  const { url, server } = await listen(
    createApp({
      db: h.db,
      temporal: h.temporal,
      stripe: h.stripe,
      mailer: h.mailer,
      config: { ...h.config, WRITE_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: 3 },
      logger: pino({ level: 'silent' }),
    }),
  );
  try {
    const form = await signedOutForm(url);
    const signIn = async (n: number) =>
      (
        await fetch(`${url}/app/sign-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
          body: new URLSearchParams({
            _csrf: form.token,
            email: `page-limit-${n}-${uniqueSuffix()}@example.test`,
          }),
          redirect: 'manual',
        })
      ).status;
    // Each post calls POST /v1/auth/sign-in over loopback as this address: 3 posts, 3 writes counted.
    const seen: number[] = [];
    for (let n = 0; n < 4; n++) seen.push(await signIn(n));
    expect(seen).toEqual([303, 303, 303, 429]);
    // The exemption is this process's secret, not the header's name: a guess is counted.
    const guessed = await call(url, 'POST', '/v1/auth/sign-in', {
      body: { email: 'guess@example.test' },
      headers: { 'x-page-call': 'guess' },
    });
    expect(guessed.status).toBe(429);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

/** What a browser signed out holds after opening the sign-in page: its form cookie and the form's token. */
async function signedOutForm(url: string): Promise<{ cookie: string; token: string }> {
  const page = await fetch(`${url}/app/sign-in`);
  const cookie = page.headers
    .getSetCookie()
    .find((c) => c.startsWith('mi_form='))!
    .split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  return { cookie, token };
}

test('a sign-in form posted from another site is refused (login CSRF): the form token and its SameSite=Strict cookie must match', async () => {
  const page = await fetch(`${h.baseUrl}/app/sign-in`);
  const set = page.headers.getSetCookie().find((c) => c.startsWith('mi_form='))!;
  expect(set).toMatch(/HttpOnly/i);
  expect(set).toMatch(/SameSite=Strict/i);
  const form = await signedOutForm(h.baseUrl);
  const post = (headers: Record<string, string>, fields: Record<string, string>) =>
    fetch(`${h.baseUrl}/app/sign-in/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ email: 'someone@example.test', code: '123456', ...fields }),
      redirect: 'manual',
    });
  // Another site's form: no cookie (Strict), or a token of its own.
  expect((await post({}, {})).status).toBe(403);
  expect((await post({}, { _csrf: form.token })).status).toBe(403);
  expect((await post({ cookie: form.cookie }, { _csrf: 'x'.repeat(43) })).status).toBe(403);
  // Our own page's form reaches the API (which finds the code wrong: 401 shown beside the field).
  const ours = await post({ cookie: form.cookie }, { _csrf: form.token });
  expect(ours.status).toBe(401);
  expect(await ours.text()).toContain('Code from the email');
});

test('/readyz is 503 while the store of Temporal fails, although its frontend still answers, and a write then is a 503', async () => {
  const tools = readTools();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mi-readyz-store-'));
  const port = await freePort();
  const dbFile = path.join(dir, 'temporal.sqlite');
  // The rollback journal (not WAL): a lock held from outside then stops the server's reads too.
  const temporalServer = await startTemporalDevServer({
    executable: tools.temporal,
    port,
    uiPort: 0,
    headless: true,
    rollbackJournal: true,
    dbFile,
    logFile: path.join(dir, 'temporal.log'),
  });
  const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
  const temporal = new Client({ connection });
  const { url, server } = await listen(
    createApp({
      db: h.db,
      temporal,
      stripe: h.stripe,
      mailer: h.mailer,
      config: h.config,
      logger: pino({ level: 'silent' }),
    }),
  );
  const employer = await newEmployer(h);
  const lock = spawn(
    'python3',
    [
      '-c',
      `import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
con.execute('BEGIN EXCLUSIVE')
print('locked', flush=True)
sys.stdin.read()`,
      dbFile,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  try {
    expect((await call(url, 'GET', '/readyz')).status).toBe(200);
    await new Promise<void>((resolve, reject) => {
      lock.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
      lock.on('exit', (code) => reject(new Error(`the lock ended with ${code}`)));
    });
    await new Promise((r) => setTimeout(r, 1100)); // past the shared probe of the ready answer
    // The connection is up (GetSystemInfo answers), but no workflow can be read.
    await expect(temporal.workflowService.getSystemInfo({})).resolves.toBeDefined();
    const failing = await call(url, 'GET', '/readyz');
    expect(failing.status).toBe(503);
    expect(failing.headers.get('retry-after')).toBe('5');
    expect(failing.body).toMatchObject({ status: 'unavailable', temporal: 'down', postgres: 'ok' });
    const write = await call(url, 'POST', '/v1/internships', { token: employer.token, body: samplePosting });
    expect(write.status).toBe(503);
    expect(write.body).toMatchObject({ detail: 'Temporal is unavailable; try again shortly' });
    const { rowCount } = await h.db.query('SELECT 1 FROM internships WHERE employer_id = $1', [employer.id]);
    expect(rowCount).toBe(0);

    lock.stdin.end(); // the store recovers
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ready = (await call(url, 'GET', '/readyz')).status;
    }
    expect(ready).toBe(200);
  } finally {
    lock.kill();
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await connection.close();
    await temporalServer.stop();
  }
});

test("/readyz is 503 while Temporal is down and 200 again once it is back on the same data; a posting refused meanwhile does not spend the day's allowance", async () => {
  const tools = readTools();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mi-readyz-'));
  const port = await freePort();
  const start = () =>
    startTemporalDevServer({
      executable: tools.temporal,
      port,
      uiPort: 0,
      headless: true,
      dbFile: path.join(dir, 'temporal.sqlite'),
      logFile: path.join(dir, 'temporal.log'),
    });
  let temporalServer = await start();
  const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
  const temporal = new Client({ connection });
  const { url, server } = await listen(
    createApp({
      db: h.db,
      temporal,
      stripe: h.stripe,
      mailer: h.mailer,
      // One posting a day: the one refused while Temporal is down must not spend it.
      config: { ...h.config, POSTINGS_PER_ORGANISATION_PER_DAY: 1 },
      logger: pino({ level: 'silent' }),
    }),
  );
  try {
    expect((await call(url, 'GET', '/readyz')).body).toEqual({
      status: 'ready',
      temporal: 'ok',
      postgres: 'ok',
    });
    await temporalServer.stop();
    const down = await call(url, 'GET', '/readyz');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(down.body).toMatchObject({ temporal: 'down', postgres: 'ok' });
    // A write while Temporal is down: 503 with Retry-After, and no half-made posting left behind.
    const employer = await newEmployer(h);
    const write = await call(url, 'POST', '/v1/internships', { token: employer.token, body: samplePosting });
    expect(write.status).toBe(503);
    expect(write.headers.get('retry-after')).toBe('5');
    expect(write.body).toMatchObject({ status: 503, detail: 'Temporal is unavailable; try again shortly' });
    const { rowCount } = await h.db.query('SELECT 1 FROM internships WHERE employer_id = $1', [employer.id]);
    expect(rowCount).toBe(0);
    temporalServer = await start();
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++) {
      ready = (await call(url, 'GET', '/readyz')).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready).toBe(200);
    // The 503 gave the organisation's posting of the day back: the retry is posted.
    const retry = await call(url, 'POST', '/v1/internships', { token: employer.token, body: samplePosting });
    expect(retry.status).toBe(201);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    // Probes made while Temporal was down end at their 2 s deadline; let their last retry settle.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await connection.close();
    await temporalServer.stop();
  }
});

test('applications per student and postings per organisation are limited per day (counted in Postgres), 429 with Retry-After', async () => {
  const { url, server } = await listen(
    createApp({
      db: h.db,
      temporal: h.temporal,
      stripe: h.stripe,
      mailer: h.mailer,
      config: { ...h.config, APPLICATIONS_PER_STUDENT_PER_DAY: 2, POSTINGS_PER_ORGANISATION_PER_DAY: 3 },
      logger: pino({ level: 'silent' }),
    }),
  );
  try {
    const employer = await newEmployer(h);
    const post = () => call(url, 'POST', '/v1/internships', { token: employer.token, body: samplePosting });
    const postings: string[] = [];
    for (let i = 0; i < 3; i++) postings.push((await post()).body.id as string);
    const fourth = await post();
    expect(fourth.status).toBe(429);
    expect(fourth.body.detail).toMatch(/postings by your organisation today/);
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(3_600);

    const student = await newStudent(h, 'Ada Daily');
    const apply = (id: string) =>
      call(url, 'POST', `/v1/internships/${id}/applications`, {
        token: student.token,
        body: { pitch: 'I enjoy tidy data and say what I did.' },
      });
    expect((await apply(postings[0]!)).status).toBe(201);
    expect((await apply(postings[1]!)).status).toBe(201);
    const third = await apply(postings[2]!);
    expect(third.status).toBe(429);
    expect(third.body.detail).toMatch(/applications today/);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
