import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { findTokenSubject } from '../db/tokens';
import type { Db } from '../db/pool';
import { forbidden, unauthorized } from './problem';

export type Principal =
  { role: 'ops' } | { role: 'employer'; employerId: string } | { role: 'student'; studentId: string };

export type Role = Principal['role'];

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Resolves the bearer token to a principal, or answers 401. Tokens are compared by hash only. */
export function authenticate(deps: { db: Db; opsToken: string }): RequestHandler {
  const opsDigest = digest(deps.opsToken);
  return async (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const token = match?.[1];
    if (!token) throw unauthorized();
    if (timingSafeEqual(digest(token), opsDigest)) {
      res.locals.principal = { role: 'ops' } satisfies Principal;
      return next();
    }
    const subject = await findTokenSubject(deps.db, token);
    if (!subject) throw unauthorized();
    res.locals.principal = (
      subject.role === 'employer'
        ? { role: 'employer', employerId: subject.subjectId }
        : { role: 'student', studentId: subject.subjectId }
    ) satisfies Principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw unauthorized();
  return principal;
}

/** Narrows the caller to one of the roles, or answers 403. */
export function requireRole<R extends Role>(res: Response, ...roles: R[]): Extract<Principal, { role: R }> {
  const principal = principalOf(res);
  if (!(roles as Role[]).includes(principal.role)) {
    throw forbidden(`This action is for: ${roles.join(', ')}`);
  }
  return principal as Extract<Principal, { role: R }>;
}
