import type { Request, Response } from 'express';
import { findEmployer } from '../../db/employers';
import { findApplicationOf, type Application } from '../../db/applications';
import { listAudit } from '../../db/audit';
import { findCredentialOfInternship, listFeedback, type Feedback } from '../../db/follow-up';
import { reviewsOfWork } from '../../db/texts';
import {
  decodeCursor,
  findInternship,
  findInternshipWithFeedback,
  listInternships,
  type Internship,
} from '../../db/internships';
import type { RouteDeps } from '../deps';
import { givenBackOnServerError } from '../limits';
import { actorOf } from '../audited-handle';
import { optionalPrincipal, requireRole, type Principal } from '../auth';
import { DocumentedRouter } from '../documented-router';
import { idempotency, idempotencyKeyIn, respond } from '../idempotency';
import { json, jsonBody, problem, secured, unauthenticated, type Operation } from '../openapi-kit';
import { notFound, validationProblem } from '../problem';
import {
  createInternshipBody,
  internshipCreatedResponse,
  internshipIdParam,
  internshipPage,
  internshipSchema,
  listInternshipsQuery,
} from '../schemas';
import { runInTemporalUi } from '../temporal-links';
import { parse } from '../validate';
import { postInternship } from '../use-cases/post-internship';

type OwnApplication = Pick<Application, 'id' | 'label' | 'status'>;

/** The actions the caller could take now, so clients need not re-derive the lifecycle rules. */
function nextActions(principal: Principal | undefined, i: Internship, mine?: OwnApplication): string[] {
  if (!principal) return [];
  if (principal.role === 'employer') {
    return ['Open', 'Selecting'].includes(i.status) && i.applicantCount > 0 ? ['select'] : [];
  }
  if (principal.role !== 'student') return [];
  if (!mine) return i.status === 'Open' ? ['apply'] : [];
  if (mine.status === 'submitted' && ['Open', 'Selecting'].includes(i.status)) return ['withdraw'];
  if (mine.status === 'offered' && i.status === 'Offered') return ['respond-to-offer'];
  return [];
}

/** What a caller may see of a posting: all of it for its owner and ops; students see their own application. */
export function internshipView(principal: Principal | undefined, i: Internship, mine?: OwnApplication) {
  return {
    id: i.id,
    workflowId: i.workflowId,
    employerId: i.employerId,
    title: i.title,
    description: i.description,
    deliverable: i.deliverable,
    skills: i.skills,
    estimatedHours: i.estimatedHours,
    feeCents: i.feeCents,
    maxApplicants: i.maxApplicants,
    screeningQuestions: i.screeningQuestions,
    status: i.status,
    applicantCount: i.applicantCount,
    deadlines: { applications: i.applicationDeadline, due: i.dueAt, next: i.nextDeadline },
    paidBy: i.paidBy,
    payout: i.payout,
    windows: i.windows,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    nextActions: nextActions(principal, i, mine),
    ...(mine ? { myApplication: { applicationId: mine.id, label: mine.label, status: mine.status } } : {}),
  };
}

/**
 * §3.9 Double-blind feedback: each side sees what it gave, and the other side's only once revealed
 * (both gave theirs, or 14 days passed). Ops see both.
 */
function feedbackFor(principal: Principal | undefined, i: Internship, all: Feedback[]) {
  if (!principal) return undefined;
  const side =
    principal.role === 'employer'
      ? 'employer'
      : principal.role === 'student' && i.studentId === principal.studentId
        ? 'student'
        : undefined;
  if (principal.role !== 'ops' && !side) return undefined;
  const show = (f: Feedback | undefined) =>
    f && { rating: f.rating, comment: f.comment, endorsedSkills: f.endorsedSkills, givenAt: f.createdAt };
  if (!side)
    return {
      employer: show(all.find((f) => f.fromRole === 'employer')) ?? null,
      student: show(all.find((f) => f.fromRole === 'student')) ?? null,
    };
  const theirs = all.find((f) => f.fromRole !== side);
  return {
    mine: show(all.find((f) => f.fromRole === side)) ?? null,
    theirs: theirs?.revealed ? show(theirs) : null,
    revealed: all.some((f) => f.revealed),
  };
}

/**
 * Its organisation's members and ops always; anyone (signed in or not) while it is Open; afterwards
 * only its applicants. What the
 * answer needs besides the row is read beside it: the student's application, or the feedback that
 * owner and ops see. A student sees feedback only once hired, which the row tells, so theirs is read
 * after it, and only then.
 */
async function readableBy(deps: RouteDeps, principal: Principal | undefined, id: string) {
  const studentId = principal?.role === 'student' ? principal.studentId : undefined;
  // Owners and ops see feedback: their row comes with it, in one statement.
  const [found, mine] = await Promise.all([
    studentId || !principal
      ? findInternship(deps.db, id).then((internship) => internship && { internship, feedback: undefined })
      : findInternshipWithFeedback(deps.db, id),
    studentId ? findApplicationOf(deps.db, id, studentId) : undefined,
  ]);
  if (!found) return undefined;
  const { internship, feedback } = found;
  const readable =
    principal?.role === 'ops' ||
    (principal?.role === 'employer'
      ? principal.employerId === internship.employerId
      : Boolean(mine) || internship.status === 'Open');
  if (!readable) return undefined;
  const hired = studentId !== undefined && internship.studentId === studentId;
  const [all, credential, reviews] = hired
    ? await Promise.all([
        listFeedback(deps.db, id),
        findCredentialOfInternship(deps.db, id),
        reviewsOfWork(deps.db, id, studentId),
      ])
    : [feedback ?? [], undefined, undefined];
  return { internship, mine, feedback: feedbackFor(principal, internship, all), credential, reviews };
}

export function internshipRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();
  const minHourlyRateCents = deps.config.MIN_HOURLY_RATE_CENTS;
  const bodySchema = createInternshipBody(minHourlyRateCents);

  /** §3.1 An employer posts a micro-internship (api/use-cases/post-internship.ts). */
  routes.route(
    {
      method: 'post',
      path: '/v1/internships',
      summary: 'Post a micro-internship (employer)',
      description: `Fair pay: feeCents / estimatedHours must be at least ${minHourlyRateCents} cents per hour.`,
      security: secured,
      request: { body: jsonBody(bodySchema) },
      responses: {
        201: json(internshipCreatedResponse, 'Posted; its workflow is running'),
        ...unauthenticated,
        403: problem('Caller is not an employer'),
        422: problem('Invalid body; `errors` names each wrong field'),
        503: problem('Temporal or Postgres unreachable; retry after the Retry-After header'),
      },
    },
    idempotency(deps.db),
    async (req, res) => {
      const member = requireRole(res, 'employer');
      const body = parse(bodySchema, req.body, 'body');
      const employer = await findEmployer(deps.db, member.employerId);
      if (!employer) throw notFound('Employer');
      const key = idempotencyKeyIn(res);
      // A replay of an answered Idempotency-Key never gets here, so it is not counted twice.
      const giveBack = await deps.limits.consume(
        ['posting-organisation', employer.id],
        ['posting-address', req.ip ?? 'unknown'],
      );
      const { db, temporal, config } = deps;
      const posted = await givenBackOnServerError(
        giveBack,
        postInternship(
          { db, temporal, config },
          { employer, by: actorOf(member), body, ...(key ? { key } : {}) },
        ),
      );
      res.location(`/v1/internships/${posted.id}`);
      await respond(res, 201, posted);
    },
  );
  routes.route(listing, (req, res) => list(deps, req, res));
  routes.route(onePosting, (req, res) => show(deps, req, res));
  return routes;
}

const listing: Operation = {
  method: 'get',
  path: '/v1/internships',
  summary:
    "List postings: open ones for students and visitors (no sign-in needed), an organisation's own, or all for ops",
  security: [...secured, {}],
  request: { query: listInternshipsQuery },
  responses: {
    200: json(internshipPage, 'One page, newest first'),
    ...unauthenticated,
    403: problem('Caller may not list postings'),
    422: problem('Invalid query'),
  },
};

/** Students and visitors browse open postings (by skill); members list their organisation's; ops list all, by status. */
async function list({ db }: RouteDeps, req: Request, res: Response): Promise<void> {
  const principal = optionalPrincipal(res);
  const query = parse(listInternshipsQuery, req.query, 'query');
  if (query.cursor && !decodeCursor(query.cursor)) {
    throw validationProblem([{ field: 'query.cursor', message: 'is not a cursor this API issued' }]);
  }
  const filter =
    principal?.role === 'employer'
      ? { employerId: principal.employerId, status: query.status, skill: query.skill }
      : principal?.role === 'ops'
        ? { status: query.status, skill: query.skill }
        : { status: 'Open' as const, skill: query.skill };
  const page = await listInternships(db, filter, { limit: query.limit, cursor: query.cursor });
  res.json({ items: page.items.map((i) => internshipView(principal, i)), nextCursor: page.nextCursor });
}

const onePosting: Operation = {
  method: 'get',
  path: '/v1/internships/{id}',
  summary:
    'One posting with its status and deadlines: anyone while Open; then its organisation, its applicants, ops',
  security: [...secured, {}],
  request: { params: internshipIdParam },
  responses: {
    200: json(internshipSchema, 'The posting'),
    ...unauthenticated,
    404: problem("Unknown, or another employer's"),
  },
};

async function show(deps: RouteDeps, req: Request, res: Response): Promise<void> {
  const principal = optionalPrincipal(res);
  const { id } = parse(internshipIdParam, req.params, 'path');
  // Another employer's posting is reported as missing, not as forbidden: its existence is private.
  const found = await readableBy(deps, principal, id);
  if (!found) throw notFound('Internship');
  res.json({
    ...internshipView(principal, found.internship, found.mine),
    feedback: found.feedback,
    ...(found.reviews ? { reviews: found.reviews } : {}),
    // The hired student: the id of their credential and who may see it (only they know the id).
    ...(found.credential
      ? { credential: { credentialId: found.credential.id, visibility: found.credential.visibility } }
      : {}),
    // Ops see who did what, when and how; it matches the workflow history's Updates.
    ...(principal?.role === 'ops'
      ? {
          temporalUi: await runInTemporalUi(deps, found.internship.workflowId),
          auditTrail: (await listAudit(deps.db, id)).map((e) => ({
            at: e.at,
            actor: {
              role: e.actorRole,
              id: e.actorId,
              title: e.actorTitle,
              organisationId: e.organisationId,
            },
            channel: e.channel,
            action: e.action,
            ref: e.eventKey,
          })),
        }
      : {}),
  });
}
