/** Money is integer cents, USD (DESIGN §3); this is how people read it. Pure: usable in workflows. */
export const formatUsd = (cents: number): string => `$${(cents / 100).toFixed(2)}`;

/**
 * §3.5 Cancelling funded work: the employer gets back all but KILL_FEE_PCT of the fee; the kill fee
 * goes to the student (less the platform share, taken at the payout).
 */
export function killFeeSplit(
  feeCents: number,
  killFeePct: number,
): { refundCents: number; killFeeCents: number } {
  const refundCents = Math.round((feeCents * (100 - killFeePct)) / 100);
  return { refundCents, killFeeCents: feeCents - refundCents };
}
