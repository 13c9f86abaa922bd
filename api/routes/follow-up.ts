import { z } from 'zod';
import { HIRING_OFFER_MAX_DAYS } from '../../workflows/durations';
import {
  findCredential,
  hiringConversion,
  listPortfolioCredentials,
  setCredentialVisibility,
  type StoredCredential,
} from '../../db/follow-up';
import { findStudent } from '../../db/students';
import { CredentialKeys } from '../../lib/credential-keys';
import { verifyCredential } from '../../lib/credentials';
import {
  BADGE_MEDIA_TYPE,
  badgeUrl,
  credentialPageUrl,
  decodeBadge,
  didDocumentUrl,
  issuerDid,
  jwksUrl,
} from '../../lib/open-badges';
import {
  giveFeedbackUpdate,
  makeHiringOfferUpdate,
  respondToHiringOfferUpdate,
} from '../../workflows/definitions';
import { auditAccount } from '../account-audit';
import { actorOf } from '../audited-handle';
import type { RouteDeps } from '../deps';
import { requireRole } from '../auth';
import { DocumentedRouter } from '../documented-router';
import { json, jsonBody, problem, secured, unauthenticated } from '../openapi-kit';
import { notFound } from '../problem';
import {
  credentialIdParam,
  credentialSharingBody,
  feedbackBody,
  hiringOfferBody,
  offerResponseBody,
  offerResponseResult,
  studentIdParam,
} from '../schemas';
import { parse } from '../validate';
import { updateRoute, updateSpec } from '../update-route';
import { addOpenBadgeRoutes } from './open-badges';

/** What anyone shown a credential gets (credentialView). */
const credentialSchema = z.object({
  credentialId: z.uuid().describe('Random: unrelated to the internship id'),
  valid: z.boolean().describe('The signature matches the statement, byte for byte'),
  page: z.url().describe("The credential's public page, to share: its id in the Open Badge"),
  issuedAt: z.iso.datetime(),
  credential: z
    .unknown()
    .describe(
      "The signed statement: title, employer, skills, dates, endorsements; the student's name, never their id",
    ),
  badge: z
    .object({
      url: z.url().describe('Download: the Open Badges 3.0 credential as a VC-JWT'),
      mediaType: z.literal(BADGE_MEDIA_TYPE),
      issuer: z.string().describe("The platform's did:web"),
      verificationMethod: z
        .string()
        .nullable()
        .describe(
          'The DID URL (the JWT `kid`) of the key that signed it; null until a credential issued before badges is first downloaded',
        ),
      jwks: z.url().describe('The public keys, current and retired'),
      didDocument: z.url(),
    })
    .describe('How anyone verifies it without this API: any JOSE library, against the published keys'),
});

/**
 * What anyone shown a credential sees: the signed statement under the credential's id, naming the
 * student but never their id (older statements carried it, and their internship's id as theirs).
 */
export function credentialView(c: StoredCredential, config: RouteDeps['config']) {
  const valid = verifyCredential(c.payload, c.signature, config.CREDENTIAL_SECRET);
  let credential: Record<string, unknown> | null = null;
  try {
    const { student, ...statement } = JSON.parse(c.payload) as { student?: { name?: unknown } };
    credential = { ...statement, credentialId: c.id, student: { name: student?.name } };
  } catch {
    // a corrupted payload is simply not valid
  }
  return {
    credentialId: c.id,
    valid,
    page: credentialPageUrl(config.PUBLIC_BASE_URL, c.id),
    issuedAt: c.issuedAt,
    credential,
    badge: badgeLinks(c, config.PUBLIC_BASE_URL),
  };
}

/** Where the credential's Open Badge is and what verifies it (for the credential page). */
function badgeLinks(c: StoredCredential, publicBaseUrl: string) {
  let verificationMethod: string | null = null;
  try {
    verificationMethod = c.vcJwt ? (decodeBadge(c.vcJwt).header.kid ?? null) : null;
  } catch {
    // a corrupted badge fails any verifier; it names no key
  }
  return {
    url: badgeUrl(publicBaseUrl, c.id),
    mediaType: BADGE_MEDIA_TYPE,
    issuer: issuerDid(publicBaseUrl),
    verificationMethod,
    jwks: jwksUrl(publicBaseUrl),
    didDocument: didDocumentUrl(publicBaseUrl),
  };
}

/** What a student's public portfolio lists: the credentials they listed in it that verify. */
export async function portfolioOf({ db, config }: RouteDeps, studentId: string) {
  return (await listPortfolioCredentials(db, studentId))
    .map((c) => credentialView(c, config))
    .filter((c) => c.valid);
}

/**
 * Public: anyone can verify a credential its student shared, and read the portfolio of those the
 * student listed. A private credential, or a student who listed none, is not found.
 */
export function publicFollowUpRoutes(deps: RouteDeps): DocumentedRouter {
  const { db, config } = deps;
  const routes = new DocumentedRouter();

  routes.route(
    {
      method: 'get',
      path: '/v1/credentials/{credentialId}',
      summary: 'Verify a completion credential its student shared (anyone)',
      request: { params: credentialIdParam },
      responses: {
        200: json(credentialSchema, 'The statement and whether it verifies'),
        404: problem('Unknown credential, or one its student keeps private'),
      },
    },
    async (req, res) => {
      const { credentialId } = parse(credentialIdParam, req.params, 'path');
      const credential = await findCredential(db, credentialId);
      if (!credential || credential.visibility === 'private') throw notFound('Credential');
      res.json(credentialView(credential, config));
    },
  );

  routes.route(
    {
      method: 'get',
      path: '/v1/students/{id}/portfolio',
      summary: 'The verified completions a student listed in their portfolio (anyone)',
      request: { params: studentIdParam },
      responses: {
        200: json(
          z.object({
            student: z.object({ id: z.uuid(), name: z.string() }),
            items: z.array(credentialSchema),
          }),
          'Verified credentials, newest first',
        ),
        404: problem('Unknown student, or one who listed nothing'),
      },
    },
    async (req, res) => {
      const { id } = parse(studentIdParam, req.params, 'path');
      const items = await portfolioOf(deps, id);
      const student = items.length > 0 ? await findStudent(db, id) : undefined;
      if (!student) throw notFound('Portfolio');
      res.json({ student: { id: student.id, name: student.name }, items });
    },
  );

  addOpenBadgeRoutes(routes, deps, new CredentialKeys(db, config.CREDENTIAL_SIGNING_KEYS));
  return routes;
}

/** §3.9 Both sides rate the work; each sees the other's once both gave theirs or 14 days passed. */
const feedback = updateSpec({
  path: '/v1/internships/{id}/feedback',
  who: ['employer', 'student'],
  body: feedbackBody,
  update: giveFeedbackUpdate,
  words: { kind: 'feedback', of: (body) => ({ comment: body.comment, endorsedSkills: body.endorsedSkills }) },
  args: (body, caller, textId) => ({
    from: caller.role,
    rating: body.rating,
    textId,
    showRatingPublicly: caller.role === 'student' && body.showRatingPublicly,
  }),
  status: 201,
  doc: {
    summary: 'Rate the other side 1-5 with a comment; double-blind (owner, hired student)',
    ok: [z.object({ revealed: z.boolean() }), 'Recorded'],
    refusals: {
      403: 'Caller is ops',
      404: 'Not your micro-internship',
      409: 'Not completed, or already given',
      422: 'Invalid body',
    },
  },
});

/** §3.10 The employer offers the student a job, expiring within 30 days. */
const hiringOffer = updateSpec({
  path: '/v1/internships/{id}/hiring-offer',
  who: ['employer'],
  body: hiringOfferBody,
  update: makeHiringOfferUpdate,
  words: {
    kind: 'hiring-offer',
    of: ({ role, type, payCents, payPeriod, startDate }) => ({ role, type, payCents, payPeriod, startDate }),
  },
  args: (body, _caller, textId) => ({ expiresAt: new Date(body.expiresAt).toISOString(), textId }),
  status: 201,
  dateField: 'expiresAt',
  doc: {
    summary: 'Offer the student a job after the work (a member of the posting organisation)',
    ok: [z.object({ expiresAt: z.iso.datetime() }), 'Sent to the student'],
    refusals: {
      403: 'Caller is not an employer',
      404: "Unknown, or another employer's",
      409: 'Not completed, or an offer is open',
      422: `Invalid body or expiry beyond ${HIRING_OFFER_MAX_DAYS} days`,
    },
  },
});

/** §3.10 The student answers the job offer (the same as the email links). */
const hiringOfferResponse = updateSpec({
  path: '/v1/internships/{id}/hiring-offer/response',
  who: ['student'],
  body: offerResponseBody,
  update: respondToHiringOfferUpdate,
  args: (body, { studentId }) => ({ studentId, accept: body.accept, via: 'api' }),
  doc: {
    summary: 'Accept or decline the hiring offer (the student)',
    ok: [offerResponseResult, 'Recorded; the internship closes'],
    refusals: { 403: 'Caller is not a student', 404: 'No open hiring offer for the caller' },
  },
});

/** §3.9–3.10 Feedback from both sides, the hiring offer and its answer; conversion for ops. */
export function followUpRoutes(deps: RouteDeps): DocumentedRouter {
  const { db } = deps;
  const routes = new DocumentedRouter();

  updateRoute(routes, deps, feedback);

  /** §3.9 The student chooses who sees their credential (private until they do). */
  routes.route(
    {
      method: 'put',
      path: '/v1/credentials/{credentialId}/sharing',
      summary: 'Choose who sees your credential: private (the default), link, or portfolio (its student)',
      security: secured,
      request: { params: credentialIdParam, body: jsonBody(credentialSharingBody) },
      responses: {
        200: json(
          z.object({ credentialId: z.uuid(), visibility: credentialSharingBody.shape.visibility }),
          'Recorded',
        ),
        ...unauthenticated,
        403: problem('Caller is not a student'),
        404: problem('No such credential of yours'),
        422: problem('Invalid body'),
      },
    },
    async (req, res) => {
      const student = requireRole(res, 'student');
      const { credentialId } = parse(credentialIdParam, req.params, 'path');
      const { visibility } = parse(credentialSharingBody, req.body, 'body');
      const credential = await setCredentialVisibility(db, {
        id: credentialId,
        studentId: student.studentId,
        visibility,
      });
      if (!credential) throw notFound('Credential');
      await auditAccount(deps, {
        action: `credential-sharing:${visibility}`,
        actor: actorOf(student),
        subjectId: credential.id,
      });
      res.json({ credentialId: credential.id, visibility: credential.visibility });
    },
  );

  updateRoute(routes, deps, hiringOffer);
  updateRoute(routes, deps, hiringOfferResponse);

  routes.route(
    {
      method: 'get',
      path: '/v1/admin/conversion',
      summary: 'Hiring conversion: completed internships, offers made, offers accepted (ops)',
      security: secured,
      responses: {
        200: json(z.object({ offersMade: z.int(), offersAccepted: z.int(), completed: z.int() }), 'Counts'),
        ...unauthenticated,
        403: problem('Caller is not ops'),
      },
    },
    async (_req, res) => {
      requireRole(res, 'ops');
      res.json(await hiringConversion(db));
    },
  );

  return routes;
}
