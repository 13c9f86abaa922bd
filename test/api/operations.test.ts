/** What ops watch and what protects the API: metrics, readiness, request ids, headers, rate limits. */
import { Client, Connection } from '@temporalio/client';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import pino from 'pino';
import { createApp } from '../../api/app';
import { startTemporalDevServer } from '../../scripts/stack/services';
import { freePort } from '../../scripts/stack/processes';
import { readTools } from '../../scripts/stack/tools';
import { newEmployer, samplePosting } from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

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
    token: h.config.OPS_TOKEN,
  });
  await call(h.baseUrl, 'POST', '/v1/internships', { body: {} });
  const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
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
      config: { ...h.config, SIGNUP_RATE_LIMIT_PER_MINUTE: 2, ACTION_LINK_RATE_LIMIT_PER_MINUTE: 3 },
      logger: pino({ level: 'silent' }),
    }),
  );
  try {
    const signUp = () => call(url, 'POST', '/v1/students', { body: { name: 'x' } });
    expect((await signUp()).status).toBe(422);
    expect((await signUp()).status).toBe(422);
    const limited = await signUp();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await call(url, 'GET', '/openapi.json')).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${url}/actions/mi_${'A'.repeat(43)}`)).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('/readyz is 503 while Temporal is down and 200 again once it is back on the same data', async () => {
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
    createApp({ db: h.db, temporal, stripe: h.stripe, config: h.config, logger: pino({ level: 'silent' }) }),
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
  } finally {
    await new Promise((resolve) => server.close(resolve));
    // Probes made while Temporal was down end at their 2 s deadline; let their last retry settle.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await connection.close();
    await temporalServer.stop();
  }
});
