import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';

/** One wrong field of a request, named by its path in the body, query or header. */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem; thrown by routes and rendered by `problemHandler`. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      type?: string;
      /** Extension members of the problem (RFC 9457 §3.2), e.g. `attemptsLeft`. */
      members?: Record<string, string | number | boolean>;
    } = {},
  ) {
    super(detail ?? title);
  }
}

export const notFound = (what = 'Resource') => new HttpProblem(404, 'Not Found', `${what} not found`);
export const unauthorized = () =>
  new HttpProblem(401, 'Unauthorized', 'Sign in: a valid session or API token is required', {
    headers: { 'WWW-Authenticate': 'Bearer' },
  });
export const forbidden = (detail: string) => new HttpProblem(403, 'Forbidden', detail);
/** A 409 of one of the workflow's refusal types (`/problems/PostingClosed` …), answered by the API itself. */
export const conflict = (type: string, detail: string) =>
  new HttpProblem(409, 'Conflict', detail, { type: `/problems/${type}` });
export const serviceUnavailable = (what: string) =>
  new HttpProblem(503, 'Service Unavailable', `${what} is unavailable; try again shortly`, {
    headers: { 'Retry-After': '5' },
  });

/** A 503 answered before anything changed: the same request can be sent again after `Retry-After`. */
export class TryAgainShortly extends HttpProblem {
  constructor(type: string, detail: string) {
    super(503, 'Service Unavailable', detail, { headers: { 'Retry-After': '1' }, type });
  }
}

/** A problem lists at most this many field errors: a body with 10,000 unknown keys gets 20, not 10,000. */
export const MAX_FIELD_ERRORS = 20;
/** A field is named by at most this many characters (an unknown key may be as long as the body). */
const MAX_FIELD_NAME = 100;

const clip = (name: string) =>
  name.length > MAX_FIELD_NAME ? `${name.slice(0, MAX_FIELD_NAME - 1)}…` : name;

/**
 * A 422 (or 400) whose `errors` name each wrong field once, at most MAX_FIELD_ERRORS of them; the
 * detail says how many there were and names the first few, so the answer never outgrows the request.
 */
export function validationProblem(errors: FieldError[], status = 422): HttpProblem {
  const listed = errors.slice(0, MAX_FIELD_ERRORS).map((e) => ({ field: clip(e.field), message: e.message }));
  const first = listed[0];
  const detail =
    listed.length === 1 && first
      ? `${first.field}: ${first.message}`
      : `${errors.length} fields are invalid${errors.length > listed.length ? ` (the first ${listed.length} are listed)` : ''}: ${listed
          .slice(0, 3)
          .map((e) => e.field)
          .join(', ')}${errors.length > 3 ? ', …' : ''}`;
  return new HttpProblem(status, 'Invalid request', detail, { errors: listed, type: '/problems/validation' });
}

/** One error per wrong field; a key the schema does not know is named as the field itself. */
export function fieldErrorsOf(error: ZodError, prefix?: string): FieldError[] {
  const fieldAt = (path: PropertyKey[]) =>
    [prefix, ...path.map(String)].filter(Boolean).join('.') || prefix || 'body';
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: fieldAt([...issue.path, key]), message: 'is not a known field' }))
      : [{ field: fieldAt(issue.path), message: issue.message }],
  );
}

function sendProblem(res: Response, problem: HttpProblem, instance: string): void {
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) res.setHeader(name, value);
  res.locals.problemType = problem.extra.type ?? 'about:blank'; // for the request's log line
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: problem.extra.type ?? 'about:blank',
      title: problem.title,
      status: problem.status,
      ...(problem.detail ? { detail: problem.detail } : {}),
      instance,
      ...(problem.extra.errors ? { errors: problem.extra.errors } : {}),
      ...problem.extra.members,
    });
}

const UPDATE_TIMED_OUT = 'WorkflowUpdateRPCTimeoutOrCancelledError';
/**
 * gRPC codes by which Temporal says it cannot serve the call now: UNKNOWN, DEADLINE_EXCEEDED,
 * RESOURCE_EXHAUSTED, INTERNAL (its store failing), UNAVAILABLE (its frontend gone).
 */
const GRPC_SERVER_TROUBLE = new Set([2, 4, 8, 13, 14]);
const GRPC_SERVER_TROUBLE_NAMES = /UNKNOWN|DEADLINE_EXCEEDED|RESOURCE_EXHAUSTED|INTERNAL|UNAVAILABLE/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P03']);

/** Temporal (down, its store failing, or our call deadline passed) or Postgres (connection refused, shutting down) cannot be reached. */
export function unreachableDependency(err: unknown): string | undefined {
  for (
    let e: unknown = err, depth = 0;
    e && typeof e === 'object' && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (
      // An Update still unanswered at our deadline (the client gives its gRPC error as CANCELLED or
      // DEADLINE_EXCEEDED): Temporal did not serve it in time.
      name === UPDATE_TIMED_OUT ||
      // A store that fails its reads makes the frontend lose even the namespace it serves.
      name === 'NamespaceNotFoundError' ||
      (typeof code === 'number' && GRPC_SERVER_TROUBLE.has(code)) ||
      (name === 'ServiceError' && GRPC_SERVER_TROUBLE_NAMES.test(String((e as Error).message)))
    )
      return 'Temporal';
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'The database';
  }
  return undefined;
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpProblem(404, 'Not Found', `No route for ${req.method} ${req.path}`));
};

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return async (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    // A failed request frees its Idempotency-Key (see idempotency.ts), so a retry runs for real.
    const idempotency = res.locals.idempotency as { release(): Promise<void> } | undefined;
    await idempotency?.release().catch(() => undefined);
    const instance = req.originalUrl;
    if (err instanceof HttpProblem) return sendProblem(res, err, instance);
    if (err instanceof ZodError) return sendProblem(res, validationProblem(fieldErrorsOf(err)), instance);

    // body-parser marks its own failures with an HTTP status and a type.
    const parserError = err as { type?: string; status?: number };
    if (parserError.type === 'entity.parse.failed') {
      return sendProblem(
        res,
        validationProblem([{ field: 'body', message: 'is not valid JSON' }], 400),
        instance,
      );
    }
    if (parserError.type === 'entity.too.large') {
      return sendProblem(
        res,
        new HttpProblem(413, 'Payload Too Large', 'The request body is too large'),
        instance,
      );
    }
    if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return sendProblem(
        res,
        new HttpProblem(parserError.status, 'Bad Request', 'The request could not be read'),
        instance,
      );
    }

    const dependency = unreachableDependency(err);
    if (dependency) {
      logger.warn({ err, path: req.path }, `${dependency} unreachable`);
      return sendProblem(res, serviceUnavailable(dependency), instance);
    }
    logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
    sendProblem(
      res,
      new HttpProblem(500, 'Internal Server Error', 'Something went wrong on our side'),
      instance,
    );
  };
}
