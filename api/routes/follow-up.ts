import { Router } from 'express';
import { findCredential, hiringConversion, listCredentials } from '../../db/follow-up';
import { findStudent } from '../../db/students';
import { verifyCredential } from '../../lib/credentials';
import {
  giveFeedbackUpdate,
  makeHiringOfferUpdate,
  respondToHiringOfferUpdate,
} from '../../workflows/definitions';
import type { RouteDeps } from '../app';
import { internshipFor } from '../internship-lookup';
import { actingFor } from '../audited-handle';
import { requireRole } from '../auth';
import { notFound } from '../problem';
import {
  credentialIdParam,
  feedbackBody,
  hiringOfferBody,
  offerResponseBody,
  studentIdParam,
} from '../schemas';
import { parse } from '../validate';
import { runUpdate } from '../workflow-errors';

const credentialView = (
  c: { id: string; payload: string; signature: string; issuedAt: string },
  secret: string,
) => {
  const valid = verifyCredential(c.payload, c.signature, secret);
  let statement: unknown = null;
  try {
    statement = JSON.parse(c.payload);
  } catch {
    // a corrupted payload is simply not valid
  }
  return { credentialId: c.id, valid, issuedAt: c.issuedAt, credential: statement, signature: c.signature };
};

/** Public: anyone can verify a credential and read a student's portfolio of verified completions. */
export function publicFollowUpRoutes({ db, config }: RouteDeps): Router {
  const router = Router();

  router.get('/v1/credentials/:credentialId', async (req, res) => {
    const { credentialId } = parse(credentialIdParam, req.params, 'path');
    const credential = await findCredential(db, credentialId);
    if (!credential) throw notFound('Credential');
    res.json(credentialView(credential, config.CREDENTIAL_SECRET));
  });

  router.get('/v1/students/:id/portfolio', async (req, res) => {
    const { id } = parse(studentIdParam, req.params, 'path');
    const student = await findStudent(db, id);
    if (!student) throw notFound('Student');
    const credentials = await listCredentials(db, id);
    res.json({
      student: { id: student.id, name: student.name },
      items: credentials.map((c) => credentialView(c, config.CREDENTIAL_SECRET)).filter((c) => c.valid),
    });
  });

  return router;
}

/** §3.9–3.10 Feedback from both sides, the hiring offer and its answer; conversion for ops. */
export function followUpRoutes(deps: RouteDeps): Router {
  const { db } = deps;
  const router = Router();

  router.post('/v1/internships/:id/feedback', async (req, res) => {
    const principal = requireRole(res, 'employer', 'student');
    const internship = await internshipFor(db, req.params);
    const from = principal.role;
    const mine =
      (principal.role === 'employer' && internship.employerId === principal.employerId) ||
      (principal.role === 'student' && internship.studentId === principal.studentId);
    if (!mine) throw notFound('Internship');
    const body = parse(feedbackBody, req.body, 'body');
    const result = await runUpdate(() =>
      actingFor(deps, internship, req, res).executeUpdate(giveFeedbackUpdate, {
        args: [
          {
            from,
            rating: body.rating,
            comment: body.comment,
            endorsedSkills: body.endorsedSkills,
            showRatingPublicly: from === 'student' && body.showRatingPublicly,
          },
        ],
      }),
    );
    res.status(201).json(result);
  });

  router.post('/v1/internships/:id/hiring-offer', async (req, res) => {
    const { employerId } = requireRole(res, 'employer');
    const internship = await internshipFor(db, req.params);
    if (internship.employerId !== employerId) throw notFound('Internship');
    const body = parse(hiringOfferBody, req.body, 'body');
    const result = await runUpdate(
      () =>
        actingFor(deps, internship, req, res).executeUpdate(makeHiringOfferUpdate, {
          args: [{ ...body, expiresAt: new Date(body.expiresAt).toISOString() }],
        }),
      { dateField: 'expiresAt' },
    );
    res.status(201).json(result);
  });

  router.post('/v1/internships/:id/hiring-offer/response', async (req, res) => {
    const { studentId } = requireRole(res, 'student');
    const internship = await internshipFor(db, req.params);
    if (internship.studentId !== studentId) throw notFound('Internship');
    const body = parse(offerResponseBody, req.body, 'body');
    const result = await runUpdate(() =>
      actingFor(deps, internship, req, res).executeUpdate(respondToHiringOfferUpdate, {
        args: [{ studentId, accept: body.accept, via: 'api' }],
      }),
    );
    res.json(result);
  });

  router.get('/v1/admin/conversion', async (_req, res) => {
    requireRole(res, 'ops');
    res.json(await hiringConversion(db));
  });

  return router;
}
