import type { Payload } from '@temporalio/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { EncryptionCodec, payloadKeysFrom } from '../../lib/payload-codec';
import { callerOf, type AuthSettings } from '../auth';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { json, jsonBody, problems, secured, type Operation } from '../openapi-kit';
import { forbidden, HttpProblem, notFound, unauthorized } from '../problem';
import { parse } from '../validate';

/** Payloads as the Temporal UI and CLI send them: proto3 JSON, bytes in base64. */
const payloadsBody = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), z.string().max(1_000)).optional(),
        data: z.string().max(4_000_000).optional(),
      }),
    )
    .max(1_000),
});

const operation = (path: string, summary: string): Operation => ({
  method: 'post',
  path,
  summary,
  description:
    "The codec server of the Temporal UI and the `temporal` CLI (`--codec-endpoint`): staff only, signed in with a session (cookie, or bearer) or an API token; browsers only from the Temporal UI's origin (CORS).",
  security: secured,
  request: { body: jsonBody(payloadsBody) },
  responses: {
    200: json(payloadsBody, 'The payloads, decoded (or encoded)'),
    ...problems({
      400: 'The body is not valid JSON',
      413: 'The body is larger than 8 MB',
      429: 'Too many requests from this address; retry after the Retry-After header',
      503: 'Postgres unreachable; retry after the Retry-After header',
      401: 'Not signed in',
      403: 'Not staff, or a browser on another origin than the Temporal UI',
      404: 'Payload encryption is off',
      422: 'Not payloads, or a key that is no longer known',
    }),
  },
});

const fromJson = (p: z.infer<typeof payloadsBody>['payloads'][number]): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  ),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v ?? new Uint8Array()).toString('base64'),
    ]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/**
 * `/codec/decode` and `/codec/encode`: ops read decoded payloads in the Temporal UI without the
 * keys ever leaving the platform. Nobody else gets an answer: not a student or an employer, not a
 * page on another origin (the browser is told nothing by CORS, and the request is refused).
 */
export function codecRoutes(deps: RouteDeps, auth: AuthSettings): DocumentedRouter {
  const routes = new DocumentedRouter();
  const keys = payloadKeysFrom(deps.config);
  const codec = keys && new EncryptionCodec(keys);
  const uiOrigin = new URL(deps.config.TEMPORAL_UI_URL).origin;

  // CORS for the Temporal UI's origin alone, with its credentials (the session cookie).
  routes.router.use('/codec', (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (origin !== undefined && origin !== uiOrigin)
      throw forbidden('The codec server answers the Temporal UI only');
    if (origin) {
      res.setHeader('Access-Control-Allow-Origin', uiOrigin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      res.setHeader('Access-Control-Allow-Headers', 'content-type, x-namespace, authorization');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  });

  const serve = (direction: 'decode' | 'encode') => async (req: Request, res: Response) => {
    if (!codec) throw notFound('Codec (payload encryption is off)');
    // It changes nothing, so a cookie needs no CSRF token; other origins were refused above.
    const resolved = await callerOf(auth, req, { csrf: false });
    if (!resolved || !('principal' in resolved)) throw unauthorized();
    if (resolved.principal.role !== 'ops') throw forbidden('Only operations staff read payloads');
    const body = parse(payloadsBody, req.body, 'body');
    const payloads = await codec[direction](body.payloads.map(fromJson)).catch((err: unknown) => {
      throw new HttpProblem(422, 'Unprocessable Content', (err as Error).message);
    });
    res.json({ payloads: payloads.map(toJson) });
  };
  routes.route(
    operation('/codec/decode', 'Decode payloads for the Temporal UI and CLI (staff)'),
    serve('decode'),
  );
  routes.route(
    operation('/codec/encode', 'Encode payloads for the Temporal UI and CLI (staff)'),
    serve('encode'),
  );
  return routes;
}

/** Payload batches are bigger than the API's bodies (a whole history page). */
export const codecBody = express.json({ limit: '8mb' });
