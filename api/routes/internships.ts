import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Router } from 'express';
import { findEmployer } from '../../db/employers';
import { findApplicationOf, type Application } from '../../db/applications';
import { listAudit } from '../../db/audit';
import { findCredentialOfInternship, listFeedback, type Feedback } from '../../db/follow-up';
import {
  decodeCursor,
  deleteInternship,
  findInternship,
  insertInternship,
  postingRow,
  listInternships,
  type Internship,
} from '../../db/internships';
import { internshipWorkflowId, searchAttributes, type InternshipInput } from '../../workflows/definitions';
import { DAY_MS, days, hours } from '../../workflows/durations';
import type { internshipWorkflow } from '../../workflows/internship';
import type { RouteDeps } from '../deps';
import { principalOf, requireRole, type Principal } from '../auth';
import { idempotency, idempotencyKeyIn, respond } from '../idempotency';
import { notFound, validationProblem } from '../problem';
import { createInternshipBody, internshipIdParam, listInternshipsQuery } from '../schemas';
import { parse } from '../validate';
import { TEMPORAL_CALL_DEADLINE_MS } from '../workflow-errors';
import { formatUsd } from '../../workflows/money';
import { uuidFrom } from '../../lib/ids';
import { escapeMarkdown } from '../../lib/markdown';

/** The actions the caller could take now, so clients need not re-derive the lifecycle rules. */
function nextActions(principal: Principal, i: Internship, mine?: Application): string[] {
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
function internshipView(principal: Principal, i: Internship, mine?: Application) {
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
function feedbackFor(principal: Principal, i: Internship, all: Feedback[]) {
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
 * Owner and ops always; any student while it is Open; afterwards only its applicants. What the
 * answer needs besides the row is read beside it: the student's application, or the feedback that
 * owner and ops see. A student sees feedback only once hired, which the row tells, so theirs is read
 * after it, and only then.
 */
async function readableBy(deps: RouteDeps, principal: Principal, id: string) {
  const studentId = principal.role === 'student' ? principal.studentId : undefined;
  const [internship, mine, feedback] = await Promise.all([
    findInternship(deps.db, id),
    studentId ? findApplicationOf(deps.db, id, studentId) : undefined,
    studentId ? undefined : listFeedback(deps.db, id),
  ]);
  if (!internship) return undefined;
  const readable =
    principal.role === 'ops' ||
    (principal.role === 'employer'
      ? principal.employerId === internship.employerId
      : Boolean(mine) || internship.status === 'Open');
  if (!readable) return undefined;
  const hired = studentId !== undefined && internship.studentId === studentId;
  const [all, credential] = hired
    ? await Promise.all([listFeedback(deps.db, id), findCredentialOfInternship(deps.db, id)])
    : [feedback ?? [], undefined];
  return { internship, mine, feedback: feedbackFor(principal, internship, all), credential };
}

export function internshipRoutes(deps: RouteDeps): Router {
  const { db, temporal, config } = deps;
  const router = Router();
  const bodySchema = createInternshipBody(config.MIN_HOURLY_RATE_CENTS);

  /** §3.1 An employer posts a micro-internship: the read model row, then its workflow. */
  router.post('/v1/internships', idempotency(db), async (req, res) => {
    const { employerId } = requireRole(res, 'employer');
    const body = parse(bodySchema, req.body, 'body');
    const employer = await findEmployer(db, employerId);
    if (!employer) throw notFound('Employer');

    // With an Idempotency-Key the id follows from it, so a retry after a crash mid-request (row stored,
    // workflow maybe started) finds that posting instead of making a second one.
    const key = idempotencyKeyIn(res);
    const id = key ? uuidFrom(`posting:${employerId}:${key}`) : randomUUID();
    const workflowId = internshipWorkflowId(id);
    const earlier = key ? await findInternship(db, id) : undefined;
    const dayMs = config.HUMAN_DAY_SECONDS * 1000;
    // The posting's windows in real time (workflows/durations.ts), then on the day HUMAN_DAY_SECONDS
    // sets when it is shortened: 7 days are 7 × HUMAN_DAY_SECONDS seconds.
    const onDay = (ms: number) => (dayMs === DAY_MS ? ms : Math.round((ms * dayMs) / DAY_MS));
    const applicationWindowMs = onDay(days(body.applicationWindowDays));
    const input: InternshipInput = {
      internshipId: id,
      employerId,
      title: body.title,
      feeCents: body.feeCents,
      estimatedHours: body.estimatedHours,
      skills: body.skills,
      maxApplicants: body.maxApplicants,
      applicationDeadline: new Date(Date.now() + applicationWindowMs).toISOString(),
      applicationWindowMs,
      // An exception is only needed, and only recorded, for a fee below the floor.
      feeException: body.feeException && body.feeCents < body.estimatedHours * config.MIN_HOURLY_RATE_CENTS,
      windows: {
        selectionMs: onDay(days(body.selectionWindowDays)),
        acceptMs: onDay(hours(body.acceptWindowHours)),
        workMs: onDay(days(body.workDurationDays)),
        reviewMs: onDay(days(body.reviewWindowDays)),
      },
      ...(dayMs === DAY_MS ? {} : { dayMs }),
    };
    if (earlier) input.applicationDeadline = earlier.applicationDeadline;
    const row = postingRow(input, body);
    const { status } = row;
    if (!earlier) await insertInternship(db, row);
    try {
      // A deadline, so a client waits seconds, not the SDK's full retry budget, when Temporal is down.
      await temporal.connection.withDeadline(Date.now() + TEMPORAL_CALL_DEADLINE_MS, () =>
        temporal.workflow.start<typeof internshipWorkflow>('internshipWorkflow', {
          workflowId,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          args: [input],
          typedSearchAttributes: [
            { key: searchAttributes.status, value: status },
            { key: searchAttributes.employerId, value: employerId },
            { key: searchAttributes.feeCents, value: body.feeCents },
            { key: searchAttributes.nextDeadline, value: new Date(input.applicationDeadline) },
          ],
          memo: { title: body.title, company: employer.companyName, feeCents: body.feeCents },
          staticSummary: `${body.title} — ${employer.companyName}, ${formatUsd(body.feeCents)}`,
          staticDetails: [
            `**Employer:** ${escapeMarkdown(employer.companyName)} (${employerId})`,
            `**Fee:** ${formatUsd(body.feeCents)} for ~${body.estimatedHours} h`,
            `**Skills:** ${body.skills.map(escapeMarkdown).join(', ')}`,
            `**Applications close:** ${input.applicationDeadline}`,
          ].join('\n'),
        }),
      );
    } catch (err) {
      // Started by the earlier attempt of this same request: nothing more to do.
      if (!(earlier && err instanceof WorkflowExecutionAlreadyStartedError)) {
        // No workflow, no posting: the row would otherwise claim an Open posting nobody drives.
        if (!earlier) await deleteInternship(db, id);
        throw err;
      }
    }
    res.location(`/v1/internships/${id}`);
    await respond(res, 201, { id, status, workflowId });
  });

  /** Students browse open postings (by skill); employers list their own; ops list all, by status. */
  router.get('/v1/internships', async (req, res) => {
    const principal = principalOf(res);
    const query = parse(listInternshipsQuery, req.query, 'query');
    if (query.cursor && !decodeCursor(query.cursor)) {
      throw validationProblem([{ field: 'query.cursor', message: 'is not a cursor this API issued' }]);
    }
    const filter =
      principal.role === 'student'
        ? { status: 'Open' as const, skill: query.skill }
        : principal.role === 'employer'
          ? { employerId: principal.employerId, status: query.status, skill: query.skill }
          : { status: query.status, skill: query.skill };
    const page = await listInternships(db, filter, { limit: query.limit, cursor: query.cursor });
    res.json({ items: page.items.map((i) => internshipView(principal, i)), nextCursor: page.nextCursor });
  });

  router.get('/v1/internships/:id', async (req, res) => {
    const principal = principalOf(res);
    const { id } = parse(internshipIdParam, req.params, 'path');
    // Another employer's posting is reported as missing, not as forbidden: its existence is private.
    const found = await readableBy(deps, principal, id);
    if (!found) throw notFound('Internship');
    res.json({
      ...internshipView(principal, found.internship, found.mine),
      feedback: found.feedback,
      // The hired student: the id of their credential and who may see it (only they know the id).
      ...(found.credential
        ? { credential: { credentialId: found.credential.id, visibility: found.credential.visibility } }
        : {}),
      // Ops see who did what, when and how; it matches the workflow history's Updates.
      ...(principal.role === 'ops'
        ? {
            auditTrail: (await listAudit(db, id)).map((e) => ({
              at: e.at,
              actor: { role: e.actorRole, id: e.actorId },
              channel: e.channel,
              action: e.action,
              ref: e.eventKey,
            })),
          }
        : {}),
    });
  });

  return router;
}
