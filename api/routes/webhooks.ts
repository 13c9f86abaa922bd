import { WorkflowNotFoundError } from '@temporalio/client';
import express, { type RequestHandler } from 'express';
import type Stripe from 'stripe';
import { markAccountReady, saveEmployerBilling } from '../../db/payments';
import { forgetStripeEvent, recordStripeEvent } from '../../db/stripe-events';
import { internshipWorkflowId, stripeEventSignal, type StripeFact } from '../../workflows/definitions';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { json, jsonBody, problem, type Operation } from '../openapi-kit';
import { z } from 'zod';
import type { WebhookRefusal } from '../observability';
import { fieldErrorsOf, HttpProblem, validationProblem } from '../problem';

/** Stripe's default tolerance: an event signed more than 5 minutes ago is refused as a replay. */
const TOLERANCE_SECONDS = 300;

/** A Stripe object id (`evt_…`, `pi_…`, `acct_…`). */
const stripeId = z.string().regex(/^[A-Za-z0-9_]{1,255}$/, 'is not a Stripe id');

/**
 * The parts of an event this endpoint reads. A correctly signed event that lacks one, or carries it
 * in another shape, is answered 400 naming the field, never applied half-way (or a 500).
 */
const eventEnvelope = z.object({ id: stripeId, type: z.string().regex(/^[a-z0-9_.]{1,100}$/) });
const eventBodies = {
  'payment_intent.succeeded': z.object({
    data: z.object({
      object: z.object({
        id: stripeId,
        amount: z.int().nonnegative(),
        amount_received: z.int().nonnegative().nullish(),
        metadata: z.object({ internshipId: z.uuid().optional() }).nullish(),
      }),
    }),
  }),
  'account.updated': z.object({
    data: z.object({ object: z.object({ id: stripeId, payouts_enabled: z.boolean().nullish() }) }),
  }),
  // A card saved through Checkout in setup mode (POST /v1/employers/{id}/billing/card-setup).
  'setup_intent.succeeded': z.object({
    data: z.object({
      object: z.object({
        id: stripeId,
        payment_method: stripeId.nullish(),
        metadata: z.object({ employerId: z.uuid().optional() }).nullish(),
      }),
    }),
  }),
} as const;

const READ_TYPES = new Set(Object.keys(eventBodies));

function readEvent(event: unknown) {
  const envelope = eventEnvelope.safeParse(event);
  const type = envelope.data?.type;
  const body =
    type && READ_TYPES.has(type) ? eventBodies[type as keyof typeof eventBodies].safeParse(event) : undefined;
  const failed = !envelope.success ? envelope.error : body && !body.success ? body.error : undefined;
  if (failed) throw validationProblem(fieldErrorsOf(failed, 'body'), 400);
  return event as Stripe.Event;
}

/** The internship facts an event carries, with the workflows they concern. */
async function factsOf(
  deps: RouteDeps,
  event: Stripe.Event,
): Promise<{ internshipId: string | null; workflowIds: string[]; fact: StripeFact }[]> {
  switch (event.type) {
    case 'payment_intent.succeeded': {
      const intent = event.data.object;
      const internshipId = intent.metadata?.internshipId;
      if (!internshipId) return [];
      return [
        {
          internshipId,
          workflowIds: [internshipWorkflowId(internshipId)],
          fact: {
            type: 'payment_succeeded',
            paymentIntentId: intent.id,
            amountCents: intent.amount_received || intent.amount,
          },
        },
      ];
    }
    case 'account.updated': {
      const account = event.data.object;
      if (!account.payouts_enabled) return [];
      const workflowIds = await markAccountReady(deps.db, account.id);
      return [
        { internshipId: null, workflowIds, fact: { type: 'payout_account_ready', accountId: account.id } },
      ];
    }
    case 'setup_intent.succeeded': {
      // The employer's card for later fees: saved, not a fact any workflow waits for.
      const intent = event.data.object;
      const employerId = intent.metadata?.employerId;
      const method = typeof intent.payment_method === 'string' ? intent.payment_method : undefined;
      if (employerId && method)
        await saveEmployerBilling(deps.db, employerId, { stripePaymentMethodId: method });
      return [];
    }
    default:
      return [];
  }
}

/**
 * POST /webhooks/stripe: the signature is checked on the raw body (tampered or stale → 400), each
 * event id is applied once (a redelivery answers 200 and does nothing), and the fact becomes a signal.
 */
const stripeWebhook: Operation = {
  method: 'post',
  path: '/webhooks/stripe',
  summary: 'Stripe events, signed; each event id is applied once',
  request: {
    headers: z.object({ 'Stripe-Signature': z.string() }),
    body: jsonBody(z.object({ id: z.string(), type: z.string() }).loose()),
  },
  responses: {
    200: json(
      z.object({ received: z.boolean(), duplicate: z.boolean().optional() }),
      'Applied, or a duplicate ignored',
    ),
    400: problem(
      'Signature missing, wrong or older than 5 minutes, a signed body that is not JSON, or a signed event without the fields it must have (`errors` names them)',
    ),
  },
};

/** Applies a verified event once: its facts become signals to the workflows they concern. */
async function applyEvent(deps: RouteDeps, event: Stripe.Event) {
  const facts = await factsOf(deps, readEvent(event));
  const internshipId = facts[0]?.internshipId ?? null;
  if (!(await recordStripeEvent(deps.db, { id: event.id, type: event.type, internshipId }))) {
    return { received: true, duplicate: true };
  }
  try {
    for (const { workflowIds, fact } of facts) {
      for (const workflowId of workflowIds) {
        await deps.temporal.workflow
          .getHandle(workflowId)
          .signal(stripeEventSignal, fact)
          .catch((err: unknown) => {
            // An internship that has ended no longer needs the fact.
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          });
      }
    }
  } catch (err) {
    // Not applied: forget the id so Stripe's retry of this event is applied.
    await forgetStripeEvent(deps.db, event.id);
    throw err;
  }
  return { received: true };
}

/** Why constructEvent refused: a genuine signature made too long ago, a body it could not parse, or the signature. */
function signatureRefusal(err: unknown): WebhookRefusal {
  if ((err as { type?: unknown }).type === 'StripeSignatureVerificationError') {
    return /tolerance/i.test((err as Error).message) ? 'stale' : 'signature';
  }
  // constructEvent parses the body only once its signature verified.
  return err instanceof SyntaxError ? 'unparseable' : 'signature';
}

export function webhookRoutes(
  deps: RouteDeps & {
    stripe: Stripe;
    webhookSecret: string;
    /** Counts a refused webhook (microinternships_stripe_webhooks_refused_total). */
    refused?: (reason: WebhookRefusal) => void;
  },
): DocumentedRouter {
  const routes = new DocumentedRouter();
  const refused = deps.refused ?? (() => undefined);
  const raw = express.raw({ type: '*/*', limit: '512kb' });
  // A body too large or unreadable never reaches the handler: counted here, answered by the problem handler.
  const rawBody: RequestHandler = (req, res, next) =>
    raw(req, res, (err?: unknown) => {
      if (err) refused('unparseable');
      next(err);
    });
  routes.route(stripeWebhook, rawBody, async (req, res) => {
    const signature = req.get('stripe-signature');
    let event: Stripe.Event;
    try {
      if (!signature || !Buffer.isBuffer(req.body)) throw new Error('missing signature or body');
      event = deps.stripe.webhooks.constructEvent(req.body, signature, deps.webhookSecret, TOLERANCE_SECONDS);
    } catch (err) {
      const reason = signatureRefusal(err);
      refused(reason);
      if (reason === 'unparseable') {
        throw validationProblem([{ field: 'body', message: 'is not valid JSON' }], 400);
      }
      throw new HttpProblem(
        400,
        'Invalid signature',
        'The Stripe-Signature header does not match this body, or is too old',
        {
          errors: [{ field: 'header.Stripe-Signature', message: 'does not verify' }],
        },
      );
    }
    try {
      res.json(await applyEvent(deps, event));
    } catch (err) {
      // A signed event without the fields it must have is answered 400; anything else was not
      // applied (Postgres or Temporal failed) and Stripe retries it.
      refused(err instanceof HttpProblem ? 'unparseable' : 'handler_error');
      throw err;
    }
  });
  return routes;
}
