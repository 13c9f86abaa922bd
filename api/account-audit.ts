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

/** The audit row of a sign-in or sign-out: who, by which means, through which channel. */
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
    actorRole: e.actor.role,
    actorId: e.actor.id,
    actorTitle: e.actor.title,
    organisationId: e.actor.organisationId,
    channel: e.actor.channel,
    action: e.action,
    subjectId: e.subjectId,
  });
}
