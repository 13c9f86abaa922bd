/**
 * The hired student's work page: the due date, the employer's change requests, the submission (a
 * link and notes: POST /v1/internships/:id/submissions) and asking for a later due date
 * (POST /v1/internships/:id/extension-requests).
 */
import type { FieldErrors } from '../../api-client';
import { viewerAs, type PageContext } from '../../context';
import { errorSummary, field, one, postForm } from '../../forms';
import { html, type Html } from '../../html';
import { instantFromLocal, timeTag } from '../../time';
import { STATUS_WORDS, type Posting } from './posting-facts';

const ID = /^[0-9a-f-]{36}$/i;
const notFound = { status: 404, body: undefined, fieldErrors: {}, setCookies: [] };

type Work = Posting & { reviews?: { comments: string; at: string }[] };

/** The posting of the page's `:id`, if the viewer was hired for it; otherwise the page ends. */
export async function hiredPosting<T extends Posting>(ctx: PageContext): Promise<T | undefined> {
  if (!viewerAs(ctx, 'student')) return undefined;
  const id = String(ctx.req.params.id);
  if (!ID.test(id)) return void ctx.fail(notFound);
  const answer = await ctx.api<T>(`/v1/internships/${id}`);
  if (answer.status !== 200) return void ctx.fail(answer);
  if (answer.body.myApplication?.status !== 'accepted') return void ctx.fail(notFound);
  return answer.body;
}

const workOf = (ctx: PageContext) => hiredPosting<Work>(ctx);

interface Attempt {
  form: 'submit' | 'extension';
  values: Record<string, string>;
  errors: FieldErrors;
  detail?: string | undefined;
}

const SUBMIT_LABELS = { url: 'Link to your deliverable', notes: 'Notes for the employer' };
const EXTENSION_LABELS = { newDueAt: 'New due date and time', reason: 'Why you need it' };

function workPage(ctx: PageContext, w: Work, attempt?: Attempt, status = 200) {
  const errorsOf = (form: Attempt['form']) => (attempt?.form === form ? attempt.errors : {});
  const valuesOf = (form: Attempt['form']) => (attempt?.form === form ? attempt.values : {});
  const working = w.status === 'InProgress';
  const reviews = w.reviews?.length
    ? html`<h2>Changes the employer asked for</h2>
        <ul class="cards">
          ${w.reviews.map(
            (r) =>
              html`<li>
                <p>${timeTag(r.at, ctx.zone)}</p>
                <p class="prose">${r.comments}</p>
              </li>`,
          )}
        </ul>`
    : '';
  const forms: Html = working
    ? html`<h2>Submit your work</h2>
        ${errorSummary(errorsOf('submit'), SUBMIT_LABELS, attempt?.form === 'submit' ? attempt.detail : undefined)}
        ${postForm({
          action: `/app/postings/${w.id}/submit`,
          csrfToken: ctx.viewer?.csrfToken,
          fields: html`${field({ name: 'url', label: SUBMIT_LABELS.url, type: 'url', value: valuesOf('submit').url, hint: 'Where the employer can open it, starting with https://' }, errorsOf('submit'))}
          ${field({ name: 'notes', label: SUBMIT_LABELS.notes, rows: 5, value: valuesOf('submit').notes }, errorsOf('submit'))}`,
          submit: 'Submit my work',
        })}
        <h2>Ask for more time</h2>
        ${errorSummary(errorsOf('extension'), EXTENSION_LABELS, attempt?.form === 'extension' ? attempt.detail : undefined)}
        ${postForm({
          action: `/app/postings/${w.id}/extension`,
          csrfToken: ctx.viewer?.csrfToken,
          fields: html`${field({ name: 'newDueAt', label: EXTENSION_LABELS.newDueAt, type: 'datetime-local', value: valuesOf('extension').newDueAt, hint: `In your time zone (${ctx.zone}). The employer decides.` }, errorsOf('extension'))}
          ${field({ name: 'reason', label: EXTENSION_LABELS.reason, rows: 3, value: valuesOf('extension').reason }, errorsOf('extension'))}`,
          submit: 'Ask for more time',
        })}`
    : html`<p>Nothing to do here now: ${STATUS_WORDS[w.status] ?? w.status}.</p>`;
  ctx.render(
    `Your work: ${w.title}`,
    html`<dl class="facts">
        <dt>Status</dt>
        <dd>${STATUS_WORDS[w.status] ?? w.status}</dd>
        <dt>Due</dt>
        <dd>${timeTag(w.deadlines.due, ctx.zone)}</dd>
        ${
          w.deadlines.next
            ? html`<dt>Next deadline</dt>
                <dd>${timeTag(w.deadlines.next, ctx.zone)}</dd>`
            : ''
        }
        <dt>Paid by</dt>
        <dd>${timeTag(w.paidBy, ctx.zone, 'set once the work is approved')}</dd>
      </dl>
      <h2>What you deliver</h2>
      <p class="prose">${w.deliverable}</p>
      ${reviews}${forms}
      <p>
        <a href="/app/postings/${w.id}/payouts">Payouts</a> ·
        <a href="/app/postings/${w.id}/feedback">Feedback</a>
      </p>`,
    status,
  );
}

export async function showWork(ctx: PageContext): Promise<void> {
  const work = await workOf(ctx);
  if (work) workPage(ctx, work);
}

export async function submitWork(ctx: PageContext): Promise<void> {
  const work = await workOf(ctx);
  if (!work) return;
  const values = { url: one(ctx.form, 'url').trim(), notes: one(ctx.form, 'notes') };
  const answer = await ctx.api(`/v1/internships/${work.id}/submissions`, { method: 'POST', body: values });
  if (answer.status === 201) return ctx.redirect(`/app/postings/${work.id}/work`, 'submitted');
  if (answer.status !== 409 && answer.status !== 422) return ctx.fail(answer);
  workPage(
    ctx,
    work,
    { form: 'submit', values, errors: answer.fieldErrors, detail: answer.detail },
    answer.status,
  );
}

export async function askForExtension(ctx: PageContext): Promise<void> {
  const work = await workOf(ctx);
  if (!work) return;
  const values = { newDueAt: one(ctx.form, 'newDueAt'), reason: one(ctx.form, 'reason') };
  // The viewer typed wall-clock time in their zone; the API takes an instant (as typed when unreadable).
  const newDueAt = instantFromLocal(values.newDueAt, ctx.zone) ?? values.newDueAt;
  const answer = await ctx.api(`/v1/internships/${work.id}/extension-requests`, {
    method: 'POST',
    body: { newDueAt, reason: values.reason },
  });
  if (answer.status === 202) return ctx.redirect(`/app/postings/${work.id}/work`, 'extension-asked');
  if (answer.status !== 409 && answer.status !== 422) return ctx.fail(answer);
  const extension = { form: 'extension' as const, values, errors: answer.fieldErrors, detail: answer.detail };
  workPage(ctx, work, extension, answer.status);
}
