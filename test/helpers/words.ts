import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { saveText, type TextBodies, type TextKind } from '../../db/texts';
import { testConfig } from './env';

let pool: pg.Pool | undefined;
/** Its own small pool that lets the test process exit when idle (no teardown to remember). */
const db = () =>
  (pool ??= new pg.Pool({ connectionString: testConfig().DATABASE_URL, max: 2, allowExitOnIdle: true }));

type Args = Record<string, unknown>;

/** Which words an Update's argument holds, by its shape, and the kind of text they make. */
function wordsIn(args: Args): { kind: TextKind; body: TextBodies[TextKind]; keep: Args } | undefined {
  const {
    url,
    notes,
    comments,
    reason,
    comment,
    endorsedSkills,
    role,
    type,
    payCents,
    payPeriod,
    startDate,
    ...keep
  } = args;
  if (url !== undefined)
    return { kind: 'submission', body: { url, notes } as TextBodies['submission'], keep };
  if (comments !== undefined) return { kind: 'review', body: { comments } as TextBodies['review'], keep };
  if (reason !== undefined)
    return {
      kind: keep.newDueAt ? 'extension' : 'cancellation',
      body: { reason } as TextBodies['extension'],
      keep,
    };
  if (comment !== undefined)
    return {
      kind: 'feedback',
      body: { comment, endorsedSkills: endorsedSkills ?? [] } as TextBodies['feedback'],
      keep,
    };
  if (role !== undefined)
    return {
      kind: 'hiring-offer',
      body: { role, type, payCents, payPeriod, startDate } as TextBodies['hiring-offer'],
      keep,
    };
  return undefined;
}

/**
 * Sends an Update as the API does: the words a person wrote are stored first (`texts`) and the
 * Update carries their id. Tests write the argument as people would, words and all.
 */
export async function act<R, A>(
  handle: Pick<WorkflowHandle, 'workflowId' | 'executeUpdate'>,
  update: UpdateDefinition<R, [A]>,
  args: A,
): Promise<R> {
  const words = wordsIn(args as Args);
  if (!words) return handle.executeUpdate(update, { args: [args] });
  const textId = randomUUID();
  await saveText(db(), {
    id: textId,
    internshipId: handle.workflowId.replace(/^internship:/, ''),
    authorId: null,
    kind: words.kind,
    body: words.body,
  });
  return handle.executeUpdate(update, { args: [{ ...words.keep, textId } as A] });
}
