/** §3.4 Funding: the fee is charged before the work starts; Stripe's facts and the pay page arrive as messages. */
import { condition } from '@temporalio/workflow';
import type { InternshipOutcome, InternshipState, openPaymentPageUpdate, StripeFact } from '../definitions';
import { payLinkOpen, type ArgsOf } from '../rules';
import { PAY_LINK_WINDOW_DAYS } from '../durations';
import { payments, tell } from './proxies';
import { days, iso } from './run';
import { moveTo } from './steps';

/** §3.4 Funding: the saved card is charged once; if that fails the employer gets a pay link and 3 days. */
export async function fundInternship(state: InternshipState): Promise<boolean> {
  const charge = await payments.chargeFee(state.internshipId);
  if (charge.outcome === 'paid') return true;
  const payBy = iso(Date.now() + days(PAY_LINK_WINDOW_DAYS));
  await moveTo(state, 'Funding', payBy);
  await tell({
    internshipId: state.internshipId,
    to: 'employer',
    kind: 'pay-link',
    facts: { reason: charge.reason ?? 'declined', deadline: payBy },
    links: { actions: ['funding.pay'], decisionKey: `pay:${state.internshipId}`, expiresAt: payBy },
  });
  const paid = await condition(() => state.money.paymentReceived !== null, days(PAY_LINK_WINDOW_DAYS));
  if (!paid) return false;
  await payments.recordLatePayment({ internshipId: state.internshipId, ...state.money.paymentReceived! });
  return true;
}

/** §3.4 Unpaid after the pay link's 3 days: cancelled, both told; nothing was charged. */
export async function cancelUnfunded(state: InternshipState): Promise<InternshipOutcome> {
  await moveTo(state, 'Cancelled', null);
  await tell({ internshipId: state.internshipId, to: 'employer', kind: 'unfunded-employer' });
  await tell({ internshipId: state.internshipId, to: 'student', kind: 'unfunded-student' });
  return { status: 'Cancelled', reason: 'unpaid' };
}

/** §3.4, §3.8 A fact from Stripe (the stripeEvent signal): a late payment, or the student's payout account. */
export function recordStripeFact(state: InternshipState, fact: StripeFact): void {
  if (fact.type === 'payment_succeeded' && payLinkOpen(state) && !state.money.paymentReceived) {
    state.money.paymentReceived = { paymentIntentId: fact.paymentIntentId, amountCents: fact.amountCents };
  }
  if (fact.type === 'payout_account_ready') state.money.payoutAccountReady = true;
}

/** §3.4 The employer opened the pay link: a fresh Stripe Checkout page for the fee. */
export async function openPaymentPage(state: InternshipState, urls: ArgsOf<typeof openPaymentPageUpdate>) {
  return {
    url: await payments.createCheckoutSession({ internshipId: state.internshipId, ...urls }),
  };
}
