import { z } from 'zod';
import { findText } from '../../db/texts';
import {
  internshipStateQuery,
  MAX_CHANGE_ROUNDS,
  openPaymentPageUpdate,
  type InternshipState,
} from '../../workflows/definitions';
import { days, KILL_FEE_PCT } from '../../workflows/durations';
import { killFeeSplit } from '../../workflows/money';
import { updateRules, type Refusal } from '../../workflows/rules';
import { requireRole } from '../auth';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { internshipFor, ownerOf } from '../internship-lookup';
import { json, problems, secured, unauthenticated, type Operation } from '../openapi-kit';
import { internshipIdParam } from '../schemas';
import { updateRoute } from '../update-route';
import { TEMPORAL_CALL_DEADLINE_MS } from '../workflow-errors';
import { webPaths } from '../../lib/web-paths';

/** What the employer may decide now, each named as the route that does it. */
const EMPLOYER_ACTIONS = [
  'pay',
  'approve',
  'request-changes',
  'reject',
  'decide-extension',
  'decide-missed-deadline',
  'cancel',
  'give-feedback',
  'make-hiring-offer',
] as const;

export const progressSchema = z.object({
  shortlist: z.array(z.uuid()).describe('Ranked application ids still to be offered, next first'),
  offer: z
    .object({ applicationId: z.uuid(), expiresAt: z.iso.datetime() })
    .nullable()
    .describe('The offer waiting for its student'),
  submission: z
    .object({ url: z.string(), notes: z.string(), submittedAt: z.iso.datetime() })
    .nullable()
    .describe('The work waiting for review'),
  changeRounds: z.object({ used: z.int(), max: z.int() }),
  extensionRequest: z
    .object({ newDueAt: z.iso.datetime(), reason: z.string() })
    .nullable()
    .describe("The student's request for more time, waiting for a decision"),
  missedDeadline: z
    .object({ studentWithdrew: z.boolean() })
    .nullable()
    .describe('The due date passed unmet (or the student withdrew): extend, re-select or cancel'),
  killFee: z
    .object({ pct: z.int(), killFeeCents: z.int(), refundCents: z.int() })
    .describe('What cancelling funded work now would cost: the kill fee, and the refund of the rest'),
  feedbackGiven: z.object({ employer: z.boolean(), student: z.boolean() }),
  hiringOffer: z
    .object({
      role: z.string(),
      type: z.string(),
      payCents: z.int(),
      payPeriod: z.string(),
      startDate: z.string(),
      expiresAt: z.iso.datetime(),
      response: z.enum(['accepted', 'declined', 'expired']).nullable(),
    })
    .nullable(),
  nextActions: z
    .array(z.enum(EMPLOYER_ACTIONS))
    .describe("What the caller may decide now, by the workflow's own rules"),
});

const progress: Operation = {
  method: 'get',
  path: '/v1/internships/{id}/progress',
  summary:
    'Where the engagement stands, as the workflow knows it: the offer along the shortlist, the work to review, requests and decisions waiting (owner, ops)',
  security: secured,
  request: { params: internshipIdParam },
  responses: {
    200: json(progressSchema, 'The engagement now'),
    ...unauthenticated,
    ...problems({
      403: 'Caller is a student',
      404: "Unknown, or another employer's",
      503: 'Temporal unreachable',
    }),
  },
};

/** The employer's choices the workflow would accept now: each Update's own rule, asked with the state. */
function employerActions(state: InternshipState, now: number): (typeof EMPLOYER_ACTIONS)[number][] {
  const context = { now, maxApplicants: 0, reopensOnWithdrawal: true };
  const allowed = (refusal: Refusal | undefined) => refusal === undefined;
  const r = updateRules;
  const checks: [(typeof EMPLOYER_ACTIONS)[number], Refusal | undefined][] = [
    ['pay', r.openPaymentPage(state, { successUrl: '', cancelUrl: '' }, context)],
    ['approve', r.review(state, { decision: 'approve', textId: '' }, context)],
    ['request-changes', r.review(state, { decision: 'request_changes', textId: '' }, context)],
    ['reject', r.review(state, { decision: 'reject', textId: '' }, context)],
    ['decide-extension', r.decideExtension(state, { approve: true, via: 'api' }, context)],
    ['decide-missed-deadline', r.missedDeadlineDecision(state, { choice: 'reselect', via: 'api' }, context)],
    ['cancel', r.cancel(state, { by: 'employer', textId: '' }, context)],
    [
      'give-feedback',
      r.giveFeedback(state, { from: 'employer', rating: 5, textId: '', showRatingPublicly: false }, context),
    ],
    [
      'make-hiring-offer',
      r.makeHiringOffer(state, { expiresAt: new Date(now + days(1)).toISOString() }, context),
    ],
  ];
  return checks.filter(([, refusal]) => allowed(refusal)).map(([action]) => action);
}

/** §3.3–3.10 The employer's view of the engagement, from the workflow (the truth) and the words in Postgres. */
export function progressRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();
  routes.route(progress, async (req, res) => {
    const caller = requireRole(res, 'employer', 'ops');
    const internship = await internshipFor(deps.db, req.params, ownerOf(caller));
    const view = await deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_CALL_DEADLINE_MS, () =>
      deps.temporal.workflow.getHandle(internship.workflowId).query(internshipStateQuery),
    );
    // The rules read no bookkeeping the query leaves out (reminders sent, feedback not yet stored).
    const state = view as InternshipState;
    const { work, selection, followUp } = state;
    const words = async <K extends 'submission' | 'extension' | 'hiring-offer'>(
      id: string | undefined,
      kind: K,
    ) => (id ? await findText(deps.db, id, kind) : undefined);
    const submitted = work.submission && (await words(work.submission.textId, 'submission'));
    const asked = work.extension && (await words(work.extension.textId, 'extension'));
    const offer = followUp.hiringOffer;
    const terms = offer && ((await words(offer.textId, 'hiring-offer')) ?? offer);
    const openOffer = selection.offer && !selection.offer.closed ? selection.offer : null;
    res.json({
      shortlist: selection.shortlist,
      offer: openOffer && { applicationId: openOffer.applicationId, expiresAt: openOffer.expiresAt },
      submission: work.submission && {
        url: submitted?.url ?? work.submission.url ?? '',
        notes: submitted?.notes ?? work.submission.notes ?? '',
        submittedAt: work.submission.submittedAt,
      },
      changeRounds: { used: work.changeRounds, max: MAX_CHANGE_ROUNDS },
      extensionRequest: work.extension && {
        newDueAt: work.extension.newDueAt,
        reason: asked?.reason ?? work.extension.reason ?? '',
      },
      missedDeadline:
        work.awaitingRecovery && !work.recovery ? { studentWithdrew: work.studentWithdrew } : null,
      killFee: { pct: KILL_FEE_PCT, ...killFeeSplit(internship.feeCents, KILL_FEE_PCT) },
      feedbackGiven: followUp.feedbackGiven,
      hiringOffer: offer && {
        role: terms?.role ?? '',
        type: terms?.type ?? '',
        payCents: terms?.payCents ?? 0,
        payPeriod: terms?.payPeriod ?? '',
        startDate: terms?.startDate ?? '',
        expiresAt: offer.expiresAt,
        response: offer.response,
      },
      nextActions: employerActions(state, Date.now()),
    });
  });

  /** §3.4 The pay link, from the employer's page: a fresh Stripe Checkout page for the fee. */
  // Back to the posting's page in the web app, with a notice that the payment is on its way.
  const back = (id: string) => `${deps.config.PUBLIC_BASE_URL}${webPaths.employerPosting(id)}`;
  updateRoute(routes, deps, {
    path: '/v1/internships/{id}/payment-page',
    who: ['employer'],
    body: z.object({}).strict(),
    update: openPaymentPageUpdate,
    args: (_body, _caller, _textId, internship) => ({
      successUrl: `${back(internship.id)}?notice=payment-sent`,
      cancelUrl: back(internship.id),
    }),
    status: 201,
    doc: {
      summary:
        'The saved card failed: open a Stripe Checkout page to pay the fee (a member of the posting organisation)',
      ok: [z.object({ url: z.url() }), 'Send the person to this page'],
      refusals: {
        403: 'Caller is not an employer',
        404: "Unknown, or another employer's",
        409: 'The fee is not waiting for payment',
      },
    },
  });
  return routes;
}
