/**
 * What a page handler is given: the viewer, their time zone, the posted form, the API as them, and
 * the ways a page ends (rendered, redirected after a post, or failed with the API's answer).
 */
import type { Request, Response } from 'express';
import { callApi, type ApiAnswer, type CallOptions } from './api-client';
import { one } from './forms';
import { html, type Html } from './html';
import { layout, type Viewer } from './layout';
import { viewerZone } from './time';

/** What a redirect after a successful post may say on the next page (`?notice=key`). */
export const NOTICES: Record<string, string> = {
  'signed-in': 'You are signed in.',
  'signed-out': 'You are signed out.',
  'signed-up': 'Check your email: we sent a link and a 6-digit code to confirm your address.',
  'code-sent': 'If this address has an account, a sign-in email with a link and a code is on its way.',
  applied: 'Your application was sent.',
  withdrawn: 'Your application was withdrawn.',
  accepted: 'You accepted the offer. The employer is being charged; your work starts once it is paid.',
  declined: 'You declined the offer.',
  submitted: 'Your work was submitted. The employer reviews it next.',
  'extension-asked': 'Your request for more time was sent to the employer.',
  posted: 'Your micro-internship is posted.',
  invited: 'The invitation is on its way by email.',
  'member-removed': 'The member was removed; their sessions and links stopped working.',
  shortlisted: 'Your shortlist is saved: the first applicant has the offer.',
  'payment-sent':
    'Stripe has your payment: the work starts as soon as Stripe confirms it, and the student is told by email.',
  'work-approved': 'You approved the work: the student is paid.',
  'changes-asked': 'Your change request was sent to the student.',
  'work-rejected': 'You rejected the work: ops decide what the student receives.',
  'extension-given': 'The student has more time.',
  'extension-refused': 'The due date stays as it was.',
  'recovery-decided': 'Your decision was recorded.',
  cancelled: 'Cancelled: the kill fee goes to the student and the rest is refunded to you.',
  'feedback-given': 'Thank you: your feedback was recorded.',
  'credential-private': 'Your credential is private: its page and its badge answer nobody.',
  'credential-link': 'Your credential is shared: anyone with its address can open and verify it.',
  'credential-portfolio': 'Your credential is shared and listed in your public portfolio.',
  'hiring-offer-sent': 'Your hiring offer was emailed to the student.',
  resolved: 'The dispute is resolved: the money moves and both sides are told by email.',
  'fee-approved':
    'The fee is approved: the posting opens for applications and the employer is told by email.',
  'fee-declined': 'The fee is declined: the posting is cancelled and the employer is told by email.',
};

export interface PageContext {
  req: Request;
  res: Response;
  viewer: Viewer | undefined;
  /** The IANA zone dates are written in for this viewer. */
  zone: string;
  /** What a form's `_csrf` carries: the session's CSRF token, or someone signed out's form token. */
  formToken: string | undefined;
  /** The posted form (urlencoded), empty for a GET. */
  form: Record<string, unknown>;
  /** The API as the viewer; a change carries the session's CSRF token and the form's Idempotency-Key. */
  api<T = unknown>(path: string, options?: CallOptions): Promise<ApiAnswer<T>>;
  render(title: string, main: Html, status?: number): void;
  /** Post/Redirect/Get: after a change, the page to show, with a notice of what was done. */
  redirect(to: string, notice?: keyof typeof NOTICES): void;
  /** Ends the page with what an answer the page cannot show in place means to a person. */
  fail(answer: ApiAnswer): void;
}

export type PageHandler = (ctx: PageContext) => Promise<void>;

/** A page that says what went wrong, as the problem's detail says it. */
export function statusPage(status: number, detail: string | undefined): { title: string; main: Html } {
  const pages: Record<number, [string, string]> = {
    400: ['This form could not be read', 'Open the page again and resend the form.'],
    403: ['You cannot do this', 'This page or action is not open to your account.'],
    404: ['Not found', 'There is nothing here, or it is not yours to see.'],
    409: ['That cannot be done now', 'Its state has changed since you opened the page.'],
    410: ['This has expired', 'The link or code was used, replaced by a newer one, or has expired.'],
    413: ['This form is too large', 'Shorten what you wrote and send it again.'],
    429: ['Too many requests', 'Please wait a minute and try again.'],
    503: ['Please try again shortly', 'A part of the platform is busy or away; nothing was changed.'],
  };
  const [title, fallback] = pages[status] ?? ['Something went wrong', 'Something went wrong on our side.'];
  return {
    title,
    main: html`<p>${status >= 500 ? fallback : (detail ?? fallback)}</p>
      <p><a href="/app">Back to the start</a></p>`,
  };
}

export function pageContext(req: Request, res: Response): PageContext {
  const viewer = res.locals.viewer as Viewer | undefined;
  const form = req.method === 'POST' ? ((req.body ?? {}) as Record<string, unknown>) : {};
  const notice = typeof req.query.notice === 'string' ? NOTICES[req.query.notice] : undefined;
  const render = (title: string, main: Html, status = 200) => {
    res
      .status(status)
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(
        layout({
          title,
          viewer,
          path: req.path === '/' ? req.baseUrl : `${req.baseUrl}${req.path}`,
          main,
          notice,
        }),
      );
  };
  return {
    req,
    res,
    viewer,
    zone: viewerZone(req, viewer?.timeZone),
    formToken: viewer?.csrfToken ?? (res.locals.formToken as string | undefined),
    form,
    api: async <T>(path: string, options: CallOptions = {}) => {
      const write = options.method !== undefined && options.method !== 'GET';
      const key = one(form, '_key');
      const answer = await callApi<T>(req, path, {
        ...(write && viewer ? { csrfToken: viewer.csrfToken } : {}),
        ...(write && key ? { idempotencyKey: key } : {}),
        ...options,
      });
      for (const cookie of answer.setCookies) res.append('Set-Cookie', cookie);
      return answer;
    },
    render,
    redirect: (to, key) => {
      const url = key && NOTICES[key] ? `${to}${to.includes('?') ? '&' : '?'}notice=${key}` : to;
      res.redirect(303, url);
    },
    fail: (answer) => {
      if (answer.status === 401) {
        return void res.redirect(303, `/app/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
      }
      if (answer.retryAfter) res.setHeader('Retry-After', answer.retryAfter);
      const shown = [403, 404, 409, 410, 429, 503].includes(answer.status) ? answer.status : 500;
      const page = statusPage(shown, answer.detail);
      render(page.title, page.main, shown);
    },
  };
}

/** An express handler for a page. */
export const asRoute =
  (handler: PageHandler) =>
  (req: Request, res: Response): Promise<void> =>
    handler(pageContext(req, res));

/**
 * The viewer, if they have `role`; otherwise the page is ended: to sign-in for someone signed out,
 * a 403 page for another role (the API would refuse them the same).
 */
export function viewerAs(ctx: PageContext, role: Viewer['role']): Viewer | undefined {
  if (!ctx.viewer) {
    ctx.res.redirect(303, `/app/sign-in?next=${encodeURIComponent(ctx.req.originalUrl)}`);
    return undefined;
  }
  if (ctx.viewer.role !== role) {
    const page = statusPage(403, `These pages are for ${role}s.`);
    ctx.render(page.title, page.main, 403);
    return undefined;
  }
  return ctx.viewer;
}
