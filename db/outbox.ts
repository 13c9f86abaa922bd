import type { Queryable } from './pool';

export interface OutgoingEmail {
  dedupeKey: string;
  internshipId: string | null;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Records the email once per dedupe key; a second call with the same key changes nothing. */
export async function enqueueEmail(db: Queryable, email: OutgoingEmail): Promise<void> {
  await db.query(
    `INSERT INTO email_outbox (dedupe_key, internship_id, recipient, subject, text_body, html_body)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dedupe_key) DO NOTHING`,
    [email.dedupeKey, email.internshipId, email.to, email.subject, email.text, email.html],
  );
}

export interface PendingEmail {
  dedupeKey: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: Date | null;
  /**
   * A send that began and whose outcome was never recorded (its sender died, or lost the SMTP
   * connection after the final "."): the email may or may not have been delivered. `doubtMs`: how
   * long since a sender first found it so (null: nobody has yet), measured by Postgres.
   */
  attempt: { id: string; doubtMs: number | null } | null;
}

/**
 * Locks the outbox row for the rest of the transaction, so two attempts cannot both send it. By
 * default a row another sender holds is skipped (undefined): that sender is sending it, and waiting
 * out its SMTP conversation would queue every sender behind one (the API's relay and the workers'
 * sweeps walk the same oldest-first backlog). `wait` waits for the lock instead.
 */
export async function lockEmail(
  db: Queryable,
  dedupeKey: string,
  { wait = false }: { wait?: boolean } = {},
): Promise<PendingEmail | undefined> {
  const { rows } = await db.query<{
    dedupe_key: string;
    recipient: string;
    subject: string;
    text_body: string;
    html_body: string;
    sent_at: Date | null;
    attempt_id: string | null;
    doubt_ms: number | null;
  }>(
    `SELECT *, (extract(epoch FROM clock_timestamp() - doubt_since) * 1000)::float8 AS doubt_ms
       FROM email_outbox WHERE dedupe_key = $1 FOR UPDATE${wait ? '' : ' SKIP LOCKED'}`,
    [dedupeKey],
  );
  const row = rows[0];
  return (
    row && {
      dedupeKey: row.dedupe_key,
      to: row.recipient,
      subject: row.subject,
      text: row.text_body,
      html: row.html_body,
      sentAt: row.sent_at,
      attempt: row.attempt_id ? { id: row.attempt_id, doubtMs: row.doubt_ms } : null,
    }
  );
}

/** Records that a send begins (committed before any SMTP byte, see sendQueued). */
export async function beginAttempt(db: Queryable, dedupeKey: string, attemptId: string): Promise<void> {
  await db.query(`UPDATE email_outbox SET attempt_id = $2, doubt_since = NULL WHERE dedupe_key = $1`, [
    dedupeKey,
    attemptId,
  ]);
}

/**
 * Notes when a sender first found this email in doubt. Its earlier sender is gone by then (it no
 * longer holds the row), so its final "." — if it wrote one — has reached the mail server.
 */
export async function noteDoubt(db: Queryable, dedupeKey: string): Promise<void> {
  await db.query(`UPDATE email_outbox SET doubt_since = clock_timestamp() WHERE dedupe_key = $1`, [
    dedupeKey,
  ]);
}

/** Forgets this attempt: it is known not to have delivered (it failed before the final "."). */
export async function endAttempt(db: Queryable, dedupeKey: string, attemptId: string): Promise<void> {
  await db.query(
    `UPDATE email_outbox SET attempt_id = NULL, doubt_since = NULL WHERE dedupe_key = $1 AND attempt_id = $2`,
    [dedupeKey, attemptId],
  );
}

/** Marks the email sent; the attempt that sent it (or was found to have sent it) is over. */
export async function markEmailSent(db: Queryable, dedupeKey: string, messageId: string): Promise<void> {
  await db.query(
    `UPDATE email_outbox SET sent_at = now(), message_id = $2, attempt_id = NULL, doubt_since = NULL
      WHERE dedupe_key = $1`,
    [dedupeKey, messageId],
  );
}

/**
 * Undoes markEmailSent when the message did not go through after it was marked (see sendQueued):
 * refused by the server (no attempt left: it was not delivered), or the connection lost after the
 * final "." (`inDoubt`: the attempt is kept, so the next sender finds out before sending again).
 */
export async function unmarkEmailSent(db: Queryable, dedupeKey: string, inDoubt?: string): Promise<void> {
  await db.query(
    `UPDATE email_outbox SET sent_at = NULL, message_id = NULL, attempt_id = $2, doubt_since = NULL
      WHERE dedupe_key = $1`,
    [dedupeKey, inDoubt ?? null],
  );
}
