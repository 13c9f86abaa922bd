import { ApplicationFailure } from '@temporalio/activity';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { issueActionTokens } from '../db/action-tokens';
import { listApplicantContacts } from '../db/applications';
import { findInternship, findInternshipContact } from '../db/internships';
import { opsDigest } from '../db/ops';
import { findStudent } from '../db/students';
import { enqueueEmail, lockEmail, markEmailSent, unmarkEmailSent, type OutgoingEmail } from '../db/outbox';
import { inTransaction, type Db } from '../db/pool';
import { ErrorType, stepKey, type ApplicationStatus } from '../workflows/definitions';
import { formatUsd } from '../workflows/money';
import * as emails from './emails';
import { messageIdFor, type Mailer } from './mailer';

export interface NotificationDeps {
  db: Db;
  mailer: Mailer;
  /** Where reminders for operations staff go. */
  opsEmail: string;
  /** Base of the links in emails, e.g. https://app.example.com */
  publicBaseUrl: string;
  logger: Logger;
  /**
   * Hands a queued email to the worker's sender (the outbox relay), which sends it at once in the
   * background: a notice is done once its email is in the outbox, so a workflow task never waits
   * for SMTP. Without it, the notice sends the email itself before it returns.
   */
  sendSoon?: (dedupeKey: string) => void;
}

/** Sends the queued email now, or hands it to the worker's sender. */
async function dispatch(
  deps: Pick<NotificationDeps, 'db' | 'mailer' | 'logger' | 'sendSoon'>,
  dedupeKey: string,
) {
  if (deps.sendSoon) deps.sendSoon(dedupeKey);
  else await sendQueued(deps, dedupeKey);
}

/**
 * Sends an email at most once per dedupe key: the outbox row is written first (a second call with
 * the key changes nothing), then sent by sendQueued. A retry after a successful send finds it sent.
 */
export async function deliverOnce(
  deps: Pick<NotificationDeps, 'db' | 'mailer' | 'logger' | 'sendSoon'>,
  email: OutgoingEmail,
) {
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
  deps: Pick<NotificationDeps, 'db' | 'mailer' | 'logger'>,
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
      await dispatch(deps, dedupeKey);
    },

    /** §3.3 Accepted: the employer meets the student; every other applicant is told kindly. */
    async announceHire(p: { internshipId: string; applicationId: string; studentId?: string }) {
      const contact = await contactOf(p.internshipId);
      const hired = (await listApplicantContacts(deps.db, p.internshipId)).find(
        (a) => a.applicationId === p.applicationId,
      );
      // The workflow names the student: the profile goes out even if the application row lags.
      const studentId = p.studentId ?? hired?.studentId;
      const student = studentId && (await findStudent(deps.db, studentId));
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

    /**
     * Sends `kind` to the employer or the hired student of an internship, once per `occurrence`.
     * `links` become action links (stored hashed, valid until `expiresAt`) added to the email.
     */
    /** The ops digest of the day, once per day however often the schedule fires or retries. */
    async sendOpsDigest(): Promise<{ items: number }> {
      const digest = await opsDigest(deps.db);
      const day = new Date().toISOString().slice(0, 10);
      const section = (
        title: string,
        items: { title: string; status: string; since: string; internshipId: string }[],
      ) =>
        items.length
          ? [
              `${title} (${items.length}):`,
              ...items.map(
                (i) => `- ${i.title} — ${i.status} since ${i.since} — ${postingUrl(i.internshipId)}`,
              ),
            ]
          : [`${title}: none`];
      const lines = [
        ...section('Overdue decisions', digest.overdueDecisions),
        '',
        ...section('Open disputes', digest.openDisputes),
        '',
        ...section('Payouts waiting for an account', digest.payoutsWaiting),
      ];
      const items =
        digest.overdueDecisions.length + digest.openDisputes.length + digest.payoutsWaiting.length;
      await deliverOnce(deps, {
        dedupeKey: `ops-digest:${day}`,
        internshipId: null,
        to: deps.opsEmail,
        ...emails.notice({
          subject: `Ops digest for ${day}: ${items} item(s)`,
          greeting: 'Hello ops,',
          lines,
        }),
      });
      return { items };
    },

    async notifyParty(p: {
      internshipId: string;
      to: 'employer' | 'student' | 'ops';
      kind: NoticeKind;
      occurrence?: string;
      facts?: Record<string, string>;
      links?: { actions: string[]; decisionKey: string; expiresAt: string };
    }): Promise<void> {
      // One email per notice and recipient: several notices (a dispute, revealed feedback) go to both sides.
      const dedupeKey = stepKey(
        p.internshipId,
        `email:${p.kind}:${p.to}${p.occurrence ? `:${p.occurrence}` : ''}`,
      );
      await inTransaction(deps.db, async (tx) => {
        if (await lockEmail(tx, dedupeKey)) return;
        const contact = await findInternshipContact(tx, p.internshipId);
        const posting = await findInternship(tx, p.internshipId);
        const student = posting?.studentId ? await findStudent(tx, posting.studentId) : undefined;
        if (!contact || !posting || (p.to === 'student' && !student)) {
          throw ApplicationFailure.nonRetryable(
            `no ${p.to} for internship ${p.internshipId}`,
            ErrorType.NotFound,
          );
        }
        // Ops act through the API and the Temporal UI; links are for employers and students.
        const actor =
          p.to === 'ops'
            ? undefined
            : { role: p.to, id: p.to === 'employer' ? posting.employerId : student!.id };
        const tokens =
          p.links && actor
            ? await issueActionTokens(tx, {
                decisionKey: p.links.decisionKey,
                actions: p.links.actions,
                internshipId: p.internshipId,
                actorRole: actor.role,
                actorId: actor.id,
                expiresAt: p.links.expiresAt,
              })
            : [];
        const content = noticeContent(p.kind, {
          internshipId: p.internshipId,
          title: posting.title,
          company: contact.companyName,
          employerName: contact.contactName ?? contact.companyName,
          studentName: student?.name ?? '',
          fee: formatUsd(posting.feeCents),
          postingUrl: postingUrl(p.internshipId),
          ...p.facts,
        });
        const linkLines = tokens.map((t) => `${ACTION_LABELS[t.action] ?? t.action}: ${actionUrl(t.token)}`);
        const linkHtml = tokens
          .map((t) => `<p><a href="${actionUrl(t.token)}">${ACTION_LABELS[t.action] ?? t.action}</a></p>`)
          .join('');
        await enqueueEmail(tx, {
          dedupeKey,
          internshipId: p.internshipId,
          to:
            p.to === 'employer' ? contact.contactEmail : p.to === 'student' ? student!.email : deps.opsEmail,
          subject: content.subject,
          text: content.text + (linkLines.length ? `\n${linkLines.join('\n')}\n` : ''),
          html: content.html.replace('</body>', `${linkHtml}</body>`),
        });
      });
      await dispatch(deps, dedupeKey);
    },
  };
}

/** The words on the buttons of action links. */
export const ACTION_LABELS: Record<string, string> = {
  'funding.pay': 'Pay now',
  'payout.onboard': 'Set up payouts',
  'extension.approve': 'Approve the new due date',
  'extension.decline': 'Keep the current due date',
  'recovery.extend': 'Extend by 7 days',
  'recovery.reselect': 'Choose another applicant (the fee stays held)',
  'recovery.cancel': 'Cancel with a full refund',
  'hiring.accept': 'Accept the job offer',
  'hiring.decline': 'Decline the job offer',
};

export type NoticeKind =
  | 'pay-link'
  | 'unfunded-employer'
  | 'unfunded-student'
  | 'work-started'
  | 'work-started-employer'
  | 'work-midpoint'
  | 'work-due-soon'
  | 'submitted'
  | 'review-reminder'
  | 'changes-requested'
  | 'disputed'
  | 'approved'
  | 'payout-onboarding'
  | 'paid'
  | 'extension-requested'
  | 'extension-decided'
  | 'deadline-missed'
  | 'recovery-choice'
  | 'student-withdrew'
  | 'withdrawal-confirmed'
  | 'replaced'
  | 'refunded'
  | 'cancelled-kill-fee'
  | 'fee-exception-waiting'
  | 'fee-declined'
  | 'dispute-open'
  | 'dispute-resolved'
  | 'credential-issued'
  | 'feedback-revealed'
  | 'hiring-nudge'
  | 'hiring-offer'
  | 'hiring-answered';

/** The text of each notice; `f` carries title, company, names, fee and the step's own facts. */
function noticeContent(kind: NoticeKind, f: Record<string, string>): emails.EmailContent {
  const toStudent = `Hi ${f.studentName?.split(' ')[0] ?? ''},`;
  const toEmployer = `Hello ${f.employerName},`;
  switch (kind) {
    case 'pay-link':
      return emails.notice({
        subject: `Action needed: pay ${f.fee} for "${f.title}"`,
        greeting: toEmployer,
        lines: [
          `We could not charge your saved card for "${f.title}" (${f.reason ?? 'declined'}).`,
          `Please pay ${f.fee} by ${f.deadline}. Your student is waiting to start; if the fee is not paid by then, the micro-internship is cancelled.`,
        ],
      });
    case 'unfunded-employer':
      return emails.notice({
        subject: `"${f.title}" was cancelled: the fee was not paid`,
        greeting: toEmployer,
        lines: [
          `The fee for "${f.title}" was not paid within 3 days, so the micro-internship is cancelled. Nothing was charged.`,
        ],
      });
    case 'unfunded-student':
      return emails.notice({
        subject: `"${f.title}" will not go ahead`,
        greeting: toStudent,
        lines: [
          `We are sorry: ${f.company} did not fund "${f.title}", so it is cancelled. This was not about your work.`,
          'New micro-internships are posted every week.',
        ],
      });
    case 'work-started':
      return emails.notice({
        subject: `You can start "${f.title}": due ${f.dueAt}`,
        greeting: toStudent,
        lines: [`${f.company} has funded "${f.title}" (${f.fee}). The deliverable is due ${f.dueAt}.`],
        link: { href: f.postingUrl!, label: 'The brief' },
      });
    case 'work-started-employer':
      return emails.notice({
        subject: `${f.studentName} has started "${f.title}"`,
        greeting: toEmployer,
        lines: [`The fee is held and ${f.studentName} has started. The deliverable is due ${f.dueAt}.`],
      });
    case 'work-midpoint':
      return emails.notice({
        subject: `Halfway there: "${f.title}" is due ${f.dueAt}`,
        greeting: toStudent,
        lines: [
          `You are halfway to the due date of "${f.title}" (${f.dueAt}). If you need more time, ask for an extension now.`,
        ],
      });
    case 'work-due-soon':
      return emails.notice({
        subject: `Due in 24 hours: "${f.title}"`,
        greeting: toStudent,
        lines: [`"${f.title}" is due ${f.dueAt}. Submit a link to your deliverable with a few notes.`],
      });
    case 'submitted':
      return emails.notice({
        subject: `Submitted for review: "${f.title}"`,
        greeting: toEmployer,
        lines: [
          `${f.studentName} submitted the deliverable for "${f.title}": ${f.url}`,
          `Please approve it or ask for changes by ${f.reviewBy}. If we hear nothing by then, it is approved automatically and the student is paid.`,
        ],
      });
    case 'review-reminder':
      return emails.notice({
        subject: `${f.daysLeft === '1' ? '1 day' : `${f.daysLeft} days`} left to review "${f.title}"`,
        greeting: toEmployer,
        lines: [
          `Your review of "${f.title}" is due ${f.reviewBy}. Without a decision by then, the work is approved automatically.`,
        ],
      });
    case 'changes-requested':
      return emails.notice({
        subject: `Changes requested on "${f.title}"`,
        greeting: toStudent,
        lines: [`${f.company} asked for changes: ${f.comments}`, `Please resubmit by ${f.dueAt}.`],
      });
    case 'disputed':
      return emails.notice({
        subject: `"${f.title}" is with our team for a decision`,
        greeting: f.audience === 'employer' ? toEmployer : toStudent,
        lines: [
          'The work was rejected after the last round of changes. Our operations team will review it and decide how the fee is shared; the money stays held until then.',
        ],
      });
    case 'approved':
      return emails.notice({
        subject: `Approved: "${f.title}"`,
        greeting: toStudent,
        lines: [
          `Your work on "${f.title}" was approved${f.auto === 'true' ? ' (the review window ended without objections)' : ''}. Your payment is on its way.`,
        ],
      });
    case 'payout-onboarding':
      return emails.notice({
        subject: `Set up payouts to receive your pay for "${f.title}"`,
        greeting: toStudent,
        lines: [
          'To receive your pay we need a payout account. It takes a few minutes with our payments partner, Stripe.',
        ],
      });
    case 'extension-requested':
      return emails.notice({
        subject: `${f.studentName} asks for more time on "${f.title}"`,
        greeting: toEmployer,
        lines: [
          `${f.studentName} asks to move the due date of "${f.title}" from ${f.dueAt} to ${f.newDueAt}.`,
          `Their reason: ${f.reason}`,
          'Please answer before the current due date.',
        ],
      });
    case 'extension-decided':
      return emails.notice({
        subject:
          f.decision === 'approved'
            ? `Extension approved: "${f.title}" is now due ${f.dueAt}`
            : `Extension declined for "${f.title}"`,
        greeting: toStudent,
        lines: [
          f.decision === 'approved'
            ? `${f.company} approved your extension. The new due date is ${f.dueAt}.`
            : `${f.company} could not extend the due date. It stays ${f.dueAt}.`,
        ],
      });
    case 'deadline-missed':
      return emails.notice({
        subject: `The due date of "${f.title}" has passed`,
        greeting: f.audience === 'employer' ? toEmployer : toStudent,
        lines: [
          f.audience === 'employer'
            ? `The deliverable for "${f.title}" was not submitted by its due date. The student has until ${f.graceEnd} to submit; then we will ask you how to go on. Your money stays held.`
            : `The due date of "${f.title}" has passed without a submission. You can still submit until ${f.graceEnd}.`,
        ],
      });
    case 'recovery-choice':
      return emails.notice({
        subject: `How should "${f.title}" go on?`,
        greeting: toEmployer,
        lines: [
          `The work on "${f.title}" was not submitted, even after the grace period. Please choose by ${f.decideBy}: extend the due date, choose another applicant (your fee stays held), or cancel with a full refund.`,
          'If we hear nothing by then, the micro-internship is cancelled and the fee refunded in full.',
        ],
      });
    case 'student-withdrew':
      return emails.notice({
        subject: `${f.studentName} withdrew from "${f.title}"`,
        greeting: toEmployer,
        lines: [
          `${f.studentName} can no longer complete "${f.title}". Please choose by ${f.decideBy}: another applicant (your fee stays held) or a full refund.`,
          'If we hear nothing by then, the fee is refunded in full.',
        ],
      });
    case 'withdrawal-confirmed':
      return emails.notice({
        subject: `You have withdrawn from "${f.title}"`,
        greeting: toStudent,
        lines: [
          'Thank you for telling the employer. Your withdrawal is recorded; nothing more is needed from you.',
        ],
      });
    case 'replaced':
      return emails.notice({
        subject: `"${f.title}" has moved on`,
        greeting: toStudent,
        lines: [
          `As the work was not submitted, ${f.company} has chosen to continue "${f.title}" with another applicant.`,
        ],
      });
    case 'refunded':
      return emails.notice({
        subject: `Refunded: "${f.title}" is cancelled`,
        greeting: toEmployer,
        lines: [`"${f.title}" is cancelled and the fee of ${f.fee} is refunded in full.`],
      });
    case 'cancelled-kill-fee':
      return emails.notice({
        subject: `"${f.title}" was cancelled: you receive a kill fee`,
        greeting: toStudent,
        lines: [
          `${f.company} cancelled "${f.title}" (${f.reason}).`,
          'For the time you already put in, you receive 25% of the fee, less the platform share. We will send it to your payout account.',
        ],
      });
    case 'fee-exception-waiting':
      return emails.notice({
        subject: `Waiting for ops: a fee below the floor on "${f.title}" (day ${f.days})`,
        greeting: 'Hello ops,',
        lines: [
          `${f.company} asked for an exception to the fair-pay floor for "${f.title}" (${f.fee}). It has waited ${f.days} day(s).`,
          `Approve or decline: POST /v1/admin/internships/${f.internshipId}/fee-exception`,
        ],
        link: { href: f.postingUrl!, label: 'The posting' },
      });
    case 'fee-declined':
      return emails.notice({
        subject: `"${f.title}" was not approved`,
        greeting: toEmployer,
        lines: [
          `Every micro-internship on the platform is paid fairly. The fee of ${f.fee} for "${f.title}" is below our hourly floor and the exception was declined, so the posting is cancelled. Nothing was charged.`,
          'You are welcome to post it again with a fee at or above the floor.',
        ],
      });
    case 'dispute-open':
      return emails.notice({
        subject: `Dispute open for ${f.days} day(s): "${f.title}"`,
        greeting: 'Hello ops,',
        lines: [
          `The work on "${f.title}" (${f.company}, ${f.fee}) was rejected after the last round of changes and waits for your decision.`,
          `Resolve with the student's share: POST /v1/admin/internships/${f.internshipId}/resolution`,
        ],
        link: { href: f.postingUrl!, label: 'The internship' },
      });
    case 'dispute-resolved':
      return emails.notice({
        subject: `The dispute on "${f.title}" is resolved`,
        greeting: f.audience === 'employer' ? toEmployer : toStudent,
        lines: [
          `Our operations team decided that the student receives ${f.pct}% of the fee (less the platform share); the rest is refunded to the employer.`,
        ],
      });
    case 'credential-issued':
      return emails.notice({
        subject: `Your credential for "${f.title}" is ready`,
        greeting: toStudent,
        lines: [
          `Congratulations on completing "${f.title}" for ${f.company}. A verifiable credential is now in your portfolio.`,
          'Tell us how it went: your feedback and theirs stay hidden from each other until both are in, or for 14 days.',
        ],
      });
    case 'feedback-revealed':
      return emails.notice({
        subject: `Feedback on "${f.title}" is now visible`,
        greeting: f.audience === 'employer' ? toEmployer : toStudent,
        lines: ['The feedback for this micro-internship can now be read by both sides.'],
        link: { href: f.postingUrl!, label: 'Read it' },
      });
    case 'hiring-nudge':
      return emails.notice({
        subject: `Hire ${f.studentName}? It has been ${f.days} days since "${f.title}"`,
        greeting: toEmployer,
        lines: [
          `${f.studentName} completed "${f.title}" ${f.days} days ago. Micro-internships are a way to hire on demonstrated work: if you liked it, make an offer.`,
          `POST ${f.postingUrl}/hiring-offer with the role, type, pay, start date and an expiry of up to 30 days.`,
        ],
        link: { href: f.postingUrl!, label: 'The internship' },
      });
    case 'hiring-offer':
      return emails.notice({
        subject: `${f.company} offers you a job: ${f.role}`,
        greeting: toStudent,
        lines: [
          `After your work on "${f.title}", ${f.company} offers you the role of ${f.role} at ${f.pay}, starting ${f.startDate}.`,
          `Please answer by ${f.expiresAt}.`,
        ],
      });
    case 'hiring-answered':
      return emails.notice({
        subject: `${f.studentName} ${f.answer} your offer for ${f.role}`,
        greeting: toEmployer,
        lines: [`${f.studentName} ${f.answer} the offer for ${f.role}.`],
      });
    case 'paid':
      return emails.notice({
        subject: `You have been paid for "${f.title}"`,
        greeting: toStudent,
        lines: [`We sent ${f.amount} to your payout account. Expect it by ${f.paidBy}.`],
      });
  }
}
