import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './pool';

export type TokenRole = 'employer' | 'student';

export interface TokenSubject {
  role: TokenRole;
  subjectId: string;
}

export const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** A new bearer token: 256 random bits, prefixed so a leaked one is recognisable in a scan. */
export const newToken = (): string => `mi_${randomBytes(32).toString('base64url')}`;

/** Issues a token for the subject; only its hash is stored, the token itself is returned once. */
export async function issueToken(db: Queryable, subject: TokenSubject): Promise<string> {
  const token = newToken();
  await db.query(`INSERT INTO api_tokens (token_hash, role, subject_id) VALUES ($1, $2, $3)`, [
    hashToken(token),
    subject.role,
    subject.subjectId,
  ]);
  return token;
}

export async function findTokenSubject(db: Queryable, token: string): Promise<TokenSubject | undefined> {
  const { rows } = await db.query<{ role: TokenRole; subject_id: string }>(
    `SELECT role, subject_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
    [hashToken(token)],
  );
  const row = rows[0];
  return row && { role: row.role, subjectId: row.subject_id };
}
