import type { z } from 'zod';
import { fieldErrorsOf, validationProblem } from './problem';

/** Parses one part of a request; a failure becomes a problem naming each wrong field. */
export function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: 'body' | 'query' | 'path',
): z.infer<S> {
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (!result.success) {
    const errors = fieldErrorsOf(result.error, part === 'body' ? undefined : part);
    throw validationProblem(errors, part === 'body' || part === 'query' ? 422 : 404);
  }
  return result.data;
}
