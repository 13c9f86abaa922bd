/**
 * The student's applications (GET /v1/students/me/applications) and their offers: accepted after a
 * confirmation that states the fee, or declined (POST /v1/internships/:id/offer-response); an
 * application still waiting can be withdrawn (DELETE /v1/internships/:id/applications/mine).
 */
import { viewerAs, type PageContext } from '../../context';
import { confirmation, errorSummary, one, postForm } from '../../forms';
import { html, type Html } from '../../html';
import { timeTag } from '../../time';
import { postingFacts, STATUS_WORDS, type Posting } from './posting-facts';

const ID = /^[0-9a-f-]{36}$/i;
const notFound = { status: 404, body: undefined, fieldErrors: {}, setCookies: [] };

/** An application's status in words. */
export const APPLICATION_WORDS: Record<string, string> = {
  submitted: 'Sent; waiting for the employer',
  offered: 'You have an offer',
  accepted: 'You accepted: the project is yours',
  declined: 'You declined the offer',
  lapsed: 'The offer lapsed unanswered',
  not_selected: 'Not chosen',
  withdrawn: 'Withdrawn',
};

export async function myApplications(ctx: PageContext): Promise<void> {
  if (!viewerAs(ctx, 'student')) return;
  const cursor = typeof ctx.req.query.cursor === 'string' ? ctx.req.query.cursor : '';
  const query = new URLSearchParams({ limit: '20', ...(cursor ? { cursor } : {}) });
  const answer = await ctx.api<{ items: Posting[]; nextCursor: string | null }>(
    `/v1/students/me/applications?${query.toString()}`,
  );
  if (answer.status !== 200) return ctx.fail(answer);
  const { items, nextCursor } = answer.body;
  const list = items.length
    ? html`<ul class="cards">
        ${items.map((p) => applicationCard(ctx, p))}
      </ul>`
    : html`<p>You have not applied yet. <a href="/app/postings">Browse open postings</a>.</p>`;
  ctx.render(
    'My applications',
    html`${list}
      <nav class="pager" aria-label="Pages">
        ${cursor ? html`<a href="/app/applications">First page</a>` : html`<span></span>`}
        ${nextCursor ? html`<a href="/app/applications?cursor=${encodeURIComponent(nextCursor)}">Next page</a>` : ''}
      </nav>`,
  );
}

function applicationCard(ctx: PageContext, p: Posting): Html {
  const mine = p.myApplication;
  const actions: Html[] = [];
  if (p.nextActions.includes('respond-to-offer')) {
    actions.push(html`<a class="button" href="/app/postings/${p.id}/offer">Answer the offer</a>`);
  }
  if (mine?.status === 'accepted') {
    actions.push(html`<a class="button" href="/app/postings/${p.id}/work">Your work</a>`);
    actions.push(html`<a class="button secondary" href="/app/postings/${p.id}/payouts">Payouts</a>`);
  }
  if (p.nextActions.includes('withdraw')) {
    actions.push(
      postForm({
        action: `/app/postings/${p.id}/withdraw`,
        csrfToken: ctx.viewer?.csrfToken,
        fields: html``,
        submit: 'Withdraw',
      }),
    );
  }
  return html`<li>
    <h2><a href="/app/postings/${p.id}">${p.title}</a></h2>
    <dl class="facts">
      <dt>Your application</dt>
      <dd>${mine ? html`${APPLICATION_WORDS[mine.status] ?? mine.status} (as ${mine.label})` : '—'}</dd>
      <dt>Applied</dt>
      <dd>${timeTag(p.appliedAt, ctx.zone)}</dd>
      <dt>Posting</dt>
      <dd>${STATUS_WORDS[p.status] ?? p.status}</dd>
      ${
        p.deadlines.next
          ? html`<dt>Next deadline</dt>
              <dd>${timeTag(p.deadlines.next, ctx.zone)}</dd>`
          : ''
      }
    </dl>
    ${actions.length ? html`<div class="actions">${actions}</div>` : ''}
  </li>`;
}

async function postingFor(ctx: PageContext): Promise<Posting | undefined> {
  const id = String(ctx.req.params.id);
  if (!ID.test(id)) return void ctx.fail(notFound);
  const answer = await ctx.api<Posting>(`/v1/internships/${id}`);
  if (answer.status !== 200) return void ctx.fail(answer);
  return answer.body;
}

function offerPage(ctx: PageContext, p: Posting, detail?: string, status = 200) {
  const csrfToken = ctx.viewer!.csrfToken;
  const open = p.nextActions.includes('respond-to-offer');
  const main = open
    ? html`${errorSummary({}, {}, detail)}
        <p>
          Answer by ${timeTag(p.deadlines.next, ctx.zone)}; after that the offer passes to the next applicant.
        </p>
        ${postingFacts(p, ctx.zone)}
        ${confirmation({
          question: 'Accept the offer?',
          amountCents: p.feeCents,
          amountLabel: 'The fee, paid to you after the work is approved (less the platform’s share):',
          details: html`<p>The employer is charged this fee now and it is held until you are paid.</p>`,
          action: `/app/postings/${p.id}/offer`,
          csrfToken,
          hidden: { answer: 'accept' },
          submit: 'Accept the offer',
          cancelHref: '/app/applications',
        })}
        <h2>Or decline it</h2>
        ${postForm({
          action: `/app/postings/${p.id}/offer`,
          csrfToken,
          hidden: { answer: 'decline' },
          fields: html``,
          submit: 'Decline the offer',
        })}`
    : html`${errorSummary({}, {}, detail)}
        <p>There is no offer waiting for your answer here.</p>
        <p><a href="/app/applications">Your applications</a></p>`;
  ctx.render(`Offer: ${p.title}`, main, status);
}

export async function showOffer(ctx: PageContext): Promise<void> {
  if (!viewerAs(ctx, 'student')) return;
  const posting = await postingFor(ctx);
  if (posting) offerPage(ctx, posting);
}

export async function answerOffer(ctx: PageContext): Promise<void> {
  if (!viewerAs(ctx, 'student')) return;
  const id = String(ctx.req.params.id);
  if (!ID.test(id)) return ctx.fail(notFound);
  const accept = one(ctx.form, 'answer') === 'accept';
  // Accepting moves money: only from the confirmation step, which stated the fee.
  if (accept && one(ctx.form, 'confirmed') !== 'yes') return ctx.redirect(`/app/postings/${id}/offer`);
  const answer = await ctx.api(`/v1/internships/${id}/offer-response`, { method: 'POST', body: { accept } });
  if (answer.status === 200 || answer.status === 202) {
    return ctx.redirect('/app/applications', accept ? 'accepted' : 'declined');
  }
  if (answer.status === 409 || answer.status === 422) {
    const posting = await postingFor(ctx);
    if (posting) offerPage(ctx, posting, answer.detail, answer.status);
    return;
  }
  ctx.fail(answer);
}

export async function withdraw(ctx: PageContext): Promise<void> {
  if (!viewerAs(ctx, 'student')) return;
  const id = String(ctx.req.params.id);
  if (!ID.test(id)) return ctx.fail(notFound);
  const answer = await ctx.api(`/v1/internships/${id}/applications/mine`, { method: 'DELETE' });
  if (answer.status === 200) return ctx.redirect('/app/applications', 'withdrawn');
  ctx.fail(answer);
}
