import { ApplicationFailure, Context } from '@temporalio/activity';
import type Stripe from 'stripe';
import { findInternship } from '../db/internships';
import { findLedgerEntry, recordLedgerEntry } from '../db/ledger';
import { findStudentPayout, saveEmployerBilling, saveStudentAccount } from '../db/payments';
import { withStripeCustomer } from '../lib/employer-customer';
import type { Db } from '../db/pool';
import { ErrorType, stepKey } from '../workflows/definitions';
import { days, PAYOUT_SETTLEMENT_DAYS } from '../workflows/durations';
import { platformShareOf, studentShareOf } from '../workflows/money';

export interface PaymentDeps {
  db: Db;
  stripe: Stripe;
  /** Platform share of each fee, in percent (DESIGN: 10). */
  platformSharePct: number;
  /** Used when an employer has no saved card of its own (a Stripe test card with test keys). */
  defaultPaymentMethod?: string | undefined;
}

/**
 * Runs a Stripe call while heartbeating, so a worker that dies mid-call is noticed within the
 * heartbeat timeout and the step is retried — with the same idempotency key — on another worker.
 */
async function withHeartbeat<T>(call: () => Promise<T>): Promise<T> {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    return call(); // not inside an activity (a direct call)
  }
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), 1000);
  try {
    return await call();
  } finally {
    clearInterval(timer);
  }
}

const isCardError = (err: unknown): err is Stripe.errors.StripeCardError =>
  (err as { type?: string })?.type === 'StripeCardError';

/** What the money activities share: the internship, the employer's billing, the platform share. */
function paymentContext(deps: PaymentDeps) {
  const { db, stripe } = deps;

  const internshipOf = async (internshipId: string) => {
    const internship = await findInternship(db, internshipId);
    if (!internship)
      throw ApplicationFailure.nonRetryable(`internship ${internshipId} not found`, ErrorType.NotFound);
    return internship;
  };

  /** The employer's Stripe Customer and saved card, created once per employer. */
  const billingOf = async (employerId: string) => {
    const billing = await withStripeCustomer(stripe, db, employerId);
    if (!billing)
      throw ApplicationFailure.nonRetryable(`employer ${employerId} not found`, ErrorType.NotFound);
    const customerId = billing.stripeCustomerId;
    let paymentMethodId = billing.stripePaymentMethodId;
    if (!paymentMethodId && deps.defaultPaymentMethod) {
      const method = await stripe.paymentMethods.attach(
        deps.defaultPaymentMethod,
        { customer: customerId },
        { idempotencyKey: `employer:${employerId}:attach:${deps.defaultPaymentMethod}` },
      );
      paymentMethodId = method.id;
      await saveEmployerBilling(db, employerId, { stripePaymentMethodId: paymentMethodId });
    }
    return { customerId, paymentMethodId };
  };

  const shareOf = (feeCents: number) => platformShareOf(feeCents, deps.platformSharePct);
  return { internshipOf, billingOf, shareOf };
}

type PaymentContext = ReturnType<typeof paymentContext>;

/** The money activities: every Stripe call keyed `internship:<id>:<step>` and booked in the ledger. */
export function createPaymentActivities(deps: PaymentDeps) {
  const ctx = paymentContext(deps);
  return {
    ...chargeActivities(deps, ctx),
    ...payLinkActivities(deps, ctx),
    ...refundActivities(deps),
    ...payoutAccountActivities(deps),
    ...payoutActivities(deps, ctx),
  };
}

/** §3.4 Charging the fee on the saved card, and a late payment through the pay link. */
function chargeActivities(deps: PaymentDeps, ctx: PaymentContext) {
  const { db, stripe } = deps;
  const { internshipOf, billingOf } = ctx;
  return {
    /**
     * §3.4 Funding: one PaymentIntent for the fee on the saved card, key `internship:<id>:charge`.
     * A decline is an answer, not an error: the workflow then sends a pay link.
     */
    async chargeFee(internshipId: string): Promise<{ outcome: 'paid' | 'failed'; reason?: string }> {
      if (await findLedgerEntry(db, internshipId, 'charge')) return { outcome: 'paid' };
      const internship = await internshipOf(internshipId);
      const { customerId, paymentMethodId } = await billingOf(internship.employerId);
      if (!paymentMethodId) return { outcome: 'failed', reason: 'no saved card' };
      const idempotencyKey = stepKey(internshipId, 'charge');
      try {
        const intent = await withHeartbeat(() =>
          stripe.paymentIntents.create(
            {
              amount: internship.feeCents,
              currency: 'usd',
              customer: customerId,
              payment_method: paymentMethodId,
              confirm: true,
              off_session: true,
              description: `Micro-internship fee: ${internship.title}`,
              metadata: { internshipId, step: 'charge' },
            },
            { idempotencyKey },
          ),
        );
        if (intent.status !== 'succeeded') return { outcome: 'failed', reason: `payment ${intent.status}` };
        await recordLedgerEntry(db, {
          internshipId,
          step: 'charge',
          kind: 'charge',
          amountCents: intent.amount,
          idempotencyKey,
          stripeObjectId: intent.id,
        });
        return { outcome: 'paid' };
      } catch (err) {
        if (isCardError(err)) return { outcome: 'failed', reason: err.message };
        throw err;
      }
    },

    /** §3.4 The fee arrived through the pay link (a verified webhook): recorded once. */
    async recordLatePayment(p: { internshipId: string; paymentIntentId: string; amountCents: number }) {
      await recordLedgerEntry(db, {
        internshipId: p.internshipId,
        step: 'charge',
        kind: 'charge',
        amountCents: p.amountCents,
        idempotencyKey: stepKey(p.internshipId, 'charge'),
        stripeObjectId: p.paymentIntentId,
      });
    },
  };
}

/** §3.4 The pay link: a Checkout Session for the fee. */
function payLinkActivities(deps: PaymentDeps, ctx: PaymentContext) {
  const { stripe } = deps;
  const { internshipOf, billingOf } = ctx;
  return {
    /** A Checkout Session for the fee, made when the employer opens the pay link (sessions live 24 h). */
    async createCheckoutSession(p: { internshipId: string; successUrl: string; cancelUrl: string }) {
      const internship = await internshipOf(p.internshipId);
      const { customerId } = await billingOf(internship.employerId);
      const session = await stripe.checkout.sessions.create({
        mode: 'payment',
        customer: customerId,
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: 'usd',
              unit_amount: internship.feeCents,
              product_data: { name: `Micro-internship: ${internship.title}` },
            },
          },
        ],
        payment_intent_data: { metadata: { internshipId: p.internshipId, step: 'charge' } },
        metadata: { internshipId: p.internshipId },
        success_url: p.successUrl,
        cancel_url: p.cancelUrl,
      });
      return session.url!;
    },
  };
}

/** §3.5–3.7 Refunds: in full, the rest after a kill fee, the rest after a dispute. */
function refundActivities(deps: PaymentDeps) {
  const { db, stripe } = deps;
  return {
    /** Refunds part or all of the held fee, once per step (`refund`, `kill-fee-refund`, …). */
    async refundFee(p: { internshipId: string; step: string; amountCents: number }): Promise<void> {
      if (p.amountCents <= 0 || (await findLedgerEntry(db, p.internshipId, p.step))) return;
      const charge = await findLedgerEntry(db, p.internshipId, 'charge');
      if (!charge) return;
      const idempotencyKey = stepKey(p.internshipId, p.step);
      const refund = await withHeartbeat(() =>
        stripe.refunds.create(
          {
            payment_intent: charge.stripeObjectId!,
            amount: p.amountCents,
            metadata: { internshipId: p.internshipId },
          },
          { idempotencyKey },
        ),
      );
      await recordLedgerEntry(db, {
        internshipId: p.internshipId,
        step: p.step,
        kind: 'refund',
        amountCents: p.amountCents,
        idempotencyKey,
        stripeObjectId: refund.id,
      });
    },
  };
}

/** §3.8 The student's payout account and its onboarding link. */
function payoutAccountActivities(deps: PaymentDeps) {
  const { db, stripe } = deps;
  return {
    /** §3.8 Is the student's payout account ready? Creates the Connect Express account the first time. */
    async preparePayoutAccount(p: { studentId: string }): Promise<{ ready: boolean }> {
      const student = await findStudentPayout(db, p.studentId);
      if (!student)
        throw ApplicationFailure.nonRetryable(`student ${p.studentId} not found`, ErrorType.NotFound);
      if (student.stripeAccountId && student.payoutsEnabled) return { ready: true };
      if (!student.stripeAccountId) {
        const account = await stripe.accounts.create(
          {
            type: 'express',
            email: student.email,
            capabilities: { transfers: { requested: true } },
            metadata: { studentId: p.studentId },
          },
          { idempotencyKey: `student:${p.studentId}:account` },
        );
        await saveStudentAccount(db, p.studentId, account.id);
      }
      return { ready: false };
    },

    /** A fresh onboarding URL (Stripe's account links are short-lived; the email links here instead). */
    async createOnboardingLink(p: {
      studentId: string;
      refreshUrl: string;
      returnUrl: string;
    }): Promise<string> {
      const student = await findStudentPayout(db, p.studentId);
      if (!student?.stripeAccountId)
        throw ApplicationFailure.nonRetryable('no payout account yet', ErrorType.NotFound);
      const link = await stripe.accountLinks.create({
        account: student.stripeAccountId,
        type: 'account_onboarding',
        refresh_url: p.refreshUrl,
        return_url: p.returnUrl,
      });
      return link.url;
    },
  };
}

/** §3.8 The payout, once, less the platform share. */
function payoutActivities(deps: PaymentDeps, ctx: PaymentContext) {
  const { db, stripe } = deps;
  const { shareOf } = ctx;
  return {
    /**
     * §3.8 One transfer of the student's share (fee − platform share), key `internship:<id>:payout`;
     * the platform share is booked beside it so the ledger balances.
     */
    async payStudent(p: {
      internshipId: string;
      studentId: string;
      sharePct?: number;
    }): Promise<{ paidBy: string; amountCents: number }> {
      const student = await findStudentPayout(db, p.studentId);
      const destination = student?.stripeAccountId;
      if (!destination) throw ApplicationFailure.nonRetryable('no payout account', ErrorType.NotFound);
      const charged = (await findLedgerEntry(db, p.internshipId, 'charge'))?.amountCents ?? 0;
      const gross = studentShareOf(charged, p.sharePct ?? 100);
      const platformShare = shareOf(gross);
      const amount = gross - platformShare;
      const idempotencyKey = stepKey(p.internshipId, 'payout');
      const existing = await findLedgerEntry(db, p.internshipId, 'payout');
      if (!existing && amount > 0) {
        const transfer = await withHeartbeat(() =>
          stripe.transfers.create(
            {
              amount,
              currency: 'usd',
              destination,
              transfer_group: `internship:${p.internshipId}`,
              metadata: { internshipId: p.internshipId },
            },
            { idempotencyKey },
          ),
        );
        await recordLedgerEntry(db, {
          internshipId: p.internshipId,
          step: 'payout',
          kind: 'transfer',
          amountCents: amount,
          idempotencyKey,
          stripeObjectId: transfer.id,
        });
      }
      await recordLedgerEntry(db, {
        internshipId: p.internshipId,
        step: 'platform-share',
        kind: 'platform_share',
        amountCents: platformShare,
        idempotencyKey: stepKey(p.internshipId, 'platform-share'),
        stripeObjectId: null,
      });
      return {
        paidBy: new Date(Date.now() + days(PAYOUT_SETTLEMENT_DAYS)).toISOString(),
        amountCents: amount,
      };
    },
  };
}
