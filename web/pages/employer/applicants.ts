/**
 * The blind review (GET /v1/internships/:id/applications): each applicant by label only ("Applicant
 * 3") with their pitch, answers and skills; ranking up to three into a shortlist
 * (POST /v1/internships/:id/selection), the first of whom is offered the place at once.
 */
import type { FieldErrors } from '../../api-client';
import type { PageContext } from '../../context';
import { errorSummary, many, postForm } from '../../forms';
import { html } from '../../html';
import { timeTag } from '../../time';
import { APPLICATION_WORDS, employerPosting, postingPath, type Applicant } from './shared';

/** How many the employer may rank (the API's shortlist holds at most three). */
const RANKS = ['1', '2', '3'];

async function applicantsPage(
  ctx: PageContext,
  ranks: Record<string, string> = {},
  errors: FieldErrors = {},
  detail?: string,
  status = 200,
): Promise<void> {
  const found = await employerPosting(ctx);
  if (!found) return;
  const { posting: p, viewer } = found;
  const answer = await ctx.api<{ items: Applicant[] }>(`/v1/internships/${p.id}/applications`);
  if (answer.status !== 200) return ctx.fail(answer);
  const selecting = p.nextActions.includes('select');
  const items = answer.body.items;
  const cards = items.map((a) => {
    const choosable = selecting && a.status === 'submitted';
    const id = `rank-${a.applicationId}`;
    return html`<li>
      <h2>${a.label}</h2>
      <p class="status">
        ${APPLICATION_WORDS[a.status] ?? a.status} · applied ${timeTag(a.submittedAt, ctx.zone)}
      </p>
      <h3>Pitch</h3>
      <p class="prose">${a.pitch}</p>
      ${a.answers.map(
        (q) =>
          html`<h3>${q.question}</h3>
            <p class="prose">${q.answer}</p>`,
      )}
      <h3>Skills</h3>
      <ul class="tags" aria-label="Skills of ${a.label}">
        ${a.skills.map((s) => html`<li>${s}</li>`)}
      </ul>
      ${
        choosable
          ? html`<div class="field">
              <label for="${id}">Rank ${a.label}</label>
              <select id="${id}" name="rank:${a.applicationId}">
                <option value="">Not on the shortlist</option>
                ${RANKS.map((r) => html`<option value="${r}" ${ranks[a.applicationId] === r ? html`selected` : ''}>${r}</option>`)}
              </select>
            </div>`
          : ''
      }
    </li>`;
  });
  const list = html`<ul class="cards">
    ${cards}
  </ul>`;
  const main = selecting
    ? html`<p>
          Rank up to three applicants. The first gets the offer now; if they decline or do not answer in time,
          the next one gets it.
        </p>
        ${errorSummary(errors, {}, detail)}
        ${postForm({
          action: `${postingPath(p.id)}/shortlist`,
          csrfToken: viewer.csrfToken,
          idempotent: true,
          fields: list,
          submit: 'Offer to my shortlist',
        })}`
    : list;
  ctx.render(
    `Applicants: ${p.title}`,
    html`<p>
        Blind review: no names, schools or email addresses until a student accepts.
        <a href="${postingPath(p.id)}">Back to the posting</a>
      </p>
      ${main}`,
    status,
  );
}

export const showApplicants = (ctx: PageContext) => applicantsPage(ctx);

export async function shortlist(ctx: PageContext): Promise<void> {
  const found = await employerPosting(ctx);
  if (!found) return;
  const ranks: Record<string, string> = {};
  for (const key of Object.keys(ctx.form).filter((k) => k.startsWith('rank:'))) {
    const rank = many(ctx.form, key)[0] ?? '';
    if (RANKS.includes(rank)) ranks[key.slice(5)] = rank;
  }
  const taken = Object.values(ranks);
  if (new Set(taken).size !== taken.length) {
    return applicantsPage(ctx, ranks, { shortlist: 'give each applicant a different rank' }, undefined, 422);
  }
  if (taken.length === 0) {
    return applicantsPage(ctx, ranks, { shortlist: 'rank at least one applicant' }, undefined, 422);
  }
  const applicationIds = Object.entries(ranks)
    .sort(([, a], [, b]) => Number(a) - Number(b))
    .map(([id]) => id);
  const answer = await ctx.api(`/v1/internships/${found.posting.id}/selection`, {
    method: 'POST',
    body: { applicationIds },
  });
  if (answer.status === 202) return ctx.redirect(postingPath(found.posting.id), 'shortlisted');
  if (answer.status !== 409 && answer.status !== 422) return ctx.fail(answer);
  await applicantsPage(ctx, ranks, answer.fieldErrors, answer.detail, answer.status);
}
