import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { enqueueEmail, lockEmail, markEmailSent, unmarkEmailSent, type OutgoingEmail } from '../../db/outbox';
import type { Db } from '../../db/pool';
import { messageIdFor, type Mailer } from './mailer';

/**
 * Every email leaves through the outbox in Postgres, once per business dedupe key: the workflow's
 * notices (activities) and the API's sign-in emails alike.
 */
export interface OutboxDeps {
  db: Db;
  mailer: Mailer;
  logger: Logger;
  /**
   * Hands a queued email to the worker's sender (the outbox relay), which sends it at once in the
   * background: a notice is done once its email is in the outbox, so a workflow task never waits
   * for SMTP. Without it, the caller sends the email itself before it returns.
   */
  sendSoon?: (dedupeKey: string) => void;
}

/** Sends the queued email now, or hands it to the worker's sender. */
export async function dispatch(deps: OutboxDeps, dedupeKey: string) {
  if (deps.sendSoon) deps.sendSoon(dedupeKey);
  else await sendQueued(deps, dedupeKey);
}

/**
 * Sends an email at most once per dedupe key: the outbox row is written first (a second call with
 * the key changes nothing), then sent by sendQueued. A retry after a successful send finds it sent.
 */
export async function deliverOnce(deps: OutboxDeps, email: OutgoingEmail) {
  await enqueueEmail(deps.db, email);
  await dispatch(deps, email.dedupeKey);
}

/**
 * Sends the queued email with this key unless it went out already, once even when the sender dies
 * mid-way: the row stays locked and is marked sent inside the transaction while the message goes
 * out, and the COMMIT is written right after the final "." that makes the server deliver, back to
 * back with no work between (Mailer.send's atFinish). A crash before that step leaves the server an
 * unfinished message, which it discards, and the row unsent for the retry; after it, both the "."
 * and the COMMIT have left this process. If the server then refuses the message, the mark is undone.
 * When SMTP refuses or cannot be reached, the email stays queued and the outbox relay sends it later.
 */
export async function sendQueued(
  deps: Omit<OutboxDeps, 'sendSoon'>,
  dedupeKey: string,
): Promise<{ sent: boolean; deferred?: boolean }> {
  const client = await deps.db.connect();
  let committed = false;
  try {
    await client.query('BEGIN');
    const row = await lockEmail(client, dedupeKey);
    if (!row || row.sentAt) {
      await client.query('COMMIT');
      committed = true;
      return { sent: false };
    }
    const messageId = messageIdFor(dedupeKey);
    // Marked sent inside the transaction; the commit starts with the final "." (Mailer.send).
    await markEmailSent(client, dedupeKey, messageId);
    let finishing: Promise<unknown> | undefined;
    try {
      await deps.mailer.send(
        { to: row.to, subject: row.subject, text: row.text, html: row.html, messageId },
        {
          atFinish: () => {
            // The COMMIT is queued on the corked connection and leaves right after the ".".
            const socket = (client as unknown as { connection: { stream: Socket } }).connection.stream;
            socket.cork();
            finishing = client.query('COMMIT');
            return () => socket.uncork();
          },
        },
      );
      await finishing;
      committed = true;
    } catch (err) {
      if (finishing) {
        // The commit went with the ".": if the server refused the message after all, undo the mark.
        committed = await finishing.then(
          () => true,
          () => false,
        );
        if (committed) await unmarkEmailSent(deps.db, dedupeKey);
      }
      deps.logger.warn(
        { dedupeKey, err: (err as Error).message },
        'email queued: the outbox relay will send it',
      );
      return { sent: false, deferred: true };
    }
    deps.logger.info({ dedupeKey }, 'email sent');
    return { sent: true };
  } finally {
    if (!committed) await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}
