/**
 * Signing in and out, for every role: the address gets an email with a link and a 6-digit code
 * (POST /v1/auth/sign-in); the code opens a browser session (POST /v1/auth/sessions, whose cookie
 * is passed on); signing out ends it (POST /v1/auth/sign-out).
 */
import express, { type Router } from 'express';
import type { FieldErrors } from '../api-client';
import { asRoute, type PageContext } from '../context';
import { errorSummary, field, one, postForm } from '../forms';
import { html } from '../html';

/** Only our own pages are gone back to after signing in. */
export const safeNext = (next: string): string => (/^\/app(\/[\w\-/?=&%.]*)?$/.test(next) ? next : '/app');

const nextOf = (ctx: PageContext) =>
  safeNext(one(ctx.form, 'next') || (typeof ctx.req.query.next === 'string' ? ctx.req.query.next : ''));

function emailForm(ctx: PageContext, email: string, errors: FieldErrors, detail?: string, status = 200) {
  ctx.render(
    'Sign in',
    html`${errorSummary(errors, { email: 'Email address' }, detail)}
      <p>We email you a link and a 6-digit code; either signs you in. No password.</p>
      ${postForm({
        action: '/app/sign-in',
        csrfToken: ctx.formToken,
        hidden: { next: nextOf(ctx) },
        fields: field(
          { name: 'email', label: 'Email address', type: 'email', value: email, autocomplete: 'email' },
          errors,
        ),
        submit: 'Email me a sign-in code',
      })}
      <p>New here? <a href="/app/sign-up">Sign up as a student</a>.</p>`,
    status,
  );
}

async function askForEmail(ctx: PageContext): Promise<void> {
  await Promise.resolve();
  emailForm(ctx, '', {});
}

async function sendSignInEmail(ctx: PageContext): Promise<void> {
  const email = one(ctx.form, 'email');
  const answer = await ctx.api('/v1/auth/sign-in', { method: 'POST', body: { email } });
  if (answer.status === 422) return emailForm(ctx, email, answer.fieldErrors, answer.detail, 422);
  if (answer.status !== 202) return ctx.fail(answer);
  const query = new URLSearchParams({ email, next: nextOf(ctx) });
  ctx.redirect(`/app/sign-in/code?${query.toString()}`, 'code-sent');
}

function codeForm(ctx: PageContext, email: string, errors: FieldErrors, detail?: string, status = 200) {
  const labels = { email: 'Email address', code: 'Code from the email' };
  ctx.render(
    'Enter your code',
    html`${errorSummary(errors, labels, detail)}
      <p>
        Type the 6-digit code from the email we sent, or open its link on this device. The code works for 15
        minutes, once.
      </p>
      ${postForm({
        action: '/app/sign-in/code',
        csrfToken: ctx.formToken,
        hidden: { next: nextOf(ctx) },
        fields: html`${field({ name: 'email', label: labels.email, type: 'email', value: email, autocomplete: 'email' }, errors)}
        ${field({ name: 'code', label: labels.code, hint: '6 digits', inputmode: 'numeric', autocomplete: 'one-time-code' }, errors)}`,
        submit: 'Sign in',
      })}
      <p>No email? <a href="/app/sign-in">Ask for a new one</a>.</p>`,
    status,
  );
}

async function askForCode(ctx: PageContext): Promise<void> {
  await Promise.resolve();
  codeForm(ctx, typeof ctx.req.query.email === 'string' ? ctx.req.query.email : '', {});
}

async function useCode(ctx: PageContext): Promise<void> {
  const email = one(ctx.form, 'email');
  const code = one(ctx.form, 'code').trim();
  const answer = await ctx.api('/v1/auth/sessions', {
    method: 'POST',
    body: { email, code, client: 'browser' },
  });
  if (answer.status === 201) return ctx.redirect(nextOf(ctx), 'signed-in');
  // A wrong code (401, with the attempts left) or one no longer usable (410) is about the code.
  if (answer.status === 401 || answer.status === 410) {
    return codeForm(ctx, email, { code: answer.detail ?? 'is not right' }, undefined, answer.status);
  }
  if (answer.status === 422) return codeForm(ctx, email, answer.fieldErrors, answer.detail, 422);
  ctx.fail(answer);
}

async function signOut(ctx: PageContext): Promise<void> {
  const answer = await ctx.api('/v1/auth/sign-out', { method: 'POST' });
  if (answer.status !== 204 && answer.status !== 401) return ctx.fail(answer);
  ctx.redirect('/app/sign-in', 'signed-out');
}

export function signInPages(): Router {
  const router = express.Router();
  router.get('/sign-in', asRoute(askForEmail));
  router.post('/sign-in', asRoute(sendSignInEmail));
  router.get('/sign-in/code', asRoute(askForCode));
  router.post('/sign-in/code', asRoute(useCode));
  router.post('/sign-out', asRoute(signOut));
  return router;
}
