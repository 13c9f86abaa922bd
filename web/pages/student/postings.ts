/**
 * Browsing open postings by skill (GET /v1/internships), one posting (GET /v1/internships/:id) and
 * applying to it with a pitch and the answers (POST /v1/internships/:id/applications).
 */
import type { FieldErrors } from '../../api-client';
import type { PageContext } from '../../context';
import { errorSummary, field, many, one, postForm, writtenBack } from '../../forms';
import { html, type Html } from '../../html';
import { postingFacts, skillTags, STATUS_WORDS, type Posting } from './posting-facts';
import { APPLICATION_WORDS } from './applications';

/** Postings per page of the board. */
const PAGE_SIZE = 10;

const queryOf = (ctx: PageContext, name: string) =>
  typeof ctx.req.query[name] === 'string' ? ctx.req.query[name] : '';

export async function browse(ctx: PageContext): Promise<void> {
  const skill = queryOf(ctx, 'skill').trim();
  const cursor = queryOf(ctx, 'cursor');
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (skill) query.set('skill', skill);
  if (cursor) query.set('cursor', cursor);
  const answer = await ctx.api<{ items: Posting[]; nextCursor: string | null }>(
    `/v1/internships?${query.toString()}`,
  );
  const errors: FieldErrors = answer.status === 422 ? answer.fieldErrors : {};
  if (answer.status !== 200 && answer.status !== 422) return ctx.fail(answer);
  const items = answer.status === 200 ? answer.body.items : [];
  const next = answer.status === 200 ? answer.body.nextCursor : null;
  const search = html`<form method="get" action="/app/postings" class="search" role="search">
    ${field({ name: 'skill', label: 'Skill', type: 'search', value: skill, hint: 'For example: Excel' }, errors)}
    <div class="actions"><button type="submit">Search</button></div>
  </form>`;
  const list = items.length
    ? html`<ul class="cards">
        ${items.map((p) => postingCard(p, ctx.zone))}
      </ul>`
    : html`<p>No open postings${skill ? html` need “${skill}”` : ''} right now.</p>`;
  const more = new URLSearchParams(skill ? { skill } : {});
  if (next) more.set('cursor', next);
  const pager = html`<nav class="pager" aria-label="Pages">
    ${cursor ? html`<a href="/app/postings${skill ? `?skill=${encodeURIComponent(skill)}` : ''}">First page</a>` : html`<span></span>`}
    ${next ? html`<a href="/app/postings?${more.toString()}">Next page</a>` : ''}
  </nav>`;
  ctx.render(
    skill ? `Open postings: ${skill}` : 'Open postings',
    html`${errorSummary(errors, { skill: 'Skill' })}${search}
      <h2 class="visually-hidden">Results</h2>
      ${list}${pager}`,
    answer.status === 422 ? 422 : 200,
  );
}

function postingCard(p: Posting, zone: string): Html {
  return html`<li>
    <h3><a href="/app/postings/${p.id}">${p.title}</a></h3>
    ${skillTags(p.skills)} ${postingFacts(p, zone)}
  </li>`;
}

const ID = /^[0-9a-f-]{36}$/i;

/** The posting, or the page ends (not found, not theirs, signed out). */
async function postingOf(ctx: PageContext): Promise<Posting | undefined> {
  const id = String(ctx.req.params.id);
  if (!ID.test(id)) {
    ctx.fail({ status: 404, body: undefined, fieldErrors: {}, setCookies: [] });
    return undefined;
  }
  const answer = await ctx.api<Posting>(`/v1/internships/${id}`);
  if (answer.status !== 200) {
    ctx.fail(answer);
    return undefined;
  }
  return answer.body;
}

export async function showPosting(ctx: PageContext): Promise<void> {
  const posting = await postingOf(ctx);
  if (posting) renderPosting(ctx, posting, {}, {});
}

interface Attempt {
  pitch?: string;
  answers?: string[];
}

function renderPosting(
  ctx: PageContext,
  p: Posting,
  tried: Attempt,
  errors: FieldErrors,
  detail?: string,
  status = 200,
) {
  ctx.render(
    p.title,
    html`<p class="status">${STATUS_WORDS[p.status] ?? p.status}</p>
      ${skillTags(p.skills)} ${postingFacts(p, ctx.zone)}
      <h2>The project</h2>
      <p class="prose">${p.description}</p>
      <h2>What you deliver</h2>
      <p class="prose">${p.deliverable}</p>
      ${yourPart(ctx, p, tried, errors, detail)}`,
    status,
  );
}

/** What the viewer can do here: sign in to apply, apply, or see their application and answer an offer. */
function yourPart(ctx: PageContext, p: Posting, tried: Attempt, errors: FieldErrors, detail?: string): Html {
  if (!ctx.viewer) {
    return html`<p>
      <a class="button" href="/app/sign-in?next=${encodeURIComponent(`/app/postings/${p.id}`)}"
        >Sign in to apply</a
      >
      or <a href="/app/sign-up">sign up</a>.
    </p>`;
  }
  if (p.myApplication) {
    const offer = p.nextActions.includes('respond-to-offer')
      ? html`<p><a class="button" href="/app/postings/${p.id}/offer">Answer the offer</a></p>`
      : p.myApplication.status === 'accepted'
        ? html`<p><a class="button" href="/app/postings/${p.id}/work">Your work</a></p>`
        : '';
    return html`<h2>Your application</h2>
      <p>
        You applied as <strong>${p.myApplication.label}</strong>; its status:
        <strong>${APPLICATION_WORDS[p.myApplication.status] ?? p.myApplication.status}</strong>.
      </p>
      ${offer}
      <p><a href="/app/applications">All your applications</a></p>`;
  }
  const labels: Record<string, string> = { pitch: 'Your pitch' };
  p.screeningQuestions.forEach((q, i) => (labels[`answers.${i}`] = q));
  if (!p.nextActions.includes('apply')) {
    // An application sent as the posting closed: why it was refused, and its words back.
    return detail
      ? html`${errorSummary({}, labels, detail)}
        ${writtenBack([
          { label: labels.pitch!, value: tried.pitch ?? '' },
          ...p.screeningQuestions.map((q, i) => ({ label: q, value: tried.answers?.[i] ?? '' })),
        ])}`
      : html``;
  }
  return html`<h2>Apply</h2>
    ${errorSummary(errors, labels, detail)}
    ${postForm({
      action: `/app/postings/${p.id}/apply`,
      csrfToken: ctx.viewer.csrfToken,
      idempotent: true,
      fields: html`${field(
        {
          name: 'pitch',
          label: labels.pitch!,
          rows: 6,
          value: tried.pitch,
          hint: 'Why you, for this project: what you have done that shows you can deliver it.',
        },
        errors,
      )}
      ${p.screeningQuestions.map((q, i) =>
        field(
          { name: 'answers', errorKey: `answers.${i}`, label: q, rows: 4, value: tried.answers?.[i] },
          errors,
        ),
      )}`,
      submit: 'Send my application',
    })}`;
}

export async function apply(ctx: PageContext): Promise<void> {
  const id = String(ctx.req.params.id);
  if (!ID.test(id)) return ctx.fail({ status: 404, body: undefined, fieldErrors: {}, setCookies: [] });
  const tried = { pitch: one(ctx.form, 'pitch'), answers: many(ctx.form, 'answers') };
  const answer = await ctx.api(`/v1/internships/${id}/applications`, { method: 'POST', body: tried });
  if (answer.status === 201) return ctx.redirect('/app/applications', 'applied');
  if (answer.status !== 422 && answer.status !== 409) return ctx.fail(answer);
  const posting = await ctx.api<Posting>(`/v1/internships/${id}`);
  if (posting.status === 200) {
    return renderPosting(ctx, posting.body, tried, answer.fieldErrors, answer.detail, answer.status);
  }
  // Closed meanwhile: a posting that closed is not shown to students who did not apply.
  ctx.render(
    'Your application was not sent',
    html`${errorSummary({}, {}, answer.detail)}
      ${writtenBack([
        { label: 'Your pitch', value: tried.pitch },
        ...tried.answers.map((value, i) => ({ label: `Your answer ${i + 1}`, value })),
      ])}
      <p><a href="/app/postings">Browse other postings</a></p>`,
    answer.status,
  );
}
