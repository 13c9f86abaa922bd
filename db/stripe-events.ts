import type { Queryable } from './pool';

/** True the first time an event id is seen; false for every redelivery. */
export async function recordStripeEvent(
  db: Queryable,
  event: { id: string; type: string; internshipId: string | null },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO stripe_events (event_id, type, internship_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [event.id, event.type, event.internshipId],
  );
  return rowCount === 1;
}

export async function forgetStripeEvent(db: Queryable, eventId: string): Promise<void> {
  await db.query(`DELETE FROM stripe_events WHERE event_id = $1`, [eventId]);
}
