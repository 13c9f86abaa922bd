import { inTransaction, type Db } from './pool';

/** What waits on the platform, for the API's /metrics (api/backlog-metrics.ts) and ops' alerts. */
export interface Backlog {
  /** Emails in the outbox not sent yet. */
  outboxUnsent: number;
  /** Seconds since the oldest of them was queued; 0 when none waits. */
  outboxOldestUnsentAgeSeconds: number;
  /** Internships whose student is owed a payout not made yet (status Paying, or payout pending). */
  payoutsWaiting: number;
  /** Seconds since the longest-waiting of them started to wait; 0 when none waits. */
  payoutsOldestWaitingAgeSeconds: number;
}

/**
 * Reads the backlog from two partial indexes (migration 20261206000017), within `timeoutMs` on the server: a
 * slow database makes the reading fail, never a scrape that hangs or a query that lingers.
 */
export async function readBacklog(db: Db, timeoutMs: number): Promise<Backlog> {
  return inTransaction(db, async (tx) => {
    await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [String(Math.ceil(timeoutMs))]);
    const { rows } = await tx.query<{
      outbox_unsent: number;
      outbox_age: number;
      payouts_waiting: number;
      payouts_age: number;
    }>(
      `SELECT o.unsent AS outbox_unsent,
              coalesce(extract(epoch FROM now() - o.oldest), 0)::float8 AS outbox_age,
              p.waiting AS payouts_waiting,
              coalesce(extract(epoch FROM now() - p.oldest), 0)::float8 AS payouts_age
         FROM (SELECT count(*)::int AS unsent, min(created_at) AS oldest
                 FROM email_outbox WHERE sent_at IS NULL) o,
              (SELECT count(*)::int AS waiting, min(payout_waiting_since) AS oldest
                 FROM internships WHERE payout_waiting_since IS NOT NULL) p`,
    );
    const row = rows[0]!;
    return {
      outboxUnsent: row.outbox_unsent,
      outboxOldestUnsentAgeSeconds: Math.max(0, row.outbox_age),
      payoutsWaiting: row.payouts_waiting,
      payoutsOldestWaitingAgeSeconds: Math.max(0, row.payouts_age),
    };
  });
}
