import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Caller, OrgRole, StaffRole } from '../db/accounts';
import type { Db } from '../db/pool';
import { findSession, isSessionToken, touchSession, type SessionLifetime } from '../db/sessions';
import { findApiToken } from '../db/tokens';
import { forbidden, HttpProblem, unauthorized } from './problem';

/** How the request reached us: an API client with a bearer credential, or a browser with a cookie. */
export type Channel = 'api' | 'browser';

/** What every signed-in caller is: a person, through one credential. */
export interface Person {
  accountId: string;
  name: string | null;
  email: string | null;
  channel: Channel;
  credential: { kind: 'session' | 'api-token'; id: string };
}

export type Principal =
  | ({ role: 'student'; studentId: string } & Person)
  | ({ role: 'employer'; employerId: string; orgRole: OrgRole } & Person)
  | ({ role: 'ops'; staffRole: StaffRole } & Person);

export type Role = Principal['role'];

/** The browser session's cookie; its writes also send the session's CSRF token in this header. */
export const SESSION_COOKIE = 'mi_session';
export const CSRF_HEADER = 'x-csrf-token';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function principalFrom(caller: Caller, person: Omit<Person, 'accountId' | 'name' | 'email'>): Principal {
  const who = { ...person, accountId: caller.accountId, name: caller.name, email: caller.email };
  if (caller.kind === 'student') return { role: 'student', studentId: caller.accountId, ...who };
  if (caller.kind === 'member')
    return { role: 'employer', employerId: caller.employerId!, orgRole: caller.orgRole!, ...who };
  return { role: 'ops', staffRole: caller.staffRole!, ...who };
}

const refused = {
  unknown: () => unauthorized(),
  expired: () =>
    new HttpProblem(401, 'Unauthorized', 'This session or token has expired: sign in again', {
      type: '/problems/CredentialExpired',
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    }),
  revoked: () =>
    new HttpProblem(401, 'Unauthorized', 'This session or token was revoked or its account removed', {
      type: '/problems/CredentialRevoked',
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    }),
};

export interface AuthSettings {
  db: Db;
  /** Break-glass only: it may create the first staff admin and nothing else (api/routes/staff.ts). */
  opsToken: string;
  sessions: SessionLifetime;
}

type Resolved = { principal: Principal } | { breakGlass: true } | undefined;

/**
 * The caller of a request: from a bearer credential (a session token or a personal API token; the
 * OPS_TOKEN marks it break-glass), or from the browser's session cookie, whose changes must carry
 * the session's CSRF token (`csrf: false` only where a request changes nothing: the codec server).
 * Every lookup reads Postgres, so a session revoked through one API process is refused by every
 * other on its next request. Undefined when the request carries no credential.
 */
export async function callerOf(
  settings: AuthSettings,
  req: Request,
  { csrf = true } = {},
): Promise<Resolved> {
  const header = req.get('authorization');
  if (header !== undefined) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (!bearer) throw unauthorized();
    if (sameSecret(bearer, settings.opsToken)) return { breakGlass: true };
    if (isSessionToken(bearer)) {
      const found = await findSession(settings.db, bearer, settings.sessions);
      if (found.state !== 'active') throw refused[found.state]();
      await touchSession(settings.db, found.session);
      return {
        principal: principalFrom(found.caller, {
          channel: 'api',
          credential: { kind: 'session', id: found.session.id },
        }),
      };
    }
    const found = await findApiToken(settings.db, bearer);
    if (found.state !== 'active') throw refused[found.state]();
    return {
      principal: principalFrom(found.caller, {
        channel: 'api',
        credential: { kind: 'api-token', id: found.tokenId },
      }),
    };
  }
  const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
  if (!cookie || !isSessionToken(cookie)) return undefined;
  const found = await findSession(settings.db, cookie, settings.sessions);
  if (found.state !== 'active') throw refused[found.state]();
  if (csrf && WRITES.has(req.method)) {
    const sent = req.get(CSRF_HEADER);
    if (!sent || !found.csrfToken || !sameSecret(sent, found.csrfToken)) {
      throw forbidden(`A browser's change must send the session's CSRF token in ${CSRF_HEADER}`);
    }
  }
  await touchSession(settings.db, found.session);
  return {
    principal: principalFrom(found.caller, {
      channel: 'browser',
      credential: { kind: 'session', id: found.session.id },
    }),
  };
}

/** The caller of every /v1 request, in `res.locals`; a request with no credential goes on anonymous. */
export function authenticate(settings: AuthSettings): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const resolved = await callerOf(settings, req);
    if (resolved && 'breakGlass' in resolved) res.locals.breakGlass = true;
    if (resolved && 'principal' in resolved) res.locals.principal = resolved.principal;
    next();
  };
}

/**
 * The OPS_TOKEN opens only the door it is kept for; any other use is refused, so nothing else can
 * be done without a person behind it.
 */
export function breakGlassOnlyFor(allowed: (req: Request) => boolean): RequestHandler {
  return (req, res, next) => {
    if (res.locals.breakGlass && !allowed(req)) {
      throw forbidden('OPS_TOKEN only creates a staff admin (POST /v1/admin/staff); sign in as a person');
    }
    next();
  };
}

/** The signed-in caller, or 401. */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw unauthorized();
  return principal;
}

/** The signed-in caller, if any: for what anonymous visitors may read too. */
export const optionalPrincipal = (res: Response): Principal | undefined =>
  res.locals.principal as Principal | undefined;

/** Narrows the caller to one of the roles, or answers 403. */
export function requireRole<R extends Role>(res: Response, ...roles: R[]): Extract<Principal, { role: R }> {
  const principal = principalOf(res);
  if (!(roles as Role[]).includes(principal.role)) {
    throw forbidden(`This action is for: ${roles.join(', ')}`);
  }
  return principal as Extract<Principal, { role: R }>;
}

/** Narrows the caller to staff with one of the roles (support reads; finance decides money; admin manages). */
export function requireStaff(res: Response, ...roles: StaffRole[]): Extract<Principal, { role: 'ops' }> {
  const ops = requireRole(res, 'ops');
  if (!roles.includes(ops.staffRole))
    throw forbidden(`This action is for staff with the role: ${roles.join(', ')}`);
  return ops;
}
