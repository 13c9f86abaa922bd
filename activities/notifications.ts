import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from 'pino';
import { findInternshipContact } from '../db/internships';
import { enqueueEmail, lockEmail, markEmailSent, type OutgoingEmail } from '../db/outbox';
import { inTransaction, type Db } from '../db/pool';
import { ErrorType, stepKey } from '../workflows/definitions';
import * as emails from './emails';
import { messageIdFor, type Mailer } from './mailer';

export interface NotificationDeps {
  db: Db;
  mailer: Mailer;
  /** Base of the links in emails, e.g. https://app.example.com */
  publicBaseUrl: string;
  logger: Logger;
}

/**
 * Sends an email at most once per dedupe key: the outbox row is written first, then locked while the
 * message goes out and marked sent in the same transaction. A retry after a successful send finds it sent.
 */
export async function deliverOnce(
  deps: Pick<NotificationDeps, 'db' | 'mailer' | 'logger'>,
  email: OutgoingEmail,
) {
  await enqueueEmail(deps.db, email);
  return inTransaction(deps.db, async (tx) => {
    const row = await lockEmail(tx, email.dedupeKey);
    if (!row || row.sentAt) return { sent: false };
    const messageId = messageIdFor(email.dedupeKey);
    await deps.mailer.send({ to: row.to, subject: row.subject, text: row.text, html: row.html, messageId });
    await markEmailSent(tx, email.dedupeKey, messageId);
    deps.logger.info({ dedupeKey: email.dedupeKey, internshipId: email.internshipId }, 'email sent');
    return { sent: true };
  });
}

export function createNotificationActivities(deps: NotificationDeps) {
  const postingUrl = (internshipId: string) => `${deps.publicBaseUrl}/v1/internships/${internshipId}`;

  return {
    /** Open → Expired with no applicants: the employer learns the posting expired and nothing was charged. */
    async notifyPostingExpired(internshipId: string): Promise<void> {
      const contact = await findInternshipContact(deps.db, internshipId);
      if (!contact) {
        throw ApplicationFailure.nonRetryable(`internship ${internshipId} not found`, ErrorType.NotFound);
      }
      await deliverOnce(deps, {
        dedupeKey: stepKey(internshipId, 'email:posting-expired'),
        internshipId,
        to: contact.contactEmail,
        ...emails.postingExpired({ ...contact, postingUrl: postingUrl(internshipId) }),
      });
    },
  };
}
