/**
 * Funding: whether a card is saved for the fees (GET /v1/employers/:id/billing), and saving one
 * through Stripe Checkout in setup mode (POST .../billing/card-setup), so that the fee is charged
 * when a student accepts, with no pay link. Postings whose charge failed are listed with their pay link.
 */
import type { PageContext } from '../../context';
import { money, postForm } from '../../forms';
import { html } from '../../html';
import { timeTag } from '../../time';
import { organisationViewer, postingPath, toStripe, type Posting } from './shared';

const RETURNED: Record<string, string> = {
  saved: 'Stripe has your card. It shows here as saved once Stripe confirms it, usually within seconds.',
  cancelled: 'No card was saved.',
};

export async function showFunding(ctx: PageContext): Promise<void> {
  const viewer = organisationViewer(ctx);
  if (!viewer) return;
  const [billing, unpaid] = await Promise.all([
    ctx.api<{ cardSaved: boolean }>(`/v1/employers/${viewer.organisation.id}/billing`),
    ctx.api<{ items: Posting[] }>('/v1/internships?status=Funding&limit=100'),
  ]);
  if (billing.status !== 200) return ctx.fail(billing);
  if (unpaid.status !== 200) return ctx.fail(unpaid);
  const returned = typeof ctx.req.query.card === 'string' ? RETURNED[ctx.req.query.card] : undefined;
  const manages = viewer.title === 'owner' || viewer.title === 'admin';
  // A posting in Funding without a deadline is still being charged to the saved card: nothing to pay.
  const waiting = unpaid.body.items.filter((p) => p.deadlines.next);
  ctx.render(
    'Funding',
    html`${returned ? html`<div class="notice" role="status"><p>${returned}</p></div>` : ''}
      <p>
        When a student accepts your offer, the fee is charged to your saved card and held until you approve
        the work.
      </p>
      <h2>Your card</h2>
      <p class="card-status">
        ${billing.body.cardSaved ? 'A card is saved for your fees.' : 'No card is saved yet: each fee then needs a pay link.'}
      </p>
      ${
        manages
          ? postForm({
              action: '/app/employer/funding/card',
              csrfToken: viewer.csrfToken,
              fields: html`<p>Stripe stores the card; nothing is charged now.</p>`,
              submit: billing.body.cardSaved ? 'Replace the card' : 'Save a card',
            })
          : html`<p>Your organisation's owners and admins manage its card.</p>`
      }
      <h2>Fees waiting for payment</h2>
      ${
        waiting.length
          ? html`<ul class="cards">
              ${waiting.map(
                (p) =>
                  html`<li>
                    <h3><a href="${postingPath(p.id)}">${p.title}</a></h3>
                    <p>
                      The charge failed. Pay ${money(p.feeCents)} by ${timeTag(p.deadlines.next, ctx.zone)}.
                    </p>
                    <p><a class="button" href="${postingPath(p.id)}">Pay the fee</a></p>
                  </li>`,
              )}
            </ul>`
          : html`<p>None.</p>`
      }`,
  );
}

export async function saveCard(ctx: PageContext): Promise<void> {
  const viewer = organisationViewer(ctx);
  if (!viewer) return;
  const answer = await ctx.api<{ url: string }>(
    `/v1/employers/${viewer.organisation.id}/billing/card-setup`,
    {
      method: 'POST',
    },
  );
  if (answer.status === 201) {
    return toStripe(
      ctx,
      'Save a card',
      answer.body.url,
      'Stripe asks for the card on its own secure page; nothing is charged.',
    );
  }
  ctx.fail(answer);
}
