import type { Queryable } from './pool';

export interface AuditEvent {
  internshipId: string;
  eventKey: string;
  actorRole: 'employer' | 'student' | 'ops' | 'system';
  actorId: string | null;
  channel: 'api' | 'email' | 'workflow';
  action: string;
}

/** Records an event once per key; a retried write changes nothing. */
export async function recordAudit(db: Queryable, e: AuditEvent): Promise<void> {
  await db.query(
    `INSERT INTO audit_events (internship_id, event_key, actor_role, actor_id, channel, action)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [e.internshipId, e.eventKey, e.actorRole, e.actorId, e.channel, e.action],
  );
}

export async function listAudit(
  db: Queryable,
  internshipId: string,
): Promise<(AuditEvent & { at: string })[]> {
  const { rows } = await db.query<{
    internship_id: string;
    event_key: string;
    at: Date;
    actor_role: AuditEvent['actorRole'];
    actor_id: string | null;
    channel: AuditEvent['channel'];
    action: string;
  }>(`SELECT * FROM audit_events WHERE internship_id = $1 ORDER BY at, event_key`, [internshipId]);
  return rows.map((r) => ({
    internshipId: r.internship_id,
    eventKey: r.event_key,
    at: r.at.toISOString(),
    actorRole: r.actor_role,
    actorId: r.actor_id,
    channel: r.channel,
    action: r.action,
  }));
}
