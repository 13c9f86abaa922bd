/**
 * A form sent after its sender's session ended (it expired, or they signed out in another tab): its
 * CSRF token was the old session's, so it is not carried out. Rather than a bare refusal, the page
 * says why, links to sign-in and back to the page the form came from, and gives back what they
 * wrote, so a long pitch or review is not lost.
 */
import type { Request } from 'express';
import type { PageContext } from './context';
import { writtenBack } from './forms';
import { html } from './html';

/** The page the form was on, if it was one of ours: where sign-in should lead back to. */
function formPage(req: Request): string {
  const referer = req.get('referer');
  if (!referer) return '/app';
  try {
    const url = new URL(referer);
    return url.host === req.get('host') && url.pathname.startsWith('/app/')
      ? `${url.pathname}${url.search}`
      : '/app';
  } catch {
    return '/app';
  }
}

/** The form's own words: every filled-in field but the hidden ones (its token, its idempotency key). */
function written(form: Record<string, unknown>): { name: string; value: string }[] {
  return Object.entries(form)
    .filter(([name]) => !name.startsWith('_'))
    .flatMap(([name, value]) =>
      (Array.isArray(value) ? (value as unknown[]) : [value]).map((v) => ({ name, value: v })),
    )
    .filter(
      (f): f is { name: string; value: string } => typeof f.value === 'string' && f.value.trim() !== '',
    );
}

export function renderSessionEnded(ctx: PageContext): void {
  const back = formPage(ctx.req);
  ctx.render(
    'You were signed out',
    html`<p>
        Your session ended before this form was sent, so nothing was done. Sign in again, then send it once
        more.
      </p>
      <p><a class="button" href="/app/sign-in?next=${encodeURIComponent(back)}">Sign in</a></p>
      ${writtenBack(written(ctx.form).map((f) => ({ label: f.name, value: f.value })))}`,
    401,
  );
}
