import type { Student } from '../db/students';
import { forPeople } from '../lib/dates';
import { formatUsd } from '../workflows/money';
import { escapeHtml, layout, type EmailContent } from '../lib/mail/content';

/** The words of every email; each returns subject, plain text and HTML with values escaped. */

export { notice, type EmailContent } from '../lib/mail/content';

export function postingExpired(p: {
  contactName: string | null;
  companyName: string;
  title: string;
  postingUrl: string;
}): EmailContent {
  const greeting = `Hello ${p.contactName ?? p.companyName},`;
  const lines = [
    greeting,
    `Your micro-internship "${p.title}" closed for applications without any applicant, so it has expired. Nothing was charged.`,
    'You are welcome to post it again, perhaps with a longer application window, a broader set of skills or a clearer deliverable.',
  ];
  return {
    subject: `Your posting "${p.title}" expired without applicants`,
    text: `${lines.join('\n\n')}\n\nPosting: ${p.postingUrl}\n`,
    html: layout(lines, { href: p.postingUrl, label: 'See the posting' }),
  };
}

const firstName = (name: string) => name.split(/\s+/)[0] ?? name;

export function selectionReminder(p: {
  contactName: string | null;
  companyName: string;
  title: string;
  daysLeft: number;
  deadline: string;
  /** The employer contact's: the deadline is written in it. */
  timeZone: string;
  applicantsUrl: string;
}): EmailContent {
  const left = p.daysLeft === 1 ? '1 day' : `${p.daysLeft} days`;
  const lines = [
    `Hello ${p.contactName ?? p.companyName},`,
    `You have ${left} left to choose a student for "${p.title}" (until ${forPeople(p.deadline, p.timeZone)}).`,
    'Pick one application, or a ranked shortlist of up to three: the first is offered at once and the next ones follow if a student declines. If nobody is chosen, the posting expires and the applicants are told.',
  ];
  return {
    subject: `${left} left to choose a student for "${p.title}"`,
    text: `${lines.join('\n\n')}\n\nApplicants: ${p.applicantsUrl}\n`,
    html: layout(lines, { href: p.applicantsUrl, label: 'Review the applicants' }),
  };
}

export function offer(p: {
  studentName: string;
  companyName: string;
  title: string;
  feeCents: number;
  expiresAt: string;
  /** The student's: the expiry is written in it. */
  timeZone: string;
  acceptUrl: string;
  declineUrl: string;
}): EmailContent {
  const fee = formatUsd(p.feeCents);
  const lines = [
    `Hi ${firstName(p.studentName)},`,
    `Good news: ${p.companyName} has chosen you for the micro-internship "${p.title}" (${fee}).`,
    `Please accept or decline by ${forPeople(p.expiresAt, p.timeZone)}. If you do not answer by then, the offer passes to another applicant.`,
  ];
  const links = [
    `<p><a href="${escapeHtml(p.acceptUrl)}">Accept the offer</a></p>`,
    `<p><a href="${escapeHtml(p.declineUrl)}">Decline the offer</a></p>`,
  ].join('');
  return {
    subject: `You have an offer: "${p.title}" at ${p.companyName}`,
    text: `${lines.join('\n\n')}\n\nAccept: ${p.acceptUrl}\nDecline: ${p.declineUrl}\n`,
    html: layout(lines).replace('</body>', `${links}</body>`),
  };
}

export function studentProfile(p: {
  contactName: string | null;
  companyName: string;
  title: string;
  student: Omit<Student, 'id' | 'createdAt'>;
}): EmailContent {
  const s = p.student;
  const lines = [
    `Hello ${p.contactName ?? p.companyName},`,
    `${s.name} accepted your offer for "${p.title}". Here is who you will work with:`,
    `Name: ${s.name}`,
    `Email: ${s.email}`,
    `School: ${s.school ?? '—'}`,
    `Major: ${s.major}, graduating ${s.graduationYear}`,
    `Skills: ${s.skills.join(', ')}`,
    'Next, the fee is charged to your saved card and held until the work is approved.',
  ];
  return {
    subject: `${s.name} accepted: meet your student for "${p.title}"`,
    text: `${lines.join('\n\n')}\n`,
    html: layout(lines),
  };
}

export function notSelected(p: { studentName: string; companyName: string; title: string }): EmailContent {
  const lines = [
    `Hi ${firstName(p.studentName)},`,
    `Thank you for applying to "${p.title}" at ${p.companyName}. This time another student was chosen.`,
    'Employers see many strong pitches; yours was read on its own merits. New micro-internships are posted every week, and every one you apply to is another chance to show what you can do.',
  ];
  return {
    subject: `An update on "${p.title}"`,
    text: `${lines.join('\n\n')}\n`,
    html: layout(lines),
  };
}

export function postingClosedUnfilled(p: {
  studentName: string;
  companyName: string;
  title: string;
}): EmailContent {
  const lines = [
    `Hi ${firstName(p.studentName)},`,
    `Thank you for applying to "${p.title}" at ${p.companyName}. The employer did not choose anyone, so the posting has closed without a hire.`,
    'This says nothing about your application. New micro-internships are posted every week; we hope to see your pitch on the next one.',
  ];
  return {
    subject: `"${p.title}" closed without a hire`,
    text: `${lines.join('\n\n')}\n`,
    html: layout(lines),
  };
}
