import type { Queryable } from './pool';

export interface DigestItem {
  internshipId: string;
  title: string;
  status: string;
  since: string;
}

export interface OpsDigest {
  overdueDecisions: DigestItem[];
  openDisputes: DigestItem[];
  payoutsWaiting: DigestItem[];
}

/** What needs a person: deadlines passed while someone had to decide, disputes, payouts on hold. */
export async function opsDigest(db: Queryable): Promise<OpsDigest> {
  const query = async (where: string) => {
    const { rows } = await db.query<{ id: string; title: string; status: string; since: Date }>(
      `SELECT id, title, status, coalesce(next_deadline, updated_at) AS since FROM internships
        WHERE ${where} ORDER BY since LIMIT 200`,
    );
    return rows.map((r) => ({
      internshipId: r.id,
      title: r.title,
      status: r.status,
      since: r.since.toISOString(),
    }));
  };
  return {
    overdueDecisions: await query(
      `next_deadline < now() AND status IN ('AwaitingApproval', 'Selecting', 'Offered', 'Funding', 'InReview')`,
    ),
    openDisputes: await query(`status = 'Disputed'`),
    payoutsWaiting: await query(`(status = 'Paying' OR payout = 'pending')`),
  };
}
