import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');

/**
 * Applies pending migrations (only the next `count` when given: a test builds an older schema) with node-pg-migrate's CLI (the package is ESM-only; a child process
 * keeps it out of the CommonJS app and out of Jest's module system).
 */
export async function migrate(databaseUrl: string, count?: number): Promise<string> {
  const cli = path.join(root, 'node_modules', 'node-pg-migrate', 'bin', 'node-pg-migrate.js');
  const { stdout } = await run(
    process.execPath,
    [
      cli,
      'up',
      ...(count === undefined ? [] : [String(count)]),
      '--migrations-dir',
      path.join(root, 'db', 'migrations'),
      '--migration-file-language',
      'sql',
    ],
    { env: { ...process.env, DATABASE_URL: databaseUrl }, cwd: root },
  );
  return stdout;
}

if (require.main === module) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is required');
    process.exit(1);
  }
  migrate(url).then(
    (out) => process.stdout.write(out),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
