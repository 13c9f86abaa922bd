import { listCredentialsOfStudent, type StoredCredential } from '../../db/follow-up';
import { badgeUrl, credentialPageUrl, portfolioUrl } from '../../lib/open-badges';
import { requireRole } from '../auth';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { json, problem, secured, unauthenticated, type Operation } from '../openapi-kit';
import { myCredentialPage, myCredentialsQuery } from '../schemas';
import { parse } from '../validate';
import { portfolioOf } from './follow-up';

const myCredentials: Operation = {
  method: 'get',
  path: '/v1/students/me/credentials',
  summary: 'Your completion credentials, newest first, whoever may see each (student)',
  security: secured,
  request: { query: myCredentialsQuery },
  responses: {
    200: json(myCredentialPage, 'One page, and your public portfolio once you list a credential in it'),
    ...unauthenticated,
    403: problem('Caller is not a student'),
    422: problem('Invalid query'),
  },
};

/** What the signed statement says of the work, for its student's own list. */
function statementOf(c: StoredCredential): { title: string; employer: string; completedAt: string } {
  try {
    const { title, employer, completedAt } = JSON.parse(c.payload) as Record<string, unknown>;
    if (typeof title === 'string' && typeof employer === 'string' && typeof completedAt === 'string') {
      return { title, employer, completedAt: new Date(completedAt).toISOString() };
    }
  } catch {
    // a statement that cannot be read is listed by its issue date alone
  }
  return { title: 'A completion credential', employer: '', completedAt: c.issuedAt };
}

/**
 * §3.9 The student's own credentials, private ones too: the only way to the id of each besides its
 * internship, what they may share and where (its public page, its badge, their public portfolio).
 */
export function myCredentialRoutes(deps: RouteDeps): DocumentedRouter {
  const { db, config } = deps;
  const routes = new DocumentedRouter();
  routes.route(myCredentials, async (req, res) => {
    const student = requireRole(res, 'student');
    const query = parse(myCredentialsQuery, req.query, 'query');
    const [page, listed] = await Promise.all([
      listCredentialsOfStudent(db, student.studentId, { limit: query.limit, cursor: query.cursor }),
      portfolioOf(deps, student.studentId),
    ]);
    res.json({
      items: page.items.map((c) => ({
        credentialId: c.id,
        ...statementOf(c),
        issuedAt: c.issuedAt,
        visibility: c.visibility,
        page: credentialPageUrl(config.PUBLIC_BASE_URL, c.id),
        badgeUrl: badgeUrl(config.PUBLIC_BASE_URL, c.id),
      })),
      nextCursor: page.nextCursor,
      portfolio: listed.length > 0 ? portfolioUrl(config.PUBLIC_BASE_URL, student.studentId) : null,
    });
  });
  return routes;
}
