/**
 * §3.7–3.8 Disputed and Paying: ops settle a dispute; the student is paid once their account is
 * ready. Ops' decision and the payout onboarding page arrive as Updates.
 */
import { condition } from '@temporalio/workflow';
import type {
  InternshipOutcome,
  InternshipState,
  openPayoutOnboardingUpdate,
  resolveDisputeUpdate,
} from '../definitions';
import type { ArgsOf } from '../rules';
import { PAYOUT_REMINDER_DAYS } from '../durations';
import { formatUsd, studentShareOf } from '../money';
import { followUp } from './follow-up';
import { payments, soon, tell } from './proxies';
import { days, iso, run } from './run';
import { moveTo, publish, remindOpsDailyUntil } from './steps';

/**
 * §3.8 Paying: waits durably for the student's payout account, reminding every 3 days, then pays once.
 * Work approved moves to Paying, then Completed. An engagement that has already ended (a kill fee,
 * a dispute's share; since OUTCOMES_TOLD) keeps its status, and the payout is shown beside it.
 */
export async function payStudent(
  state: InternshipState,
  sharePct: number,
  { ended }: { ended: boolean } = { ended: false },
): Promise<void> {
  if (run().outcomesTold) state.money.payout = 'pending';
  if (ended) await publish(state);
  else await moveTo(state, 'Paying', null);
  const studentId = state.hiredStudentId!;
  const { ready } = await payments.preparePayoutAccount({ studentId });
  for (let n = 0; !ready && !state.money.payoutAccountReady; n++) {
    const until = iso(Date.now() + days(PAYOUT_REMINDER_DAYS));
    await tell({
      internshipId: state.internshipId,
      to: 'student',
      kind: 'payout-onboarding',
      occurrence: String(n),
      links: {
        actions: ['payout.onboard'],
        decisionKey: `onboard:${state.internshipId}:${n}`,
        expiresAt: until,
      },
    });
    await condition(() => state.money.payoutAccountReady, days(PAYOUT_REMINDER_DAYS));
  }
  const { paidBy, amountCents } = await payments.payStudent({
    internshipId: state.internshipId,
    studentId,
    sharePct,
  });
  state.money.paidBy = paidBy;
  if (run().outcomesTold) state.money.payout = 'sent';
  if (ended) await publish(state);
  else if (sharePct === 100) await moveTo(state, 'Completed', null);
  await soon(() =>
    tell({
      internshipId: state.internshipId,
      to: 'student',
      kind: 'paid',
      facts: { paidBy, amount: formatUsd(amountCents) },
    }),
  );
}

/**
 * §3.7 Disputed: ops decide the student's share (0–100%), reminded daily until they do. The rest of
 * the fee is refunded; the share is paid like a payout (less the platform share), each once. Both
 * sides are told both amounts. 0% ends Cancelled. Since OUTCOMES_TOLD, a share ends Completed at
 * once, the payout beside it, and the follow-up runs as after an approval (feedback, the hiring
 * offer); the credential is issued only for the whole fee, because it says the work was accepted.
 */
export async function settleDispute(state: InternshipState): Promise<InternshipOutcome> {
  await remindOpsDailyUntil(state, () => state.money.resolution !== null, 'dispute-open');
  const pct = state.money.resolution!.studentSharePct;
  const refund = state.feeCents - studentShareOf(state.feeCents, pct);
  await payments.refundFee({ internshipId: state.internshipId, step: 'dispute-refund', amountCents: refund });
  for (const to of ['employer', 'student'] as const) {
    await tell({
      internshipId: state.internshipId,
      to,
      kind: 'dispute-resolved',
      facts: {
        audience: to,
        pct: String(pct),
        refund: formatUsd(refund),
        share: formatUsd(state.feeCents - refund),
      },
    });
  }
  if (pct === 0) {
    await moveTo(state, 'Cancelled', null);
    return { status: 'Cancelled', reason: 'dispute_refunded' };
  }
  if (run().outcomesTold) {
    await moveTo(state, 'Completed', null);
    await payStudent(state, pct, { ended: true });
    return followUp(state, { credential: pct === 100 });
  }
  await payStudent(state, pct);
  await moveTo(state, 'Completed', null);
  return { status: 'Completed', reason: 'dispute_settled' };
}

/** §3.8 The student opened the payout link: a fresh Stripe onboarding page. */
export async function openPayoutOnboarding(
  state: InternshipState,
  urls: ArgsOf<typeof openPayoutOnboardingUpdate>,
) {
  return {
    url: await payments.createOnboardingLink({ studentId: state.hiredStudentId!, ...urls }),
  };
}

/** §3.7 Ops decide the student's share of a disputed fee: the status it settles to. */
export function resolveDispute(
  state: InternshipState,
  { studentSharePct }: ArgsOf<typeof resolveDisputeUpdate>,
) {
  state.money.resolution = { studentSharePct };
  // Since OUTCOMES_TOLD a share ends the engagement Completed; the payout follows beside it.
  const settled = run().outcomesTold ? ('Completed' as const) : ('Paying' as const);
  return { status: studentSharePct === 0 ? ('Cancelled' as const) : settled };
}
