/**
 * The hired student's payouts page: what they are paid and by when, whether their payout account is
 * ready (GET /v1/internships/:id/payout), and the step to Stripe Connect onboarding that makes it
 * ready (POST /v1/internships/:id/payout-onboarding).
 */
import type { z } from 'zod';
import type { payoutSchema } from '../../../api/routes/payouts';
import type { ApiAnswer } from '../../api-client';
import { viewerAs, type PageContext } from '../../context';
import { errorSummary, money, postForm } from '../../forms';
import { html, type Html } from '../../html';
import { timeTag } from '../../time';
import type { Posting } from './posting-facts';

type Payout = z.infer<typeof payoutSchema>;

const ID = /^[0-9a-f-]{36}$/i;
const notFound = { status: 404, body: undefined, fieldErrors: {}, setCookies: [] };

/** Where the payout stands, in a sentence. */
function stageWords(p: Payout, zone: string): Html {
  switch (p.stage) {
    case 'not-due':
      return html`Nothing is due yet: you are paid once the employer approves your work.`;
    case 'waiting-for-account':
      return html`Your pay is ready and waits for your payout account. Set it up with Stripe, our payments
      partner; the money is sent as soon as Stripe tells us your account is ready.`;
    case 'sending':
      return html`Your payout account is ready: the money is on its way.`;
    case 'sent':
      return html`Paid: ${money(p.amounts.paidCents)} was sent to your payout account and reaches it by
      ${timeTag(p.paidBy, zone)}.`;
    case 'nothing-owed':
      return html`Nothing is owed to you for this micro-internship.`;
  }
}

const RETURNED: Record<string, string> = {
  back: 'Welcome back from Stripe. Your account shows as ready here once Stripe confirms it, usually within a minute.',
  again: 'The Stripe page expired before you finished. Open a fresh one below.',
};

/** The posting and its payout, if the viewer was hired for it; otherwise the page ends. */
async function payoutOf(ctx: PageContext): Promise<{ posting: Posting; payout: Payout } | undefined> {
  if (!viewerAs(ctx, 'student')) return undefined;
  const id = String(ctx.req.params.id);
  if (!ID.test(id)) return void ctx.fail(notFound);
  const [posting, payout] = await Promise.all([
    ctx.api<Posting>(`/v1/internships/${id}`),
    ctx.api<Payout>(`/v1/internships/${id}/payout`),
  ]);
  if (posting.status !== 200) return void ctx.fail(posting);
  if (payout.status !== 200) return void ctx.fail(payout);
  return { posting: posting.body, payout: payout.body };
}

function payoutPage(ctx: PageContext, posting: Posting, p: Payout, refused?: ApiAnswer, status = 200) {
  const { amounts } = p;
  const returned = typeof ctx.req.query.onboarding === 'string' ? RETURNED[ctx.req.query.onboarding] : '';
  const account = p.account.ready
    ? 'Ready to receive payouts'
    : p.account.created
      ? 'Not ready yet: Stripe needs a few details from you'
      : 'Not set up yet';
  const setUp = p.nextActions.includes('set-up-payouts')
    ? html`<h2>Set up payouts</h2>
        <p>
          Stripe asks for your name, date of birth and bank account on its own secure page; we never see your
          bank details.
        </p>
        ${postForm({
          action: `/app/postings/${posting.id}/payouts/onboarding`,
          csrfToken: ctx.viewer?.csrfToken,
          fields: html``,
          submit: 'Set up payouts with Stripe',
        })}`
    : '';
  ctx.render(
    `Payouts: ${posting.title}`,
    html`${returned ? html`<div class="notice" role="status"><p>${returned}</p></div>` : ''}
      ${refused ? errorSummary({}, {}, refused.detail) : ''}
      <p class="payout-stage">${stageWords(p, ctx.zone)}</p>
      <h2>Your pay</h2>
      <dl class="facts">
        <dt>Fee</dt>
        <dd>${money(amounts.feeCents)}</dd>
        ${
          amounts.sharePct !== 100
            ? html`<dt>Your share</dt>
                <dd>${amounts.sharePct}% of the fee: ${money(amounts.grossCents)}</dd>`
            : ''
        }
        <dt>Platform share (${amounts.platformSharePct}%)</dt>
        <dd>${money(amounts.platformShareCents)}</dd>
        <dt>You are paid</dt>
        <dd><strong>${money(amounts.paidCents)}</strong></dd>
        <dt>Paid by</dt>
        <dd>
          ${
            p.paidBy
              ? timeTag(p.paidBy, ctx.zone)
              : html`${p.settlementDays} days after the transfer, which is made once the work is approved and
                your payout account is ready`
          }
        </dd>
        <dt>Payout account</dt>
        <dd>${account}</dd>
      </dl>
      ${setUp}
      <p>
        <a href="/app/postings/${posting.id}/work">Your work</a> ·
        <a href="/app/postings/${posting.id}/feedback">Feedback</a>
      </p>`,
    status,
  );
}

export async function showPayouts(ctx: PageContext): Promise<void> {
  const found = await payoutOf(ctx);
  if (found) payoutPage(ctx, found.posting, found.payout);
}

/**
 * A fresh Stripe onboarding page, as a link: the pages' policy lets forms post only to this site
 * (form-action 'self', which browsers apply to a form's redirect too).
 */
export async function openOnboarding(ctx: PageContext): Promise<void> {
  const found = await payoutOf(ctx);
  if (!found) return;
  const { posting, payout } = found;
  const answer = await ctx.api<{ url: string }>(`/v1/internships/${posting.id}/payout-onboarding`, {
    method: 'POST',
    body: {},
  });
  if (answer.status === 409) return payoutPage(ctx, posting, payout, answer, 409);
  if (answer.status !== 201) return ctx.fail(answer);
  ctx.render(
    'Set up payouts with Stripe',
    html`<p>
        Stripe, our payments partner, asks for your details on its own secure page, then brings you back to
        your payouts page. The link works for a few minutes; come back here for a fresh one.
      </p>
      <p><a class="button" href="${answer.body.url}" rel="noopener noreferrer">Continue to Stripe</a></p>
      <p><a href="/app/postings/${posting.id}/payouts">Back to your payouts</a></p>`,
  );
}
