import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../db/idempotency';
import type { Db } from '../db/pool';
import { principalOf, type Principal } from './auth';
import { HttpProblem, validationProblem } from './problem';

interface IdempotencyContext {
  key: string;
  complete(status: number, body: unknown): Promise<void>;
  release(): Promise<void>;
}

/** Whose Idempotency-Keys these are: each person's own. */
export const principalKey = (p: Principal) => `account:${p.accountId}`;

/** The problem for an `Idempotency-Key` sent again with another request. */
export const keyReused = () =>
  validationProblem([
    { field: 'header.Idempotency-Key', message: 'was already used with a different request' },
  ]);

/** The request's `Idempotency-Key`, if it has one; a malformed key is a 422. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key !== undefined && !/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw validationProblem([
      { field: 'header.Idempotency-Key', message: 'must be 1-255 visible ASCII characters' },
    ]);
  }
  return key;
}

/**
 * Honours `Idempotency-Key` on a creating POST: the same key with the same request replays the first
 * successful answer without doing anything again; the same key with another request is a 422.
 * A failed request frees its key, so the client's retry runs for real.
 */
export function idempotency(db: Db): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = idempotencyKeyOf(req);
    if (key === undefined) return next();
    const principal = principalKey(principalOf(res));
    const requestHash = createHash('sha256')
      .update(`${req.method} ${req.originalUrl}\n${JSON.stringify(req.body ?? null)}`)
      .digest('hex');
    const claim = await claimIdempotencyKey(db, principal, key, requestHash);
    if (claim.kind === 'replay') {
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(claim.status).json(claim.response);
      return;
    }
    if (claim.kind === 'mismatch') throw keyReused();
    if (claim.kind === 'in-progress') {
      throw new HttpProblem(409, 'Conflict', 'A request with this Idempotency-Key is still in progress', {
        headers: { 'Retry-After': '1' },
      });
    }
    const context: IdempotencyContext = {
      key,
      complete: (status, body) => completeIdempotencyKey(db, principal, key, status, body),
      release: () => releaseIdempotencyKey(db, principal, key),
    };
    res.locals.idempotency = context;
    next();
  };
}

/** The key the idempotency middleware accepted for this request, if it carried one. */
export const idempotencyKeyIn = (res: Response): string | undefined =>
  (res.locals.idempotency as IdempotencyContext | undefined)?.key;

/** Sends a successful answer, recording it first under the request's Idempotency-Key if it has one. */
export async function respond(res: Response, status: number, body: unknown): Promise<void> {
  const context = res.locals.idempotency as IdempotencyContext | undefined;
  if (context) await context.complete(status, body);
  res.status(status).json(body);
}
