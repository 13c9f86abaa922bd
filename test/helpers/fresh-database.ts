import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp } from '../../api/app';
import { migrate } from '../../db/migrate';
import { createPool, type Db } from '../../db/pool';
import type { ApiHarness } from './harness';

/**
 * A database of its own on the test stack's Postgres (migrated, or only up to `migrations`), and an
 * API over it: for what must start from an empty table (the first staff admin) or an older schema.
 */
export async function freshDatabase(h: ApiHarness, migrations?: number): Promise<{ url: string; db: Db }> {
  const name = `fresh_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  await h.db.query(`CREATE DATABASE ${name}`);
  const url = h.config.DATABASE_URL.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);
  await migrate(url, migrations);
  return { url, db: createPool(url, 2) };
}

/** The API over `db` (the harness's Temporal, Stripe and SMTP), listening on a free port. */
export async function apiOver(
  h: ApiHarness,
  database: { url: string; db: Db },
): Promise<{ baseUrl: string; stop: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = createApp({
      db: database.db,
      temporal: h.temporal,
      stripe: h.stripe,
      mailer: h.mailer,
      config: { ...h.config, DATABASE_URL: database.url },
      logger: pino({ level: 'silent' }),
    }).listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      await new Promise((resolve) => server.close(resolve));
      await database.db.end();
    },
  };
}
