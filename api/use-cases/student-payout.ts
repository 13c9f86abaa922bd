/**
 * §3.8 The hired student's payout as the workflow and the ledger know it: whether it is due, whether
 * their payout account is ready, how much they are paid and when it arrives.
 */
import type { Db } from '../../db/pool';
import type { Internship } from '../../db/internships';
import { findLedgerEntry } from '../../db/ledger';
import { findStudentPayout } from '../../db/payments';
import type { InternshipState } from '../../workflows/definitions';
import { KILL_FEE_PCT, PAYOUT_SETTLEMENT_DAYS } from '../../workflows/durations';
import { disputeSplit } from '../../workflows/money';
import { updateRules } from '../../workflows/rules';

export const PAYOUT_STAGES = ['not-due', 'waiting-for-account', 'sending', 'sent', 'nothing-owed'] as const;
export type PayoutStage = (typeof PAYOUT_STAGES)[number];

/** The share of the fee the workflow pays the student: a dispute's share, a kill fee, or all of it. */
function sharePctOf(state: InternshipState): number {
  if (state.money.resolution) return state.money.resolution.studentSharePct;
  return state.status === 'Cancelled' ? KILL_FEE_PCT : 100;
}

export async function studentPayout(
  deps: { db: Db; platformSharePct: number },
  internship: Internship,
  state: InternshipState,
) {
  const [account, payout, platformShare] = await Promise.all([
    internship.studentId ? findStudentPayout(deps.db, internship.studentId) : undefined,
    findLedgerEntry(deps.db, internship.id, 'payout'),
    findLedgerEntry(deps.db, internship.id, 'platform-share'),
  ]);
  const ready = Boolean(account?.payoutsEnabled) || state.money.payoutAccountReady;
  const sharePct = sharePctOf(state);
  const split = disputeSplit(internship.feeCents, sharePct, deps.platformSharePct);
  // Once sent, the amounts are the ledger's: what moved, not what would.
  const paidCents = payout?.amountCents ?? split.studentPaidCents;
  const platformShareCents = platformShare?.amountCents ?? split.platformShareCents;
  const owed = state.status === 'Paying' || state.money.payout === 'pending';
  const ended = ['Cancelled', 'Expired'].includes(state.status) && state.money.payout === null;
  const stage: PayoutStage =
    payout || state.money.payout === 'sent' || state.money.paidBy
      ? 'sent'
      : owed
        ? ready
          ? 'sending'
          : 'waiting-for-account'
        : ended
          ? 'nothing-owed'
          : 'not-due';
  const onboarding = updateRules.openPayoutOnboarding(
    state,
    { refreshUrl: '', returnUrl: '' },
    {
      now: Date.now(),
      maxApplicants: 0,
      reopensOnWithdrawal: true,
    },
  );
  return {
    stage,
    account: { ready, created: Boolean(account?.stripeAccountId) },
    amounts: {
      feeCents: internship.feeCents,
      sharePct,
      grossCents: paidCents + platformShareCents,
      platformSharePct: deps.platformSharePct,
      platformShareCents,
      paidCents,
    },
    paidBy: state.money.paidBy ?? internship.paidBy,
    settlementDays: PAYOUT_SETTLEMENT_DAYS,
    nextActions: onboarding === undefined ? (['set-up-payouts'] as const) : [],
  };
}
