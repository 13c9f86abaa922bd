import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { afterAnswer } from '../after-answer';
import { json, jsonBody, problem, type Operation } from '../openapi-kit';
import { createStudentBody, signUpAccepted } from '../schemas';
import { signUpStudent } from '../use-cases/sign-up';
import { parse } from '../validate';

const signUp: Operation = {
  method: 'post',
  path: '/v1/students',
  summary: 'Sign up as a student (no token needed; no GPA, ever): a confirmation email follows',
  description:
    "The email's link or code confirms the address and signs you in (POST /v1/auth/sessions); until then only the posting board can be read. The answer is the same for an address that already has an account: that address is emailed a way to sign in.",
  request: { body: jsonBody(createStudentBody) },
  responses: {
    202: json(signUpAccepted, 'The confirmation email is on its way'),
    422: problem('Invalid body'),
    429: problem('Too many sign-ups from this address or for this email; try again after Retry-After'),
  },
};

export function studentRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();

  /** Anyone may sign up; the account works once the address is confirmed. */
  routes.route(signUp, async (req, res) => {
    const body = parse(createStudentBody, req.body, 'body');
    await deps.limits.consume(['sign-up-address', req.ip ?? 'unknown'], ['sign-up-email', body.email]);
    const { email, name, school, major, graduationYear, skills, timeZone } = body;
    afterAnswer(res, deps.logger, 'sign-up', () =>
      signUpStudent(deps, { email, name, school: school ?? null, major, graduationYear, skills, timeZone }),
    );
    res.status(202).json({
      status: 'check-your-email',
      detail: 'We sent a link and a code to confirm your address; use either to sign in.',
    });
  });

  return routes;
}
