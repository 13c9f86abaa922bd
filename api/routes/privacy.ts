import type { Response } from 'express';
import { z } from 'zod';
import { findAccount } from '../../db/accounts';
import { studentExport } from '../../db/privacy';
import { auditAccount } from '../account-audit';
import { actorOf } from '../audited-handle';
import { requireRole, requireStaff } from '../auth';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { json, problems, secured, unauthenticated, type Operation } from '../openapi-kit';
import { notFound } from '../problem';
import { eraseStudentAccount } from '../use-cases/erase-student';
import { parse } from '../validate';

const exportSchema = z
  .object({
    account: z.object({}).passthrough(),
    profile: z.object({}).passthrough(),
    applications: z.array(z.object({}).passthrough()),
    written: z.array(z.object({}).passthrough()),
    reviews: z.array(z.object({}).passthrough()),
    feedback: z.array(z.object({}).passthrough()),
    credentials: z.array(z.object({}).passthrough()),
    payouts: z.array(z.object({}).passthrough()),
    hiringOffers: z.array(z.object({}).passthrough()),
    sessions: z.array(z.object({}).passthrough()),
    apiTokens: z.array(z.object({}).passthrough()),
  })
  .describe(
    'Everything held about the student: profile, applications with pitches and answers, what they wrote, the review comments on their work, feedback given and received, credentials, payouts, offers, sessions, tokens',
  );
const erased = z.object({ status: z.literal('erased') });
const studentParam = z.object({ id: z.uuid() });

const refusals = {
  409: 'Money for the student is held or on its way (MoneyInFlight), or an offer waits for an answer (OfferOpen)',
};

const ops: Record<'myExport' | 'eraseMe' | 'theirExport' | 'eraseThem', Operation> = {
  myExport: {
    method: 'get',
    path: '/v1/students/me/export',
    summary: 'Download everything the platform holds about you, as JSON (student)',
    security: secured,
    responses: {
      200: json(exportSchema, 'The export'),
      ...unauthenticated,
      ...problems({ 403: 'Caller is not a student' }),
    },
  },
  eraseMe: {
    method: 'delete',
    path: '/v1/students/me',
    summary: 'Erase your account: profile, pitches, answers, submissions and comments (student)',
    description:
      'Refused while money for you is held or on its way. Applications still waiting are withdrawn. Amounts and ids stay in the ledger; employers see "a former student".',
    security: secured,
    responses: {
      200: json(erased, 'Erased; this session and every other one end now'),
      ...unauthenticated,
      ...problems({ 403: 'Caller is not a student', ...refusals }),
    },
  },
  theirExport: {
    method: 'get',
    path: '/v1/admin/students/{id}/export',
    summary: "A student's export, on their request (staff admins)",
    security: secured,
    request: { params: studentParam },
    responses: {
      200: json(exportSchema, 'The export'),
      ...unauthenticated,
      ...problems({ 403: 'Caller is not a staff admin', 404: 'No such student' }),
    },
  },
  eraseThem: {
    method: 'post',
    path: '/v1/admin/students/{id}/erasure',
    summary: "Erase a student's account on their request (staff admins; in the audit trail)",
    security: secured,
    request: { params: studentParam },
    responses: {
      200: json(erased, 'Erased'),
      ...unauthenticated,
      ...problems({ 403: 'Caller is not a staff admin', 404: 'No such student', ...refusals }),
    },
  },
};

async function sendExport(deps: RouteDeps, res: Response, studentId: string): Promise<void> {
  res.setHeader('Content-Disposition', `attachment; filename="micro-internships-${studentId}.json"`);
  res.setHeader('Cache-Control', 'no-store');
  res.json(await studentExport(deps.db, studentId));
}

/** A student's data: their export and their erasure, by themselves or by ops on their request. */
export function privacyRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();

  routes.route(ops.myExport, async (_req, res) => {
    const student = requireRole(res, 'student');
    await auditAccount(deps, {
      action: 'student-exported',
      actor: actorOf(student),
      subjectId: student.studentId,
    });
    await sendExport(deps, res, student.studentId);
  });

  routes.route(ops.eraseMe, async (_req, res) => {
    const student = requireRole(res, 'student');
    await eraseStudentAccount(deps, student.studentId, actorOf(student));
    res.json({ status: 'erased' });
  });

  const studentFor = async (params: unknown) => {
    const { id } = parse(studentParam, params, 'path');
    const account = await findAccount(deps.db, id);
    if (!account || account.kind !== 'student') throw notFound('Student');
    return id;
  };

  routes.route(ops.theirExport, async (req, res) => {
    const admin = requireStaff(res, 'admin');
    const id = await studentFor(req.params);
    await auditAccount(deps, { action: 'student-exported', actor: actorOf(admin), subjectId: id });
    await sendExport(deps, res, id);
  });

  routes.route(ops.eraseThem, async (req, res) => {
    const admin = requireStaff(res, 'admin');
    await eraseStudentAccount(deps, await studentFor(req.params), actorOf(admin));
    res.json({ status: 'erased' });
  });

  return routes;
}
