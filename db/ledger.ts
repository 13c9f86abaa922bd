import type { Queryable } from './pool';

export type LedgerKind = 'charge' | 'refund' | 'transfer' | 'platform_share';

export interface LedgerEntry {
  internshipId: string;
  step: string;
  kind: LedgerKind;
  amountCents: number;
  idempotencyKey: string;
  stripeObjectId: string | null;
}

/** Records one money step; a repeated step (a retried activity) changes nothing. */
export async function recordLedgerEntry(db: Queryable, e: LedgerEntry): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO ledger (internship_id, step, kind, amount_cents, idempotency_key, stripe_object_id)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (internship_id, step) DO NOTHING`,
    [e.internshipId, e.step, e.kind, e.amountCents, e.idempotencyKey, e.stripeObjectId],
  );
  return rowCount === 1;
}

export async function findLedgerEntry(
  db: Queryable,
  internshipId: string,
  step: string,
): Promise<LedgerEntry | undefined> {
  const { rows } = await db.query<{
    internship_id: string;
    step: string;
    kind: LedgerKind;
    amount_cents: number;
    idempotency_key: string;
    stripe_object_id: string | null;
  }>(`SELECT * FROM ledger WHERE internship_id = $1 AND step = $2`, [internshipId, step]);
  const r = rows[0];
  return (
    r && {
      internshipId: r.internship_id,
      step: r.step,
      kind: r.kind,
      amountCents: r.amount_cents,
      idempotencyKey: r.idempotency_key,
      stripeObjectId: r.stripe_object_id,
    }
  );
}

export interface LedgerTotals {
  charged: number;
  refunded: number;
  transferred: number;
  platformShare: number;
}

export async function ledgerTotals(db: Queryable, internshipId: string): Promise<LedgerTotals> {
  const { rows } = await db.query<{ kind: LedgerKind; total: string }>(
    `SELECT kind, sum(amount_cents)::text AS total FROM ledger WHERE internship_id = $1 GROUP BY kind`,
    [internshipId],
  );
  const total = (kind: LedgerKind) => Number(rows.find((r) => r.kind === kind)?.total ?? 0);
  return {
    charged: total('charge'),
    refunded: total('refund'),
    transferred: total('transfer'),
    platformShare: total('platform_share'),
  };
}

/**
 * Ended internships whose money does not add up: charged ≠ refunded + transferred + platform share.
 * One whose payout still waits for the student's account (shown beside its status) is not counted yet.
 */
export async function unbalancedEndedInternships(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT i.id FROM internships i
       LEFT JOIN ledger l ON l.internship_id = i.id
      WHERE i.status IN ('Completed', 'Closed', 'Cancelled', 'Expired') AND i.payout IS DISTINCT FROM 'pending'
      GROUP BY i.id
     HAVING coalesce(sum(l.amount_cents) FILTER (WHERE l.kind = 'charge'), 0)
         <> coalesce(sum(l.amount_cents) FILTER (WHERE l.kind <> 'charge'), 0)`,
  );
  return rows.map((r) => r.id);
}
