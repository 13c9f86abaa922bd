/** What a student weighs in a posting, as the API gives it: fee, hours, windows and dates. */
import type { z } from 'zod';
import type { internshipSchema } from '../../../api/schemas';
import { money } from '../../forms';
import { html, type Html } from '../../html';
import { durationText, timeTag } from '../../time';

/** A posting as the API answers it (GET /v1/internships/:id), and as a list of my applications adds to it. */
export type Posting = z.infer<typeof internshipSchema> & { appliedAt?: string };

/** Words for the posting's lifecycle status, as a student reads them. */
export const STATUS_WORDS: Record<string, string> = {
  AwaitingApproval: 'Awaiting approval',
  Open: 'Open for applications',
  Selecting: 'Applications closed; the employer is choosing',
  Offered: 'An offer is out',
  Funding: 'The employer is paying the fee',
  InProgress: 'Work in progress',
  InReview: 'Work submitted; in review',
  Disputed: 'In dispute',
  Paying: 'Paying the student',
  Completed: 'Completed',
  Closed: 'Closed',
  Cancelled: 'Cancelled',
  Expired: 'Expired',
};

export const skillTags = (skills: string[]): Html =>
  html`<ul class="tags" aria-label="Skills">
    ${skills.map((s) => html`<li>${s}</li>`)}
  </ul>`;

/** Fee, hours, the due window, when applications close and when the student would be paid. */
export function postingFacts(p: Posting, zone: string): Html {
  const due = p.deadlines.due
    ? timeTag(p.deadlines.due, zone)
    : html`${durationText(p.windows.workMs)} after you accept an offer`;
  return html`<dl class="facts">
    <dt>Fee</dt>
    <dd>${money(p.feeCents)}</dd>
    <dt>Hours</dt>
    <dd>about ${p.estimatedHours}</dd>
    <dt>Due</dt>
    <dd>${due}</dd>
    <dt>Applications close</dt>
    <dd>${timeTag(p.deadlines.applications, zone)}</dd>
    <dt>Paid by</dt>
    <dd>
      ${
        p.paidBy
          ? timeTag(p.paidBy, zone)
          : html`set once the work is approved (review takes up to ${durationText(p.windows.reviewMs)})`
      }
    </dd>
  </dl>`;
}
