import { randomUUID } from 'node:crypto';
import { inTransaction } from '../../db/pool';
import { insertStudent } from '../../db/students';
import { issueToken } from '../../db/tokens';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { json, jsonBody, problem, type Operation } from '../openapi-kit';
import { HttpProblem } from '../problem';
import { createStudentBody, createStudentResponse } from '../schemas';
import { parse } from '../validate';

const signUp: Operation = {
  method: 'post',
  path: '/v1/students',
  summary: 'Sign up as a student (no token needed; no GPA, ever)',
  request: { body: jsonBody(createStudentBody) },
  responses: {
    201: json(createStudentResponse, 'The student and its API token'),
    409: problem('Email already registered'),
    422: problem('Invalid body'),
    429: problem('Too many sign-ups from this address; try again after Retry-After'),
  },
};

export function studentRoutes({ db }: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();

  /** Anyone may sign up as a student; the token in the answer is shown once. */
  routes.route(signUp, async (req, res) => {
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
        timeZone: body.timeZone,
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

  return routes;
}
