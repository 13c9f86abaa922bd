/**
 * `npm start` keeps the platform up: an API or worker process that dies is started again with
 * backoff, said in the output, instead of the whole stack stopping. Runs scripts/start.ts itself,
 * on free ports and a data folder of its own (embedded Postgres, dev server, maildev, stripe-mock).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from '../../scripts/stack/processes';
import { nextRestartDelay } from '../../scripts/stack/supervisor';

const repo = path.resolve(__dirname, '..', '..');
/** A synchronous check in the shape waitFor polls. */
const now = (check: () => boolean) => () => Promise.resolve(check());

test('the restart backoff doubles from 1 s to at most 30 s, and starts over after a stable minute', () => {
  const waits: number[] = [];
  let wait: number | undefined;
  for (let i = 0; i < 7; i++) waits.push((wait = nextRestartDelay(wait, 2_000)));
  expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  expect(nextRestartDelay(30_000, 61_000)).toBe(1_000);
});

describe('npm start', () => {
  let start: ChildProcess | undefined;
  let output = '';
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mi-start-'));
  let apiUrl = '';

  beforeAll(async () => {
    const ports = await Promise.all(Array.from({ length: 7 }, () => freePort()));
    const [api, temporal, ui, postgres, smtp, inbox, stripe] = ports.map(String);
    apiUrl = `http://127.0.0.1:${api}`;
    start = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: repo,
      env: {
        ...process.env,
        API_PORT: api,
        PUBLIC_BASE_URL: apiUrl,
        TEMPORAL_PORT: temporal,
        TEMPORAL_UI_PORT: ui,
        POSTGRES_PORT: postgres,
        MAILDEV_SMTP_PORT: smtp,
        MAILDEV_WEB_PORT: inbox,
        STRIPE_MOCK_PORT: stripe,
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    start.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    start.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      'npm start',
      now(() => output.includes('Micro-internships is running')),
      90_000,
      () => start!.exitCode === null,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${output}`);
    });
  }, 120_000);

  afterAll(async () => {
    if (start && start.exitCode === null) {
      const exited = new Promise((resolve) => start!.once('exit', resolve));
      start.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  const pidOf = (name: string) => {
    const all = [
      ...output.matchAll(new RegExp(`\\[start\\] ${name} running(?: again)? \\(pid (\\d+)\\)`, 'g')),
    ];
    return Number(all.at(-1)?.[1]);
  };

  test('a killed API is started again after a said backoff, and answers as before; the stack stays up', async () => {
    const first = pidOf('API');
    expect(first).toBeGreaterThan(0);
    expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200);

    process.kill(first, 'SIGKILL');
    await waitFor(
      'the restart notice',
      now(() => /API was killed by SIGKILL .*restarting in 1 s/.test(output)),
      10_000,
    );
    await waitFor(
      'a new API',
      now(() => pidOf('API') !== first),
      60_000,
    );
    await waitFor('the new API to answer', async () => (await fetch(`${apiUrl}/healthz`)).ok, 30_000);
    expect(pidOf('API')).not.toBe(first);
    expect((await fetch(`${apiUrl}/readyz`)).status).toBe(200);
    expect(start!.exitCode).toBeNull();
    expect(output).not.toContain('stopping the stack');
  }, 90_000);

  test('a killed worker is started again too', async () => {
    const first = pidOf('worker');
    process.kill(first, 'SIGKILL');
    await waitFor(
      'a new worker',
      now(() => pidOf('worker') !== first),
      30_000,
    );
    expect(output).toMatch(/worker was killed by SIGKILL .*restarting in \d+ s/);
    expect(start!.exitCode).toBeNull();
  }, 60_000);

  test('SIGTERM stops everything it started', async () => {
    const exited = new Promise<number | null>((resolve) => start!.once('exit', resolve));
    start!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('[start] stopped');
    await expect(fetch(`${apiUrl}/healthz`)).rejects.toThrow();
  }, 60_000);
});
