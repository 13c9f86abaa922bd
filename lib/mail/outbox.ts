import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import {
  beginAttempt,
  endAttempt,
  enqueueEmail,
  lockEmail,
  markEmailSent,
  noteDoubt,
  unmarkEmailSent,
  type OutgoingEmail,
} from '../../db/outbox';
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
 * How long an email stays in doubt, from the moment a sender first found it so, before the mail
 * server is asked: time for a message whose "." was the sender's last act to be stored there.
 */
export const IN_DOUBT_SETTLE_MS = 5_000;

/**
 * Sends the queued email with this key unless it went out already, once even when the sender dies
 * mid-way. First the attempt is recorded in its own committed write. Then the row is locked again
 * and marked sent inside a transaction while the message goes out, and the COMMIT is written right
 * after the final "." that makes the server deliver, back to back with no work between
 * (Mailer.send's atFinish). A crash before the "." leaves the server an unfinished message, which
 * it discards; after the COMMIT, the email is recorded as sent. A sender killed between those two
 * writes leaves its attempt on an unsent row: the email is in doubt. The next sender notes when it
 * found it so, and IN_DOUBT_SETTLE_MS later one asks the mail server whether it holds that
 * Message-ID (Mailer.findDelivered) before sending again; a mail server that cannot be asked gets it
 * again at once under the same Message-ID. If the server refuses the message after all, the mark is
 * undone. When SMTP cannot be reached the email stays queued (`deferred`: the relay's sweep stops
 * until next time); one it refuses is skipped by the sweep and tried again on the next. An email
 * another sender is sending at that moment is left to it (sent: false at once).
 */
export async function sendQueued(
  deps: Omit<OutboxDeps, 'sendSoon'>,
  dedupeKey: string,
): Promise<{ sent: boolean; deferred?: boolean }> {
  const client = await deps.db.connect();
  let open = false;
  const begin = async () => {
    await client.query('BEGIN');
    open = true;
  };
  const commit = async () => {
    open = false;
    await client.query('COMMIT');
  };
  try {
    await begin();
    const row = await lockEmail(client, dedupeKey);
    if (!row || row.sentAt) {
      await commit();
      return { sent: false };
    }
    const messageId = messageIdFor(dedupeKey);
    if (row.attempt) {
      const earlier = await settleEarlierAttempt(deps, row.attempt.doubtMs, messageId);
      if (earlier !== 'send again') {
        if (earlier === 'delivered') await markEmailSent(client, dedupeKey, messageId);
        if (row.attempt.doubtMs === null) await noteDoubt(client, dedupeKey);
        await commit();
        if (earlier === 'delivered') {
          deps.logger.info({ dedupeKey }, 'email in doubt found at the mail server: not sent again');
        } else if (earlier !== 'wait') {
          deps.logger.warn(
            { dedupeKey, err: earlier.lookupFailed },
            'email in doubt: the mail server could not be asked; tried again later',
          );
        }
        return { sent: false };
      }
    }
    const attemptId = randomUUID();
    await beginAttempt(client, dedupeKey, attemptId);
    await commit();

    await begin();
    // Waits: between this sender's two transactions another may hold the row only briefly (to note
    // the attempt in doubt), and skipping it here would leave the email to the next sweep.
    const again = await lockEmail(client, dedupeKey, { wait: true });
    if (!again || again.sentAt || again.attempt?.id !== attemptId) {
      // Another sender took over while this one stalled past IN_DOUBT_SETTLE_MS.
      await commit();
      return { sent: false };
    }
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
            open = false;
            return () => socket.uncork();
          },
        },
      );
      await finishing;
    } catch (err) {
      const committed = finishing
        ? await finishing.then(
            () => true,
            () => false,
          )
        : false;
      // An answer from the server (a refusal) is about this message; no answer, about SMTP.
      const refused = typeof (err as { responseCode?: unknown }).responseCode === 'number';
      if (!finishing) {
        // Failed before the ".": not delivered.
        await rollback();
        await endAttempt(client, dedupeKey, attemptId);
      } else if (committed) {
        // The commit went with the ".": a server that refused the message did not deliver it; a
        // connection lost before its answer leaves the email in doubt.
        await unmarkEmailSent(client, dedupeKey, refused ? undefined : attemptId);
      }
      deps.logger.warn(
        { dedupeKey, err: (err as Error).message },
        'email queued: the outbox relay will send it',
      );
      return { sent: false, ...(refused ? {} : { deferred: true }) };
    }
    deps.logger.info({ dedupeKey }, 'email sent');
    return { sent: true };
  } finally {
    await rollback();
    client.release();
  }

  async function rollback() {
    if (!open) return;
    open = false;
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/**
 * What to do with an email whose earlier attempt never recorded its outcome: wait until it has been
 * in doubt for IN_DOUBT_SETTLE_MS, then mark it sent if the mail server holds it, else send it again.
 */
async function settleEarlierAttempt(
  deps: Pick<OutboxDeps, 'mailer'>,
  doubtMs: number | null,
  messageId: string,
): Promise<'wait' | 'delivered' | 'send again' | { lookupFailed: string }> {
  if (!deps.mailer.findDelivered) return 'send again';
  if (doubtMs === null || doubtMs < IN_DOUBT_SETTLE_MS) return 'wait';
  try {
    return (await deps.mailer.findDelivered(messageId)) ? 'delivered' : 'send again';
  } catch (err) {
    return { lookupFailed: (err as Error).message };
  }
}
