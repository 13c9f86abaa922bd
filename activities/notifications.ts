import { ApplicationFailure } from '@temporalio/activity';
import { issueActionTokens } from '../db/action-tokens';
import { listApplicantContacts } from '../db/applications';
import { findInternship, findInternshipContact } from '../db/internships';
import { opsDigest } from '../db/ops';
import { findStudent } from '../db/students';
import { forPeople } from '../lib/dates';
import { enqueueEmail, lockEmail } from '../db/outbox';
import { inTransaction, type Queryable } from '../db/pool';
import { findText, type TextKind } from '../db/texts';
import { ErrorType, stepKey, type ApplicationStatus } from '../workflows/definitions';
import { formatUsd } from '../workflows/money';
import type { HireEmail, Notice, OfferEmail, SelectionReminderEmail } from '../workflows/notices';
import * as emails from './emails';
import { ACTION_LABELS, noticeContent } from './notice-templates';
import { deliverOnce, dispatch, type OutboxDeps } from '../lib/mail/outbox';
import { webPaths } from '../lib/web-paths';

export interface NotificationDeps extends OutboxDeps {
  /** Where reminders for operations staff go. */
  opsEmail: string;
  /** Base of the links in emails, e.g. https://app.example.com */
  publicBaseUrl: string;
}

/** What the notice activities share: the links they write, the posting's contact, mailing every applicant. */
function noticeContext(deps: NotificationDeps) {
  // Links in emails open the web app's page of the internship for the person it is written to.
  const pageOf = {
    employer: webPaths.employerPosting,
    student: webPaths.studentPosting,
    ops: webPaths.opsInternship,
  };
  const postingUrl = (internshipId: string, to: keyof typeof pageOf = 'employer') =>
    `${deps.publicBaseUrl}${pageOf[to](internshipId)}`;
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
    content: (p: {
      studentName: string;
      companyName: string;
      title: string;
      timeZone: string;
    }) => emails.EmailContent,
  ) => {
    const contact = await contactOf(internshipId);
    for (const applicant of await listApplicantContacts(deps.db, internshipId)) {
      // An erased student is told nothing (their address is gone).
      if (!statuses.includes(applicant.status) || !applicant.email) continue;
      await deliverOnce(deps, {
        dedupeKey: stepKey(internshipId, `email:${kind}:${applicant.applicationId}`),
        internshipId,
        to: applicant.email,
        ...content({
          studentName: applicant.name,
          companyName: contact.companyName,
          title: contact.title,
          timeZone: applicant.timeZone,
        }),
      });
    }
  };
  return { postingUrl, actionUrl, contactOf, mailApplicants };
}

type NoticeContext = ReturnType<typeof noticeContext>;

/** The email activities: each puts its email into the outbox under a business dedupe key, once. */
export function createNotificationActivities(deps: NotificationDeps) {
  const ctx = noticeContext(deps);
  return {
    ...postingNotices(deps, ctx),
    ...offerNotices(deps, ctx),
    ...opsNotices(deps, ctx),
    ...partyNotices(deps, ctx),
  };
}

/** §3.1–3.2 The posting expired, the employer reminded to choose, the applicants told it closed. */
function postingNotices(deps: NotificationDeps, ctx: NoticeContext) {
  const { postingUrl, contactOf, mailApplicants } = ctx;
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
    async remindEmployerToSelect(p: SelectionReminderEmail) {
      const contact = await contactOf(p.internshipId);
      await deliverOnce(deps, {
        dedupeKey: stepKey(p.internshipId, `email:select-reminder:round${p.round}:${p.daysLeft}d`),
        internshipId: p.internshipId,
        to: contact.contactEmail,
        ...emails.selectionReminder({
          ...contact,
          daysLeft: p.daysLeft,
          deadline: p.deadline,
          applicantsUrl: `${deps.publicBaseUrl}${webPaths.employerApplicants(p.internshipId)}`,
        }),
      });
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

/** §3.3 The offer to a student, and the hire announced to everyone it concerns. */
function offerNotices(deps: NotificationDeps, ctx: NoticeContext) {
  const { actionUrl, contactOf, mailApplicants } = ctx;
  return {
    /**
     * §3.3 Offered: the student gets Accept and Decline links, valid until the offer lapses. Tokens and
     * email are written in one transaction, so a retry reuses them instead of minting new links.
     */
    async sendOffer(p: OfferEmail) {
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
        if (!student.email) return; // erased: nobody to offer it to
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
            timeZone: student.timeZone,
            acceptUrl: url('offer.accept'),
            declineUrl: url('offer.decline'),
          }),
        });
      });
      await dispatch(deps, dedupeKey);
    },

    /** §3.3 Accepted: the employer meets the student; every other applicant is told kindly. */
    async announceHire(p: HireEmail) {
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
  };
}

/** The daily digest for operations staff. */
function opsNotices(deps: NotificationDeps, ctx: NoticeContext) {
  const { postingUrl } = ctx;
  return {
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
                (i) =>
                  `- ${i.title} — ${i.status} since ${forPeople(i.since, 'UTC')} — ${postingUrl(i.internshipId, 'ops')}`,
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
          subject: `Ops digest for ${forPeople(day, 'UTC')}: ${items} item(s)`,
          greeting: 'Hello ops,',
          lines,
        }),
      });
      return { items };
    },
  };
}

/**
 * The words a notice names by the id of their text (a submission's link, review comments, a
 * reason, a hiring offer's terms), read from Postgres as its template reads them. Notices of runs
 * from before carried the words themselves: nothing to read.
 */
async function wordsOf(db: Queryable, notice: Notice): Promise<Record<string, string>> {
  const facts = notice.facts as Record<string, unknown> | undefined;
  const textId = typeof facts?.textId === 'string' ? facts.textId : undefined;
  if (!textId) return {};
  const read = async <K extends TextKind>(kind: K) => {
    const text = await findText(db, textId, kind);
    if (!text)
      throw ApplicationFailure.nonRetryable(`text ${textId} (${kind}) not found`, ErrorType.NotFound);
    return text;
  };
  switch (notice.kind) {
    case 'submitted':
      return { url: (await read('submission')).url };
    case 'changes-requested':
      return { comments: (await read('review')).comments };
    case 'extension-requested':
      return { reason: (await read('extension')).reason };
    case 'cancelled-kill-fee':
    case 'cancelled-refund':
      return { reason: (await read('cancellation')).reason };
    case 'hiring-offer': {
      const offer = await read('hiring-offer');
      return {
        role: offer.role,
        pay: `${formatUsd(offer.payCents)} per ${offer.payPeriod}`,
        startDate: offer.startDate,
      };
    }
    case 'hiring-answered':
      return { role: (await read('hiring-offer')).role };
    default:
      return {};
  }
}

/**
 * The outbox key of a notice's email: one per notice and recipient, since several notices (a
 * dispute, revealed feedback) go to both sides. It must stay byte-identical across versions: a retry
 * that computed another key would send the email again.
 */
export const noticeDedupeKey = (p: Pick<Notice, 'internshipId' | 'kind' | 'to' | 'occurrence'>): string =>
  stepKey(p.internshipId, `email:${p.kind}:${p.to}${p.occurrence ? `:${p.occurrence}` : ''}`);

/** The employer's notices about money charged, refunded or owed: the billing contact gets a copy. */
const MONEY_NOTICES = new Set<Notice['kind']>([
  'pay-link',
  'unfunded-employer',
  'work-started-employer',
  'refunded',
  'cancelled-refund',
  'dispute-resolved',
]);
const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** An email with its action links under the words, one per decision. */
function withLinks(
  content: { subject: string; text: string; html: string },
  tokens: { action: string; token: string }[],
  actionUrl: (token: string) => string,
) {
  const label = (action: string) => ACTION_LABELS[action] ?? action;
  const linkLines = tokens.map((t) => `${label(t.action)}: ${actionUrl(t.token)}`);
  const linkHtml = tokens
    .map((t) => `<p><a href="${actionUrl(t.token)}">${label(t.action)}</a></p>`)
    .join('');
  return {
    subject: content.subject,
    text: content.text + (linkLines.length ? `\n${linkLines.join('\n')}\n` : ''),
    html: content.html.replace('</body>', `${linkHtml}</body>`),
  };
}

/** Every other notice (workflows/notices.ts), to the party it concerns. */
function partyNotices(deps: NotificationDeps, ctx: NoticeContext) {
  const { postingUrl, actionUrl } = ctx;
  return {
    /** One notice (workflows/notices.ts) to one party, once per dedupe key, with its action links. */
    async notifyParty(p: Notice): Promise<void> {
      const dedupeKey = noticeDedupeKey(p);
      let billingCopy: string | undefined;
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
        // An erased student is told nothing (their address is gone).
        if (p.to === 'student' && !student!.email) return;
        // Ops act through the API and the Temporal UI; links are for employers and students.
        const actor =
          p.to === 'ops'
            ? undefined
            : {
                role: p.to,
                id: p.to === 'employer' ? (contact.posterId ?? posting.employerId) : student!.id,
              };
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
        const email = withLinks(
          noticeContent(p.kind, {
            internshipId: p.internshipId,
            title: posting.title,
            company: contact.companyName,
            employerName: contact.contactName ?? contact.companyName,
            studentName: student?.name ?? '',
            fee: formatUsd(posting.feeCents),
            postingUrl: postingUrl(p.internshipId, p.to),
            timeZone: p.to === 'employer' ? contact.timeZone : p.to === 'student' ? student!.timeZone : 'UTC',
            ...p.facts,
            ...(await wordsOf(tx, p)),
          }),
          tokens,
          actionUrl,
        );
        const to =
          p.to === 'employer' ? contact.contactEmail : p.to === 'student' ? student!.email! : deps.opsEmail;
        await enqueueEmail(tx, { dedupeKey, internshipId: p.internshipId, to, ...email });
        // Money is also the organisation's billing contact's business.
        if (p.to === 'employer' && MONEY_NOTICES.has(p.kind) && !sameAddress(contact.billingEmail, to)) {
          billingCopy = `${dedupeKey}:billing`;
          await enqueueEmail(tx, {
            dedupeKey: billingCopy,
            internshipId: p.internshipId,
            to: contact.billingEmail,
            ...email,
          });
        }
      });
      await dispatch(deps, dedupeKey);
      if (billingCopy) await dispatch(deps, billingCopy);
    },
  };
}
