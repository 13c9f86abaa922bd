/**
 * The pages' only way to the platform: the public JSON API, called over loopback in this same
 * process, as the viewer (their session cookie, CSRF token and address are forwarded).
 */
import type { Request } from 'express';
import { SESSION_COOKIE } from '../api/auth';
import { PAGE_CALL_HEADER, pageCallSecret } from '../api/rate-limits';

/** The API's problem+json errors, by the name of the form field they are about. */
export type FieldErrors = Record<string, string>;

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  /** Field → the API's message (`body.pitch` → `pitch`, `body.answers.0` → `answers.0`). */
  fieldErrors: FieldErrors;
  /** A problem's detail, when the answer was one. */
  detail?: string;
  /** The API's own cookies (a new session, a sign-out), to pass on to the browser. */
  setCookies: string[];
  retryAfter?: string;
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  /** The session's CSRF token: every change made with the cookie sends it. */
  csrfToken?: string;
  /** From the form's hidden field, made when the form was rendered: a double submit acts once. */
  idempotencyKey?: string;
}

interface Problem {
  detail?: string;
  title?: string;
  errors?: { field: string; message: string }[];
}

/** How long a page waits for the API; the API's own deadlines (Temporal, Postgres) are shorter. */
const API_TIMEOUT_MS = 30_000;

const PREFIXES = /^(body|query|path)\./;

/** The first message for each field, named as the form names it. */
export function fieldErrorsOf(problem: Problem | undefined): FieldErrors {
  const errors: FieldErrors = {};
  for (const e of problem?.errors ?? []) {
    const field = e.field.replace(PREFIXES, '');
    errors[field] ??= e.message;
  }
  return errors;
}

const parseJson = (text: string): unknown => {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return text;
  }
};

const cookieOf = (req: Request, name: string) => (req.cookies as Record<string, string> | undefined)?.[name];

/** One call to the API as the viewer of `req`. */
export async function callApi<T = unknown>(
  req: Request,
  path: string,
  options: CallOptions = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const session = cookieOf(req, SESSION_COOKIE);
  if (session) headers.cookie = `${SESSION_COOKIE}=${session}`;
  // The app trusts loopback proxies: the API's per-address limits and audit see the viewer's address.
  if (req.ip) headers['x-forwarded-for'] = req.ip;
  // The form post that led here was counted against that address already: not twice.
  headers[PAGE_CALL_HEADER] = pageCallSecret;
  const agent = req.get('user-agent');
  if (agent) headers['user-agent'] = agent;
  if (options.csrfToken) headers['x-csrf-token'] = options.csrfToken;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  if (options.body !== undefined) headers['content-type'] = 'application/json';

  const response = await fetch(`http://127.0.0.1:${req.socket.localPort}${path}`, {
    method: options.method ?? 'GET',
    headers,
    redirect: 'manual',
    signal: AbortSignal.timeout(API_TIMEOUT_MS),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  const body = parseJson(text);
  const isProblem = (response.headers.get('content-type') ?? '').startsWith('application/problem+json');
  const problem = isProblem ? (body as Problem) : undefined;
  return {
    status: response.status,
    body: body as T,
    fieldErrors: fieldErrorsOf(problem),
    ...(problem ? { detail: problem.detail ?? problem.title ?? 'The request was refused' } : {}),
    setCookies: response.headers.getSetCookie(),
    ...(response.headers.get('retry-after') ? { retryAfter: response.headers.get('retry-after')! } : {}),
  };
}
