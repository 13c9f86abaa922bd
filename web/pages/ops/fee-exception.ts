/**
 * Deciding a fee below the fair-pay floor: a confirmation that states the fee and what follows, then
 * the decision (POST /v1/admin/internships/:id/fee-exception). Whether this person may decide, and
 * whether it still waits, is the API's to say; its refusal is shown on the same page.
 */
import type { PageContext } from '../../context';
import { confirmation, errorSummary, money, one } from '../../forms';
import { html } from '../../html';
import { internshipForOps, notFound } from './audit';

type Decision = 'approve' | 'decline';

const DECISIONS: Record<Decision, { question: string; follows: string; submit: string }> = {
  approve: {
    question: 'Approve this fee below the fair-pay floor?',
    follows: 'The posting opens for applications now, its application window starting today.',
    submit: 'Approve the fee',
  },
  decline: {
    question: 'Decline this fee below the fair-pay floor?',
    follows: 'The posting is cancelled and the employer is told by email. Nothing was charged.',
    submit: 'Decline the fee',
  },
};

const decisionOf = (value: unknown): Decision | undefined =>
  value === 'approve' || value === 'decline' ? value : undefined;

/** The confirmation, with the API's refusal above it when the last attempt was refused. */
async function feePage(ctx: PageContext, decision: Decision, refusal?: { status: number; detail: string }) {
  const p = await internshipForOps(ctx);
  if (!p) return;
  const d = DECISIONS[decision];
  ctx.render(
    `${decision === 'approve' ? 'Approve' : 'Decline'} the fee: ${p.title}`,
    html`${refusal ? errorSummary({}, {}, refusal.detail) : ''}
      ${confirmation({
        question: d.question,
        amountCents: p.feeCents,
        amountLabel: `The fee for ${p.estimatedHours} hours:`,
        details: html`<dl class="facts">
            <dt>The fee</dt>
            <dd class="fee">${money(p.feeCents)}</dd>
            <dt>Estimated hours</dt>
            <dd>${p.estimatedHours}</dd>
            <dt>Per hour</dt>
            <dd>${money(Math.round(p.feeCents / p.estimatedHours))}</dd>
          </dl>
          <p>${d.follows}</p>`,
        action: `/app/ops/internships/${p.id}/fee-exception`,
        csrfToken: ctx.viewer!.csrfToken,
        hidden: { decision },
        submit: d.submit,
        cancelHref: '/app/ops',
      })}
      <p>
        <a href="/app/ops/internships/${p.id}">Audit trail</a> ·
        <a href="/app/ops">Back to what waits on ops</a>
      </p>`,
    refusal?.status ?? 200,
  );
}

export async function showFeeException(ctx: PageContext): Promise<void> {
  const decision = decisionOf(ctx.req.query.decision);
  if (!decision) return ctx.fail(notFound);
  await feePage(ctx, decision);
}

export async function decideFeeException(ctx: PageContext): Promise<void> {
  const decision = decisionOf(one(ctx.form, 'decision'));
  if (!decision) return ctx.fail(notFound);
  const id = String(ctx.req.params.id);
  // Only from the confirmation step, which stated the fee.
  if (one(ctx.form, 'confirmed') !== 'yes') {
    return ctx.redirect(`/app/ops/internships/${encodeURIComponent(id)}/fee-exception?decision=${decision}`);
  }
  const answer = await ctx.api(`/v1/admin/internships/${encodeURIComponent(id)}/fee-exception`, {
    method: 'POST',
    body: { approve: decision === 'approve' },
  });
  if (answer.status === 200)
    return ctx.redirect('/app/ops', decision === 'approve' ? 'fee-approved' : 'fee-declined');
  // Not finance staff, or no longer waiting: said beside the fee, as the API said it.
  if ([403, 409, 422].includes(answer.status) && answer.detail) {
    return feePage(ctx, decision, { status: answer.status, detail: answer.detail });
  }
  ctx.fail(answer);
}
