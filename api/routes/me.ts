import { setEmployerTimeZone } from '../../db/employers';
import { setStudentTimeZone } from '../../db/students';
import type { RouteDeps } from '../deps';
import { requireRole } from '../auth';
import { DocumentedRouter } from '../documented-router';
import { json, jsonBody, problems, secured, unauthenticated, type Operation } from '../openapi-kit';
import { notFound } from '../problem';
import { timeZoneBody } from '../schemas';
import { parse } from '../validate';

const setTimeZone: Operation = {
  method: 'put',
  path: '/v1/me/time-zone',
  summary: 'Set the time zone the dates in your emails are written in (student, employer)',
  security: secured,
  request: { body: jsonBody(timeZoneBody) },
  responses: {
    200: json(timeZoneBody, 'The time zone now used for your emails'),
    ...unauthenticated,
    ...problems({
      403: 'Caller is ops: ops emails are in UTC',
      404: 'The signed-in account no longer exists',
      422: 'Invalid body; an unknown time zone is named in `errors`',
    }),
  },
};

/** The signed-in student's or employer's own settings. */
export function meRoutes({ db }: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();

  /** Every email from now on prints its dates in this zone; emails already sent keep theirs. */
  routes.route(setTimeZone, async (req, res) => {
    const principal = requireRole(res, 'student', 'employer');
    const { timeZone } = parse(timeZoneBody, req.body, 'body');
    const found =
      principal.role === 'student'
        ? await setStudentTimeZone(db, principal.studentId, timeZone)
        : await setEmployerTimeZone(db, principal.employerId, timeZone);
    if (!found) throw notFound(principal.role === 'student' ? 'Student' : 'Employer');
    res.json({ timeZone });
  });

  return routes;
}
