/**
 * Resolving a dispute: the share as a percentage, then a confirmation that states what each side
 * gets as the API computes it (GET /v1/admin/internships/:id/resolution?studentSharePct=), then the
 * resolution (POST /v1/admin/internships/:id/resolution).
 */
import type { z } from 'zod';
import type { resolutionSplit } from '../../../api/schemas';
import type { FieldErrors } from '../../api-client';
import type { PageContext } from '../../context';
import { confirmation, errorSummary, field, money, one } from '../../forms';
import { html } from '../../html';
import { internshipForOps } from './audit';

type Split = z.infer<typeof resolutionSplit>;

const LABELS = { studentSharePct: 'Student’s share of the fee (%)' };

interface Shown {
  share: string;
  errors: FieldErrors;
  detail?: string | undefined;
  split?: Split;
}

function resolvePage(ctx: PageContext, id: string, title: string, shown: Shown, status = 200): void {
  const split = shown.split;
  const amounts = split
    ? confirmation({
        question: `Resolve the dispute with ${split.studentSharePct}% of the fee to the student?`,
        amountCents: split.studentPaidCents,
        amountLabel: 'Paid to the student:',
        details: html`<dl class="facts">
            <dt>The fee held</dt>
            <dd>${money(split.feeCents)}</dd>
            <dt>The student’s share (${split.studentSharePct}%)</dt>
            <dd>${money(split.studentShareCents)}</dd>
            <dt>The platform’s part of it</dt>
            <dd>${money(split.platformShareCents)}</dd>
            <dt>Paid to the student</dt>
            <dd class="student-paid">${money(split.studentPaidCents)}</dd>
            <dt>Refunded to the employer</dt>
            <dd class="employer-refund">${money(split.employerRefundCents)}</dd>
          </dl>
          <p>Both sides are told by email. This cannot be undone.</p>`,
        action: `/app/ops/internships/${id}/resolve`,
        csrfToken: ctx.viewer!.csrfToken,
        hidden: { studentSharePct: String(split.studentSharePct) },
        submit: 'Resolve the dispute',
        cancelHref: '/app/ops',
      })
    : '';
  ctx.render(
    `Resolve the dispute: ${title}`,
    html`${errorSummary(shown.errors, LABELS, shown.detail)}
      <form method="get" action="/app/ops/internships/${id}/resolve" class="search" novalidate>
        ${field(
          {
            name: 'studentSharePct',
            label: LABELS.studentSharePct,
            type: 'number',
            inputmode: 'numeric',
            value: shown.share,
            hint: '0 refunds everything to the employer; 100 pays the student in full.',
          },
          shown.errors,
        )}
        <div class="actions"><button type="submit" class="secondary">See the amounts</button></div>
      </form>
      ${amounts}
      <p>
        <a href="/app/ops/internships/${id}">Audit trail</a> ·
        <a href="/app/ops">Back to what waits on ops</a>
      </p>`,
    status,
  );
}

/** The amounts at the share asked for, or the API's message beside the share. */
async function shownAt(ctx: PageContext, id: string, share: string): Promise<Shown | undefined> {
  if (share === '') return { share, errors: {} };
  const query = new URLSearchParams({ studentSharePct: share });
  const answer = await ctx.api<Split>(`/v1/admin/internships/${id}/resolution?${query.toString()}`);
  if (answer.status === 200) return { share, errors: {}, split: answer.body };
  if (answer.status === 422) return { share, errors: answer.fieldErrors, detail: answer.detail };
  ctx.fail(answer);
  return undefined;
}

export async function showResolve(ctx: PageContext): Promise<void> {
  const p = await internshipForOps(ctx);
  if (!p) return;
  const share = typeof ctx.req.query.studentSharePct === 'string' ? ctx.req.query.studentSharePct.trim() : '';
  const shown = await shownAt(ctx, p.id, share);
  if (shown) resolvePage(ctx, p.id, p.title, shown, shown.split || !share ? 200 : 422);
}

export async function resolve(ctx: PageContext): Promise<void> {
  const p = await internshipForOps(ctx);
  if (!p) return;
  const share = one(ctx.form, 'studentSharePct').trim();
  // Money moves: only from the confirmation step, which stated the amounts.
  if (one(ctx.form, 'confirmed') !== 'yes') {
    return ctx.redirect(
      `/app/ops/internships/${p.id}/resolve?${new URLSearchParams({ studentSharePct: share }).toString()}`,
    );
  }
  const answer = await ctx.api(`/v1/admin/internships/${p.id}/resolution`, {
    method: 'POST',
    body: { studentSharePct: Number(share) },
  });
  if (answer.status === 202) return ctx.redirect('/app/ops', 'resolved');
  if (answer.status === 422) {
    return resolvePage(ctx, p.id, p.title, { share, errors: answer.fieldErrors, detail: answer.detail }, 422);
  }
  ctx.fail(answer);
}
