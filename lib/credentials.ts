import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a completion credential states; signed as the exact JSON text that is stored. */
export interface CredentialPayload {
  credentialId: string;
  type: 'micro-internship-completion';
  /** Older credentials also carry the student's id, signed with the rest; it is never shown. */
  student: { name: string };
  employer: string;
  title: string;
  skills: string[];
  /** Skills the employer endorsed (once feedback is revealed). */
  endorsedSkills: string[];
  /** Skills the student says they practised. */
  skillsPractised: string[];
  startedAt: string | null;
  completedAt: string;
  /** The employer's rating of the student, only when the student chose to show it. */
  employerRating?: number;
}

export const signCredential = (payload: string, secret: string): string =>
  createHmac('sha256', secret).update(payload, 'utf8').digest('base64url');

/** True only when the payload is exactly what was signed. */
export function verifyCredential(payload: string, signature: string, secret: string): boolean {
  const expected = Buffer.from(signCredential(payload, secret));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
