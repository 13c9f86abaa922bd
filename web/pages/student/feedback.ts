/**
 * The hired student's feedback page: after completion, rate the employer and say how it went, name
 * the skills practised and whether the employer's rating shows on the credential
 * (POST /v1/internships/:id/feedback); read both sides' feedback as the API reveals it (double-blind).
 */
import type { FieldErrors } from '../../api-client';
import type { PageContext } from '../../context';
import { choices, errorSummary, field, fieldId, many, one, postForm } from '../../forms';
import { html, type Html } from '../../html';
import { timeTag } from '../../time';
import { skillTags, STATUS_WORDS, type Posting } from './posting-facts';
import { hiredPosting } from './work';

interface Given {
  rating: number;
  comment: string;
  endorsedSkills: string[];
  givenAt: string;
}
/** What GET /v1/internships/:id tells the hired student of the feedback (double-blind). */
interface Feedback {
  mine: Given | null;
  theirs: Given | null;
  revealed: boolean;
}
type Completed = Posting & { feedback?: Feedback };

const LABELS = {
  rating: 'Your rating of the employer',
  comment: 'How it went',
  endorsedSkills: 'Skills you practised',
  otherSkills: 'Other skills you practised',
  showRatingPublicly: 'Show the employer’s rating of my work on my credential',
};
const RATINGS: [string, string][] = [
  ['5', '5: excellent'],
  ['4', '4: good'],
  ['3', '3: fair'],
  ['2', '2: poor'],
  ['1', '1: very poor'],
];

/** The API's message for a field, including one about any of its items (`endorsedSkills.2`). */
const errorOf = (errors: FieldErrors, name: string) =>
  errors[name] ?? Object.entries(errors).find(([key]) => key.startsWith(`${name}.`))?.[1];

function shown(f: Given, skillsLabel: string, zone: string): Html {
  return html`<dl class="facts">
    <dt>Rating</dt>
    <dd>${f.rating} out of 5</dd>
    <dt>Comment</dt>
    <dd class="prose">${f.comment}</dd>
    ${
      f.endorsedSkills.length
        ? html`<dt>${skillsLabel}</dt>
            <dd>${skillTags(f.endorsedSkills)}</dd>`
        : ''
    }
    <dt>Given</dt>
    <dd>${timeTag(f.givenAt, zone)}</dd>
  </dl>`;
}

interface Attempt {
  values: {
    rating: string;
    comment: string;
    skills: string[];
    otherSkills: string;
    showRatingPublicly: boolean;
  };
  errors: FieldErrors;
  detail?: string | undefined;
}

function feedbackForm(ctx: PageContext, p: Completed, attempt?: Attempt): Html {
  const v = attempt?.values;
  const errors = attempt?.errors ?? {};
  const skillsError = errorOf(errors, 'endorsedSkills');
  return html`<h2>Your feedback on the employer</h2>
    ${errorSummary(
      { ...errors, ...(skillsError ? { endorsedSkills: skillsError } : {}) },
      LABELS,
      attempt?.detail,
    )}
    ${postForm({
      action: `/app/postings/${p.id}/feedback`,
      csrfToken: ctx.viewer?.csrfToken,
      idempotent: true,
      fields: html`${choices('rating', LABELS.rating, 'radio', RATINGS, v ? [v.rating] : [], errors.rating)}
        ${field({ name: 'comment', label: LABELS.comment, rows: 4, value: v?.comment, hint: 'What worked, and what the employer could do better.' }, errors)}
        ${choices(
          'endorsedSkills',
          LABELS.endorsedSkills,
          'checkbox',
          p.skills.map((s) => [s, s]),
          v?.skills ?? [],
          skillsError,
        )}
        ${field({ name: 'otherSkills', label: LABELS.otherSkills, value: v?.otherSkills, hint: 'Separate them with commas. They appear on your credential.' }, {})}
        <div class="options">
          <input
            type="checkbox"
            id="${fieldId('showRatingPublicly')}"
            name="showRatingPublicly"
            value="yes"
            ${v?.showRatingPublicly ? html` checked` : ''}
          />
          <label for="${fieldId('showRatingPublicly')}">${LABELS.showRatingPublicly}</label>
        </div>`,
      submit: 'Send my feedback',
    })}`;
}

function feedbackPage(ctx: PageContext, p: Completed, attempt?: Attempt, status = 200) {
  const feedback = p.feedback ?? { mine: null, theirs: null, revealed: false };
  const justGiven = ctx.req.query.given === 'yes';
  const mine = feedback.mine
    ? html`<h2>Your feedback on the employer</h2>
        ${shown(feedback.mine, 'Skills you practised', ctx.zone)}`
    : justGiven
      ? html`<h2>Your feedback on the employer</h2>
          <p>Thank you: your feedback was recorded. It shows here in a moment.</p>`
      : p.status === 'Completed'
        ? feedbackForm(ctx, p, attempt)
        : html`<p>Nothing to give yet: ${STATUS_WORDS[p.status] ?? p.status}.</p>`;
  const theirs = feedback.theirs
    ? shown(feedback.theirs, 'Skills they endorsed', ctx.zone)
    : feedback.revealed
      ? html`<p>The employer gave no feedback.</p>`
      : html`<p class="blind">
          Hidden for now: feedback is double-blind. The employer’s feedback shows here once you have both
          given yours, or when the feedback window ends; yours stays hidden from them until then too.
        </p>`;
  const credential = p.credential
    ? html`<h2>Your credential</h2>
        ${
          p.credential.visibility === 'private'
            ? html`<p>
                Your completion credential is issued and private: only you know it exists. Share it from
                <a href="/app/portfolio">your credentials</a>.
              </p>`
            : html`<p>
                <a href="/c/${p.credential.credentialId}">Your credential’s public page</a>: anyone holding
                the link can verify it. Choose who sees it in <a href="/app/portfolio">your credentials</a>.
              </p>`
        }`
    : '';
  ctx.render(
    `Feedback: ${p.title}`,
    html`${mine}
      <h2>The employer’s feedback on your work</h2>
      ${theirs} ${credential}
      <p>
        <a href="/app/postings/${p.id}/payouts">Payouts</a> ·
        <a href="/app/postings/${p.id}/work">Your work</a>
      </p>`,
    status,
  );
}

export async function showFeedback(ctx: PageContext): Promise<void> {
  const posting = await hiredPosting<Completed>(ctx);
  if (posting) feedbackPage(ctx, posting);
}

export async function giveFeedback(ctx: PageContext): Promise<void> {
  const posting = await hiredPosting<Completed>(ctx);
  if (!posting) return;
  const values = {
    rating: one(ctx.form, 'rating'),
    comment: one(ctx.form, 'comment'),
    skills: many(ctx.form, 'endorsedSkills'),
    otherSkills: one(ctx.form, 'otherSkills'),
    showRatingPublicly: one(ctx.form, 'showRatingPublicly') === 'yes',
  };
  const others = values.otherSkills
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const answer = await ctx.api(`/v1/internships/${posting.id}/feedback`, {
    method: 'POST',
    body: {
      // Unreadable as a number, it is sent as typed, for the API to name what is wrong.
      ...(values.rating
        ? { rating: /^\d+$/.test(values.rating) ? Number(values.rating) : values.rating }
        : {}),
      comment: values.comment,
      endorsedSkills: [...values.skills, ...others],
      showRatingPublicly: values.showRatingPublicly,
    },
  });
  if (answer.status === 201) return ctx.redirect(`/app/postings/${posting.id}/feedback?given=yes`);
  if (answer.status !== 409 && answer.status !== 422) return ctx.fail(answer);
  feedbackPage(ctx, posting, { values, errors: answer.fieldErrors, detail: answer.detail }, answer.status);
}
