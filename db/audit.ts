import type { Queryable } from './pool';

/**
 * One action in the audit trail: who (the person's account, their role there, their organisation),
 * through which channel, what, and on which internship, account or organisation.
 */
export interface AuditEvent {
  /** Null for actions on accounts, organisations and staff. */
  internshipId: string | null;
  eventKey: string;
  actorRole: 'employer' | 'student' | 'ops' | 'system' | 'break-glass';
  /** The person's account (for rows from before accounts, an employer's organisation id). */
  actorId: string | null;
  /** Their role: owner, admin or member of an organisation; support, finance or admin staff; student. */
  actorTitle?: string | null;
  organisationId?: string | null;
  channel: 'api' | 'email' | 'browser' | 'workflow';
  action: string;
  /** The account, organisation or credential acted on, for actions that are not on an internship. */
  subjectId?: string | null;
}

/** Records an event once per key; a retried write changes nothing. */
export async function recordAudit(db: Queryable, e: AuditEvent): Promise<void> {
  await db.query(
    `INSERT INTO audit_events
       (internship_id, event_key, actor_role, actor_id, actor_title, organisation_id, channel, action, subject_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
    [
      e.internshipId,
      e.eventKey,
      e.actorRole,
      e.actorId,
      e.actorTitle ?? null,
      e.organisationId ?? null,
      e.channel,
      e.action,
      e.subjectId ?? null,
    ],
  );
}

/** Removes one row again: the posting's, when its workflow could not be started and it is removed too. */
export async function deleteAudit(db: Queryable, internshipId: string, eventKey: string): Promise<void> {
  await db.query(`DELETE FROM audit_events WHERE internship_id = $1 AND event_key = $2`, [
    internshipId,
    eventKey,
  ]);
}

interface AuditRow {
  internship_id: string | null;
  event_key: string;
  at: Date;
  actor_role: AuditEvent['actorRole'];
  actor_id: string | null;
  actor_title: string | null;
  organisation_id: string | null;
  channel: AuditEvent['channel'];
  action: string;
  subject_id: string | null;
}

const toEvent = (r: AuditRow): AuditEvent & { at: string } => ({
  internshipId: r.internship_id,
  eventKey: r.event_key,
  at: r.at.toISOString(),
  actorRole: r.actor_role,
  actorId: r.actor_id,
  actorTitle: r.actor_title,
  organisationId: r.organisation_id,
  channel: r.channel,
  action: r.action,
  subjectId: r.subject_id,
});

export async function listAudit(
  db: Queryable,
  internshipId: string,
): Promise<(AuditEvent & { at: string })[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT * FROM audit_events WHERE internship_id = $1 ORDER BY at, event_key`,
    [internshipId],
  );
  return rows.map(toEvent);
}

/** Actions on accounts, organisations and staff (not on an internship), newest first. */
export async function listAccountAudit(
  db: Queryable,
  filter: { subjectId?: string; actorId?: string },
  limit = 100,
): Promise<(AuditEvent & { at: string })[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT * FROM audit_events
      WHERE internship_id IS NULL AND ($1::uuid IS NULL OR subject_id = $1) AND ($2::text IS NULL OR actor_id = $2)
      ORDER BY at DESC LIMIT $3`,
    [filter.subjectId ?? null, filter.actorId ?? null, limit],
  );
  return rows.map(toEvent);
}
