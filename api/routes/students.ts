import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { inTransaction } from '../../db/pool';
import { insertStudent } from '../../db/students';
import { issueToken } from '../../db/tokens';
import type { RouteDeps } from '../deps';
import { HttpProblem } from '../problem';
import { createStudentBody } from '../schemas';
import { parse } from '../validate';

export function studentRoutes({ db }: RouteDeps): Router {
  const router = Router();

  /** Anyone may sign up as a student; the token in the answer is shown once. */
  router.post('/v1/students', async (req, res) => {
    const body = parse(createStudentBody, req.body, 'body');
    const created = await inTransaction(db, async (tx) => {
      const student = await insertStudent(tx, {
        id: randomUUID(),
        name: body.name,
        email: body.email,
        school: body.school ?? null,
        major: body.major,
        graduationYear: body.graduationYear,
        skills: body.skills,
      });
      if (!student) return undefined;
      return { student, token: await issueToken(tx, { role: 'student', subjectId: student.id }) };
    });
    if (!created) {
      throw new HttpProblem(409, 'Conflict', 'A student with this email is already registered', {
        errors: [{ field: 'email', message: 'is already registered' }],
      });
    }
    res.status(201).location(`/v1/students/${created.student.id}`).json(created);
  });

  return router;
}
