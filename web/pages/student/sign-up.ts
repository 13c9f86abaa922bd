/** A student signs up (POST /v1/students); the emailed code then confirms the address and signs in. */
import type { PageContext } from '../../context';
import type { FieldErrors } from '../../api-client';
import { errorSummary, field, one, postForm } from '../../forms';
import { html } from '../../html';
import { browserZone } from '../../time';

const LABELS = {
  name: 'Full name',
  email: 'Email address',
  school: 'School (optional)',
  major: 'Major',
  graduationYear: 'Graduation year',
  skills: 'Skills',
};

type Values = Partial<Record<keyof typeof LABELS | 'timeZone', string>>;

/** The API names each skill (`skills.2`); the form has one box for them all. */
function aboutSkills(errors: FieldErrors): FieldErrors {
  const skill = Object.entries(errors).find(([key]) => key.startsWith('skills.'));
  return skill && !errors.skills ? { ...errors, skills: `${skill[0].slice(7)}: ${skill[1]}` } : errors;
}

function signUpForm(ctx: PageContext, values: Values, apiErrors: FieldErrors, detail?: string, status = 200) {
  const errors = aboutSkills(apiErrors);
  const f = (name: keyof typeof LABELS, extra: Partial<Parameters<typeof field>[0]> = {}) =>
    field({ name, label: LABELS[name], value: values[name], ...extra }, errors);
  ctx.render(
    'Sign up as a student',
    html`${errorSummary(errors, LABELS, detail)}
      <p>
        Employers see your pitch, answers and skills, never your name or school, until you accept an offer.
        There is no GPA field.
      </p>
      ${postForm({
        action: '/app/sign-up',
        csrfToken: ctx.formToken,
        hidden: { timeZone: values.timeZone ?? browserZone(ctx.req) ?? '' },
        fields: html`${f('name', { autocomplete: 'name' })}
        ${f('email', { type: 'email', autocomplete: 'email' })}
        ${f('school', { autocomplete: 'organization' })} ${f('major')}
        ${f('graduationYear', { inputmode: 'numeric', hint: 'For example 2027' })}
        ${f('skills', { hint: 'Separate them with commas, for example: Excel, SQL, data cleaning' })}`,
        submit: 'Sign up',
      })}
      <p>Already signed up? <a href="/app/sign-in">Sign in</a>.</p>`,
    status,
  );
}

export async function showSignUp(ctx: PageContext): Promise<void> {
  await Promise.resolve();
  signUpForm(ctx, {}, {});
}

export async function signUp(ctx: PageContext): Promise<void> {
  const values: Values = Object.fromEntries(
    [...Object.keys(LABELS), 'timeZone'].map((k) => [k, one(ctx.form, k).trim()]),
  );
  const year = values.graduationYear ?? '';
  const answer = await ctx.api('/v1/students', {
    method: 'POST',
    body: {
      name: values.name,
      email: values.email,
      ...(values.school ? { school: values.school } : {}),
      major: values.major,
      // A number when it reads as one; otherwise as typed, for the API to say what is wrong with it.
      graduationYear: /^\d+$/.test(year) ? Number(year) : year,
      skills: (values.skills ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      ...(values.timeZone ? { timeZone: values.timeZone } : {}),
    },
  });
  if (answer.status === 422) return signUpForm(ctx, values, answer.fieldErrors, answer.detail, 422);
  if (answer.status !== 202) return ctx.fail(answer);
  const query = new URLSearchParams({ email: values.email ?? '' });
  ctx.redirect(`/app/sign-in/code?${query.toString()}`, 'signed-up');
}
