import { randomBytes, randomUUID } from 'node:crypto';
import { CALLER_COLUMNS, CALLER_JOINS, toCaller, type Caller, type CallerRow } from './accounts';
import type { Queryable } from './pool';
import { hashToken } from './tokens';

export type SessionClient = 'api' | 'browser';
export type SignInMethod = 'email-link' | 'email-code' | 'oidc';

/** Session tokens carry their own prefix, so a request's credential is looked up in one table. */
export const SESSION_PREFIX = 'mis_';
export const isSessionToken = (token: string) => token.startsWith(SESSION_PREFIX);

export interface SessionLifetime {
  /** Ends after this long without a request. */
  idleSeconds: number;
  /** Ends this long after sign-in, however busy. */
  maxSeconds: number;
}

export interface Session {
  id: string;
  accountId: string;
  client: SessionClient;
  method: SignInMethod;
  userAgent: string | null;
  createdAt: string;
  lastUsedAt: string;
  /** When it ends if unused from now on (idle), never later than `expiresAt`. */
  idleExpiresAt: string;
  expiresAt: string;
}

interface SessionRow {
  id: string;
  account_id: string;
  client: SessionClient;
  method: SignInMethod;
  user_agent: string | null;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  csrf_token: string | null;
}

const toSession = (r: SessionRow, idleSeconds: number): Session => ({
  id: r.id,
  accountId: r.account_id,
  client: r.client,
  method: r.method,
  userAgent: r.user_agent,
  createdAt: r.created_at.toISOString(),
  lastUsedAt: r.last_used_at.toISOString(),
  idleExpiresAt: new Date(
    Math.min(r.last_used_at.getTime() + idleSeconds * 1000, r.expires_at.getTime()),
  ).toISOString(),
  expiresAt: r.expires_at.toISOString(),
});

/** Opens a session; its token (and a browser session's CSRF token) is returned once, stored hashed. */
export async function openSession(
  db: Queryable,
  s: { accountId: string; client: SessionClient; method: SignInMethod; userAgent?: string | undefined },
  lifetime: SessionLifetime,
): Promise<{ token: string; csrfToken: string | null; session: Session }> {
  const token = `${SESSION_PREFIX}${randomBytes(32).toString('base64url')}`;
  const csrfToken = s.client === 'browser' ? randomBytes(24).toString('base64url') : null;
  const { rows } = await db.query<SessionRow>(
    `INSERT INTO sessions (id, token_hash, account_id, client, method, csrf_token, user_agent, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8)) RETURNING *`,
    [
      randomUUID(),
      hashToken(token),
      s.accountId,
      s.client,
      s.method,
      csrfToken,
      s.userAgent?.slice(0, 300) ?? null,
      lifetime.maxSeconds,
    ],
  );
  return { token, csrfToken, session: toSession(rows[0]!, lifetime.idleSeconds) };
}

export type SessionLookup =
  | { state: 'active'; session: Session; caller: Caller; csrfToken: string | null }
  | { state: 'expired' | 'revoked' | 'unknown' };

/** A session by its token: active (with its caller), or why it is not. */
export async function findSession(
  db: Queryable,
  token: string,
  lifetime: SessionLifetime,
): Promise<SessionLookup> {
  const { rows } = await db.query<SessionRow & CallerRow & { now: Date }>(
    `SELECT s.*, ${CALLER_COLUMNS}, now() AS now
       FROM sessions s JOIN accounts a ON a.id = s.account_id ${CALLER_JOINS}
      WHERE s.token_hash = $1`,
    [hashToken(token)],
  );
  const row = rows[0];
  if (!row) return { state: 'unknown' };
  if (row.revoked_at) return { state: 'revoked' };
  const caller = toCaller(row);
  if (!caller) return { state: 'revoked' };
  const now = row.now.getTime();
  if (now >= row.expires_at.getTime() || now >= row.last_used_at.getTime() + lifetime.idleSeconds * 1000)
    return { state: 'expired' };
  return {
    state: 'active',
    session: toSession(row, lifetime.idleSeconds),
    caller,
    csrfToken: row.csrf_token,
  };
}

/** Records use for the idle expiry, at most once a minute per session (a write per request is waste). */
export async function touchSession(db: Queryable, session: Session): Promise<void> {
  if (Date.now() - Date.parse(session.lastUsedAt) < 60_000) return;
  await db.query(
    `UPDATE sessions SET last_used_at = now() WHERE id = $1 AND last_used_at < now() - interval '1 minute'`,
    [session.id],
  );
}

/** Ends one session of the account; false when it has none of that id still open. */
export async function revokeSession(db: Queryable, accountId: string, sessionId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE sessions SET revoked_at = now() WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL`,
    [sessionId, accountId],
  );
  return rowCount === 1;
}

/** The account's sessions that could still be used, newest first. */
export async function listSessions(
  db: Queryable,
  accountId: string,
  lifetime: SessionLifetime,
): Promise<Session[]> {
  const { rows } = await db.query<SessionRow>(
    `SELECT * FROM sessions
      WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > now()
        AND last_used_at > now() - make_interval(secs => $2)
      ORDER BY created_at DESC LIMIT 100`,
    [accountId, lifetime.idleSeconds],
  );
  return rows.map((r) => toSession(r, lifetime.idleSeconds));
}
