/** What the employer's pages share: the posting and its engagement as the API answers them, and their words. */
import type { z } from 'zod';
import type { progressSchema } from '../../../api/routes/progress';
import type { blindApplicationSchema } from '../../../api/schemas';
import type { ApiAnswer } from '../../api-client';
import { html } from '../../html';
import { statusPage, viewerAs, type PageContext } from '../../context';
import type { Viewer } from '../../layout';
import type { Posting } from '../student/posting-facts';
import { webPaths } from '../../../lib/web-paths';

export type { Posting };
export type Progress = z.infer<typeof progressSchema>;
export type Applicant = z.infer<typeof blindApplicationSchema>;

const ID = /^[0-9a-f-]{36}$/i;
export const notFound: ApiAnswer = { status: 404, body: undefined, fieldErrors: {}, setCookies: [] };

/** The lifecycle's status as the employer reads it. */
export const STATUS_WORDS: Record<string, string> = {
  AwaitingApproval: 'Waiting for ops to approve the fee',
  Open: 'Open for applications',
  Selecting: 'Applications closed: choose your shortlist',
  Offered: 'An offer is out',
  Funding: 'Waiting for the fee to be paid',
  InProgress: 'Work in progress',
  InReview: 'Work submitted: your review',
  Disputed: 'In dispute: ops decide',
  Paying: 'Paying the student',
  Completed: 'Completed',
  Closed: 'Closed',
  Cancelled: 'Cancelled',
  Expired: 'Expired',
};

/** An application's status along the shortlist. */
export const APPLICATION_WORDS: Record<string, string> = {
  submitted: 'Waiting',
  offered: 'Offered: waiting for the answer',
  accepted: 'Accepted',
  declined: 'Declined',
  lapsed: 'Did not answer in time',
  not_selected: 'Not chosen',
  withdrawn: 'Withdrew',
};

export const postingPath = webPaths.employerPosting;

/**
 * The employer viewing, with their organisation; when the account is in none (its organisation is
 * gone), a page that says so rather than no answer at all.
 */
export function organisationViewer(
  ctx: PageContext,
): (Viewer & { organisation: NonNullable<Viewer['organisation']> }) | undefined {
  const viewer = viewerAs(ctx, 'employer');
  if (!viewer) return undefined;
  if (viewer.organisation) return { ...viewer, organisation: viewer.organisation };
  const page = statusPage(
    403,
    'Your account is not part of an organisation. Ask its owner to invite you again.',
  );
  ctx.render(page.title, page.main, 403);
  return undefined;
}

/** The employer viewing, and the posting of the path's `:id` as the API gives it to them; else the page ends. */
export async function employerPosting(
  ctx: PageContext,
): Promise<{ viewer: Viewer; posting: Posting } | undefined> {
  const viewer = viewerAs(ctx, 'employer');
  if (!viewer) return undefined;
  const id = String(ctx.req.params.id);
  if (!ID.test(id)) return void ctx.fail(notFound);
  const answer = await ctx.api<Posting>(`/v1/internships/${id}`);
  if (answer.status !== 200) return void ctx.fail(answer);
  return { viewer, posting: answer.body };
}

/** Dollars as typed ("250", "250.50") in cents; otherwise as typed, for the API to say what is wrong. */
export function centsOf(dollars: string): number | string {
  const value = dollars.trim().replace(/^\$/, '').replace(/,/g, '');
  return /^\d+(\.\d{1,2})?$/.test(value) ? Math.round(Number(value) * 100) : dollars;
}

/**
 * Stripe's page, as a link: the pages' policy lets forms post only to this site (form-action
 * 'self', which browsers apply to a form's redirect too), so the step to Stripe is a link.
 */
export function toStripe(ctx: PageContext, title: string, url: string, what: string): void {
  ctx.render(
    title,
    html`<p>${what}</p>
      <p><a class="button" href="${url}" rel="noopener noreferrer">Continue to Stripe</a></p>`,
  );
}
