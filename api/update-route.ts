import type { UpdateDefinition } from '@temporalio/common';
import type { Router } from 'express';
import type { z } from 'zod';
import { actingFor } from './audited-handle';
import { requireRole, type Principal, type Role } from './auth';
import type { RouteDeps } from './deps';
import { internshipFor, ownerOf } from './internship-lookup';
import { parse } from './validate';
import { runUpdate } from './workflow-errors';

/** One route that asks a micro-internship's workflow to do something (an Update), and its answer. */
export interface UpdateRoute<P extends Role, B, A, R> {
  path: string;
  /** Who may call it: an employer acts on its own postings, a student on the one they were hired for. */
  who: readonly P[];
  body: z.ZodType<B>;
  update: UpdateDefinition<R, [A]>;
  /** The Update's argument, from the validated body and the caller. */
  args: (body: B, caller: Extract<Principal, { role: P }>) => A;
  /** 200 unless said. */
  status?: number;
  /** The answer's body: the Update's result unless said. */
  answer?: (result: R) => unknown;
  /** The body field a refused date names (problem+json `errors[].field`). */
  dateField?: string;
}

/**
 * Serves one Update route in the one shape they all share: the caller's role, then ownership from
 * Postgres (anyone else gets 404 without a Temporal call), then the body, then the Update through
 * the internship's queue, audited; a refusal becomes its problem+json.
 */
export function updateRoute<P extends Role, B, A, R>(
  router: Router,
  deps: RouteDeps,
  route: UpdateRoute<P, B, A, R>,
): void {
  router.post(route.path, async (req, res) => {
    const caller = requireRole(res, ...route.who);
    const internship = await internshipFor(deps.db, req.params, ownerOf(caller));
    const body = parse(route.body, req.body, 'body');
    const result = await runUpdate(
      () =>
        actingFor(deps, internship, req, res).executeUpdate(route.update, {
          args: [route.args(body, caller)],
        }),
      route.dateField ? { dateField: route.dateField } : {},
    );
    res.status(route.status ?? 200).json(route.answer ? route.answer(result) : result);
  });
}
