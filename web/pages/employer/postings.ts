/**
 * The organisation's postings by status (GET /v1/internships), and one posting: where it stands,
 * the offer along the shortlist, and the decisions waiting for the employer, each a form of its own
 * (GET /v1/internships/:id, its blind applications and GET /v1/internships/:id/progress).
 */
import { INTERNSHIP_STATUSES } from '../../../workflows/definitions';
import { viewerAs, type PageContext } from '../../context';
import { money } from '../../forms';
import { html, type Html } from '../../html';
import { timeTag } from '../../time';
import { decisionForms, type Attempt } from './decisions';
import {
  APPLICATION_WORDS,
  employerPosting,
  postingPath,
  STATUS_WORDS,
  type Applicant,
  type Posting,
  type Progress,
} from './shared';

const queryOf = (ctx: PageContext, name: string) =>
  typeof ctx.req.query[name] === 'string' ? ctx.req.query[name] : '';

export async function myPostings(ctx: PageContext): Promise<void> {
  if (!viewerAs(ctx, 'employer')) return;
  const status = queryOf(ctx, 'status');
  const cursor = queryOf(ctx, 'cursor');
  const known = (INTERNSHIP_STATUSES as readonly string[]).includes(status) ? status : '';
  const query = new URLSearchParams({
    limit: '20',
    ...(known ? { status: known } : {}),
    ...(cursor ? { cursor } : {}),
  });
  const answer = await ctx.api<{ items: Posting[]; nextCursor: string | null }>(
    `/v1/internships?${query.toString()}`,
  );
  if (answer.status !== 200) return ctx.fail(answer);
  const filter = html`<form method="get" action="/app/employer/postings" class="search">
    <div class="field">
      <label for="f-status">Status</label>
      <select id="f-status" name="status">
        <option value="">Any status</option>
        ${INTERNSHIP_STATUSES.map(
          (s) =>
            html`<option value="${s}" ${s === known ? html`selected` : ''}>${STATUS_WORDS[s] ?? s}</option>`,
        )}
      </select>
    </div>
    <div class="actions"><button type="submit">Show</button></div>
  </form>`;
  const { items, nextCursor } = answer.body;
  const list = items.length
    ? html`<ul class="cards">
        ${items.map(
          (p) =>
            html`<li>
              <h2><a href="${postingPath(p.id)}">${p.title}</a></h2>
              <dl class="facts">
                <dt>Status</dt>
                <dd>${STATUS_WORDS[p.status] ?? p.status}</dd>
                <dt>Fee</dt>
                <dd>${money(p.feeCents)}</dd>
                <dt>Applicants</dt>
                <dd>${p.applicantCount}</dd>
                <dt>Next deadline</dt>
                <dd>${timeTag(p.deadlines.next, ctx.zone)}</dd>
              </dl>
            </li>`,
        )}
      </ul>`
    : html`<p>No postings${known ? ' with this status' : ''} yet.</p>`;
  const more = new URLSearchParams(known ? { status: known } : {});
  if (nextCursor) more.set('cursor', nextCursor);
  ctx.render(
    'Your postings',
    html`<p><a class="button" href="/app/employer/postings/new">Post a micro-internship</a></p>
      ${filter}
      <h2 class="visually-hidden">Postings</h2>
      ${list}
      <nav class="pager" aria-label="Pages">
        <span></span
        >${nextCursor ? html`<a href="/app/employer/postings?${more.toString()}">Next page</a>` : ''}
      </nav>`,
  );
}

/** The offer along the shortlist: who was offered and what they answered, then who is next. */
function offerAlongShortlist(
  ctx: PageContext,
  applicants: Applicant[],
  progress: Progress | undefined,
): Html {
  const label = (id: string) => applicants.find((a) => a.applicationId === id)?.label ?? 'An applicant';
  const offered = applicants.filter((a) => ['offered', 'accepted', 'declined', 'lapsed'].includes(a.status));
  const next = progress?.shortlist ?? [];
  if (offered.length === 0 && next.length === 0) return html``;
  return html`<h2>The offer along your shortlist</h2>
    <ol class="shortlist">
      ${offered.map(
        (a) =>
          html`<li>
            <strong>${a.label}</strong>: ${APPLICATION_WORDS[a.status] ?? a.status}
            ${
              a.status === 'offered' && progress?.offer?.applicationId === a.applicationId
                ? html` (answer due ${timeTag(progress.offer.expiresAt, ctx.zone)})`
                : ''
            }
            ${a.student ? html` — ${a.student.name}, ${a.student.email}` : ''}
          </li>`,
      )}
      ${next.map((id) => html`<li><strong>${label(id)}</strong>: next on the shortlist</li>`)}
    </ol>`;
}

/** One posting as its employer sees it, with the decisions open to them now. */
export async function renderPosting(ctx: PageContext, attempt?: Attempt, status = 200): Promise<void> {
  const found = await employerPosting(ctx);
  if (!found) return;
  const { posting: p } = found;
  const started = !['AwaitingApproval', 'Open', 'Expired'].includes(p.status) || p.applicantCount > 0;
  const [applicants, progress] = await Promise.all([
    p.applicantCount > 0
      ? ctx.api<{ items: Applicant[] }>(`/v1/internships/${p.id}/applications`)
      : undefined,
    started ? ctx.api<Progress>(`/v1/internships/${p.id}/progress`) : undefined,
  ]);
  if (applicants && applicants.status !== 200) return ctx.fail(applicants);
  if (progress && progress.status !== 200) return ctx.fail(progress);
  const items = applicants?.body.items ?? [];
  ctx.render(
    p.title,
    html`<p class="status">${STATUS_WORDS[p.status] ?? p.status}</p>
      <dl class="facts">
        <dt>Fee</dt>
        <dd>${money(p.feeCents)}</dd>
        <dt>Hours</dt>
        <dd>about ${p.estimatedHours}</dd>
        <dt>Applicants</dt>
        <dd>${p.applicantCount}</dd>
        <dt>Applications close</dt>
        <dd>${timeTag(p.deadlines.applications, ctx.zone)}</dd>
        ${
          p.deadlines.due
            ? html`<dt>Due</dt>
                <dd>${timeTag(p.deadlines.due, ctx.zone)}</dd>`
            : ''
        }
        ${
          p.deadlines.next
            ? html`<dt>Next deadline</dt>
                <dd>${timeTag(p.deadlines.next, ctx.zone)}</dd>`
            : ''
        }
      </dl>
      ${
        p.applicantCount > 0
          ? html`<p>
              <a
                class="button${p.nextActions.includes('select') ? '' : ' secondary'}"
                href="${postingPath(p.id)}/applicants"
                >${p.nextActions.includes('select') ? 'Review applicants and choose' : 'The applicants'}</a
              >
            </p>`
          : ''
      }
      ${offerAlongShortlist(ctx, items, progress?.body)}
      ${progress ? decisionForms(ctx, p, progress.body, attempt) : ''}`,
    status,
  );
}

export const showPosting = (ctx: PageContext) => renderPosting(ctx);
