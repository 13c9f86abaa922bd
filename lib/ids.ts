import { createHash } from 'node:crypto';

/** A UUID (version 8, name-based) derived from `name` with SHA-256: the same name, the same id. */
export function uuidFrom(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The id of the application a request with an Idempotency-Key makes: every attempt of that request
 * is the same application, and the same key used on another posting is another one.
 */
export const keyedApplicationId = (internshipId: string, studentId: string, key: string): string =>
  uuidFrom(`application:${internshipId}:${studentId}:${key}`);
