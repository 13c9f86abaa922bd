import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { findAccount, findCaller, markVerified } from '../../db/accounts';
import { openSession as openSessionRow } from '../../db/sessions';
import { LINK_SHAPE, peekLink } from '../../db/sign-in';
import { staffForIdentity } from '../../db/staff';
import { auditAccount } from '../account-audit';
import { actorOfCaller } from '../audited-handle';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { htmlPage, type Operation } from '../openapi-kit';
import { page } from '../pages';
import { unreachableDependency } from '../problem';
import { setSessionCookie } from './auth';
import { openSessionWith, refusal, sessionLifetime } from '../use-cases/sign-in';

const NONCE_COOKIE = 'mi_sign_in';
const STATE_COOKIE = 'mi_oidc_state';
const tokenParam = z.object({ token: z.string() });

const showSignIn: Operation = {
  method: 'get',
  path: '/sign-in/{token}',
  summary: "The sign-in email's link: a page with one button (opening it signs nobody in)",
  request: { params: tokenParam },
  responses: {
    200: htmlPage('The question and its button'),
    404: htmlPage('Not a sign-in link'),
    410: htmlPage('Used, replaced or expired'),
  },
};
const useSignIn: Operation = {
  method: 'post',
  path: '/sign-in/{token}',
  summary: 'Sign in with the link (once): a browser session cookie',
  request: { params: tokenParam },
  responses: {
    200: htmlPage('Signed in'),
    403: htmlPage('The form was not sent from our page'),
    410: htmlPage('Used, replaced or expired'),
  },
};
const startOidc: Operation = {
  method: 'get',
  path: '/auth/oidc/start',
  summary: "Staff: sign in through the company's identity provider (OpenID Connect)",
  responses: { 302: { description: 'To the identity provider' }, 404: htmlPage('OIDC is not configured') },
};
const finishOidc: Operation = {
  method: 'get',
  path: '/auth/oidc/callback',
  summary: 'Where the identity provider sends staff back: a browser session cookie',
  responses: {
    200: htmlPage('Signed in'),
    403: htmlPage('No staff account for this identity, or a forged return'),
    404: htmlPage('OIDC is not configured'),
  },
};

const html = (res: Response, status: number, body: string) =>
  res.status(status).type('html').setHeader('Cache-Control', 'no-store').send(body);

const sameValue = (a: string | undefined, b: string | undefined) =>
  !!a && !!b && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

const cookieOf = (req: Request, name: string) => (req.cookies as Record<string, string> | undefined)?.[name];

const signedIn = (res: Response, who: string, extra: string[] = []) =>
  html(
    res,
    200,
    page('You are signed in', [`Signed in as ${who}.`, ...extra], undefined, {
      href: '/app',
      text: 'Continue to the web app',
    }),
  );

const shortCookie = (deps: RouteDeps) => ({
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: deps.config.COOKIE_SECURE,
  path: '/',
  maxAge: 600_000,
});

const unusable = (res: Response, status: number, detail: string | undefined) =>
  html(res, status, page('This sign-in link cannot be used', [detail ?? '']));

/** The page only asks: mail scanners that open links must not spend them. */
async function showLink(deps: RouteDeps, req: Request, res: Response): Promise<void> {
  const { token } = tokenParam.parse(req.params);
  const peeked = LINK_SHAPE.test(token) ? await peekLink(deps.db, token) : { result: 'unknown' as const };
  if (peeked.result !== 'usable') {
    const problem = refusal(peeked);
    return void unusable(res, peeked.result === 'unknown' ? 404 : problem.status, problem.detail);
  }
  const account = await findAccount(deps.db, peeked.accountId);
  // Ties the button to this page in this browser: a form posted from elsewhere signs nobody in.
  const nonce = randomBytes(18).toString('base64url');
  res.cookie(NONCE_COOKIE, nonce, shortCookie(deps));
  const what =
    peeked.purpose === 'verify'
      ? 'This also confirms that the address is yours.'
      : 'This signs you in on this browser.';
  html(
    res,
    200,
    page(`Sign in as ${account?.email ?? 'you'}?`, [what], {
      action: `/sign-in/${token}`,
      button: 'Sign in',
      fields: { nonce },
    }),
  );
}

/** The page's button: the link is spent once and the browser gets its session cookie. */
async function useLinkFromPage(deps: RouteDeps, req: Request, res: Response): Promise<void> {
  const { token } = tokenParam.parse(req.params);
  const form = req.body as Record<string, unknown> | undefined;
  const sent = typeof form?.nonce === 'string' ? form.nonce : undefined;
  if (!sameValue(sent, cookieOf(req, NONCE_COOKIE))) {
    return void html(
      res,
      403,
      page('Please use the button on the sign-in page', ['Open the link from the email again.']),
    );
  }
  res.clearCookie(NONCE_COOKIE, { path: '/' });
  const opened = LINK_SHAPE.test(token)
    ? await openSessionWith(deps, { link: token }, { kind: 'browser', userAgent: req.get('user-agent') })
    : ({ result: 'unknown' } as const);
  if ('result' in opened) {
    const problem = refusal(opened);
    return void unusable(res, problem.status === 401 ? 404 : problem.status, problem.detail);
  }
  setSessionCookie(deps, res, opened.token);
  await auditSignIn(deps, opened.account.id, 'sign-in:email-link');
  signedIn(res, opened.account.email ?? 'you');
}

async function auditSignIn(deps: RouteDeps, accountId: string, action: string) {
  const caller = await findCaller(deps.db, accountId);
  if (caller)
    await auditAccount(deps, { action, actor: actorOfCaller(caller, 'browser'), subjectId: accountId });
  return caller;
}

const notConfigured = (res: Response) =>
  html(res, 404, page('Not available', ['Staff sign in by email here.']));

/** Staff leave for the company's identity provider, the sign-in's state bound to this browser. */
async function startOidcSignIn(deps: RouteDeps, res: Response): Promise<void> {
  if (!deps.oidc) return void notConfigured(res);
  const { url, state } = await deps.oidc.start();
  res.cookie(STATE_COOKIE, state, shortCookie(deps));
  res.redirect(302, url);
}

/** The provider sends staff back: the code is exchanged, the identity matched to a staff account. */
async function finishOidcSignIn(deps: RouteDeps, req: Request, res: Response): Promise<void> {
  if (!deps.oidc) return void notConfigured(res);
  const query = req.originalUrl.split('?')[1] ?? '';
  // The return must belong to a sign-in this browser started.
  if (!sameValue(new URLSearchParams(query).get('state') ?? undefined, cookieOf(req, STATE_COOKIE))) {
    return void html(
      res,
      403,
      page('Please start again', ['This sign-in was not started from this browser.']),
    );
  }
  res.clearCookie(STATE_COOKIE, { path: '/' });
  const identity = await deps.oidc.finish(query).catch((err: unknown) => {
    // Refused at the provider (access_denied), an expired code, a token that does not verify.
    deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'OIDC sign-in not completed');
    return null;
  });
  if (identity === null) {
    return void html(
      res,
      403,
      page('You are not signed in', [
        'The identity provider did not confirm who you are. Please start again.',
      ]),
    );
  }
  const accountId = identity && (await staffForIdentity(deps.db, identity));
  if (!accountId) {
    return void html(
      res,
      403,
      page('No staff account', [
        'Your company account is not on the operations staff here. Ask a staff admin to add your address.',
      ]),
    );
  }
  await markVerified(deps.db, accountId);
  const opened = await openSessionRow(
    deps.db,
    { accountId, client: 'browser', method: 'oidc', userAgent: req.get('user-agent') },
    sessionLifetime(deps.config),
  );
  setSessionCookie(deps, res, opened.token);
  const caller = await auditSignIn(deps, accountId, 'sign-in:oidc');
  signedIn(res, `${caller?.name ?? caller?.email ?? 'staff'} (${caller?.staffRole ?? 'staff'})`);
}

/** Email sign-in links and the staff's OpenID Connect sign-in: pages for people in a browser. */
export function signInPages(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();
  routes.route(showSignIn, (req, res) => showLink(deps, req, res));
  routes.route(useSignIn, (req, res) => useLinkFromPage(deps, req, res));
  routes.route(startOidc, (_req, res) => startOidcSignIn(deps, res));
  routes.route(finishOidc, (req, res) => finishOidcSignIn(deps, req, res));

  // People arrive here from email or their identity provider: failures get a page, never JSON.
  routes.router.use(
    ['/sign-in', '/auth/oidc'],
    (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      const unreachable = unreachableDependency(err);
      deps.logger.error(
        { err: err instanceof Error ? err.message.replace(/mil_\S*/g, 'mil_[redacted]') : String(err) },
        'sign-in page failed',
      );
      html(
        res,
        unreachable ? 503 : 500,
        page('Please try again shortly', ['Something went wrong on our side; you are not signed in.']),
      );
    },
  );

  return routes;
}

export const signInForm = express.urlencoded({ extended: false, limit: '1kb' });
