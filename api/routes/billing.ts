import { z } from 'zod';
import { findEmployerBilling } from '../../db/payments';
import { withStripeCustomer } from '../../lib/employer-customer';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { employerIdParam } from '../identity-schemas';
import { json, problems, secured, unauthenticated, type Operation } from '../openapi-kit';
import { forbidden, notFound } from '../problem';
import { parse } from '../validate';
import { organisationFor } from './employers';
import { webPaths } from '../../lib/web-paths';

export const billingSchema = z.object({
  cardSaved: z
    .boolean()
    .describe('A card is saved: the fee is charged to it when a student accepts (no pay link needed)'),
});
export const cardSetupResponse = z.object({
  url: z.url().describe('Stripe Checkout in setup mode: the card is saved there, nothing is charged'),
});

const billing: Operation = {
  method: 'get',
  path: '/v1/employers/{id}/billing',
  summary: 'Whether the organisation has a card saved for its fees (its members; staff)',
  security: secured,
  request: { params: employerIdParam },
  responses: {
    200: json(billingSchema, 'Its billing'),
    ...unauthenticated,
    ...problems({ 403: 'Caller is a student', 404: 'Unknown organisation, or not yours' }),
  },
};

const cardSetup: Operation = {
  method: 'post',
  path: '/v1/employers/{id}/billing/card-setup',
  summary:
    'Open a Stripe Checkout page in setup mode to save a card for later fees; Stripe reports it saved by webhook (owners, admins)',
  security: secured,
  request: { params: employerIdParam },
  responses: {
    201: json(cardSetupResponse, 'Send the person to this page'),
    ...unauthenticated,
    ...problems({
      403: "Caller is not the organisation's owner or admin",
      404: 'Unknown organisation, or not yours',
    }),
  },
};

/** §3.4 The saved card the fee is charged to: saved through Stripe Checkout in setup mode. */
export function billingRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();
  routes.route(billing, async (req, res) => {
    const { id } = parse(employerIdParam, req.params, 'path');
    await organisationFor(deps, res, id);
    const found = await findEmployerBilling(deps.db, id);
    if (!found) throw notFound('Employer');
    res.json({ cardSaved: found.stripePaymentMethodId !== null });
  });

  routes.route(cardSetup, async (req, res) => {
    const { id } = parse(employerIdParam, req.params, 'path');
    const { caller } = await organisationFor(deps, res, id);
    if (caller.role !== 'employer' || !['owner', 'admin'].includes(caller.orgRole)) {
      throw forbidden("Only the organisation's owners and admins save its card");
    }
    const customer = await withStripeCustomer(deps.stripe, deps.db, id);
    if (!customer) throw notFound('Employer');
    // Back to the web app's funding page (web/pages/employer/funding.ts), which reads `card`.
    const back = `${deps.config.PUBLIC_BASE_URL}${webPaths.employerFunding}`;
    const session = await deps.stripe.checkout.sessions.create({
      mode: 'setup',
      currency: 'usd',
      customer: customer.stripeCustomerId,
      metadata: { employerId: id },
      setup_intent_data: { metadata: { employerId: id } },
      success_url: `${back}?card=saved`,
      cancel_url: `${back}?card=cancelled`,
    });
    res.status(201).json({ url: session.url });
  });
  return routes;
}
