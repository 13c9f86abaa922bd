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
}

/** Locks the outbox row for the rest of the transaction, so two attempts cannot both send it. */
export async function lockEmail(db: Queryable, dedupeKey: string): Promise<PendingEmail | undefined> {
  const { rows } = await db.query<{
    dedupe_key: string;
    recipient: string;
    subject: string;
    text_body: string;
    html_body: string;
    sent_at: Date | null;
  }>(`SELECT * FROM email_outbox WHERE dedupe_key = $1 FOR UPDATE`, [dedupeKey]);
  const row = rows[0];
  return (
    row && {
      dedupeKey: row.dedupe_key,
      to: row.recipient,
      subject: row.subject,
      text: row.text_body,
      html: row.html_body,
      sentAt: row.sent_at,
    }
  );
}

export async function markEmailSent(db: Queryable, dedupeKey: string, messageId: string): Promise<void> {
  await db.query(`UPDATE email_outbox SET sent_at = now(), message_id = $2 WHERE dedupe_key = $1`, [
    dedupeKey,
    messageId,
  ]);
}

/** Undoes markEmailSent when the server refused the message after it was marked (see sendQueued). */
export async function unmarkEmailSent(db: Queryable, dedupeKey: string): Promise<void> {
  await db.query(`UPDATE email_outbox SET sent_at = NULL, message_id = NULL WHERE dedupe_key = $1`, [
    dedupeKey,
  ]);
}
