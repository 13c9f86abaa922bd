import type { Queryable } from './pool';

export type IdempotencyClaim =
  | { kind: 'new' }
  | { kind: 'replay'; status: number; response: unknown }
  | { kind: 'mismatch' }
  | { kind: 'in-progress' };

/** Longer than any request may take (Temporal calls give up after 10 s). */
export const STALE_CLAIM_SECONDS = 30;

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
  if (row.status === null) {
    // A claim older than any request can run belongs to a process that died mid-request (its
    // release never came): this retry takes it over. Routes make such a retry safe (the posting id
    // follows from the key; an application converges on the workflow's state).
    const taken = await db.query(
      `UPDATE idempotency_keys SET created_at = now()
        WHERE principal = $1 AND key = $2 AND status IS NULL
          AND created_at < now() - make_interval(secs => $3)`,
      [principal, key, STALE_CLAIM_SECONDS],
    );
    return taken.rowCount === 1 ? { kind: 'new' } : { kind: 'in-progress' };
  }
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
