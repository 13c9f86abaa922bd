import type { Queryable } from './pool';

/**
 * Takes one of `slots` slots of the workflow for `seconds`, if one is free (never taken, released,
 * or its lease ran out). Two processes racing for the same free slot cannot both get it: the loser's
 * insert meets the winner's row, which has not expired, and takes nothing.
 */
export async function takeUpdateSlot(
  db: Queryable,
  l: { workflowId: string; holder: string; slots: number; seconds: number },
): Promise<number | undefined> {
  const { rows } = await db.query<{ slot: number }>(
    `INSERT INTO update_leases (workflow_id, slot, holder, expires_at)
     SELECT $1, s, $2, now() + make_interval(secs => $4)
       FROM generate_series(0, $3 - 1) AS s
      WHERE NOT EXISTS (SELECT 1 FROM update_leases l WHERE l.workflow_id = $1 AND l.slot = s AND l.expires_at > now())
      ORDER BY random()
      LIMIT 1
     ON CONFLICT (workflow_id, slot) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
      WHERE update_leases.expires_at <= now()
     RETURNING slot`,
    [l.workflowId, l.holder, l.slots, l.seconds],
  );
  return rows[0]?.slot;
}

/** Gives the slot back (only the holder's own lease). */
export async function releaseUpdateSlot(
  db: Queryable,
  l: { workflowId: string; slot: number; holder: string },
) {
  await db.query(`DELETE FROM update_leases WHERE workflow_id = $1 AND slot = $2 AND holder = $3`, [
    l.workflowId,
    l.slot,
    l.holder,
  ]);
}
