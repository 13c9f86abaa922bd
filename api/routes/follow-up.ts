import { Router } from 'express';
import {
  findCredential,
  hiringConversion,
  listPortfolioCredentials,
  setCredentialVisibility,
  type StoredCredential,
} from '../../db/follow-up';
import { findStudent } from '../../db/students';
import { verifyCredential } from '../../lib/credentials';
import {
  giveFeedbackUpdate,
  makeHiringOfferUpdate,
  respondToHiringOfferUpdate,
} from '../../workflows/definitions';
import type { RouteDeps } from '../deps';
import { requireRole } from '../auth';
import { notFound } from '../problem';
import {
  credentialIdParam,
  credentialSharingBody,
  feedbackBody,
  hiringOfferBody,
  offerResponseBody,
  studentIdParam,
} from '../schemas';
import { parse } from '../validate';
import { updateRoute } from '../update-route';

/**
 * What anyone shown a credential sees: the signed statement under the credential's id, naming the
 * student but never their id (older statements carried it, and their internship's id as theirs).
 */
export function credentialView(c: StoredCredential, secret: string) {
  const valid = verifyCredential(c.payload, c.signature, secret);
  let credential: Record<string, unknown> | null = null;
  try {
    const { student, ...statement } = JSON.parse(c.payload) as { student?: { name?: unknown } };
    credential = { ...statement, credentialId: c.id, student: { name: student?.name } };
  } catch {
    // a corrupted payload is simply not valid
  }
  return { credentialId: c.id, valid, issuedAt: c.issuedAt, credential };
}

/**
 * Public: anyone can verify a credential its student shared, and read the portfolio of those the
 * student listed. A private credential, or a student who listed none, is not found.
 */
export function publicFollowUpRoutes({ db, config }: RouteDeps): Router {
  const router = Router();

  router.get('/v1/credentials/:credentialId', async (req, res) => {
    const { credentialId } = parse(credentialIdParam, req.params, 'path');
    const credential = await findCredential(db, credentialId);
    if (!credential || credential.visibility === 'private') throw notFound('Credential');
    res.json(credentialView(credential, config.CREDENTIAL_SECRET));
  });

  router.get('/v1/students/:id/portfolio', async (req, res) => {
    const { id } = parse(studentIdParam, req.params, 'path');
    const items = (await listPortfolioCredentials(db, id))
      .map((c) => credentialView(c, config.CREDENTIAL_SECRET))
      .filter((c) => c.valid);
    const student = items.length > 0 ? await findStudent(db, id) : undefined;
    if (!student) throw notFound('Portfolio');
    res.json({ student: { id: student.id, name: student.name }, items });
  });

  return router;
}

/** §3.9–3.10 Feedback from both sides, the hiring offer and its answer; conversion for ops. */
export function followUpRoutes(deps: RouteDeps): Router {
  const { db } = deps;
  const router = Router();

  /** §3.9 Both sides rate the work; each sees the other's once both gave theirs or 14 days passed. */
  updateRoute(router, deps, {
    path: '/v1/internships/:id/feedback',
    who: ['employer', 'student'],
    body: feedbackBody,
    update: giveFeedbackUpdate,
    args: (body, caller) => ({
      from: caller.role,
      rating: body.rating,
      comment: body.comment,
      endorsedSkills: body.endorsedSkills,
      showRatingPublicly: caller.role === 'student' && body.showRatingPublicly,
    }),
    status: 201,
  });

  /** §3.9 The student chooses who sees their credential (private until they do). */
  router.put('/v1/credentials/:credentialId/sharing', async (req, res) => {
    const { studentId } = requireRole(res, 'student');
    const { credentialId } = parse(credentialIdParam, req.params, 'path');
    const { visibility } = parse(credentialSharingBody, req.body, 'body');
    const credential = await setCredentialVisibility(db, { id: credentialId, studentId, visibility });
    if (!credential) throw notFound('Credential');
    res.json({ credentialId: credential.id, visibility: credential.visibility });
  });

  /** §3.10 The employer offers the student a job, expiring within 30 days. */
  updateRoute(router, deps, {
    path: '/v1/internships/:id/hiring-offer',
    who: ['employer'],
    body: hiringOfferBody,
    update: makeHiringOfferUpdate,
    args: (body) => ({ ...body, expiresAt: new Date(body.expiresAt).toISOString() }),
    status: 201,
    dateField: 'expiresAt',
  });

  /** §3.10 The student answers the job offer (the same as the email links). */
  updateRoute(router, deps, {
    path: '/v1/internships/:id/hiring-offer/response',
    who: ['student'],
    body: offerResponseBody,
    update: respondToHiringOfferUpdate,
    args: (body, { studentId }) => ({ studentId, accept: body.accept, via: 'api' }),
  });

  router.get('/v1/admin/conversion', async (_req, res) => {
    requireRole(res, 'ops');
    res.json(await hiringConversion(db));
  });

  return router;
}
