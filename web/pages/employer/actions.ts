/**
 * The employer's decisions as sent from the posting page: each goes to its API route; a refusal is
 * shown beside its form on the posting; one that moves money first states the amount and is sent
 * again with `confirmed`.
 */
import type { FieldErrors } from '../../api-client';
import type { NOTICES, PageContext } from '../../context';
import { confirmation, errorSummary, field, money, one, postForm } from '../../forms';
import { html, type Html } from '../../html';
import { instantFromLocal } from '../../time';
import { renderPosting } from './postings';
import { centsOf, employerPosting, postingPath, toStripe, type Posting, type Progress } from './shared';

/** Sends one decision; success goes back to the posting with its notice, a refusal is shown beside the form. */
async function decide(
  ctx: PageContext,
  form: string,
  path: string,
  body: unknown,
  notice: keyof typeof NOTICES,
  values: Record<string, string> = {},
): Promise<void> {
  const id = String(ctx.req.params.id);
  const answer = await ctx.api(`/v1/internships/${id}/${path}`, { method: 'POST', body });
  if (answer.status >= 200 && answer.status < 300) return ctx.redirect(postingPath(id), notice);
  if (answer.status !== 409 && answer.status !== 422) return ctx.fail(answer);
  await renderPosting(
    ctx,
    { form, values, errors: answer.fieldErrors, detail: answer.detail },
    answer.status,
  );
}

/** The step before money moves: the amount stated, the same form sent again with `confirmed`. */
function confirm(
  ctx: PageContext,
  p: Posting,
  c: {
    question: string;
    amountCents: number;
    amountLabel: string;
    action: string;
    hidden: Record<string, string>;
    submit: string;
    details?: Html;
  },
) {
  ctx.render(
    c.question,
    confirmation({ ...c, csrfToken: ctx.viewer!.csrfToken, cancelHref: postingPath(p.id) }),
  );
}

const confirmed = (ctx: PageContext) => one(ctx.form, 'confirmed') === 'yes';

export async function pay(ctx: PageContext): Promise<void> {
  const found = await employerPosting(ctx);
  if (!found) return;
  const p = found.posting;
  if (!confirmed(ctx)) {
    return confirm(ctx, p, {
      question: `Pay the fee for “${p.title}”?`,
      amountCents: p.feeCents,
      amountLabel: 'Charged now and held until you approve the work:',
      action: `${postingPath(p.id)}/pay`,
      hidden: {},
      submit: 'Continue to secure payment',
    });
  }
  const answer = await ctx.api<{ url: string }>(`/v1/internships/${p.id}/payment-page`, {
    method: 'POST',
    body: {},
  });
  if (answer.status === 201) {
    return toStripe(
      ctx,
      'Pay the fee',
      answer.body.url,
      `Stripe takes the payment of ${money(p.feeCents)} on its own secure page.`,
    );
  }
  if (answer.status !== 409) return ctx.fail(answer);
  await renderPosting(ctx, { form: 'pay', values: {}, errors: {}, detail: answer.detail }, 409);
}

export async function review(ctx: PageContext): Promise<void> {
  const found = await employerPosting(ctx);
  if (!found) return;
  const p = found.posting;
  const decision = one(ctx.form, 'decision');
  const comments = one(ctx.form, 'comments');
  if (decision === 'approve' && !confirmed(ctx)) {
    return confirm(ctx, p, {
      question: 'Approve the work?',
      amountCents: p.feeCents,
      amountLabel: 'The held fee released to the student (less the platform’s share):',
      action: `${postingPath(p.id)}/review`,
      hidden: { decision: 'approve' },
      submit: 'Approve and release the fee',
    });
  }
  const notice =
    decision === 'approve' ? 'work-approved' : decision === 'reject' ? 'work-rejected' : 'changes-asked';
  await decide(ctx, 'review', 'review', { decision, comments }, notice, { comments });
}

export async function decideExtension(ctx: PageContext): Promise<void> {
  if (!(await employerPosting(ctx))) return;
  const approve = one(ctx.form, 'approve') === 'yes';
  await decide(
    ctx,
    'extension',
    'extension-decision',
    { approve },
    approve ? 'extension-given' : 'extension-refused',
  );
}

export async function decideMissedDeadline(ctx: PageContext): Promise<void> {
  const found = await employerPosting(ctx);
  if (!found) return;
  const p = found.posting;
  const choice = one(ctx.form, 'choice');
  if (choice === 'cancel' && !confirmed(ctx)) {
    return confirm(ctx, p, {
      question: `Cancel “${p.title}” and get the fee back?`,
      amountCents: p.feeCents,
      amountLabel: 'Refunded to your card:',
      action: `${postingPath(p.id)}/missed-deadline`,
      hidden: { choice: 'cancel' },
      submit: 'Cancel and refund',
    });
  }
  const typed = one(ctx.form, 'newDueAt');
  const newDueAt = choice === 'extend' ? (instantFromLocal(typed, ctx.zone) ?? typed) : undefined;
  await decide(
    ctx,
    'missed',
    'missed-deadline-decision',
    { choice, ...(newDueAt !== undefined ? { newDueAt } : {}) },
    'recovery-decided',
    { newDueAt: typed },
  );
}

export async function showCancel(
  ctx: PageContext,
  reason = '',
  errors: FieldErrors = {},
  detail?: string,
  status = 200,
): Promise<void> {
  const found = await employerPosting(ctx);
  if (!found) return;
  const p = found.posting;
  const progress = await ctx.api<Progress>(`/v1/internships/${p.id}/progress`);
  if (progress.status !== 200) return ctx.fail(progress);
  const { killFee, nextActions } = progress.body;
  if (!nextActions.includes('cancel')) return ctx.redirect(postingPath(p.id));
  const labels = { reason: 'Why you cancel' };
  ctx.render(
    `Cancel “${p.title}”?`,
    html`${errorSummary(errors, labels, detail)}
      <dl class="facts">
        <dt>Kill fee to the student (${killFee.pct}%)</dt>
        <dd>${money(killFee.killFeeCents)}</dd>
        <dt>Refunded to you</dt>
        <dd>${money(killFee.refundCents)}</dd>
      </dl>
      ${postForm({
        action: `${postingPath(p.id)}/cancel`,
        csrfToken: ctx.viewer!.csrfToken,
        fields: field(
          { name: 'reason', label: labels.reason, rows: 3, value: reason, hint: 'The student reads this.' },
          errors,
        ),
        submit: 'Continue',
        secondary: html`<a class="button secondary" href="${postingPath(p.id)}">Go back</a>`,
      })}`,
    status,
  );
}

export async function cancel(ctx: PageContext): Promise<void> {
  const found = await employerPosting(ctx);
  if (!found) return;
  const p = found.posting;
  const reason = one(ctx.form, 'reason');
  if (!confirmed(ctx)) {
    const progress = await ctx.api<Progress>(`/v1/internships/${p.id}/progress`);
    if (progress.status !== 200) return ctx.fail(progress);
    const { killFee } = progress.body;
    return confirm(ctx, p, {
      question: 'Cancel and pay the kill fee?',
      amountCents: killFee.killFeeCents,
      amountLabel: `The kill fee the student receives (${killFee.pct}% of the fee):`,
      details: html`<p>
        The rest, <strong>${money(killFee.refundCents)}</strong>, is refunded to your card.
      </p>`,
      action: `${postingPath(p.id)}/cancel`,
      hidden: { reason },
      submit: 'Cancel and pay the kill fee',
    });
  }
  const answer = await ctx.api(`/v1/internships/${p.id}/cancel`, { method: 'POST', body: { reason } });
  if (answer.status === 202) return ctx.redirect(postingPath(p.id), 'cancelled');
  if (answer.status !== 409 && answer.status !== 422) return ctx.fail(answer);
  await showCancel(ctx, reason, answer.fieldErrors, answer.detail, answer.status);
}

export async function giveFeedback(ctx: PageContext): Promise<void> {
  if (!(await employerPosting(ctx))) return;
  const values = {
    rating: one(ctx.form, 'rating'),
    comment: one(ctx.form, 'comment'),
    endorsedSkills: one(ctx.form, 'endorsedSkills'),
  };
  const skills = values.endorsedSkills
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const rating = /^\d$/.test(values.rating) ? Number(values.rating) : values.rating;
  await decide(
    ctx,
    'feedback',
    'feedback',
    { rating, comment: values.comment, endorsedSkills: skills },
    'feedback-given',
    values,
  );
}

export async function makeHiringOffer(ctx: PageContext): Promise<void> {
  if (!(await employerPosting(ctx))) return;
  const values = Object.fromEntries(
    ['role', 'type', 'pay', 'payPeriod', 'startDate', 'expiresAt'].map((k) => [k, one(ctx.form, k)]),
  );
  const body = {
    role: values.role,
    type: values.type,
    payCents: centsOf(values.pay ?? ''),
    payPeriod: values.payPeriod,
    startDate: values.startDate,
    expiresAt: instantFromLocal(values.expiresAt ?? '', ctx.zone) ?? values.expiresAt,
  };
  await decide(ctx, 'hiring', 'hiring-offer', body, 'hiring-offer-sent', values);
}
