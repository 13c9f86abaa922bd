/** The OpenAPI document, generated from the same zod schemas that validate requests. */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import {
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

export function buildOpenApiDocument(options: { minHourlyRateCents: number; serverUrl?: string }) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });

  registry.registerPath({
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

  registry.registerPath({
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

  registry.registerPath({
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

  registry.registerPath({
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

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Micro-internships API',
      version: '0.1.0',
      description:
        'Short, paid, professional projects: employers post, students apply, one Temporal workflow per micro-internship.',
    },
    servers: options.serverUrl ? [{ url: options.serverUrl }] : [],
  });
}
