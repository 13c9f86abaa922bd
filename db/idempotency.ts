import type { Queryable } from './pool';

export type IdempotencyClaim =
  | { kind: 'new' }
  | { kind: 'replay'; status: number; response: unknown }
  | { kind: 'mismatch' }
  | { kind: 'in-progress' };

/** Reserves (principal, key) for this request, or reports what an earlier request with it left. */
export async function claimIdempotencyKey(
  db: Queryable,
  principal: string,
  key: string,
  requestHash: string,
): Promise<IdempotencyClaim> {
  const inserted = await db.query(
    `INSERT INTO idempotency_keys (principal, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [principal, key, requestHash],
  );
  if (inserted.rowCount === 1) return { kind: 'new' };
  const { rows } = await db.query<{ request_hash: string; status: number | null; response: unknown }>(
    `SELECT request_hash, status, response FROM idempotency_keys WHERE principal = $1 AND key = $2`,
    [principal, key],
  );
  const row = rows[0];
  if (!row) return { kind: 'in-progress' };
  if (row.request_hash !== requestHash) return { kind: 'mismatch' };
  if (row.status === null) return { kind: 'in-progress' };
  return { kind: 'replay', status: row.status, response: row.response };
}

export async function completeIdempotencyKey(
  db: Queryable,
  principal: string,
  key: string,
  status: number,
  response: unknown,
): Promise<void> {
  await db.query(`UPDATE idempotency_keys SET status = $3, response = $4 WHERE principal = $1 AND key = $2`, [
    principal,
    key,
    status,
    JSON.stringify(response),
  ]);
}

/** Frees the key after a failure that changed nothing, so the client's retry can go through. */
export async function releaseIdempotencyKey(db: Queryable, principal: string, key: string): Promise<void> {
  await db.query(`DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND status IS NULL`, [
    principal,
    key,
  ]);
}
