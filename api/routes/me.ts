import { findEmployer } from '../../db/employers';
import { findMember, setMemberTimeZone } from '../../db/members';
import { findSession, listSessions, revokeSession } from '../../db/sessions';
import { findStudent, setStudentTimeZone } from '../../db/students';
import { issueApiToken, listApiTokens, revokeApiToken } from '../../db/tokens';
import { auditAccount } from '../account-audit';
import { actorOf } from '../audited-handle';
import { principalOf, requireRole, SESSION_COOKIE, type Principal } from '../auth';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import {
  apiTokenCreated,
  apiTokenList,
  createTokenBody,
  idParam,
  meSchema,
  sessionList,
} from '../identity-schemas';
import { json, jsonBody, problems, secured, unauthenticated, type Operation } from '../openapi-kit';
import { HttpProblem, notFound, validationProblem } from '../problem';
import { timeZoneBody } from '../schemas';
import { sessionLifetime } from '../use-cases/sign-in';
import { parse } from '../validate';

const whoAmI: Operation = {
  method: 'get',
  path: '/v1/me',
  summary: 'Who is signed in: the account, their role, their organisation, the credential used',
  security: secured,
  responses: { 200: json(meSchema, 'The caller'), ...unauthenticated },
};
const mySessions: Operation = {
  method: 'get',
  path: '/v1/me/sessions',
  summary: 'Your sessions that could still be used, newest first',
  security: secured,
  responses: { 200: json(sessionList, 'Sessions'), ...unauthenticated },
};
const endSession: Operation = {
  method: 'delete',
  path: '/v1/me/sessions/{id}',
  summary: 'End one of your sessions (this one too): refused from the next request on, by every API process',
  security: secured,
  request: { params: idParam },
  responses: {
    204: { description: 'Ended' },
    ...unauthenticated,
    ...problems({ 404: 'No such session of yours' }),
  },
};
const myTokens: Operation = {
  method: 'get',
  path: '/v1/me/tokens',
  summary: 'Your personal API tokens (not the tokens themselves: they are shown once)',
  security: secured,
  responses: { 200: json(apiTokenList, 'Tokens, newest first'), ...unauthenticated },
};
const newToken: Operation = {
  method: 'post',
  path: '/v1/me/tokens',
  summary: 'Create a personal API token for an integration (signed in with a session)',
  security: secured,
  request: { body: jsonBody(createTokenBody) },
  responses: {
    201: json(apiTokenCreated, 'The token, shown once'),
    ...unauthenticated,
    ...problems({
      403: 'An API token cannot create another: sign in',
      422: 'Invalid body, or an expiry in the past',
    }),
  },
};
const dropToken: Operation = {
  method: 'delete',
  path: '/v1/me/tokens/{id}',
  summary: 'Revoke one of your API tokens: refused from the next request on',
  security: secured,
  request: { params: idParam },
  responses: {
    204: { description: 'Revoked' },
    ...unauthenticated,
    ...problems({ 404: 'No such token of yours' }),
  },
};
const setTimeZone: Operation = {
  method: 'put',
  path: '/v1/me/time-zone',
  summary: 'Set the time zone the dates in your emails are written in (students, employer members)',
  security: secured,
  request: { body: jsonBody(timeZoneBody) },
  responses: {
    200: json(timeZoneBody, 'The time zone now used for your emails'),
    ...unauthenticated,
    ...problems({
      403: 'Caller is staff: staff emails are in UTC',
      404: 'The signed-in account no longer exists',
      422: 'Invalid body; an unknown time zone is named in `errors`',
    }),
  },
};

const titleOf = (p: Principal) =>
  p.role === 'student' ? 'student' : p.role === 'employer' ? p.orgRole : p.staffRole;

/** The signed-in person's own account: who they are, their sessions and API tokens, their time zone. */
export function meRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();
  const { db } = deps;
  const lifetime = sessionLifetime(deps.config);

  routes.route(whoAmI, async (req, res) => {
    const p = principalOf(res);
    const employer = p.role === 'employer' ? await findEmployer(db, p.employerId) : undefined;
    const timeZone =
      p.role === 'student'
        ? (await findStudent(db, p.studentId))?.timeZone
        : p.role === 'employer'
          ? (await findMember(db, p.employerId, p.accountId))?.timeZone
          : undefined;
    // A browser page reads its CSRF token here; it is useless without the HttpOnly cookie.
    const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    const session = p.channel === 'browser' && cookie ? await findSession(db, cookie, lifetime) : undefined;
    res.json({
      account: {
        id: p.accountId,
        email: p.email,
        name: p.name,
        kind: p.role === 'employer' ? 'member' : p.role === 'ops' ? 'staff' : 'student',
      },
      role: titleOf(p),
      organisation: employer
        ? {
            id: employer.id,
            companyName: employer.companyName,
            fairPayFloorCentsPerHour: deps.config.MIN_HOURLY_RATE_CENTS,
          }
        : null,
      credential: p.credential,
      channel: p.channel,
      timeZone: timeZone ?? null,
      ...(session?.state === 'active' && session.csrfToken ? { csrfToken: session.csrfToken } : {}),
    });
  });

  sessionRoutes(routes, deps);
  tokenRoutes(routes, deps);
  /** Every email from now on prints its dates in this zone; emails already sent keep theirs. */
  routes.route(setTimeZone, async (req, res) => {
    const principal = requireRole(res, 'student', 'employer');
    const { timeZone } = parse(timeZoneBody, req.body, 'body');
    const found =
      principal.role === 'student'
        ? await setStudentTimeZone(db, principal.studentId, timeZone)
        : await setMemberTimeZone(db, principal.accountId, timeZone);
    if (!found) throw notFound(principal.role === 'student' ? 'Student' : 'Member');
    await auditAccount(deps, {
      action: 'time-zone-set',
      actor: actorOf(principal),
      subjectId: principal.accountId,
    });
    res.json({ timeZone });
  });

  return routes;
}

/** The person's sessions: listed, and any of them ended. */
function sessionRoutes(routes: DocumentedRouter, deps: RouteDeps): void {
  const { db } = deps;
  const lifetime = sessionLifetime(deps.config);
  routes.route(mySessions, async (_req, res) => {
    const p = principalOf(res);
    const sessions = await listSessions(db, p.accountId, lifetime);
    res.json({
      items: sessions.map(({ accountId: _a, ...s }) => ({
        ...s,
        current: p.credential.kind === 'session' && p.credential.id === s.id,
      })),
    });
  });

  routes.route(endSession, async (req, res) => {
    const p = principalOf(res);
    const { id } = parse(idParam, req.params, 'path');
    if (!(await revokeSession(db, p.accountId, id))) throw notFound('Session');
    await auditAccount(deps, { action: 'session-revoked', actor: actorOf(p), subjectId: p.accountId });
    res.status(204).end();
  });
}

/** The person's API tokens: listed, made (with a session), revoked. */
function tokenRoutes(routes: DocumentedRouter, deps: RouteDeps): void {
  const { db } = deps;
  routes.route(myTokens, async (_req, res) => {
    const p = principalOf(res);
    res.json({ items: await listApiTokens(db, p.accountId) });
  });

  routes.route(newToken, async (req, res) => {
    const p = principalOf(res);
    if (p.credential.kind !== 'session') {
      throw new HttpProblem(
        403,
        'Forbidden',
        'An API token cannot create another: sign in and use the session',
      );
    }
    const body = parse(createTokenBody, req.body, 'body');
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw validationProblem([{ field: 'expiresAt', message: 'must be in the future' }]);
    }
    const { token, apiToken } = await issueApiToken(db, {
      accountId: p.accountId,
      name: body.name,
      expiresAt,
    });
    await auditAccount(deps, { action: 'api-token-created', actor: actorOf(p), subjectId: p.accountId });
    res.status(201).json({ ...apiToken, token });
  });

  routes.route(dropToken, async (req, res) => {
    const p = principalOf(res);
    const { id } = parse(idParam, req.params, 'path');
    if (!(await revokeApiToken(db, p.accountId, id))) throw notFound('API token');
    await auditAccount(deps, { action: 'api-token-revoked', actor: actorOf(p), subjectId: p.accountId });
    res.status(204).end();
  });
}
