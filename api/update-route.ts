import type { UpdateDefinition } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import type { Internship } from '../db/internships';
import { saveText, type TextBodies, type TextKind } from '../db/texts';
import { uuidFrom } from '../lib/ids';
import { idempotencyKeyOf, principalKey } from './idempotency';
import type { ZodType, z } from 'zod';
import { actingFor } from './audited-handle';
import type { StaffRole } from '../db/accounts';
import { requireRole, requireStaff, type Principal, type Role } from './auth';
import type { RouteDeps } from './deps';
import type { DocumentedRouter } from './documented-router';
import { internshipFor, ownerOf } from './internship-lookup';
import { json, jsonBody, problems, secured, unauthenticated } from './openapi-kit';
import { internshipIdParam } from './schemas';
import { parse } from './validate';
import { runUpdate } from './workflow-errors';

/** Which kind of text a route's body holds, and how to read it from the body. */
type WordsOf<B> = { [K in TextKind]: { kind: K; of: (body: B) => TextBodies[K] } }[TextKind];

/** One route that asks a micro-internship's workflow to do something (an Update), and its answer. */
export interface UpdateRoute<P extends Role, B, A, R> {
  /** OpenAPI style: `/v1/internships/{id}/review`. */
  path: string;
  /** Who may call it: an employer acts on its own postings, a student on the one they were hired for. */
  who: readonly P[];
  /** When staff may call it: which of their roles (support only reads, so never support). */
  staff?: readonly Exclude<StaffRole, 'support'>[];
  body: z.ZodType<B>;
  update: UpdateDefinition<R, [A]>;
  /**
   * What the caller wrote (a link, notes, comments, a reason, terms): stored in Postgres before the
   * Update, which carries only the id of that text, so the words never enter the workflow's history.
   */
  words?: WordsOf<B>;
  /** The Update's argument, from the validated body, the caller, the id of their words and the internship. */
  args: (body: B, caller: Extract<Principal, { role: P }>, textId: string, internship: Internship) => A;
  /** 200 unless said. */
  status?: number;
  /** The answer's body: the Update's result unless said. */
  answer?: (result: R) => unknown;
  /** The body field a refused date names (problem+json `errors[].field`). */
  dateField?: string;
  /** The OpenAPI operation: what it does, its answer's schema, and each refusal by status. */
  doc: { summary: string; ok: [ZodType, string]; refusals: Record<number, string> };
}

/**
 * Serves one Update route in the one shape they all share: the caller's role, then ownership from
 * Postgres (anyone else gets 404 without a Temporal call), then the body, then the Update through
 * the internship's queue, audited; a refusal becomes its problem+json.
 */
export function updateRoute<P extends Role, B, A, R>(
  routes: DocumentedRouter,
  deps: RouteDeps,
  route: UpdateRoute<P, B, A, R>,
): void {
  const status = route.status ?? 200;
  const operation = {
    method: 'post' as const,
    path: route.path,
    summary: route.doc.summary,
    security: secured,
    request: { params: internshipIdParam, body: jsonBody(route.body) },
    responses: {
      [status]: json(route.doc.ok[0], route.doc.ok[1]),
      ...unauthenticated,
      ...problems(route.doc.refusals),
    },
  };
  routes.route(operation, async (req, res) => {
    const caller = requireRole(res, ...route.who);
    if (caller.role === 'ops') requireStaff(res, ...(route.staff ?? []));
    const internship = await internshipFor(deps.db, req.params, ownerOf(caller));
    const body = parse(route.body, req.body, 'body');
    // A request retried with its Idempotency-Key stores its words once, under the same id.
    const key = idempotencyKeyOf(req);
    const textId = key
      ? uuidFrom(`text:${principalKey(caller)}:${route.path}:${internship.id}:${key}`)
      : randomUUID();
    if (route.words) {
      await saveText(deps.db, {
        id: textId,
        internshipId: internship.id,
        authorId: caller.accountId,
        kind: route.words.kind,
        body: route.words.of(body),
      });
    }
    const result = await runUpdate(
      () =>
        actingFor(deps, internship, req, res).executeUpdate(route.update, {
          args: [route.args(body, caller, textId, internship)],
        }),
      route.dateField ? { dateField: route.dateField } : {},
    );
    res.status(status).json(route.answer ? route.answer(result) : result);
  });
}

/** Declares an Update route where its module starts, typed as `updateRoute` will serve it. */
export const updateSpec = <P extends Role, B, A, R>(route: UpdateRoute<P, B, A, R>) => route;
