/**
 * The OpenAPI document. Each route declares its own operation beside its handler
 * (api/documented-router.ts), from the same zod schemas that validate requests; this module adds
 * what every route shares and renders the document.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { problem, type Operation } from './openapi-kit';

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
function withRequestProblems(route: Operation): Operation {
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

export function buildOpenApiDocument(operations: readonly Operation[], options: { serverUrl?: string } = {}) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  for (const operation of operations) registry.registerPath(withRequestProblems(operation));

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
