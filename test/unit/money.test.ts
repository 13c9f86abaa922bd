/** §3.7 A disputed fee divides at the student's share: the share less the platform's part to the student, the rest refunded. */
import { disputeSplit } from '../../workflows/money';

test.each([
  // fee, share %, platform %, student's share, platform part, student paid, employer refunded
  [25_000, 40, 10, 10_000, 1_000, 9_000, 15_000],
  [25_000, 0, 10, 0, 0, 0, 25_000],
  [25_000, 100, 10, 25_000, 2_500, 22_500, 0],
  [33_333, 33, 10, 11_000, 1_100, 9_900, 22_333],
  [10_001, 50, 15, 5_001, 750, 4_251, 5_000],
])(
  'a fee of %i cents at %i%% (platform %i%%): share %i, platform %i, paid %i, refunded %i',
  (fee, pct, platform, share, platformPart, paid, refund) => {
    const split = disputeSplit(fee, pct, platform);
    expect(split).toEqual({
      studentShareCents: share,
      platformShareCents: platformPart,
      studentPaidCents: paid,
      employerRefundCents: refund,
    });
    // Every cent of the fee goes somewhere, once.
    expect(split.studentPaidCents + split.platformShareCents + split.employerRefundCents).toBe(fee);
  },
);
