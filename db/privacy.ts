import type { Queryable } from './pool';

/**
 * A student's data: everything the platform holds about them, for export; and its erasure, which
 * keeps amounts and ids (the ledger, the histories' ids) and nothing that names them or that they
 * wrote.
 */

/** Internships whose money for the student is held or on its way; erasure waits for them. */
export async function moneyInFlight(
  db: Queryable,
  studentId: string,
): Promise<{ id: string; status: string }[]> {
  const { rows } = await db.query<{ id: string; status: string }>(
    `SELECT id, status FROM internships
      WHERE student_id = $1
        AND (status IN ('Funding', 'InProgress', 'InReview', 'Disputed', 'Paying') OR payout = 'pending')`,
    [studentId],
  );
  return rows;
}

/** Offers waiting for the student's answer: they answer them first. */
export async function openOffers(db: Queryable, studentId: string): Promise<{ internshipId: string }[]> {
  const { rows } = await db.query<{ internship_id: string }>(
    `SELECT a.internship_id FROM applications a JOIN internships i ON i.id = a.internship_id
      WHERE a.student_id = $1 AND a.status = 'offered' AND i.status = 'Offered'`,
    [studentId],
  );
  return rows.map((r) => ({ internshipId: r.internship_id }));
}

/** Applications still waiting for a selection: erasure withdraws them first. */
export async function openApplications(db: Queryable, studentId: string): Promise<string[]> {
  const { rows } = await db.query<{ internship_id: string }>(
    `SELECT a.internship_id FROM applications a JOIN internships i ON i.id = a.internship_id
      WHERE a.student_id = $1 AND a.status = 'submitted' AND i.status IN ('Open', 'Selecting')`,
    [studentId],
  );
  return rows.map((r) => r.internship_id);
}

/**
 * The employer's review comments on the student's work: each review answers the submission just
 * before it on that internship, so after a re-selection the earlier rounds stay with the earlier
 * student. `$1` is the student's id.
 */
const REVIEWS_OF_THEIR_WORK = `
  SELECT r.id FROM texts r
   WHERE r.kind = 'review'
     AND r.internship_id IN (SELECT internship_id FROM texts WHERE author_id = $1 AND kind = 'submission')
     AND (SELECT s.author_id FROM texts s
           WHERE s.internship_id = r.internship_id AND s.kind = 'submission' AND s.created_at <= r.created_at
           ORDER BY s.created_at DESC LIMIT 1) = $1`;

type Row = Record<string, unknown>;
const rowsOf = async (db: Queryable, sql: string, args: unknown[]): Promise<Row[]> =>
  (await db.query<Row>(sql, args)).rows;

/** Everything held about the student, as JSON: what an export returns. */
export async function studentExport(db: Queryable, studentId: string): Promise<Record<string, unknown>> {
  const [account] = await rowsOf(
    db,
    `SELECT id, email, name, email_verified_at AS "verifiedAt", created_at AS "createdAt" FROM accounts WHERE id = $1`,
    [studentId],
  );
  const [profile] = await rowsOf(
    db,
    `SELECT name, school, major, graduation_year AS "graduationYear", skills, time_zone AS "timeZone",
            stripe_account_id AS "payoutAccount", created_at AS "createdAt"
       FROM students WHERE id = $1`,
    [studentId],
  );
  const applications = await rowsOf(
    db,
    `SELECT a.internship_id AS "internshipId", i.title AS "postingTitle", a.label, a.status, a.pitch, a.answers,
            a.created_at AS "createdAt"
       FROM applications a JOIN internships i ON i.id = a.internship_id
      WHERE a.student_id = $1 ORDER BY a.created_at`,
    [studentId],
  );
  const written = await rowsOf(
    db,
    `SELECT internship_id AS "internshipId", kind, body, created_at AS "createdAt"
       FROM texts WHERE author_id = $1 ORDER BY created_at`,
    [studentId],
  );
  const reviews = await rowsOf(
    db,
    `SELECT internship_id AS "internshipId", body->>'comments' AS comments, created_at AS "createdAt"
       FROM texts WHERE id IN (${REVIEWS_OF_THEIR_WORK}) ORDER BY created_at`,
    [studentId],
  );
  const feedback = await rowsOf(
    db,
    `SELECT f.internship_id AS "internshipId", f.from_role AS "from", f.rating, f.comment,
            f.endorsed_skills AS "endorsedSkills", f.created_at AS "givenAt", f.revealed_at AS "revealedAt"
       FROM feedback f JOIN internships i ON i.id = f.internship_id
      WHERE i.student_id = $1 AND (f.from_role = 'student' OR f.revealed_at IS NOT NULL)`,
    [studentId],
  );
  const credentials = await rowsOf(
    db,
    `SELECT id, internship_id AS "internshipId", visibility, payload, issued_at AS "issuedAt", revoked_at AS "revokedAt"
       FROM credentials WHERE student_id = $1`,
    [studentId],
  );
  const payouts = await rowsOf(
    db,
    `SELECT l.internship_id AS "internshipId", l.step, l.amount_cents AS "amountCents", l.created_at AS "at"
       FROM ledger l JOIN internships i ON i.id = l.internship_id
      WHERE i.student_id = $1 AND l.kind = 'transfer' ORDER BY l.created_at`,
    [studentId],
  );
  const hiringOffers = await rowsOf(
    db,
    `SELECT h.internship_id AS "internshipId", h.offer_no AS "offerNo", h.role, h.type, h.pay_cents AS "payCents",
            h.pay_period AS "payPeriod", h.start_date AS "startDate", h.expires_at AS "expiresAt", h.outcome
       FROM hiring_offers h JOIN internships i ON i.id = h.internship_id WHERE i.student_id = $1`,
    [studentId],
  );
  const sessions = await rowsOf(
    db,
    `SELECT id, client, method, user_agent AS "userAgent", created_at AS "createdAt", revoked_at AS "revokedAt"
       FROM sessions WHERE account_id = $1 ORDER BY created_at`,
    [studentId],
  );
  const apiTokens = await rowsOf(
    db,
    `SELECT id, name, created_at AS "createdAt", revoked_at AS "revokedAt" FROM api_tokens WHERE account_id = $1`,
    [studentId],
  );
  return {
    account,
    profile,
    applications,
    written,
    reviews,
    feedback,
    credentials,
    payouts,
    hiringOffers,
    sessions,
    apiTokens,
  };
}

/** The placeholder an erased student's name becomes wherever employers saw it. */
export const FORMER_STUDENT = 'A former student';

/**
 * Erases the student in one transaction: profile, pitches, answers, what they wrote (submissions,
 * reasons, feedback, their tokens' names), the review comments on their work and the emails about
 * them replaced with placeholders; their email unreachable; sessions, tokens and credentials
 * revoked. Ids and amounts stay (ledger, histories, audit).
 */
export async function eraseStudent(db: Queryable, studentId: string): Promise<void> {
  const [account] = await rowsOf(db, `SELECT email FROM accounts WHERE id = $1 FOR UPDATE`, [studentId]);
  const email = (account as { email: string | null } | undefined)?.email ?? null;
  const hired = `(SELECT id FROM internships WHERE student_id = $1)`;
  const statements: [string, unknown[]][] = [
    [
      `UPDATE students SET name = '${FORMER_STUDENT}', school = NULL, major = '', skills = '{}', graduation_year = 0,
              time_zone = 'UTC' WHERE id = $1`,
      [studentId],
    ],
    [`UPDATE applications SET pitch = '', answers = '{}' WHERE student_id = $1`, [studentId]],
    // The employer's words about the work go with the work; the decision stays in the history.
    [
      `UPDATE texts SET body = '{"comments": "", "erased": true}' WHERE id IN (${REVIEWS_OF_THEIR_WORK})`,
      [studentId],
    ],
    [`UPDATE texts SET body = '{"erased": true}' WHERE author_id = $1`, [studentId]],
    [
      `UPDATE feedback SET comment = '', endorsed_skills = '{}' WHERE from_role = 'student' AND internship_id IN ${hired}`,
      [studentId],
    ],
    [
      `UPDATE credentials SET payload = '{}', signature = '', vc_jwt = NULL, visibility = 'private', revoked_at = coalesce(revoked_at, now())
        WHERE student_id = $1`,
      [studentId],
    ],
    // Emails to them, and about the work they did (to its employer), keep their date and key only.
    [
      `UPDATE email_outbox SET recipient = CASE WHEN lower(recipient) = lower($2) THEN '[erased]' ELSE recipient END,
              subject = '[erased]', text_body = '[erased]', html_body = '[erased]',
              sent_at = coalesce(sent_at, now())
        WHERE lower(recipient) = lower($2) OR internship_id IN ${hired}`,
      [studentId, email ?? ''],
    ],
    // The shared limits count by email address (api/limits.ts): those counters go too.
    [
      `DELETE FROM rate_limits WHERE key IN ('sign-in-email:' || lower($1), 'code-email:' || lower($1), 'sign-up-email:' || lower($1))`,
      [email ?? ''],
    ],
    [
      `UPDATE sign_in_challenges SET superseded_at = coalesce(superseded_at, now()) WHERE account_id = $1`,
      [studentId],
    ],
    [
      `UPDATE accounts SET email = NULL, name = NULL, erased_at = now(), disabled_at = coalesce(disabled_at, now())
        WHERE id = $1`,
      [studentId],
    ],
    [
      `UPDATE sessions SET revoked_at = now(), user_agent = NULL WHERE account_id = $1 AND revoked_at IS NULL`,
      [studentId],
    ],
    [`UPDATE sessions SET user_agent = NULL WHERE account_id = $1`, [studentId]],
    [
      `UPDATE api_tokens SET name = '[erased]', revoked_at = coalesce(revoked_at, now()) WHERE account_id = $1`,
      [studentId],
    ],
  ];
  for (const [sql, args] of statements) await db.query(sql, args);
}
