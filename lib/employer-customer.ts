/** The employer's Stripe Customer: made once per employer, from the API (saving a card) or a charge. */
import type Stripe from 'stripe';
import { findEmployerBilling, saveEmployerBilling, type EmployerBilling } from '../db/payments';
import type { Queryable } from '../db/pool';

/** The employer's billing with its Customer id; undefined for an unknown employer. */
export async function withStripeCustomer(
  stripe: Stripe,
  db: Queryable,
  employerId: string,
): Promise<(EmployerBilling & { stripeCustomerId: string }) | undefined> {
  const billing = await findEmployerBilling(db, employerId);
  if (!billing) return undefined;
  if (billing.stripeCustomerId) return { ...billing, stripeCustomerId: billing.stripeCustomerId };
  // The same key from every caller: two first uses at once make one Customer.
  const customer = await stripe.customers.create(
    { name: billing.companyName, email: billing.contactEmail, metadata: { employerId } },
    { idempotencyKey: `employer:${employerId}:customer` },
  );
  await saveEmployerBilling(db, employerId, { stripeCustomerId: customer.id });
  return { ...billing, stripeCustomerId: customer.id };
}
