import { decodeCursor, encodeCursor, type ListPage } from './keyset';
import type { Queryable } from './pool';

export interface Feedback {
  fromRole: 'employer' | 'student';
  rating: number;
  comment: string;
  endorsedSkills: string[];
  showRatingPublicly: boolean;
  createdAt: string;
  revealed: boolean;
}

export async function saveFeedback(
  db: Queryable,
  internshipId: string,
  f: Omit<Feedback, 'createdAt' | 'revealed'>,
): Promise<void> {
  await db.query(
    `INSERT INTO feedback (internship_id, from_role, rating, comment, endorsed_skills, show_rating_publicly)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [internshipId, f.fromRole, f.rating, f.comment, f.endorsedSkills, f.showRatingPublicly],
  );
}

export async function revealFeedback(db: Queryable, internshipId: string): Promise<void> {
  await db.query(`UPDATE feedback SET revealed_at = now() WHERE internship_id = $1 AND revealed_at IS NULL`, [
    internshipId,
  ]);
}

/** A row of `feedback`, as pg returns it, or as `row_to_json` gives it (dates as text). */
export interface FeedbackRow {
  from_role: 'employer' | 'student';
  rating: number;
  comment: string;
  endorsed_skills: string[];
  show_rating_publicly: boolean;
  created_at: Date | string;
  revealed_at: Date | string | null;
}

export const toFeedback = (r: FeedbackRow): Feedback => ({
  fromRole: r.from_role,
  rating: r.rating,
  comment: r.comment,
  endorsedSkills: r.endorsed_skills,
  showRatingPublicly: r.show_rating_publicly,
  createdAt: new Date(r.created_at).toISOString(),
  revealed: r.revealed_at !== null,
});

export async function listFeedback(db: Queryable, internshipId: string): Promise<Feedback[]> {
  const { rows } = await db.query<FeedbackRow>(`SELECT * FROM feedback WHERE internship_id = $1`, [
    internshipId,
  ]);
  return rows.map(toFeedback);
}

/** Who sees a credential besides its student (DESIGN §3.9): only as far as the student chose. */
export const CREDENTIAL_VISIBILITIES = ['private', 'link', 'portfolio'] as const;
export type CredentialVisibility = (typeof CREDENTIAL_VISIBILITIES)[number];

export interface StoredCredential {
  id: string;
  internshipId: string;
  studentId: string;
  payload: string;
  signature: string;
  /** The Open Badges 3.0 VC-JWT of `payload`; null when issued before badges and not yet downloaded. */
  vcJwt: string | null;
  visibility: CredentialVisibility;
  issuedAt: string;
}

/**
 * The id of an internship's credential: random, kept once given (retries and re-signing keep it).
 * The row is reserved here, unsigned and private, so concurrent attempts agree on one id.
 */
export async function reserveCredentialId(
  db: Queryable,
  c: { id: string; internshipId: string; studentId: string },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO credentials (id, internship_id, student_id, payload, signature) VALUES ($1, $2, $3, '', '')
     ON CONFLICT (internship_id) DO UPDATE SET internship_id = EXCLUDED.internship_id
     RETURNING id`,
    [c.id, c.internshipId, c.studentId],
  );
  return rows[0]!.id;
}

/** Signs (or re-signs) the reserved credential of an internship, and its badge; its id and visibility stay. */
export async function storeCredentialSignature(
  db: Queryable,
  c: { internshipId: string; payload: string; signature: string; vcJwt: string },
): Promise<void> {
  await db.query(
    `UPDATE credentials SET payload = $2, signature = $3, vc_jwt = $4 WHERE internship_id = $1`,
    [c.internshipId, c.payload, c.signature, c.vcJwt],
  );
}

/**
 * Keeps the badge made at the first download of a credential issued before badges. Only while the
 * statement is still the one it was made from and none is kept yet; else the one kept is returned.
 */
export async function storeBadgeOnce(
  db: Queryable,
  c: { id: string; payload: string; vcJwt: string },
): Promise<string | undefined> {
  const stored = await db.query<{ vc_jwt: string | null }>(
    `UPDATE credentials SET vc_jwt = $3 WHERE id = $1 AND payload = $2 AND vc_jwt IS NULL RETURNING vc_jwt`,
    [c.id, c.payload, c.vcJwt],
  );
  if (stored.rows[0]) return c.vcJwt;
  const { rows } = await db.query<{ vc_jwt: string | null }>(
    `SELECT vc_jwt FROM credentials WHERE id = $1 AND payload = $2`,
    [c.id, c.payload],
  );
  return rows[0]?.vc_jwt ?? undefined;
}

type CredentialRow = {
  id: string;
  internship_id: string;
  student_id: string;
  payload: string;
  signature: string;
  vc_jwt: string | null;
  visibility: CredentialVisibility;
  issued_at: Date;
};
const toCredential = (r: CredentialRow): StoredCredential => ({
  id: r.id,
  internshipId: r.internship_id,
  studentId: r.student_id,
  payload: r.payload,
  signature: r.signature,
  vcJwt: r.vc_jwt,
  visibility: r.visibility,
  issuedAt: r.issued_at.toISOString(),
});

export async function findCredential(db: Queryable, id: string): Promise<StoredCredential | undefined> {
  const { rows } = await db.query<CredentialRow>(`SELECT * FROM credentials WHERE id = $1`, [id]);
  return rows[0] && toCredential(rows[0]);
}

export async function findCredentialOfInternship(
  db: Queryable,
  internshipId: string,
): Promise<StoredCredential | undefined> {
  const { rows } = await db.query<CredentialRow>(
    `SELECT * FROM credentials WHERE internship_id = $1 AND signature <> ''`,
    [internshipId],
  );
  return rows[0] && toCredential(rows[0]);
}

/** The student's choice of who sees the credential; undefined when it is not theirs. */
export async function setCredentialVisibility(
  db: Queryable,
  c: { id: string; studentId: string; visibility: CredentialVisibility },
): Promise<StoredCredential | undefined> {
  const { rows } = await db.query<CredentialRow>(
    `UPDATE credentials SET visibility = $3 WHERE id = $1 AND student_id = $2 AND signature <> '' RETURNING *`,
    [c.id, c.studentId, c.visibility],
  );
  return rows[0] && toCredential(rows[0]);
}

/** The credentials a student listed in their portfolio, of work that was completed. */
export async function listPortfolioCredentials(
  db: Queryable,
  studentId: string,
): Promise<StoredCredential[]> {
  const { rows } = await db.query<CredentialRow>(
    `SELECT c.* FROM credentials c JOIN internships i ON i.id = c.internship_id
      WHERE c.student_id = $1 AND c.visibility = 'portfolio' AND i.status IN ('Completed', 'Closed')
      ORDER BY c.issued_at DESC`,
    [studentId],
  );
  return rows.map(toCredential);
}

/**
 * A student's own signed credentials, private ones included (not those reserved and not yet signed,
 * nor those revoked at erasure), newest first, in keyset pages over (issued_at, id).
 */
export async function listCredentialsOfStudent(
  db: Queryable,
  studentId: string,
  page: { limit: number; cursor?: string },
): Promise<ListPage<StoredCredential>> {
  const params: unknown[] = [studentId];
  const after = page.cursor ? decodeCursor(page.cursor) : undefined;
  const keyset = after
    ? `AND (issued_at, id) < ($${params.push(after.createdAt)}, $${params.push(after.id)})`
    : '';
  const { rows } = await db.query<CredentialRow>(
    `SELECT * FROM credentials WHERE student_id = $1 AND signature <> '' ${keyset}
      ORDER BY issued_at DESC, id DESC LIMIT $${params.push(page.limit + 1)}`,
    params,
  );
  const items = rows.slice(0, page.limit).map(toCredential);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      rows.length > page.limit && last ? encodeCursor({ createdAt: last.issuedAt, id: last.id }) : null,
  };
}

export interface HiringOffer {
  role: string;
  type: string;
  payCents: number;
  payPeriod: string;
  startDate: string;
  expiresAt: string;
}

export async function saveHiringOffer(
  db: Queryable,
  internshipId: string,
  offerNo: number,
  o: HiringOffer,
): Promise<void> {
  await db.query(
    `INSERT INTO hiring_offers (internship_id, offer_no, role, type, pay_cents, pay_period, start_date, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
    [internshipId, offerNo, o.role, o.type, o.payCents, o.payPeriod, o.startDate, o.expiresAt],
  );
}

export async function recordHiringOutcome(
  db: Queryable,
  internshipId: string,
  offerNo: number,
  outcome: 'accepted' | 'declined' | 'expired',
): Promise<void> {
  await db.query(
    `UPDATE hiring_offers SET outcome = $3, answered_at = now()
      WHERE internship_id = $1 AND offer_no = $2 AND outcome IS NULL`,
    [internshipId, offerNo, outcome],
  );
}

export async function hiringConversion(
  db: Queryable,
): Promise<{ offersMade: number; offersAccepted: number; completed: number }> {
  const { rows } = await db.query<{ made: string; accepted: string; completed: string }>(
    `SELECT (SELECT count(*) FROM hiring_offers)::text AS made,
            (SELECT count(*) FROM hiring_offers WHERE outcome = 'accepted')::text AS accepted,
            (SELECT count(*) FROM internships WHERE status IN ('Completed', 'Closed') AND student_id IS NOT NULL)::text AS completed`,
  );
  const r = rows[0]!;
  return { offersMade: Number(r.made), offersAccepted: Number(r.accepted), completed: Number(r.completed) };
}
