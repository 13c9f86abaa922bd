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
      const send = () =>
        deps.updateGate.run(internship.workflowId, deadline, () =>
          deps.temporal.connection.withDeadline(deadline, () =>
            handle.executeUpdate(update, { ...options, updateId }),
          ),
        );
      // A refusal of a state older than the one the read model shows. Either the workflow moved on
      // in the very task that refused (an activity's result and this Update arrived together: the
      // validator judged the state before the workflow went on and published the next), or a lost
      // workflow task published a state the workflow is about to publish again. Asked once more,
      // the workflow judges what it has made durable: a refusal that catches up with the read model
      // stands. One still behind is a lost task, retried within seconds (its timeout is 10 s), so the
      // caller is asked to retry; a row ahead for longer is not catching up and the refusal stands.
      // An action that reached the workflow with its first task is judged before its first publish
      // (version 0): asked again, it is judged on version 1 (test/api/before-first-task.test.ts).
      const behind = async (err: unknown) => {
        const refusedAt = refusedStateVersion(err);
        if (refusedAt === undefined) return false;
        const published = await recentlyPublishedVersion(deps.db, internship.id, CATCH_UP_SECONDS);
        return published !== undefined && published > refusedAt;
      };
      const result = await send().catch(async (err: unknown) => {
        if (!(await behind(err))) throw err;
        return send().catch(async (again: unknown) => {
          throw (await behind(again)) ? new StateCatchingUp() : again;
        });
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
