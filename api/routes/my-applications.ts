import { decodeCursor, listApplicationsOfStudent } from '../../db/internships';
import { requireRole } from '../auth';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { json, problem, secured, unauthenticated, type Operation } from '../openapi-kit';
import { validationProblem } from '../problem';
import { myApplicationPage, myApplicationsQuery } from '../schemas';
import { parse } from '../validate';
import { internshipView } from './internships';

const myApplications: Operation = {
  method: 'get',
  path: '/v1/students/me/applications',
  summary:
    'Your applications, newest first, each with its posting, its status and what you can do now (student)',
  security: secured,
  request: { query: myApplicationsQuery },
  responses: {
    200: json(myApplicationPage, 'One page'),
    ...unauthenticated,
    403: problem('Caller is not a student'),
    422: problem('Invalid query'),
  },
};

/** §3.1–3.3 The student's side of their applications: where each stands and the offers to answer. */
export function myApplicationRoutes({ db }: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();
  routes.route(myApplications, async (req, res) => {
    const student = requireRole(res, 'student');
    const query = parse(myApplicationsQuery, req.query, 'query');
    if (query.cursor && !decodeCursor(query.cursor)) {
      throw validationProblem([{ field: 'query.cursor', message: 'is not a cursor this API issued' }]);
    }
    const page = await listApplicationsOfStudent(db, student.studentId, {
      limit: query.limit,
      cursor: query.cursor,
    });
    res.json({
      items: page.items.map(({ application, internship }) => ({
        ...internshipView(student, internship, application),
        appliedAt: application.createdAt,
      })),
      nextCursor: page.nextCursor,
    });
  });
  return routes;
}
