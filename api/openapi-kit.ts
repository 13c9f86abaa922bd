/** The pieces each route's OpenAPI operation is written with (api/documented-router.ts). */
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z, type ZodType } from 'zod';
import { problemSchema } from './schemas';

/** One route's OpenAPI operation, for the methods the API serves. */
export type Operation = RouteConfig & { method: 'get' | 'post' | 'put' | 'patch' | 'delete' };

export const json = (schema: ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
export const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
export const htmlPage = (description: string) => ({
  description,
  content: { 'text/html': { schema: z.string() } },
});
/** A required JSON request body. */
export const jsonBody = (schema: ZodType) => ({
  required: true,
  content: { 'application/json': { schema } },
});
/** The operation needs a bearer token (or, for browsers, a session). */
export const secured = [{ bearer: [] }];
/** What every operation that needs a bearer token can answer. */
export const unauthenticated = { 401: problem('Missing or unknown bearer token') };
/** Refusals written as status → description. */
export const problems = (refusals: Record<number, string>) =>
  Object.fromEntries(Object.entries(refusals).map(([status, text]) => [status, problem(text)]));
/** The header that makes a write safe to retry: the same key with the same body replays the first answer. */
export const idempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/)
    .optional()
    .describe('Same key + same body replays the first answer'),
});
