import { randomUUID } from 'node:crypto';
import { recordAudit } from '../db/audit';
import type { Queryable } from '../db/pool';
import type { Actor } from './audited-handle';

/** The OPS_TOKEN's one use, recorded as such: nobody signed in, so no person is named. */
export const BREAK_GLASS = {
  role: 'break-glass',
  id: null,
  title: 'OPS_TOKEN (break-glass)',
  organisationId: null,
  channel: 'api',
} as const;
type BreakGlass = typeof BREAK_GLASS;

/** How the audit trail names who acted: the person, their role there, their organisation, the channel. */
export const auditFieldsOf = (actor: Actor | BreakGlass) => ({
  actorRole: actor.role,
  actorId: actor.id,
  actorTitle: actor.title,
  organisationId: actor.organisationId,
  channel: actor.channel,
});

/** The audit row of an action on an account, organisation or credential: who, how, on what. */
export async function auditAccount(
  deps: { db: Queryable },
  e: {
    action: string;
    actor: Actor | BreakGlass;
    subjectId: string;
  },
): Promise<void> {
  await recordAudit(deps.db, {
    internshipId: null,
    eventKey: `account:${randomUUID()}`,
    ...auditFieldsOf(e.actor),
    action: e.action,
    subjectId: e.subjectId,
  });
}
