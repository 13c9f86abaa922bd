import { findInternship, type Internship } from '../db/internships';
import type { Db } from '../db/pool';
import type { Principal } from './auth';
import { notFound } from './problem';
import { internshipIdParam } from './schemas';
import { parse } from './validate';

/**
 * The internship named by the route's `:id`, if the caller may act on it: its employer, or its hired
 * student, when given. Anything else is a 404, so another owner's posting is never revealed (DESIGN §2).
 */
export async function internshipFor(
  db: Db,
  params: unknown,
  access: { employerId?: string | undefined; studentId?: string | undefined } = {},
): Promise<Internship> {
  const { id } = parse(internshipIdParam, params, 'path');
  const internship = await findInternship(db, id);
  if (
    !internship ||
    (access.employerId !== undefined && internship.employerId !== access.employerId) ||
    (access.studentId !== undefined && internship.studentId !== access.studentId)
  ) {
    throw notFound('Internship');
  }
  return internship;
}

/** Whose internship the caller may act on: ops any, an employer its own, a student the one they were hired for. */
export function ownerOf(caller: Principal): { employerId?: string; studentId?: string } {
  if (caller.role === 'employer') return { employerId: caller.employerId };
  if (caller.role === 'student') return { studentId: caller.studentId };
  return {};
}
