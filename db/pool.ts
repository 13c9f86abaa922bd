import pg from 'pg';

export type Db = pg.Pool;
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

// bigint columns hold window lengths in milliseconds, well inside Number's safe range.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * A pool of at most `max` connections. When Postgres ends an idle one (a restart, a failover,
 * pg_terminate_backend), the pool drops it and the next query opens another; `onIdleError` hears of
 * it. When it ends one in use, that client's query fails and its holder releases it. Without these
 * listeners either would be an unheard `error` event, which ends the process.
 */
export function createPool(
  connectionString: string,
  max = 10,
  onIdleError: (err: Error) => void = () => undefined,
): Db {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', onIdleError);
  // The pool listens to its idle clients only; a checked-out client's error reaches its query.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Logs an idle connection that Postgres closed (the pool has already dropped it). */
export const logIdleError =
  (logger: { warn: (obj: object, msg: string) => void }) =>
  (err: Error): void =>
    logger.warn({ err: err.message }, 'Postgres closed an idle connection; the next query opens a new one');

/** Runs `work` in one transaction on one connection. */
export async function inTransaction<T>(db: Db, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
