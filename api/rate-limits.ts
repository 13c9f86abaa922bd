import type { NextFunction, Request, RequestHandler, Response } from 'express';
import rateLimit, { ipKeyGenerator } from 'express-rate-limit';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from './auth';
import { REFUSAL_HOLD_MS } from './connection-limit';
import { HttpProblem } from './problem';

/**
 * Per-minute limits of this API process (express-rate-limit's in-memory store): a caller past one
 * gets 429 with Retry-After before anything else runs, held REFUSAL_HOLD_MS first (why: see there).
 * They are the cheap first line against a flood (no database write per refused request); the
 * limits that must hold across every API process (sign-in, sign-ups, applications, postings) are
 * counted in Postgres (api/limits.ts).
 */
const WINDOW_MS = 60_000;

const tooMany = (who: string) =>
  new HttpProblem(429, 'Too Many Requests', `Too many requests from this ${who}; try again in a minute`, {
    headers: { 'Retry-After': String(WINDOW_MS / 1000) },
  });

/** Answers 429 after the hold; nothing if the caller hung up meanwhile. */
const refuse =
  (who: string) =>
  (_req: Request, res: Response, next: NextFunction): void => {
    const held = setTimeout(() => next(tooMany(who)), REFUSAL_HOLD_MS);
    res.once('close', () => clearTimeout(held));
  };

/**
 * The web app's pages call this API over loopback in the same process, as their viewer (web/): the
 * page's form post was already counted against the viewer's address, so its API call carries this
 * header with a secret only this process knows, and is not counted a second time.
 */
export const PAGE_CALL_HEADER = 'x-page-call';
export const pageCallSecret = randomBytes(32).toString('base64url');
const fromOurPage = (req: Request) => {
  const sent = req.get(PAGE_CALL_HEADER);
  return (
    sent !== undefined &&
    sent.length === pageCallSecret.length &&
    timingSafeEqual(Buffer.from(sent), Buffer.from(pageCallSecret))
  );
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const isWrite = (req: Request) => WRITES.has(req.method);

/** Every request of a kind (sign-ups, email links) from one client address. */
export function perAddress(limit: number): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: refuse('address'),
  });
}

/**
 * Every write from one client address, whoever it signs in as (many accounts of one bot). Stripe's
 * webhooks are left out: they are signed, and one Stripe address sends every account's events; so
 * are the API calls of this process's own pages, whose form post was counted (PAGE_CALL_HEADER).
 */
export function writesPerAddress(limit: number): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skip: (req) => !isWrite(req) || req.path.startsWith('/webhooks/') || fromOurPage(req),
    keyGenerator: (req) => `writes:${ipKeyGenerator(req.ip ?? '')}`,
    handler: refuse('address'),
  });
}

/**
 * Every write of one signed-in person, from wherever it comes (one account on many addresses). Runs
 * after authentication, so the account is known.
 */
export function writesPerAccount(limit: number): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skip: (req, res) => !isWrite(req) || !res.locals.principal,
    keyGenerator: (_req, res) => `account:${(res.locals.principal as Principal).accountId}`,
    handler: refuse('account'),
  });
}
