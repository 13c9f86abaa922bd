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

/** What needs a person, each kind by its condition on the read model. */
const WAITING = {
  /** Deadlines passed while someone had to decide. */
  overdueDecisions: `next_deadline < now() AND status IN ('AwaitingApproval', 'Selecting', 'Offered', 'Funding', 'InReview')`,
  openDisputes: `status = 'Disputed'`,
  /** §3.1 A fee below the floor, waiting for finance staff. */
  feeExceptions: `status = 'AwaitingApproval'`,
  /** A student owed a payout whose account is not ready. */
  payoutsWaiting: `(status = 'Paying' OR payout = 'pending')`,
};

export interface QueueItem extends DigestItem {
  workflowId: string;
  feeCents: number;
}

async function waiting(db: Queryable, where: string, limit: number): Promise<QueueItem[]> {
  const { rows } = await db.query<{
    id: string;
    workflow_id: string;
    title: string;
    status: string;
    fee_cents: number;
    since: Date;
  }>(
    `SELECT id, workflow_id, title, status, fee_cents, coalesce(next_deadline, updated_at) AS since
       FROM internships WHERE ${where} ORDER BY since LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    internshipId: r.id,
    workflowId: r.workflow_id,
    title: r.title,
    status: r.status,
    feeCents: r.fee_cents,
    since: r.since.toISOString(),
  }));
}

/** What needs a person: deadlines passed while someone had to decide, disputes, payouts on hold. */
export async function opsDigest(db: Queryable): Promise<OpsDigest> {
  return {
    overdueDecisions: await waiting(db, WAITING.overdueDecisions, 200),
    openDisputes: await waiting(db, WAITING.openDisputes, 200),
    payoutsWaiting: await waiting(db, WAITING.payoutsWaiting, 200),
  };
}

export type OpsQueue = Record<keyof typeof WAITING, QueueItem[]>;

/** Everything waiting on ops staff, oldest first, at most `limit` of each kind (the dashboard). */
export async function opsQueue(db: Queryable, limit: number): Promise<OpsQueue> {
  const [overdueDecisions, openDisputes, feeExceptions, payoutsWaiting] = await Promise.all([
    waiting(db, WAITING.overdueDecisions, limit),
    waiting(db, WAITING.openDisputes, limit),
    waiting(db, WAITING.feeExceptions, limit),
    waiting(db, WAITING.payoutsWaiting, limit),
  ]);
  return { overdueDecisions, openDisputes, feeExceptions, payoutsWaiting };
}
