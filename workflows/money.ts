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

/** §3.7 The part of a fee that a dispute's share (0–100%) gives the student, before the platform's part. */
export const studentShareOf = (feeCents: number, studentSharePct: number): number =>
  Math.round((feeCents * studentSharePct) / 100);

/** The platform's part of what a student is paid (PLATFORM_SHARE_PCT of it). */
export const platformShareOf = (cents: number, platformSharePct: number): number =>
  Math.round((cents * platformSharePct) / 100);

/**
 * §3.7–3.8 Where a disputed fee goes at a share: the student's share less the platform's part is
 * paid to the student, and the rest of the fee is refunded to the employer.
 */
export function disputeSplit(feeCents: number, studentSharePct: number, platformSharePct: number) {
  const studentShareCents = studentShareOf(feeCents, studentSharePct);
  const platformShareCents = platformShareOf(studentShareCents, platformSharePct);
  return {
    studentShareCents,
    platformShareCents,
    studentPaidCents: studentShareCents - platformShareCents,
    employerRefundCents: feeCents - studentShareCents,
  };
}
