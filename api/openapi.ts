/** The OpenAPI document, generated from the same zod schemas that validate requests. */
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z, type ZodType } from 'zod';
import {
  applicationCreatedResponse,
  applyBody,
  blindApplicationList,
  createStudentBody,
  createStudentResponse,
  offerResponseBody,
  offerResponseResult,
  cancelBody,
  credentialIdParam,
  credentialSharingBody,
  feedbackBody,
  hiringOfferBody,
  studentIdParam,
  feeExceptionBody,
  resolutionBody,
  extensionDecisionBody,
  extensionRequestBody,
  missedDeadlineDecisionBody,
  statusResponse,
  reviewBody,
  reviewResponse,
  selectionBody,
  selectionResponse,
  submissionBody,
  submissionResponse,
  withdrawResponse,
  createEmployerBody,
  createEmployerResponse,
  createInternshipBody,
  internshipCreatedResponse,
  internshipIdParam,
  internshipPage,
  internshipSchema,
  listInternshipsQuery,
  problemSchema,
} from './schemas';
import { RECOVERY_CHOICES } from '../workflows/definitions';

const json = (schema: ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
const secured = [{ bearer: [] }];
const common = {
  401: problem('Missing or unknown bearer token'),
};

/** A POST or DELETE on one internship: a workflow Update, which takes an Idempotency-Key. */
const isAction = (method: string, path: string) =>
  ['post', 'delete'].includes(method) && /^\/v1\/(admin\/)?internships\/\{id\}\//.test(path);
/** Posting an internship also honours an Idempotency-Key (a retry replays the first answer). */
const isPosting = (method: string, path: string) => method === 'post' && path === '/v1/internships';
const takesIdempotencyKey = (method: string, path: string) =>
  isAction(method, path) || isPosting(method, path);

/**
 * What any request to the web API can get wrong, documented on each route where it can happen (the
 * fuzzer holds every answer to the spec): a body that is not JSON (400), larger than 100 kB (413)
 * or invalid (422); a malformed Idempotency-Key (422); an id that is malformed or unknown (404);
 * too many writes from one address or account (429);
 * Temporal or Postgres out of reach, a micro-internship still recording its last change, or too many
 * requests queued for one micro-internship (503).
 */
function withRequestProblems(route: RouteConfig): RouteConfig {
  if (!route.path.startsWith('/v1/')) return route;
  const responses = { ...route.responses };
  const add = (status: number, description: string) => {
    responses[status] ??= problem(description);
  };
  if (route.request?.body) {
    add(400, 'The body is not valid JSON');
    add(413, 'The body is larger than 100 kB');
    add(422, 'Invalid body; `errors` names each wrong field');
  }
  if (takesIdempotencyKey(route.method, route.path)) add(422, 'Invalid Idempotency-Key header');
  if (isAction(route.method, route.path)) {
    add(409, 'The micro-internship has ended and no longer accepts this action');
  }
  if (isPosting(route.method, route.path))
    add(409, 'A request with this Idempotency-Key is still in progress');
  if (route.request?.params) add(404, 'No such resource, or not yours');
  if (['post', 'put', 'patch', 'delete'].includes(route.method))
    add(429, 'Too many writes from this address or account; retry after the Retry-After header');
  add(
    503,
    'Temporal or Postgres unreachable, or the micro-internship is still recording its last change or is answering too many requests at once; nothing changed, retry after the Retry-After header',
  );
  return { ...route, responses };
}

export function buildOpenApiDocument(options: { minHourlyRateCents: number; serverUrl?: string }) {
  const registry = new OpenAPIRegistry();
  const registerPath = (route: RouteConfig) => registry.registerPath(withRequestProblems(route));
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });

  registerPath({
    method: 'post',
    path: '/v1/employers',
    summary: 'Create an employer (ops)',
    security: secured,
    request: { body: { required: true, content: { 'application/json': { schema: createEmployerBody } } } },
    responses: {
      201: json(createEmployerResponse, 'The employer and its API token'),
      ...common,
      403: problem('Caller is not ops'),
      422: problem('Invalid body; `errors` names each wrong field'),
    },
  });

  registerPath({
    method: 'post',
    path: '/v1/internships',
    summary: 'Post a micro-internship (employer)',
    description: `Fair pay: feeCents / estimatedHours must be at least ${options.minHourlyRateCents} cents per hour.`,
    security: secured,
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: createInternshipBody(options.minHourlyRateCents) } },
      },
    },
    responses: {
      201: json(internshipCreatedResponse, 'Posted; its workflow is running'),
      ...common,
      403: problem('Caller is not an employer'),
      422: problem('Invalid body; `errors` names each wrong field'),
      503: problem('Temporal or Postgres unreachable; retry after the Retry-After header'),
    },
  });

  registerPath({
    method: 'get',
    path: '/v1/internships',
    summary: "List postings: an employer's own, or all for ops",
    security: secured,
    request: { query: listInternshipsQuery },
    responses: {
      200: json(internshipPage, 'One page, newest first'),
      ...common,
      403: problem('Caller may not list postings'),
      422: problem('Invalid query'),
    },
  });

  registerPath({
    method: 'get',
    path: '/v1/internships/{id}',
    summary: 'One posting with its status and deadlines (owner, ops)',
    security: secured,
    request: { params: internshipIdParam },
    responses: {
      200: json(internshipSchema, 'The posting'),
      ...common,
      404: problem("Unknown, or another employer's"),
    },
  });

  registerPath({
    method: 'post',
    path: '/v1/students',
    summary: 'Sign up as a student (no token needed; no GPA, ever)',
    request: { body: { required: true, content: { 'application/json': { schema: createStudentBody } } } },
    responses: {
      201: json(createStudentResponse, 'The student and its API token'),
      409: problem('Email already registered'),
      422: problem('Invalid body'),
      429: problem('Too many sign-ups from this address; try again after Retry-After'),
    },
  });

  const idempotencyHeader = z.object({
    'Idempotency-Key': z
      .string()
      .regex(/^[\x21-\x7e]{1,255}$/)
      .optional()
      .describe('Same key + same body replays the first answer'),
  });

  registerPath({
    method: 'post',
    path: '/v1/internships/{id}/applications',
    summary: 'Apply with a pitch and one answer per screening question (student)',
    security: secured,
    request: {
      params: internshipIdParam,
      headers: idempotencyHeader,
      body: { required: true, content: { 'application/json': { schema: applyBody } } },
    },
    responses: {
      201: json(applicationCreatedResponse, 'Applied'),
      ...common,
      403: problem('Caller is not a student'),
      404: problem('Unknown posting'),
      409: problem(
        'Applications closed (PostingClosed), posting full until one withdraws (PostingFull), already applied (AlreadyApplied), or the student holds the most open applications one may (TooManyOpenApplications)',
      ),
      422: problem('Invalid body, or Idempotency-Key reused with another body'),
    },
  });

  registerPath({
    method: 'delete',
    path: '/v1/internships/{id}/applications/mine',
    summary: 'Withdraw before selection (student)',
    security: secured,
    request: { params: internshipIdParam },
    responses: {
      200: json(withdrawResponse, 'Withdrawn'),
      ...common,
      403: problem('Caller is not a student'),
      404: problem('No application of yours here'),
      409: problem('Too late to withdraw'),
    },
  });

  registerPath({
    method: 'get',
    path: '/v1/internships/{id}/applications',
    summary: 'Blind applicant list: no name, email or school until a student accepts (owner, ops)',
    security: secured,
    request: { params: internshipIdParam },
    responses: {
      200: json(blindApplicationList, 'Applications in the order they came'),
      ...common,
      403: problem('Caller is a student'),
      404: problem("Unknown, or another employer's"),
    },
  });

  registerPath({
    method: 'post',
    path: '/v1/internships/{id}/selection',
    summary: 'Choose one application or a ranked shortlist of up to 3 (owner)',
    security: secured,
    request: {
      params: internshipIdParam,
      body: { required: true, content: { 'application/json': { schema: selectionBody } } },
    },
    responses: {
      202: json(selectionResponse, 'The first is being offered'),
      ...common,
      403: problem('Caller is not an employer'),
      404: problem("Unknown, or another employer's"),
      409: problem('Not Open or Selecting'),
      422: problem('An application cannot be selected'),
    },
  });

  registerPath({
    method: 'post',
    path: '/v1/internships/{id}/offer-response',
    summary: 'Accept or decline an offer (the offered student)',
    security: secured,
    request: {
      params: internshipIdParam,
      body: { required: true, content: { 'application/json': { schema: offerResponseBody } } },
    },
    responses: {
      200: json(offerResponseResult, 'Recorded'),
      ...common,
      403: problem('Caller is not a student'),
      404: problem('No open offer for the caller'),
    },
  });

  registerPath({
    method: 'post',
    path: '/v1/internships/{id}/submissions',
    summary: 'Submit the deliverable: a link and notes (the hired student)',
    security: secured,
    request: {
      params: internshipIdParam,
      body: { required: true, content: { 'application/json': { schema: submissionBody } } },
    },
    responses: {
      201: json(submissionResponse, 'Submitted; the employer reviews it'),
      ...common,
      403: problem('Caller is not a student'),
      404: problem('Not your micro-internship'),
      409: problem('Not in progress, or already submitted'),
      422: problem('Invalid body'),
    },
  });

  registerPath({
    method: 'post',
    path: '/v1/internships/{id}/review',
    summary: 'Approve, request changes (at most twice), or reject after the last round (owner)',
    security: secured,
    request: {
      params: internshipIdParam,
      body: { required: true, content: { 'application/json': { schema: reviewBody } } },
    },
    responses: {
      200: json(reviewResponse, 'The status the internship moves to'),
      ...common,
      403: problem('Caller is not an employer'),
      404: problem("Unknown, or another employer's"),
      409: problem('Nothing to review, or the decision is not allowed in this round'),
      422: problem('Invalid body'),
    },
  });

  const workRoute = (
    path: string,
    summary: string,
    body: ZodType,
    ok: [number, ZodType, string],
    refusals: Record<number, string>,
  ) =>
    registerPath({
      method: 'post',
      path: `/v1/internships/{id}/${path}`,
      summary,
      security: secured,
      request: {
        params: internshipIdParam,
        body: { required: true, content: { 'application/json': { schema: body } } },
      },
      responses: {
        [ok[0]]: json(ok[1], ok[2]),
        ...common,
        ...Object.fromEntries(Object.entries(refusals).map(([status, text]) => [status, problem(text)])),
      },
    });
  workRoute(
    'extension-requests',
    'Ask for a later due date, at most twice and 14 days (the hired student)',
    extensionRequestBody,
    [202, z.object({ status: z.literal('pending') }), 'Sent to the employer'],
    {
      403: 'Caller is not a student',
      404: 'Not your micro-internship',
      409: 'Not working, a request is pending, or 2 asked already',
      422: 'Invalid body or date',
    },
  );
  workRoute(
    'extension-decision',
    'Approve or decline the pending extension (owner)',
    extensionDecisionBody,
    [200, z.object({ dueAt: z.iso.datetime() }), 'The due date now'],
    { 403: 'Caller is not an employer', 404: "Unknown, or another employer's", 409: 'No request is pending' },
  );
  workRoute(
    'missed-deadline-decision',
    'After a missed deadline or a withdrawal: extend, re-select (fee held) or cancel (refund) (owner)',
    missedDeadlineDecisionBody,
    [200, z.object({ choice: z.enum(RECOVERY_CHOICES) }), 'Recorded'],
    {
      403: 'Caller is not an employer',
      404: "Unknown, or another employer's",
      409: 'No such decision is waiting',
      422: 'Invalid body or date',
    },
  );
  workRoute(
    'cancel',
    'Cancel funded work: 25% kill fee to the student, the rest refunded (owner, ops)',
    cancelBody,
    [202, statusResponse, 'Cancelling'],
    {
      403: 'Caller is a student',
      404: "Unknown, or another employer's",
      409: 'Not in progress or in review',
    },
  );

  const adminRoute = (path: string, summary: string, body: ZodType, ok: [number, string]) =>
    registerPath({
      method: 'post',
      path: `/v1/admin/internships/{id}/${path}`,
      summary,
      security: secured,
      request: {
        params: internshipIdParam,
        body: { required: true, content: { 'application/json': { schema: body } } },
      },
      responses: {
        [ok[0]]: json(statusResponse, ok[1]),
        ...common,
        403: problem('Caller is not ops'),
        404: problem('Unknown internship'),
        409: problem('Nothing of this kind is waiting'),
        422: problem('Invalid body'),
      },
    });
  workRoute(
    'feedback',
    'Rate the other side 1-5 with a comment; double-blind (owner, hired student)',
    feedbackBody,
    [201, z.object({ revealed: z.boolean() }), 'Recorded'],
    {
      403: 'Caller is ops',
      404: 'Not your micro-internship',
      409: 'Not completed, or already given',
      422: 'Invalid body',
    },
  );
  workRoute(
    'hiring-offer',
    'Offer the student a job after the work (owner)',
    hiringOfferBody,
    [201, z.object({ expiresAt: z.iso.datetime() }), 'Sent to the student'],
    {
      403: 'Caller is not an employer',
      404: "Unknown, or another employer's",
      409: 'Not completed, or an offer is open',
      422: 'Invalid body or expiry beyond 30 days',
    },
  );
  workRoute(
    'hiring-offer/response',
    'Accept or decline the hiring offer (the student)',
    offerResponseBody,
    [200, offerResponseResult, 'Recorded; the internship closes'],
    { 403: 'Caller is not a student', 404: 'No open hiring offer for the caller' },
  );

  const credentialView = z.object({
    credentialId: z.uuid().describe('Random: unrelated to the internship id'),
    valid: z.boolean().describe('The signature matches the statement, byte for byte'),
    issuedAt: z.iso.datetime(),
    credential: z
      .unknown()
      .describe(
        "The signed statement: title, employer, skills, dates, endorsements; the student's name, never their id",
      ),
  });
  registerPath({
    method: 'get',
    path: '/v1/credentials/{credentialId}',
    summary: 'Verify a completion credential its student shared (anyone)',
    request: { params: credentialIdParam },
    responses: {
      200: json(credentialView, 'The statement and whether it verifies'),
      404: problem('Unknown credential, or one its student keeps private'),
    },
  });
  registerPath({
    method: 'put',
    path: '/v1/credentials/{credentialId}/sharing',
    summary: 'Choose who sees your credential: private (the default), link, or portfolio (its student)',
    security: secured,
    request: {
      params: credentialIdParam,
      body: { required: true, content: { 'application/json': { schema: credentialSharingBody } } },
    },
    responses: {
      200: json(
        z.object({ credentialId: z.uuid(), visibility: credentialSharingBody.shape.visibility }),
        'Recorded',
      ),
      ...common,
      403: problem('Caller is not a student'),
      404: problem('No such credential of yours'),
      422: problem('Invalid body'),
    },
  });
  registerPath({
    method: 'get',
    path: '/v1/students/{id}/portfolio',
    summary: 'The verified completions a student listed in their portfolio (anyone)',
    request: { params: studentIdParam },
    responses: {
      200: json(
        z.object({ student: z.object({ id: z.uuid(), name: z.string() }), items: z.array(credentialView) }),
        'Verified credentials, newest first',
      ),
      404: problem('Unknown student, or one who listed nothing'),
    },
  });
  registerPath({
    method: 'get',
    path: '/v1/admin/conversion',
    summary: 'Hiring conversion: completed internships, offers made, offers accepted (ops)',
    security: secured,
    responses: {
      200: json(z.object({ offersMade: z.int(), offersAccepted: z.int(), completed: z.int() }), 'Counts'),
      ...common,
      403: problem('Caller is not ops'),
    },
  });

  adminRoute('fee-exception', 'Approve or decline a fee below the fair-pay floor (ops)', feeExceptionBody, [
    200,
    'Decided',
  ]);
  adminRoute(
    'resolution',
    "Resolve a dispute with the student's share of the fee, 0-100% (ops)",
    resolutionBody,
    [202, 'Settling'],
  );

  registerPath({
    method: 'post',
    path: '/webhooks/stripe',
    summary: 'Stripe events, signed; each event id is applied once',
    request: {
      headers: z.object({ 'Stripe-Signature': z.string() }),
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ id: z.string(), type: z.string() }).loose() } },
      },
    },
    responses: {
      200: json(
        z.object({ received: z.boolean(), duplicate: z.boolean().optional() }),
        'Applied, or a duplicate ignored',
      ),
      400: problem(
        'Signature missing, wrong or older than 5 minutes, or a signed event without the fields it must have (`errors` names them)',
      ),
    },
  });

  registerPath({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the API process answers',
    responses: { 200: json(z.object({ status: z.literal('ok') }), 'Alive') },
  });
  const readiness = z.object({
    status: z.string(),
    temporal: z.enum(['ok', 'down']),
    postgres: z.enum(['ok', 'down']),
  });
  registerPath({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: Temporal and Postgres answer within 2 s',
    responses: { 200: json(readiness, 'Ready'), 503: json(readiness, 'Not ready; see Retry-After') },
  });
  registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics: requests, latency and errors by route, process metrics',
    responses: {
      200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
    },
  });

  const tokenParam = z.object({ token: z.string().describe('The opaque token from the email link') });
  const htmlPage = (description: string) => ({
    description,
    content: { 'text/html': { schema: z.string() } },
  });
  registerPath({
    method: 'get',
    path: '/actions/{token}',
    summary: 'Email link: a page stating the decision with one button; changes nothing',
    request: { params: tokenParam },
    responses: {
      200: htmlPage('The decision, or "already done"'),
      404: htmlPage('Unknown link'),
      410: htmlPage('Expired link'),
      429: problem('Too many link requests from this address; try again after Retry-After'),
      503: htmlPage('Temporarily unavailable'),
    },
  });
  registerPath({
    method: 'post',
    path: '/actions/{token}',
    summary: 'Email link: performs the decision once',
    request: { params: tokenParam },
    responses: {
      200: htmlPage('Done, or already done'),
      404: htmlPage('Unknown link'),
      409: htmlPage('The decision is closed'),
      410: htmlPage('Expired link'),
      429: problem('Too many link requests from this address; try again after Retry-After'),
      503: htmlPage('Temporarily unavailable; nothing changed'),
    },
  });

  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Micro-internships API',
      version: '0.1.0',
      description:
        'Short, paid, professional projects: employers post, students apply, one Temporal workflow per micro-internship.',
    },
    servers: options.serverUrl ? [{ url: options.serverUrl }] : [],
  });
  return withIdempotentActions(document);
}

type Document = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/**
 * Every action on an internship (a POST or DELETE under /v1/internships/{id} or
 * /v1/admin/internships/{id}) takes an optional Idempotency-Key: a retry with the same key is the
 * same workflow Update and gets the first answer. So does posting an internship.
 */
function withIdempotentActions(document: Document): Document {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of [
      ['post', item.post],
      ['delete', item.delete],
    ] as const) {
      if (!operation || !takesIdempotencyKey(method, path)) continue;
      const parameters = (operation.parameters ??= []);
      if (parameters.some((p) => 'name' in p && p.name === 'Idempotency-Key')) continue;
      parameters.push({
        in: 'header',
        name: 'Idempotency-Key',
        required: false,
        description: 'A retry with the same key repeats the same action once: the first answer comes back',
        schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
      });
    }
  }
  return document;
}
