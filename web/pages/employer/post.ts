/**
 * Posting a micro-internship (POST /v1/internships). The fair-pay floor is the API's rule: a fee
 * under it is refused with the API's message beside the fee. The page states the hourly floor GET
 * /v1/me gives, so app.js can show what it comes to for the hours typed.
 */
import type { FieldErrors } from '../../api-client';
import { viewerAs, type PageContext } from '../../context';
import { errorSummary, field, money, one, postForm } from '../../forms';
import { html } from '../../html';
import { centsOf } from './shared';

const LABELS: Record<string, string> = {
  title: 'Title',
  description: 'The project',
  deliverable: 'What the student delivers',
  skills: 'Skills',
  estimatedHours: 'Estimated hours',
  feeCents: 'Fee in US dollars',
  screeningQuestions: 'Questions for applicants (optional)',
};

type Values = Partial<
  Record<
    | 'title'
    | 'description'
    | 'deliverable'
    | 'skills'
    | 'estimatedHours'
    | 'fee'
    | 'questions'
    | 'feeException',
    string
  >
>;

/** The API names each list item (`skills.1`, `screeningQuestions.0`); the form has one box for each list. */
function aboutLists(errors: FieldErrors): FieldErrors {
  const out = { ...errors };
  for (const list of ['skills', 'screeningQuestions']) {
    const item = Object.entries(errors).find(([key]) => key.startsWith(`${list}.`));
    if (item && !out[list]) out[list] = `item ${Number(item[0].slice(list.length + 1)) + 1}: ${item[1]}`;
  }
  return out;
}

function postingForm(
  ctx: PageContext,
  values: Values,
  apiErrors: FieldErrors,
  detail?: string,
  status = 200,
) {
  const viewer = ctx.viewer!;
  const errors = aboutLists(apiErrors);
  const floor = viewer.organisation?.fairPayFloorCentsPerHour;
  const f = (name: keyof Values, spec: Partial<Parameters<typeof field>[0]> = {}) =>
    field({ name, label: LABELS[name] ?? name, value: values[name], ...spec }, errors);
  ctx.render(
    'Post a micro-internship',
    html`${errorSummary(errors, LABELS, detail)}
      <p>
        5 to 40 hours, remote, one deliverable, a fixed fee. Applicants are shown to you blind: their pitch,
        answers and skills, never their name or school.
      </p>
      ${postForm({
        action: '/app/employer/postings/new',
        csrfToken: viewer.csrfToken,
        idempotent: true,
        fields: html`${f('title')} ${f('description', { rows: 6 })} ${f('deliverable', { rows: 3 })}
        ${f('skills', { hint: 'Separate them with commas, for example: Excel, data cleaning' })}
        ${f('estimatedHours', { label: LABELS.estimatedHours!, inputmode: 'numeric', hint: 'From 5 to 40' })}
        ${f('fee', {
          label: LABELS.feeCents!,
          errorKey: 'feeCents',
          inputmode: 'numeric',
          hint: floor
            ? `Fair pay: at least ${money(floor)} for each estimated hour.`
            : 'Fair pay: the fee per estimated hour has a floor.',
        })}
        ${floor ? html`<p class="hint fair-pay" data-floor-cents-per-hour="${floor}" aria-live="polite"></p>` : ''}
        ${feeExceptionBox(values.feeException === 'yes')}
        ${f('questions', { label: LABELS.screeningQuestions!, errorKey: 'screeningQuestions', rows: 3, hint: 'One question a line, at most 5' })}`,
        submit: 'Post it',
      })}`,
    status,
  );
}

export async function showNewPosting(ctx: PageContext): Promise<void> {
  await Promise.resolve();
  if (!viewerAs(ctx, 'employer')) return;
  postingForm(ctx, {}, {});
}

export async function post(ctx: PageContext): Promise<void> {
  if (!viewerAs(ctx, 'employer')) return;
  const values: Values = Object.fromEntries(
    [
      'title',
      'description',
      'deliverable',
      'skills',
      'estimatedHours',
      'fee',
      'questions',
      'feeException',
    ].map((k) => [k, one(ctx.form, k)]),
  );
  const hours = (values.estimatedHours ?? '').trim();
  const list = (text: string | undefined, by: RegExp) =>
    (text ?? '')
      .split(by)
      .map((s) => s.trim())
      .filter(Boolean);
  const answer = await ctx.api<{ id: string }>('/v1/internships', {
    method: 'POST',
    body: {
      title: values.title,
      description: values.description,
      deliverable: values.deliverable,
      skills: list(values.skills, /,/),
      estimatedHours: /^\d+$/.test(hours) ? Number(hours) : hours,
      feeCents: centsOf(values.fee ?? ''),
      screeningQuestions: list(values.questions, /\r?\n/),
      ...(values.feeException === 'yes' ? { feeException: true } : {}),
    },
  });
  if (answer.status === 201) return ctx.redirect(`/app/employer/postings/${answer.body.id}`, 'posted');
  if (answer.status === 422) return postingForm(ctx, values, answer.fieldErrors, answer.detail, 422);
  ctx.fail(answer);
}

/** A fee below the floor may be posted for ops to approve first (DESIGN §3.1): the employer asks here. */
function feeExceptionBox(checked: boolean) {
  return html`<div class="field checkbox">
    <input
      type="checkbox"
      id="f-feeException"
      name="feeException"
      value="yes"
      ${checked ? html`checked` : ''}
    />
    <label for="f-feeException">
      The fee is below the floor on purpose: ask our operations team to approve it. The posting opens once
      they do, and you are told by email either way.
    </label>
  </div>`;
}
