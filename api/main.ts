import { Client, Connection } from '@temporalio/client';
import { createPool } from '../db/pool';
import { loadConfig, loadDotEnv } from '../lib/config';
import { createLogger } from '../lib/logger';
import { createStripeClient } from '../lib/stripe';
import { TemporalRequests, temporalTarget } from '../lib/temporal';
import { createApp } from './app';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'api' });
  const db = createPool(config.DATABASE_URL);
  const { namespace, ...connectionOptions } = temporalTarget();
  const temporalRequests = new TemporalRequests();
  const connection = await Connection.connect({
    ...connectionOptions,
    interceptors: temporalRequests.interceptors,
  });
  const temporal = new Client({ connection, namespace });

  const stripe = createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE });
  const server = createApp({ db, temporal, temporalRequests, stripe, config, logger }).listen(
    config.API_PORT,
    () => {
      logger.info({ port: config.API_PORT }, `API listening on ${config.PUBLIC_BASE_URL}`);
    },
  );

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'API stopping: finishing in-flight requests');
    server.close(() => {
      void Promise.allSettled([connection.close(), db.end()]).then(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
