import { z } from 'zod';
import {
  internshipStateQuery,
  openPayoutOnboardingUpdate,
  type InternshipState,
} from '../../workflows/definitions';
import { requireRole } from '../auth';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { internshipFor, ownerOf } from '../internship-lookup';
import { json, problems, secured, unauthenticated, type Operation } from '../openapi-kit';
import { internshipIdParam } from '../schemas';
import { updateRoute } from '../update-route';
import { PAYOUT_STAGES, studentPayout } from '../use-cases/student-payout';
import { TEMPORAL_CALL_DEADLINE_MS } from '../workflow-errors';
import { webPaths } from '../../lib/web-paths';

export const payoutSchema = z.object({
  stage: z
    .enum(PAYOUT_STAGES)
    .describe(
      'not-due: the work is not approved yet; waiting-for-account: owed, the payout account is not ready; sending: the account is ready, the transfer is on its way; sent; nothing-owed: ended without pay',
    ),
  account: z.object({
    ready: z.boolean().describe('Stripe reported the payout account able to receive payouts'),
    created: z.boolean().describe('The platform has made the Stripe Connect Express account'),
  }),
  amounts: z
    .object({
      feeCents: z.int(),
      sharePct: z.int().describe("The student's share of the fee: 100, a kill fee's, or a dispute's"),
      grossCents: z.int().describe('That share of the fee, before the platform share'),
      platformSharePct: z.int(),
      platformShareCents: z.int(),
      paidCents: z.int().describe('What reaches the student: the ledger once sent'),
    })
    .describe('The money, as the payout moves it'),
  paidBy: z.iso.datetime().nullable().describe('When the money reaches the student, once it is sent'),
  settlementDays: z.int().describe('How long after the transfer the money arrives'),
  nextActions: z.array(z.enum(['set-up-payouts'])).describe("By the workflow's own rule"),
});

const payout: Operation = {
  method: 'get',
  path: '/v1/internships/{id}/payout',
  summary:
    "The hired student's payout: whether it is due, whether their payout account is ready, how much and by when (the hired student, ops)",
  security: secured,
  request: { params: internshipIdParam },
  responses: {
    200: json(payoutSchema, 'The payout now'),
    ...unauthenticated,
    ...problems({
      403: 'Caller is an employer',
      404: 'Not your micro-internship',
      503: 'Temporal unreachable',
    }),
  },
};

/** §3.8 The student's payout, and the Stripe onboarding page that makes their account ready. */
export function payoutRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();
  routes.route(payout, async (req, res) => {
    const caller = requireRole(res, 'student', 'ops');
    const internship = await internshipFor(deps.db, req.params, ownerOf(caller));
    const view = await deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_CALL_DEADLINE_MS, () =>
      deps.temporal.workflow.getHandle(internship.workflowId).query(internshipStateQuery),
    );
    // The onboarding rule reads nothing the query leaves out.
    const state = view as InternshipState;
    const platformSharePct = deps.config.PLATFORM_SHARE_PCT;
    res.json(await studentPayout({ db: deps.db, platformSharePct }, internship, state));
  });

  /** §3.8 From the student's payouts page: a fresh Stripe onboarding page, coming back to it. */
  const page = (id: string) => `${deps.config.PUBLIC_BASE_URL}${webPaths.studentPayouts(id)}`;
  updateRoute(routes, deps, {
    path: '/v1/internships/{id}/payout-onboarding',
    who: ['student'],
    body: z.object({}).strict(),
    update: openPayoutOnboardingUpdate,
    args: (_body, _caller, _textId, internship) => ({
      refreshUrl: `${page(internship.id)}?onboarding=again`,
      returnUrl: `${page(internship.id)}?onboarding=back`,
    }),
    status: 201,
    doc: {
      summary: 'Open a Stripe Connect onboarding page to make the payout account ready (the hired student)',
      ok: [z.object({ url: z.url() }), 'Send the student to this page'],
      refusals: {
        403: 'Caller is not a student',
        404: 'Not your micro-internship',
        409: 'No payout account is waiting to be set up',
      },
    },
  });
  return routes;
}
