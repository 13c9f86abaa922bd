import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CALLER_COLUMNS, CALLER_JOINS, toCaller, type Caller, type CallerRow } from './accounts';
import type { Queryable } from './pool';

export const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** A new bearer token: 256 random bits, prefixed so a leaked one is recognisable in a scan. */
export const newToken = (): string => `mi_${randomBytes(32).toString('base64url')}`;

/** A personal API token, for an integration: named, optionally expiring, revocable. */
export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

interface ApiTokenRow {
  id: string;
  account_id: string;
  name: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toApiToken = (r: ApiTokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at.toISOString(),
  expiresAt: r.expires_at?.toISOString() ?? null,
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
});

/** Issues a token for the account; only its hash is stored, the token itself is returned once. */
export async function issueApiToken(
  db: Queryable,
  // A Date, not the caller's text: Postgres refuses UTC offsets beyond ±15:59 that ISO 8601 allows.
  t: { accountId: string; name: string; expiresAt?: Date | null },
): Promise<{ token: string; apiToken: ApiToken }> {
  const token = newToken();
  const { rows } = await db.query<ApiTokenRow>(
    `INSERT INTO api_tokens (id, token_hash, account_id, name, expires_at) VALUES ($1, $2, $3, $4, $5)
     RETURNING *`,
    [randomUUID(), hashToken(token), t.accountId, t.name, t.expiresAt ?? null],
  );
  return { token, apiToken: toApiToken(rows[0]!) };
}

export type ApiTokenLookup =
  { state: 'active'; tokenId: string; caller: Caller } | { state: 'expired' | 'revoked' | 'unknown' };

/** A token by its value: active (with its caller), or why it is not. Records its use, once a minute. */
export async function findApiToken(db: Queryable, token: string): Promise<ApiTokenLookup> {
  const { rows } = await db.query<ApiTokenRow & CallerRow & { now: Date }>(
    `SELECT t.*, ${CALLER_COLUMNS}, now() AS now
       FROM api_tokens t JOIN accounts a ON a.id = t.account_id ${CALLER_JOINS}
      WHERE t.token_hash = $1`,
    [hashToken(token)],
  );
  const row = rows[0];
  if (!row) return { state: 'unknown' };
  if (row.revoked_at) return { state: 'revoked' };
  const caller = toCaller(row);
  if (!caller) return { state: 'revoked' };
  if (row.expires_at && row.expires_at.getTime() <= row.now.getTime()) return { state: 'expired' };
  if (!row.last_used_at || row.now.getTime() - row.last_used_at.getTime() > 60_000) {
    await db.query(`UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, [row.id]);
  }
  return { state: 'active', tokenId: row.id, caller };
}

/** The account's tokens that are not revoked, newest first (expired ones too, marked by their date). */
export async function listApiTokens(db: Queryable, accountId: string): Promise<ApiToken[]> {
  const { rows } = await db.query<ApiTokenRow>(
    `SELECT * FROM api_tokens WHERE account_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 100`,
    [accountId],
  );
  return rows.map(toApiToken);
}

/** Revokes one of the account's tokens; false when it has no such token still valid. */
export async function revokeApiToken(db: Queryable, accountId: string, tokenId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL`,
    [tokenId, accountId],
  );
  return rowCount === 1;
}
