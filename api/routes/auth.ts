import type { Request, Response } from 'express';
import { revokeSession } from '../../db/sessions';
import { findCaller } from '../../db/accounts';
import { auditAccount } from '../account-audit';
import { actorOf, actorOfCaller } from '../audited-handle';
import { principalOf, SESSION_COOKIE } from '../auth';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { openSessionBody, sessionOpened, signInAccepted, signInBody } from '../identity-schemas';
import { json, jsonBody, problem, problems, secured, unauthenticated, type Operation } from '../openapi-kit';
import { HttpProblem } from '../problem';
import { afterAnswer } from '../after-answer';
import { emailSignIn, openSessionWith, refusal, type OpenedSession } from '../use-cases/sign-in';
import { parse } from '../validate';

const requestSignIn: Operation = {
  method: 'post',
  path: '/v1/auth/sign-in',
  summary: 'Ask for a sign-in email: a link and a 6-digit code, single use, 15 minutes (no token needed)',
  description:
    'The answer is the same whether or not the address has an account; an address with none gets no email.',
  request: { body: jsonBody(signInBody) },
  responses: {
    202: json(signInAccepted, 'If the address has an account, the email is on its way'),
    422: problem('Invalid body'),
    429: problem('Too many sign-in emails for this address or from yours; try again after Retry-After'),
  },
};

const openSession: Operation = {
  method: 'post',
  path: '/v1/auth/sessions',
  summary: "Open a session with the sign-in email's code (and its address) or its link's token",
  description:
    'Using one also confirms the address (that is a sign-up\'s verification). Five wrong codes lock the email. `client: "browser"` sets an HttpOnly session cookie instead of returning the token.',
  request: { body: jsonBody(openSessionBody) },
  responses: {
    201: json(sessionOpened, 'Signed in'),
    401: problem(
      'Wrong code (`attemptsLeft`), no sign-in email for that address, or locked after 5 wrong codes',
    ),
    410: problem('The link or code was used, replaced by a newer email, or has expired'),
    422: problem('Invalid body'),
    429: problem('Too many attempts for this address or from yours; try again after Retry-After'),
  },
};

const signOut: Operation = {
  method: 'post',
  path: '/v1/auth/sign-out',
  summary: 'End the session this request came with (and clear its cookie)',
  security: secured,
  responses: {
    204: { description: 'Signed out: the session is refused from now on, by every API process' },
    ...unauthenticated,
    ...problems({ 409: 'This request came with an API token: revoke it with DELETE /v1/me/tokens/{id}' }),
  },
};

/** How long the browser keeps the cookie: the session's own end is checked on every request. */
export function setSessionCookie(deps: RouteDeps, res: Response, token: string): void {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: deps.config.COOKIE_SECURE,
    path: '/',
    maxAge: Math.round(deps.config.SESSION_MAX_DAYS * 86_400_000),
  });
}

/** The answer to a new session: the token for an API client; the cookie and CSRF token for a browser. */
export function answerSession(deps: RouteDeps, res: Response, opened: OpenedSession, browser: boolean): void {
  if (browser) setSessionCookie(deps, res, opened.token);
  res.status(201).json({
    ...(browser ? { csrfToken: opened.csrfToken } : { token: opened.token }),
    sessionId: opened.sessionId,
    expiresAt: opened.expiresAt,
    account: { id: opened.account.id, email: opened.account.email, kind: opened.account.kind },
  });
}

const clientAddress = (req: Request) => req.ip ?? 'unknown';

export function authRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();

  /** Same answer, same work before it, for every address: the email is looked up after it is sent. */
  routes.route(requestSignIn, async (req, res) => {
    const { email } = parse(signInBody, req.body, 'body');
    await deps.limits.consume(['sign-in-email', email], ['sign-in-address', clientAddress(req)]);
    afterAnswer(res, deps.logger, 'sign-in email', () => emailSignIn(deps, email));
    res.status(202).json({
      status: 'check-your-email',
      detail: 'If this address has an account, a sign-in email with a link and a code is on its way.',
    });
  });

  routes.route(openSession, async (req, res) => {
    const body = parse(openSessionBody, req.body, 'body');
    await deps.limits.consume(
      ...(('email' in body ? [['code-email', body.email]] : []) as [['code-email', string]]),
      ['code-address', clientAddress(req)],
    );
    const proof = 'email' in body ? { email: body.email, code: body.code } : { link: body.token };
    const opened = await openSessionWith(deps, proof, {
      kind: body.client,
      userAgent: req.get('user-agent'),
    });
    if ('result' in opened) throw refusal(opened);
    const caller = await findCaller(deps.db, opened.account.id);
    if (caller) {
      await auditAccount(deps, {
        action: `sign-in:${opened.method}`,
        actor: actorOfCaller(caller, body.client),
        subjectId: opened.account.id,
      });
    }
    answerSession(deps, res, opened, body.client === 'browser');
  });

  routes.route(signOut, async (_req, res) => {
    const principal = principalOf(res);
    if (principal.credential.kind !== 'session') {
      throw new HttpProblem(
        409,
        'Conflict',
        'This request came with an API token: revoke it with DELETE /v1/me/tokens/{id}',
      );
    }
    await revokeSession(deps.db, principal.accountId, principal.credential.id);
    await auditAccount(deps, {
      action: 'sign-out',
      actor: actorOf(principal),
      subjectId: principal.accountId,
    });
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  return routes;
}
