import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Queryable } from './pool';
import { hashToken } from './tokens';

/** Why the email was sent: its words differ, and an invitation lasts longer than a sign-in. */
export type ChallengePurpose = 'sign-in' | 'verify' | 'invite';

/** Wrong codes a challenge takes before it is locked and a new email is needed. */
export const MAX_CODE_ATTEMPTS = 5;

const codeHash = (challengeId: string, code: string) =>
  createHash('sha256').update(`${challengeId}:${code}`, 'utf8').digest();

/** Sign-in links carry their own prefix (email-link tokens for decisions are `mi_`). */
const LINK_PREFIX = 'mil_';
export const LINK_SHAPE = /^mil_[A-Za-z0-9_-]{43}$/;

/**
 * A new sign-in email's link and code (single use, both stored hashed), superseding the account's
 * earlier ones: only the newest email works.
 */
export async function createChallenge(
  db: Queryable,
  c: { accountId: string; purpose: ChallengePurpose; ttlSeconds: number },
): Promise<{ id: string; link: string; code: string; expiresAt: string }> {
  const id = randomUUID();
  const link = `${LINK_PREFIX}${randomBytes(32).toString('base64url')}`;
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await db.query(
    `UPDATE sign_in_challenges SET superseded_at = now()
      WHERE account_id = $1 AND used_at IS NULL AND superseded_at IS NULL`,
    [c.accountId],
  );
  const { rows } = await db.query<{ expires_at: Date }>(
    `INSERT INTO sign_in_challenges (id, account_id, purpose, link_hash, code_hash, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING expires_at`,
    [id, c.accountId, c.purpose, hashToken(link), codeHash(id, code), c.ttlSeconds],
  );
  return { id, link, code, expiresAt: rows[0]!.expires_at.toISOString() };
}

/** What using a link or a code came to. */
export type ChallengeRefusal =
  | { result: 'unknown' | 'used' | 'expired' | 'superseded' | 'locked' }
  | { result: 'wrong-code'; attemptsLeft: number };
export type ChallengeOutcome =
  { result: 'ok'; accountId: string; purpose: ChallengePurpose } | ChallengeRefusal;

interface ChallengeRow {
  id: string;
  account_id: string;
  purpose: ChallengePurpose;
  code_hash: Buffer;
  expires_at: Date;
  failed_attempts: number;
  locked_at: Date | null;
  used_at: Date | null;
  superseded_at: Date | null;
  now: Date;
}

function unusable(row: ChallengeRow): ChallengeRefusal | undefined {
  if (row.used_at) return { result: 'used' };
  if (row.superseded_at) return { result: 'superseded' };
  if (row.locked_at) return { result: 'locked' };
  if (row.expires_at.getTime() <= row.now.getTime()) return { result: 'expired' };
  return undefined;
}

/** Spends the challenge: only one of two simultaneous uses gets 'ok'. */
async function spend(db: Queryable, row: ChallengeRow): Promise<ChallengeOutcome> {
  const { rowCount } = await db.query(
    `UPDATE sign_in_challenges SET used_at = now()
      WHERE id = $1 AND used_at IS NULL AND superseded_at IS NULL AND locked_at IS NULL`,
    [row.id],
  );
  return rowCount === 1
    ? { result: 'ok', accountId: row.account_id, purpose: row.purpose }
    : { result: 'used' };
}

/** Uses the link of a sign-in email. */
export async function useLink(db: Queryable, link: string): Promise<ChallengeOutcome> {
  const { rows } = await db.query<ChallengeRow>(
    `SELECT *, now() AS now FROM sign_in_challenges WHERE link_hash = $1`,
    [hashToken(link)],
  );
  const row = rows[0];
  if (!row) return { result: 'unknown' };
  return unusable(row) ?? spend(db, row);
}

/** Whether a link is one of ours and still usable, without spending it (the page before the button). */
export async function peekLink(
  db: Queryable,
  link: string,
): Promise<ChallengeRefusal | { result: 'usable'; accountId: string; purpose: ChallengePurpose }> {
  const { rows } = await db.query<ChallengeRow>(
    `SELECT *, now() AS now FROM sign_in_challenges WHERE link_hash = $1`,
    [hashToken(link)],
  );
  const row = rows[0];
  if (!row) return { result: 'unknown' };
  return unusable(row) ?? { result: 'usable', accountId: row.account_id, purpose: row.purpose };
}

/**
 * Uses the code of the account's newest sign-in email. A wrong code counts against it; the fifth
 * locks it. Compared in constant time on the hash.
 */
export async function useCode(db: Queryable, accountId: string, code: string): Promise<ChallengeOutcome> {
  const { rows } = await db.query<ChallengeRow>(
    `SELECT *, now() AS now FROM sign_in_challenges
      WHERE account_id = $1 AND superseded_at IS NULL ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
    [accountId],
  );
  const row = rows[0];
  if (!row) return { result: 'unknown' };
  const stop = unusable(row);
  if (stop) return stop;
  if (!timingSafeEqual(codeHash(row.id, code), row.code_hash)) {
    const { rows: counted } = await db.query<{ failed_attempts: number }>(
      `UPDATE sign_in_challenges SET failed_attempts = failed_attempts + 1,
              locked_at = CASE WHEN failed_attempts + 1 >= $2 THEN now() END
        WHERE id = $1 RETURNING failed_attempts`,
      [row.id, MAX_CODE_ATTEMPTS],
    );
    const left = MAX_CODE_ATTEMPTS - counted[0]!.failed_attempts;
    return left > 0 ? { result: 'wrong-code', attemptsLeft: left } : { result: 'locked' };
  }
  return spend(db, row);
}

/** An OpenID Connect sign-in under way (state, nonce, PKCE verifier), usable once within 10 minutes. */
export async function saveOidcLogin(
  db: Queryable,
  l: { state: string; nonce: string; codeVerifier: string },
): Promise<void> {
  // Sign-ins older than their 10 minutes are of no use to anyone: the table stays small.
  await db.query(`DELETE FROM oidc_logins WHERE created_at < now() - interval '1 hour'`);
  await db.query(`INSERT INTO oidc_logins (state, nonce, code_verifier) VALUES ($1, $2, $3)`, [
    l.state,
    l.nonce,
    l.codeVerifier,
  ]);
}

export async function takeOidcLogin(
  db: Queryable,
  state: string,
): Promise<{ nonce: string; codeVerifier: string } | undefined> {
  const { rows } = await db.query<{ nonce: string; code_verifier: string }>(
    `UPDATE oidc_logins SET used_at = now()
      WHERE state = $1 AND used_at IS NULL AND created_at > now() - interval '10 minutes'
      RETURNING nonce, code_verifier`,
    [state],
  );
  const row = rows[0];
  return row && { nonce: row.nonce, codeVerifier: row.code_verifier };
}
