import type { WorkflowUpdateOptions } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import type { Caller } from '../db/accounts';
import { recordAudit } from '../db/audit';
import { recentlyPublishedVersion, type Internship } from '../db/internships';
import type { RouteDeps } from './deps';
import type { Request, Response } from 'express';
import { principalOf, type Principal } from './auth';
import { idempotencyKeyOf, principalKey } from './idempotency';
import { refusedStateVersion, StateCatchingUp, TEMPORAL_CALL_DEADLINE_MS } from './workflow-errors';

/** How long after the read model was written a refusal of an older state means "still catching up". */
const CATCH_UP_SECONDS = 60;

/** Who acted, as the audit trail records them: the person, their role there, their organisation, the channel. */
export interface Actor {
  role: 'employer' | 'student' | 'ops';
  /** The person's account (an email link from before accounts: the employer organisation's id). */
  id: string | null;
  /** owner, admin or member of the organisation; support, finance or admin staff; student. */
  title: string | null;
  organisationId: string | null;
  channel: 'api' | 'email' | 'browser';
}

export const actorOf = (p: Principal): Actor =>
  p.role === 'ops'
    ? { role: 'ops', id: p.accountId, title: p.staffRole, organisationId: null, channel: p.channel }
    : p.role === 'employer'
      ? {
          role: 'employer',
          id: p.accountId,
          title: p.orgRole,
          organisationId: p.employerId,
          channel: p.channel,
        }
      : { role: 'student', id: p.accountId, title: 'student', organisationId: null, channel: p.channel };

/** The actor of a caller read from Postgres (a sign-in, an email link). */
export const actorOfCaller = (c: Caller, channel: Actor['channel']): Actor => ({
  role: c.kind === 'staff' ? 'ops' : c.kind === 'member' ? 'employer' : 'student',
  id: c.accountId,
  title: c.kind === 'staff' ? c.staffRole : c.kind === 'member' ? c.orgRole : 'student',
  organisationId: c.employerId,
  channel,
});

/**
 * A workflow handle whose Updates are the human actions of the audit trail: each runs under its own
 * Update id and, once the workflow accepted it, is recorded with who did it and through which channel.
 */
export function actOn(
  deps: Pick<RouteDeps, 'db' | 'temporal' | 'updateGate'>,
  internship: Internship,
  actor: Actor,
  requestUpdateId?: string,
) {
  const handle = deps.temporal.workflow.getHandle(internship.workflowId);
  return {
    async executeUpdate<Ret, Args extends [unknown, ...unknown[]]>(
      update: UpdateDefinition<Ret, Args>,
      options: WorkflowUpdateOptions & { args: Args },
    ): Promise<Ret> {
      const updateId = options.updateId ?? requestUpdateId ?? randomUUID();
      // One deadline for the wait in this workflow's queue and the Update itself.
      const deadline = Date.now() + TEMPORAL_CALL_DEADLINE_MS;
      const result = await deps.updateGate
        .run(internship.workflowId, deadline, () =>
          deps.temporal.connection.withDeadline(deadline, () =>
            handle.executeUpdate(update, { ...options, updateId }),
          ),
        )
        .catch(async (err: unknown) => {
          // A refusal of a state older than the one the read model shows: the caller acted on a state
          // that a lost workflow task published and the workflow is about to publish again. A lost
          // task runs again within seconds (its timeout is 10 s), so a row ahead for longer is not
          // catching up: the refusal stands rather than asking the caller to retry forever. So does a
          // refusal of version 0: an action that reached the workflow with its first task was judged
          // as the handlers were registered, on the posting as it opened, which is what version 1
          // publishes (test/api/before-first-task.test.ts).
          const refusedAt = refusedStateVersion(err);
          if (refusedAt !== undefined && refusedAt > 0) {
            const published = await recentlyPublishedVersion(deps.db, internship.id, CATCH_UP_SECONDS);
            if (published !== undefined && published > refusedAt) throw new StateCatchingUp();
          }
          throw err;
        });
      await recordAudit(deps.db, {
        internshipId: internship.id,
        eventKey: `update:${updateId}`,
        actorRole: actor.role,
        actorId: actor.id,
        actorTitle: actor.title,
        organisationId: actor.organisationId,
        channel: actor.channel,
        action: update.name,
      });
      return result;
    },
  };
}

/**
 * The handle for a request of the web API. A request that carries `Idempotency-Key` runs its Update
 * under an id made of the caller and that key, so a client retrying after a timeout, a dropped
 * connection or a restarted API repeats the same Update: Temporal answers it with the first outcome
 * instead of doing it twice.
 */
export function actingFor(
  deps: Pick<RouteDeps, 'db' | 'temporal' | 'updateGate'>,
  internship: Internship,
  req: Request,
  res: Response,
) {
  const principal = principalOf(res);
  const key = idempotencyKeyOf(req);
  return actOn(deps, internship, actorOf(principal), key && `request:${principalKey(principal)}:${key}`);
}
