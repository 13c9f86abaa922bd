import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from 'pino';
import { issueActionTokens } from '../db/action-tokens';
import { listApplicantContacts } from '../db/applications';
import { findInternship, findInternshipContact } from '../db/internships';
import { findStudent } from '../db/students';
import { enqueueEmail, lockEmail, markEmailSent, type OutgoingEmail } from '../db/outbox';
import { inTransaction, type Db } from '../db/pool';
import { ErrorType, stepKey, type ApplicationStatus } from '../workflows/definitions';
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
  return sendQueued(deps, email.dedupeKey);
}

/** Sends the queued email with this key unless it went out already. */
async function sendQueued(deps: Pick<NotificationDeps, 'db' | 'mailer' | 'logger'>, dedupeKey: string) {
  return inTransaction(deps.db, async (tx) => {
    const row = await lockEmail(tx, dedupeKey);
    if (!row || row.sentAt) return { sent: false };
    const messageId = messageIdFor(dedupeKey);
    await deps.mailer.send({ to: row.to, subject: row.subject, text: row.text, html: row.html, messageId });
    await markEmailSent(tx, dedupeKey, messageId);
    deps.logger.info({ dedupeKey }, 'email sent');
    return { sent: true };
  });
}

export function createNotificationActivities(deps: NotificationDeps) {
  const postingUrl = (internshipId: string) => `${deps.publicBaseUrl}/v1/internships/${internshipId}`;
  const actionUrl = (token: string) => `${deps.publicBaseUrl}/actions/${token}`;

  const contactOf = async (internshipId: string) => {
    const contact = await findInternshipContact(deps.db, internshipId);
    if (!contact)
      throw ApplicationFailure.nonRetryable(`internship ${internshipId} not found`, ErrorType.NotFound);
    return contact;
  };

  /** One kind email to each applicant in `statuses`, each under its own dedupe key. */
  const mailApplicants = async (
    internshipId: string,
    kind: string,
    statuses: ApplicationStatus[],
    content: (p: { studentName: string; companyName: string; title: string }) => emails.EmailContent,
  ) => {
    const contact = await contactOf(internshipId);
    for (const applicant of await listApplicantContacts(deps.db, internshipId)) {
      if (!statuses.includes(applicant.status)) continue;
      await deliverOnce(deps, {
        dedupeKey: stepKey(internshipId, `email:${kind}:${applicant.applicationId}`),
        internshipId,
        to: applicant.email,
        ...content({ studentName: applicant.name, companyName: contact.companyName, title: contact.title }),
      });
    }
  };

  return {
    /** Open → Expired with no applicants: the employer learns the posting expired and nothing was charged. */
    async notifyPostingExpired(internshipId: string): Promise<void> {
      const contact = await contactOf(internshipId);
      await deliverOnce(deps, {
        dedupeKey: stepKey(internshipId, 'email:posting-expired'),
        internshipId,
        to: contact.contactEmail,
        ...emails.postingExpired({ ...contact, postingUrl: postingUrl(internshipId) }),
      });
    },

    /** §3.2 Selecting: the employer is reminded with 2 days and with 1 day left to choose. */
    async remindEmployerToSelect(p: {
      internshipId: string;
      daysLeft: number;
      round: number;
      deadline: string;
    }) {
      const contact = await contactOf(p.internshipId);
      await deliverOnce(deps, {
        dedupeKey: stepKey(p.internshipId, `email:select-reminder:round${p.round}:${p.daysLeft}d`),
        internshipId: p.internshipId,
        to: contact.contactEmail,
        ...emails.selectionReminder({
          ...contact,
          daysLeft: p.daysLeft,
          deadline: p.deadline,
          applicantsUrl: `${postingUrl(p.internshipId)}/applications`,
        }),
      });
    },

    /**
     * §3.3 Offered: the student gets Accept and Decline links, valid until the offer lapses. Tokens and
     * email are written in one transaction, so a retry reuses them instead of minting new links.
     */
    async sendOffer(p: {
      internshipId: string;
      applicationId: string;
      studentId: string;
      expiresAt: string;
    }) {
      const dedupeKey = stepKey(p.internshipId, `email:offer:${p.applicationId}`);
      await inTransaction(deps.db, async (tx) => {
        if (await lockEmail(tx, dedupeKey)) return;
        const [posting, student] = await Promise.all([
          findInternship(tx, p.internshipId),
          findStudent(tx, p.studentId),
        ]);
        const contact = await findInternshipContact(tx, p.internshipId);
        if (!posting || !student || !contact) {
          throw ApplicationFailure.nonRetryable(
            'offer for an unknown internship or student',
            ErrorType.NotFound,
          );
        }
        const links = await issueActionTokens(tx, {
          decisionKey: `offer:${p.applicationId}`,
          actions: ['offer.accept', 'offer.decline'],
          internshipId: p.internshipId,
          actorRole: 'student',
          actorId: p.studentId,
          expiresAt: p.expiresAt,
        });
        const url = (action: string) => actionUrl(links.find((l) => l.action === action)!.token);
        await enqueueEmail(tx, {
          dedupeKey,
          internshipId: p.internshipId,
          to: student.email,
          ...emails.offer({
            studentName: student.name,
            companyName: contact.companyName,
            title: posting.title,
            feeCents: posting.feeCents,
            expiresAt: p.expiresAt,
            acceptUrl: url('offer.accept'),
            declineUrl: url('offer.decline'),
          }),
        });
      });
      await sendQueued(deps, dedupeKey);
    },

    /** §3.3 Accepted: the employer meets the student; every other applicant is told kindly. */
    async announceHire(p: { internshipId: string; applicationId: string }) {
      const contact = await contactOf(p.internshipId);
      const hired = (await listApplicantContacts(deps.db, p.internshipId)).find(
        (a) => a.applicationId === p.applicationId,
      );
      const student = hired && (await findStudent(deps.db, hired.studentId));
      if (!student)
        throw ApplicationFailure.nonRetryable('accepted application not found', ErrorType.NotFound);
      await deliverOnce(deps, {
        dedupeKey: stepKey(p.internshipId, 'email:student-profile'),
        internshipId: p.internshipId,
        to: contact.contactEmail,
        ...emails.studentProfile({ ...contact, student }),
      });
      await mailApplicants(
        p.internshipId,
        'not-selected',
        ['not_selected', 'declined', 'lapsed'],
        emails.notSelected,
      );
    },

    /** §3.2 Nobody hired before the selection window closed: every applicant is told. */
    async notifyApplicantsPostingClosed(internshipId: string) {
      await mailApplicants(
        internshipId,
        'posting-closed',
        ['not_selected', 'declined', 'lapsed'],
        emails.postingClosedUnfilled,
      );
    },
  };
}
