/**
 * The web app: server-rendered pages under /app that call the public API over loopback as the
 * viewer, their stylesheet and script under /assets. Plain forms work without JavaScript; a form
 * post needs the session's CSRF token in its `_csrf` field, then redirects (Post/Redirect/Get).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { SESSION_COOKIE } from '../api/auth';
import { callApi } from './api-client';
import { pageContext, statusPage } from './context';
import { ASSETS_DIR } from './assets';
import { one } from './forms';
import type { Viewer } from './layout';
import { credentialPages } from './pages/credential';
import { homePage } from './pages/home';
import { opsPages } from './pages/ops';
import { signInPages } from './pages/sign-in';
import { studentPages } from './pages/student';
import { employerPages } from './pages/employer';
import { renderSessionEnded } from './session-ended';

export interface WebDeps {
  logger: Logger;
  config: { COOKIE_SECURE: boolean };
}

/**
 * Someone signed out posts only to sign up or sign in; those forms carry a token of their own, the
 * value of this cookie, which only our own pages' posts send (SameSite=Strict): another site cannot
 * post them, so it cannot sign a visitor in to an account of its choosing (login CSRF).
 */
const FORM_COOKIE = 'mi_form';
const FORM_TOKEN = /^[\w-]{43}$/;

function formTokenFor(deps: WebDeps) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (res.locals.viewer) return next();
    const sent = (req.cookies as Record<string, string> | undefined)?.[FORM_COOKIE];
    if (sent && FORM_TOKEN.test(sent)) {
      res.locals.formToken = sent;
    } else {
      // A new one: a post that arrives without the cookie matches nothing and is refused.
      res.locals.formToken = randomBytes(32).toString('base64url');
      res.cookie(FORM_COOKIE, res.locals.formToken, {
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.config.COOKIE_SECURE,
        path: '/app',
      });
      res.locals.formTokenIsNew = true;
    }
    next();
  };
}

interface Me {
  account: { id: string; email: string | null; name: string | null; kind: string };
  role: string;
  organisation: { id: string; companyName: string } | null;
  csrfToken?: string;
  timeZone?: string | null;
}

const ROLE_OF_KIND: Record<string, Viewer['role']> = { student: 'student', member: 'employer', staff: 'ops' };

/** The signed-in viewer, from GET /v1/me with their cookie; none without an active browser session. */
async function loadViewer(req: Request, res: Response, next: NextFunction): Promise<void> {
  const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
  if (cookie) {
    const me = await callApi<Me>(req, '/v1/me');
    const role = ROLE_OF_KIND[me.body?.account?.kind ?? ''];
    if (me.status === 200 && role && me.body.csrfToken) {
      res.locals.viewer = {
        accountId: me.body.account.id,
        role,
        title: me.body.role,
        name: me.body.account.name,
        email: me.body.account.email,
        csrfToken: me.body.csrfToken,
        timeZone: me.body.timeZone ?? null,
        organisation: me.body.organisation,
      } satisfies Viewer;
    } else if (me.status === 401) {
      // The cookie's session has ended: a form from its pages is answered with that (checkCsrf).
      res.locals.sessionEnded = true;
    }
  }
  next();
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * A signed-in viewer's post must carry their session's CSRF token (the API checks it again in the
 * header); a post from someone signed out can only sign up or sign in, which needs no session.
 */
function checkCsrf(req: Request, res: Response, next: NextFunction): void {
  const viewer = res.locals.viewer as Viewer | undefined;
  if (req.method !== 'POST') return next();
  const expected = viewer
    ? viewer.csrfToken
    : res.locals.formTokenIsNew
      ? undefined
      : (res.locals.formToken as string);
  const sent = one((req.body ?? {}) as Record<string, unknown>, '_csrf');
  if (sent && expected && timingSafeEqual(digest(sent), digest(expected))) return next();
  if (!viewer && res.locals.sessionEnded) return renderSessionEnded(pageContext(req, res));
  const page = statusPage(403, 'This form was not sent from our page. Open the page again and resend it.');
  pageContext(req, res).render(page.title, page.main, 403);
}

export function webRouter(deps: WebDeps): Router {
  const router = express.Router();
  // Addresses carry the files' version (?v=), so a year's caching never serves a stale file.
  router.use(
    '/assets',
    express.static(ASSETS_DIR, { maxAge: '365d', immutable: true, index: false, fallthrough: false }),
  );
  router.get('/', (_req, res) => res.redirect(302, '/app'));

  const app = express.Router();
  // The app's pages tell our own server which of its pages a form or link was on (no other site
  // is told anything): a form whose session ended leads back to its page after sign-in.
  app.use((_req, res, next) => {
    res.setHeader('Referrer-Policy', 'same-origin');
    next();
  });
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));
  app.use(loadViewer, formTokenFor(deps), checkCsrf);
  app.use(homePage());
  app.use(signInPages());
  app.use(studentPages());
  app.use('/employer', employerPages());
  app.use(opsPages());
  app.use((req, res) => {
    const page = statusPage(404, undefined);
    pageContext(req, res).render(page.title, page.main, 404);
  });
  // A page that failed is answered with a page, never JSON or a stack trace.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const unreachable =
      err instanceof Error && (err.name === 'TimeoutError' || /fetch failed/.test(err.message));
    // body-parser's own refusals (a form too large, unreadable) are the sender's, not ours.
    const sent = (err as { status?: unknown }).status;
    const status = typeof sent === 'number' && sent >= 400 && sent < 500 ? sent : unreachable ? 503 : 500;
    if (status >= 500) {
      deps.logger.error(
        { err: err instanceof Error ? err.message : String(err), path: req.path },
        'web page failed',
      );
    }
    if (res.headersSent) return;
    const page = statusPage(status, undefined);
    pageContext(req, res).render(page.title, page.main, status);
  });
  router.use('/app', app);
  router.use(credentialPages()); // /c/:credentialId, the credential's public address (anyone)
  return router;
}
