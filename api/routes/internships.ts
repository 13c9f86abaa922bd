import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { findEmployer } from '../../db/employers';
import {
  deleteInternship,
  findInternship,
  insertInternship,
  listInternships,
  type Internship,
} from '../../db/internships';
import { internshipWorkflowId, searchAttributes, type InternshipInput } from '../../workflows/definitions';
import { days, hours } from '../../workflows/durations';
import type { internshipWorkflow } from '../../workflows/internship';
import type { AppDeps } from '../app';
import { principalOf, requireRole, type Principal } from '../auth';
import { notFound, validationProblem } from '../problem';
import { createInternshipBody, internshipIdParam, listInternshipsQuery } from '../schemas';
import { parse } from '../validate';
import { decodeCursor } from '../../db/internships';

const formatUsd = (cents: number) => `$${(cents / 100).toFixed(2)}`;

/** What a caller may see of a posting: everything for its owner and ops. */
function internshipView(i: Internship) {
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
    status: i.status,
    applicantCount: i.applicantCount,
    deadlines: { applications: i.applicationDeadline, next: i.nextDeadline },
    windows: i.windows,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
  };
}

const canRead = (principal: Principal, i: Internship) =>
  principal.role === 'ops' || (principal.role === 'employer' && principal.employerId === i.employerId);

export function internshipRoutes({ db, temporal, config }: AppDeps): Router {
  const router = Router();
  const bodySchema = createInternshipBody(config.MIN_HOURLY_RATE_CENTS);

  /** §3.1 An employer posts a micro-internship: the read model row, then its workflow. */
  router.post('/v1/internships', async (req, res) => {
    const { employerId } = requireRole(res, 'employer');
    const body = parse(bodySchema, req.body, 'body');
    const employer = await findEmployer(db, employerId);
    if (!employer) throw notFound('Employer');

    const id = randomUUID();
    const workflowId = internshipWorkflowId(id);
    const input: InternshipInput = {
      internshipId: id,
      employerId,
      title: body.title,
      feeCents: body.feeCents,
      estimatedHours: body.estimatedHours,
      skills: body.skills,
      maxApplicants: body.maxApplicants,
      applicationDeadline: new Date(Date.now() + days(body.applicationWindowDays)).toISOString(),
      windows: {
        selectionMs: days(body.selectionWindowDays),
        acceptMs: hours(body.acceptWindowHours),
        workMs: days(body.workDurationDays),
        reviewMs: days(body.reviewWindowDays),
      },
    };
    await insertInternship(db, {
      id,
      workflowId,
      employerId,
      title: body.title,
      description: body.description,
      deliverable: body.deliverable,
      skills: body.skills,
      estimatedHours: body.estimatedHours,
      feeCents: body.feeCents,
      maxApplicants: body.maxApplicants,
      applicationDeadline: input.applicationDeadline,
      windows: input.windows,
      status: 'Open',
    });
    try {
      await temporal.workflow.start<typeof internshipWorkflow>('internshipWorkflow', {
        workflowId,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        args: [input],
        typedSearchAttributes: [
          { key: searchAttributes.status, value: 'Open' },
          { key: searchAttributes.employerId, value: employerId },
          { key: searchAttributes.feeCents, value: body.feeCents },
          { key: searchAttributes.nextDeadline, value: new Date(input.applicationDeadline) },
        ],
        memo: { title: body.title, company: employer.companyName, feeCents: body.feeCents },
        staticSummary: `${body.title} — ${employer.companyName}, ${formatUsd(body.feeCents)}`,
        staticDetails: [
          `**Employer:** ${employer.companyName} (${employerId})`,
          `**Fee:** ${formatUsd(body.feeCents)} for ~${body.estimatedHours} h`,
          `**Skills:** ${body.skills.join(', ')}`,
          `**Applications close:** ${input.applicationDeadline}`,
        ].join('\n'),
      });
    } catch (err) {
      // No workflow, no posting: the row would otherwise claim an Open posting nobody drives.
      await deleteInternship(db, id);
      throw err;
    }
    res.status(201).location(`/v1/internships/${id}`).json({ id, status: 'Open', workflowId });
  });

  /** Employers list their own postings; ops list all, optionally by status. */
  router.get('/v1/internships', async (req, res) => {
    const principal = requireRole(res, 'employer', 'ops');
    const query = parse(listInternshipsQuery, req.query, 'query');
    if (query.cursor && !decodeCursor(query.cursor)) {
      throw validationProblem([{ field: 'query.cursor', message: 'is not a cursor this API issued' }]);
    }
    const page = await listInternships(
      db,
      { employerId: principal.role === 'employer' ? principal.employerId : undefined, status: query.status },
      { limit: query.limit, cursor: query.cursor },
    );
    res.json({ items: page.items.map(internshipView), nextCursor: page.nextCursor });
  });

  router.get('/v1/internships/:id', async (req, res) => {
    const principal = principalOf(res);
    const { id } = parse(internshipIdParam, req.params, 'path');
    const internship = await findInternship(db, id);
    // Another employer's posting is reported as missing, not as forbidden: its existence is private.
    if (!internship || !canRead(principal, internship)) throw notFound('Internship');
    res.json(internshipView(internship));
  });

  return router;
}
